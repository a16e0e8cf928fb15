#!/usr/bin/env bash
# tools/pg_versions.sh: build the extension and run every test suite against
# PostgreSQL 15, 17 and 18 as Debian ships them, each inside a debootstrap
# chroot of the Debian suite that has that version.
#
#   bash tools/pg_versions.sh              # 17 and 18
#   bash tools/pg_versions.sh 18           # one version
#   bash tools/pg_versions.sh 15 17 18     # 15 too (a bookworm chroot)
#
#   major  Debian suite  chroot
#   15     bookworm      $PG_VERSIONS_ROOT/chroot-15
#   17     trixie        $PG_VERSIONS_ROOT/chroot-17
#   18     sid           $PG_VERSIONS_ROOT/chroot-18
#
# Those servers' packages need a newer C library than the host's (bookworm),
# so they are never installed on the host: each major gets a minimal Debian
# of its own (debootstrap --variant=minbase), with the server, its PGXS
# headers, pgTAP, pg_prove and the Perl TAP modules installed inside. The
# host's PostgreSQL is not touched.
#
# Per major:
#   1. chroot   debootstrap, only when the chroot is not there yet (a chroot
#               whose debootstrap did not finish is made anew)
#   2. packages apt-get update and install, only when a package is missing
#   3. build    a fresh copy of the working tree (uncommitted changes
#               included, .git left out) in /build/immutable of the chroot,
#               make clean, make CI=true (-Werror), make install
#   4. tests    tools/test.sh inside the chroot with IMMUTABLE_PG_MAJOR set:
#               pg_regress, isolation, pgTAP, Perl TAP and a short fuzz run
#               (FUZZ_SECONDS, FUZZ_API_SECONDS, default 20 and 10 here), on
#               a throwaway pg_virtualenv cluster running as user postgres
# Each step prints how long it took. /proc and /dev are mounted into the
# chroot while it is used and unmounted at the end.
#
# Output: each version's full test output, then one line per version,
#   pg17: N passed, M failed
# (or "pg17: could not run: <why>"), and last, when more than one version
# ran, the sum as "total: N passed, M failed". Exit status 0 iff every
# version built and passed every test.
#
# Environment:
#   PG_VERSIONS_ROOT  where the chroots live (default /srv)
#   PG_VERSIONS_MIRROR Debian mirror (default http://deb.debian.org/debian)
#   CI                passed on to make (CI=true adds -Werror); this script
#                     sets CI=true when it is unset
# Run as root (debootstrap, chroot, mount).

set -u

ROOT_DIR=${PG_VERSIONS_ROOT:-/srv}
MIRROR=${PG_VERSIONS_MIRROR:-http://deb.debian.org/debian}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=/build/immutable      # inside the chroot
export CI=${CI:-true}

SUMMARY=()      # one "pgNN: ..." line per version
TOTAL_PASSED=0
TOTAL_FAILED=0
BROKEN=0

# The Debian suite that ships a major.
suite_of() {
    case $1 in
    15) echo bookworm ;;
    17) echo trixie ;;
    18) echo sid ;;
    *) return 1 ;;
    esac
}

# The packages a chroot needs for a major: the build tools and PGXS, the
# server and pg_virtualenv, pgTAP and pg_prove, IPC::Run for PostgreSQL's
# Perl TAP framework, sqlsmith for the fuzz run: what tools/setup.sh
# installs (for 15 also the periods extension of the benchmarks), so that
# tools/test.sh finds nothing missing.
packages_of() {
    echo build-essential postgresql-common "postgresql-$1" \
        "postgresql-server-dev-$1" "postgresql-$1-pgtap" \
        libtap-parser-sourcehandler-pgtap-perl libipc-run-perl sqlsmith
    if [ "$1" = 15 ]; then echo postgresql-15-periods; fi
}

# Print a step's duration.
took() {
    echo "== pg$1: $2 took $(($(date +%s) - $3)) s"
}

