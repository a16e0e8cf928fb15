#!/usr/bin/env bash
# tools/package.sh: build the Debian package postgresql-15-immutable from
# this tree, install it with apt-get on a clean Debian bookworm server and
# run the regression suites against the installed package.
#
#   bash tools/package.sh          # as root (debootstrap, chroot, mount)
#
# 1. meta     tools/check_meta.pl: META.json follows PGXN Meta Spec 1.0.0
#             and agrees with immutable.control and debian/changelog.
# 2. chroots  made once, then reused (PACKAGE_ROOT, default /srv):
#               chroot-pkg-base  debootstrap --variant=minbase bookworm: the
#                                clean server; nothing is installed in it
#                                (only its package lists are refreshed, once
#                                a day)
#               chroot-pkg       a copy of chroot-pkg-base with the
#                                Build-Depends of debian/control, for
#                                building (apt-get build-dep when
#                                dpkg-checkbuilddeps finds one missing)
# 3. build    a fresh copy of the working tree (uncommitted changes
#             included, ignored files left out) in chroot-pkg:/build/immutable;
#             dpkg-buildpackage -us -uc -b with DEB_BUILD_OPTIONS=nocheck
#             (step 5 tests the installed package instead) and CI=true
#             (-Werror). The packages are left in chroot-pkg:/build/, never
#             in the repository. Then each package must hold immutable.so,
#             immutable.control and every script of the Makefile's DATA.
# 4. install  a throwaway overlay of chroot-pkg-base (its changes go to a
#             temporary directory, removed at the end): apt-get install
#             ./postgresql-15-immutable_*.deb with the test's Depends from
#             debian/tests/control, as on any Debian server; downloaded
#             packages are kept in chroot-pkg-base.apt-archives for the next
#             run.
# 5. test     debian/tests/installcheck, as autopkgtest runs it, in a fresh
#             copy of the tree: pg_buildext installcheck, i.e. make
#             installcheck (pg_regress on sql/, isolation on specs/) on a
#             pg_virtualenv cluster, against the installed files.
# Each step prints how long it took.
#
# Output: the pg_buildext installcheck output, the regression diffs of a
# failure, and last exactly "N passed, M failed": the regression files and
# isolation specs (counted by tools/test_count.awk; a suite that could not
# run is one failed test) and one test each for steps 1, 3 (the build, the
# contents of the packages) and 4. Exit status 0 iff M = 0.
#
# Environment: PACKAGE_ROOT (default /srv), PACKAGE_MIRROR (default
# http://deb.debian.org/debian), CI (default true).

set -u

ROOT_DIR=${PACKAGE_ROOT:-/srv}
MIRROR=${PACKAGE_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
BASE=$ROOT_DIR/chroot-pkg-base
BUILD_ROOT=$ROOT_DIR/chroot-pkg
APT_ARCHIVES=$BASE.apt-archives
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CI=${CI:-true}

WORK=$(mktemp -d /tmp/immutable-package.XXXXXX)
SERVER=$WORK/server             # the overlay: the clean server
MOUNTS=()                       # mount points to undo, the last first
PASSED=0
FAILED=0

pass() {
    echo "ok: $*"
    PASSED=$((PASSED + 1))
}

fail() {
    echo "FAILED: $*"
    FAILED=$((FAILED + 1))
}

took() {
    echo "== $1 took $(($(date +%s) - $2)) s"
}

# Mount something and remember to unmount it.
mount_at() {
    local target=${*: -1}
    mount "$@" || return 1
    MOUNTS+=("$target")
}

# /proc and /dev (with /dev/pts and /dev/shm, which the server uses) in a
# chroot; what a killed run left mounted there is unmounted first.
mount_system() {
    local dir
    for dir in "$1/dev" "$1/proc"; do
        if mountpoint -q "$dir"; then umount -R "$dir" || return 1; fi
    done
    mount_at -t proc proc "$1/proc" &&
        mount_at --rbind --make-rslave /dev "$1/dev"
}

unmount_all() {
    local i
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount -R "${MOUNTS[$i]}" || umount -R -l "${MOUNTS[$i]}"
    done
    MOUNTS=()
}

cleanup() {
    unmount_all
    rm -rf --one-file-system "$WORK"
}

# Run a command in a chroot with a plain environment.
in_chroot() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 HOME=/root DEBIAN_FRONTEND=noninteractive CI="$CI" "$@"
}

# Run a command with its output in LOG, shown only when it fails.
quietly() {
    local log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -40 "$log"
        return 1
    fi
}

# Copy the working tree as git sees it (.git and ignored files left out).
copy_tree() {
    rm -rf "$1" && mkdir -p "$1" &&
        tar -C "$REPO_ROOT" --exclude-vcs --exclude-vcs-ignores -cf - . | tar -C "$1" -xf -
}

# Step 2. The base: debootstrap once (a directory without the mark of a
# finished debootstrap is made anew); no service starts in it
# (policy-rc.d), so installing the server does not start a cluster.
make_base() {
    local start=$(date +%s)
    [ -f "$BASE/.immutable-base-done" ] && return 0
    rm -rf --one-file-system "$BASE"
    if ! command -v debootstrap >/dev/null; then
        quietly "$WORK/apt.log" sh -c "apt-get update -qq && apt-get install -y -qq debootstrap" || return 1
    fi
    mkdir -p "$ROOT_DIR"
    quietly "$BASE.debootstrap.log" \
        debootstrap --variant=minbase "$SUITE" "$BASE" "$MIRROR" || return 1
    printf '#!/bin/sh\nexit 101\n' >"$BASE/usr/sbin/policy-rc.d"
    chmod 755 "$BASE/usr/sbin/policy-rc.d"
    touch "$BASE/.immutable-base-done"
    took "debootstrap $BASE" "$start"
}

# The base's package lists, refreshed when they are a day old (never while
# an overlay of it is mounted).
refresh_base_lists() {
    if [ -z "$(find "$BASE/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null)" ]; then
        quietly "$WORK/apt.log" in_chroot "$BASE" apt-get update -qq || return 1
    fi
}

# The build chroot: a copy of the base, made once.
make_build_root() {
    local start=$(date +%s)
    [ -f "$BUILD_ROOT/.immutable-build-done" ] && return 0
    rm -rf --one-file-system "$BUILD_ROOT"
    cp -a "$BASE" "$BUILD_ROOT" || return 1
    rm -f "$BUILD_ROOT/.immutable-base-done"
    touch "$BUILD_ROOT/.immutable-build-done"
    took "copy of the base as $BUILD_ROOT" "$start"
}

# The Build-Depends of debian/control (nocheck profile), installed when
# dpkg-checkbuilddeps finds one missing.
build_depends() {
    local start=$(date +%s)
    if in_chroot "$BUILD_ROOT" sh -c 'cd /build/immutable &&
            dpkg-checkbuilddeps -P nocheck' >/dev/null 2>&1; then
        return 0
    fi
    quietly "$WORK/apt.log" in_chroot "$BUILD_ROOT" sh -c 'apt-get update -qq &&
        apt-get install -y -qq --no-install-recommends build-essential dpkg-dev &&
        cd /build/immutable &&
        apt-get build-dep -y -qq --no-install-recommends -P nocheck ./' || return 1
    took "Build-Depends" "$start"
}

# Step 3. Build; the packages are left in $BUILD_ROOT/build.
build_package() {
    local start
    rm -f "$BUILD_ROOT"/build/*.deb "$BUILD_ROOT"/build/*.changes "$BUILD_ROOT"/build/*.buildinfo
    copy_tree "$BUILD_ROOT/build/immutable" || return 1
    build_depends || return 1
    start=$(date +%s)
    quietly "$WORK/build.log" in_chroot "$BUILD_ROOT" sh -c 'cd /build/immutable &&
        DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b -J -Pnocheck' || return 1
    took "dpkg-buildpackage" "$start"
}

# The packages built (not the debug symbols), one a line.
built_packages() {
    ls "$BUILD_ROOT"/build/postgresql-*-immutable_*.deb 2>/dev/null
}

# Each package holds immutable.so, immutable.control and the Makefile's DATA.
check_contents() {
    local deb major data file listing missing=0
    data=$(in_chroot "$BUILD_ROOT" make -s --no-print-directory -C /build/immutable \
        PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config \
        --eval 'immutable-print-data: ; @echo $(DATA)' immutable-print-data) || return 1
    [ -n "$(built_packages)" ] || { echo "no package was built"; return 1; }
    for deb in $(built_packages); do
        major=$(basename "$deb" | sed 's/^postgresql-\([0-9]*\)-.*/\1/')
        listing=$(dpkg-deb -c "$deb" | awk '{print $6}')
        for file in "usr/lib/postgresql/$major/lib/immutable.so" \
            "usr/share/postgresql/$major/extension/immutable.control" \
            $(for f in $data; do echo "usr/share/postgresql/$major/extension/$(basename "$f")"; done); do
            if ! grep -qx "./$file" <<<"$listing"; then
                echo "$(basename "$deb") lacks /$file"
                missing=1
            fi
        done
        echo "$(basename "$deb"): immutable.so, immutable.control, $data"
    done
    return $missing
}