# Mount /proc and /dev (with /dev/pts and /dev/shm) into a chroot, unless
# they are mounted already.
mount_chroot() {
    local root=$1
    mountpoint -q "$root/proc" || mount -t proc proc "$root/proc" || return 1
    if ! mountpoint -q "$root/dev"; then
        mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" || return 1
    fi
}

# Undo mount_chroot.
umount_chroot() {
    local root=$1
    if mountpoint -q "$root/dev"; then umount -R "$root/dev"; fi
    if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
}

# Run a command inside a chroot, with a plain environment.
in_chroot() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 HOME=/root DEBIAN_FRONTEND=noninteractive CI="$CI" "$@"
}

# Step 1: the chroot. The file .immutable-debootstrap-done marks a finished
# debootstrap; without it the directory is a leftover and is made anew
# (after making sure nothing is mounted below it).
make_chroot() {
    local major=$1 root=$2 suite start
    suite=$(suite_of "$major")
    if [ -f "$root/.immutable-debootstrap-done" ]; then
        return 0
    fi
    start=$(date +%s)
    if [ -e "$root" ]; then
        umount_chroot "$root"
        if findmnt -rn -o TARGET | grep -q "^$root/"; then
            echo "pg$major: something is still mounted below $root" >&2
            return 1
        fi
        rm -rf --one-file-system "$root"
    fi
    if ! command -v debootstrap >/dev/null; then
        apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
            { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; } ||
            return 1
    fi
    mkdir -p "$ROOT_DIR"
    if ! debootstrap --variant=minbase "$suite" "$root" "$MIRROR" \
        >"$root.debootstrap.log" 2>&1; then
        tail -20 "$root.debootstrap.log"
        return 1
    fi
    touch "$root/.immutable-debootstrap-done"
    took "$major" debootstrap "$start"
}

# Step 2: the packages; apt-get update runs only when one is missing.
install_packages() {
    local major=$1 root=$2 pkg missing=() start
    for pkg in $(packages_of "$major"); do
        if ! in_chroot "$root" dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null |
            grep -q '^install ok installed$'; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    start=$(date +%s)
    echo "== pg$major: installing ${missing[*]}"
    # The mirror may serve a snapshot of the archive whose Release file of
    # sid has passed its Valid-Until date; the signatures are still checked.
    echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99immutable"
    # Servers must not start inside the chroot while packages install.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod +x "$root/usr/sbin/policy-rc.d"
    # No cluster of its own either: the tests make throwaway ones.
    mkdir -p "$root/etc/postgresql-common/createcluster.d"
    echo 'create_main_cluster = false' \
        >"$root/etc/postgresql-common/createcluster.d/immutable.conf"
    if ! in_chroot "$root" apt-get update -qq >"$root.apt.log" 2>&1 ||
        ! in_chroot "$root" apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >>"$root.apt.log" 2>&1; then
        tail -30 "$root.apt.log"
        return 1
    fi
    took "$major" "package install" "$start"
}

# Step 3: copy the tree into the chroot and build it there with -Werror.
build() {
    local major=$1 root=$2 start pgc
    start=$(date +%s)
    pgc=/usr/lib/postgresql/$major/bin/pg_config
    rm -rf "$root$BUILD_DIR"
    mkdir -p "$root$BUILD_DIR"
    tar -C "$REPO_ROOT" --exclude=./.git -cf - . | tar -C "$root$BUILD_DIR" -xf - ||
        return 1
    if ! in_chroot "$root" make -s -C "$BUILD_DIR" PG_CONFIG="$pgc" clean \
        >"$root.build.log" 2>&1 ||
        ! in_chroot "$root" make -C "$BUILD_DIR" PG_CONFIG="$pgc" CI="$CI" -j"$(nproc)" \
            >>"$root.build.log" 2>&1 ||
        ! in_chroot "$root" make -s -C "$BUILD_DIR" PG_CONFIG="$pgc" install \
            >>"$root.build.log" 2>&1; then
        grep -E '(error|warning):' "$root.build.log" | head -40
        tail -5 "$root.build.log"
        return 1
    fi
    if grep -q 'warning:' "$root.build.log"; then
        echo "pg$major: the build printed warnings:"
        grep -A3 'warning:' "$root.build.log"
        return 1
    fi
    took "$major" build "$start"
}