# The Depends of debian/tests/control, "@" being the packages built
# (version constraints dropped, the first of alternatives taken).
test_depends() {
    local dep
    awk '/^Depends:/ { on = 1; sub(/^Depends:/, ""); print; next }
         on && /^[ \t]/ { print; next } { on = 0 }' "$REPO_ROOT/debian/tests/control" |
        tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/^[[:space:]]*//; s/[[:space:]]*$//' |
        grep -v '^$' | while read -r dep; do
        if [ "$dep" = @ ]; then
            for deb in $(built_packages); do echo "./$(basename "$deb")"; done
        else
            echo "$dep"
        fi
    done
}

# Step 4. The clean server: an overlay of the base with the package
# installed by apt-get.
install_package() {
    local start=$(date +%s)
    mkdir -p "$WORK/upper" "$WORK/overlay-work" "$SERVER" "$APT_ARCHIVES/partial"
    mount_at -t overlay overlay \
        -o "lowerdir=$BASE,upperdir=$WORK/upper,workdir=$WORK/overlay-work" "$SERVER" || return 1
    mount_system "$SERVER" || return 1
    mount_at --bind "$APT_ARCHIVES" "$SERVER/var/cache/apt/archives" || return 1
    mkdir -p "$SERVER/build"
    cp $(built_packages) "$SERVER/build/" || return 1
    echo "apt-get install $(test_depends | tr '\n' ' ')"
    quietly "$WORK/install.log" in_chroot "$SERVER" sh -c \
        'cd /build && apt-get install -y -q --no-install-recommends "$@"' \
        sh $(test_depends) || return 1
    grep 'newly installed' "$WORK/install.log"
    took "apt-get install" "$start"
}

# Step 5. debian/tests/installcheck in a fresh copy of the tree; on failure
# the isolation diffs too (pg_buildext shows only those of pg_regress).
run_installcheck() {
    local start=$(date +%s) status
    copy_tree "$SERVER/build/immutable" || return 1
    in_chroot "$SERVER" sh -c 'cd /build/immutable && debian/tests/installcheck' 2>&1 |
        tee "$WORK/installcheck.log"
    status=${PIPESTATUS[0]}
    if [ -s "$SERVER/build/immutable/output_iso/regression.diffs" ]; then
        echo "**** output_iso/regression.diffs ****"
        cat "$SERVER/build/immutable/output_iso/regression.diffs"
    fi
    took "pg_buildext installcheck" "$start"
    return "$status"
}

main() {
    local start=$(date +%s)
    if perl "$REPO_ROOT/tools/check_meta.pl"; then
        pass "META.json"
    else
        fail "META.json (tools/check_meta.pl)"
    fi
    if ! make_base || ! make_build_root; then
        fail "chroots could not be made"
        return
    fi
    mount_system "$BUILD_ROOT" || { fail "could not mount /proc and /dev in $BUILD_ROOT"; return; }
    if build_package; then
        pass "package built"
    else
        fail "dpkg-buildpackage (the end of its output above)"
        return
    fi
    if check_contents; then
        pass "package contents"
    else
        fail "package contents"
    fi
    unmount_all
    echo "packages: $(built_packages | tr '\n' ' ')"
    refresh_base_lists || { fail "apt-get update in $BASE"; return; }
    if install_package; then
        pass "apt-get install on a clean server"
    else
        fail "apt-get install on a clean server"
        return
    fi
    run_installcheck
    took "tools/package.sh" "$start"
}

if [ "$(id -u)" -ne 0 ]; then
    echo "tools/package.sh: run as root (debootstrap, chroot, mount)" >&2
    exit 2
fi
mkdir -p "$ROOT_DIR"
exec 9>"$ROOT_DIR/chroot-pkg.lock" && flock 9
trap cleanup EXIT
trap 'exit 130' INT TERM
: >"$WORK/installcheck.log"
main
summary=$(awk -v only="regress isolation" -f "$REPO_ROOT/tools/test_count.awk" "$WORK/installcheck.log")
echo "$summary" | sed '$d'
read -r tests_passed _ tests_failed _ <<<"$(echo "$summary" | tail -1)"
PASSED=$((PASSED + tests_passed))
FAILED=$((FAILED + tests_failed))
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