# Step 4: every suite, through tools/test.sh inside the chroot. Its last
# line is "N passed, M failed".
run_tests() {
    local major=$1 root=$2 start seed line commit
    start=$(date +%s)
    # The fuzz seed tools/fuzz.sh would take from the commit (the copy in
    # the chroot has no .git).
    seed=${FUZZ_SEED:-}
    if [ -z "$seed" ] && commit=$(git -C "$REPO_ROOT" rev-parse --short=7 HEAD 2>/dev/null); then
        seed=$((16#$commit % 1000000000))
    fi
    in_chroot "$root" IMMUTABLE_PG_MAJOR="$major" \
        FUZZ_SECONDS="${FUZZ_SECONDS:-20}" FUZZ_API_SECONDS="${FUZZ_API_SECONDS:-10}" \
        ${seed:+FUZZ_SEED="$seed"} \
        bash "$BUILD_DIR/tools/test.sh" 2>&1 | tee "$root.test.log"
    took "$major" tests "$start"
    line=$(tail -1 "$root.test.log")
    if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        TOTAL_PASSED=$((TOTAL_PASSED + BASH_REMATCH[1]))
        TOTAL_FAILED=$((TOTAL_FAILED + BASH_REMATCH[2]))
        SUMMARY+=("pg$major: $line")
        if grep -q '^== suites that could not run ==' "$root.test.log"; then
            BROKEN=1
        fi
    else
        SUMMARY+=("pg$major: could not run: tools/test.sh printed no result")
        BROKEN=1
    fi
}

# The chroot being used, unmounted on the way out whatever happens.
CURRENT_ROOT=
trap '[ -n "$CURRENT_ROOT" ] && umount_chroot "$CURRENT_ROOT"' EXIT

# All four steps for one major.
one_version() {
    local major=$1 root
    root=$ROOT_DIR/chroot-$major
    CURRENT_ROOT=$root
    if ! suite_of "$major" >/dev/null; then
        SUMMARY+=("pg$major: could not run: unsupported major (15, 17 or 18)")
        BROKEN=1
        return
    fi
    echo "== pg$major: chroot $root ($(suite_of "$major"))"
    if ! make_chroot "$major" "$root"; then
        SUMMARY+=("pg$major: could not run: debootstrap failed ($root.debootstrap.log)")
        BROKEN=1
        return
    fi
    if ! mount_chroot "$root"; then
        SUMMARY+=("pg$major: could not run: could not mount /proc or /dev into $root")
        BROKEN=1
        umount_chroot "$root"
        return
    fi
    if ! install_packages "$major" "$root"; then
        SUMMARY+=("pg$major: could not run: package install failed ($root.apt.log)")
        BROKEN=1
    elif ! build "$major" "$root"; then
        SUMMARY+=("pg$major: could not run: build failed ($root.build.log)")
        BROKEN=1
    else
        run_tests "$major" "$root"
    fi
    umount_chroot "$root"
    CURRENT_ROOT=
}

main() {
    local majors=("$@") major
    if [ "$(id -u)" -ne 0 ]; then
        echo "pg_versions.sh: run as root (debootstrap, chroot, mount)" >&2
        exit 2
    fi
    [ "${#majors[@]}" -eq 0 ] && majors=(17 18)
    for major in "${majors[@]}"; do
        one_version "$major"
    done
    echo
    printf '%s\n' "${SUMMARY[@]}"
    if [ "${#majors[@]}" -gt 1 ]; then
        echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
    fi
    [ "$TOTAL_FAILED" -eq 0 ] && [ "$BROKEN" -eq 0 ]
}

main "$@"
