#!/usr/bin/env bash
# tools/setup.sh: prepare a Debian bookworm machine to build and test the
# immutable extension, then build and install it.
#
# Run as root (apt-get and "make install" write system directories). Safe to
# run again: packages already present are not reinstalled, and apt-get update
# runs at most once, only when something has to be installed.
#
# Quiet on success; on any failure prints the failing command's output and
# exits non-zero. CI=true in the environment is passed to make, whose
# Makefile then adds -Werror.

set -euo pipefail

# The PostgreSQL major to install and build for: 15, or another one
# (tools/pg_versions.sh runs this inside a chroot of a newer Debian).
PG_MAJOR=${IMMUTABLE_PG_MAJOR:-15}

# What a fresh CI machine lacks: the compiler and PGXS, pgTAP and pg_prove,
# IPC::Run (PostgreSQL's Perl TAP framework needs it), the periods extension
# (the benchmarks compare against it). The server and postgresql-common
# (pg_virtualenv) are listed too, so a bare machine also works. sqlsmith
# generates the random queries of tools/fuzz.sh. python3-*: the ORM client tests
# (test/clients). libssl-dev: src/sha256.c
# calls OpenSSL's libcrypto. pg-bsd-indent: tools/pgindent.sh.
PACKAGES=(
    build-essential
    "postgresql-$PG_MAJOR"
    postgresql-common
    "postgresql-server-dev-$PG_MAJOR"
    "postgresql-$PG_MAJOR-pgtap"
    libtap-parser-sourcehandler-pgtap-perl
    libipc-run-perl
    sqlsmith
    libssl-dev
    python3-psycopg2
    python3-django
    python3-sqlalchemy
)
# The benchmarks and demos run on PostgreSQL 15 only (Debian has no periods
# package for 18), and so does the layout check (tools/pgindent.sh).
if [ "$PG_MAJOR" = 15 ]; then
    PACKAGES+=("postgresql-$PG_MAJOR-periods" pg-bsd-indent)
fi

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

# Run a command with its output captured; show the output only if it fails.
quietly() {
    if ! "$@" >"$LOG" 2>&1; then
        echo "setup.sh: failed: $*" >&2
        cat "$LOG" >&2
        exit 1
    fi
}

# Print the packages of PACKAGES that are not installed, one per line.
missing_packages() {
    local pkg
    for pkg in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null |
            grep -q '^install ok installed$'; then
            echo "$pkg"
        fi
    done
}

# Install whatever is missing; update the package lists once, and only then.
install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    if [ "${#missing[@]}" -eq 0 ]; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup.sh: must run as root to install: ${missing[*]}" >&2
        exit 1
    fi
    echo "setup.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    quietly apt-get update -qq
    quietly apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Build and install the extension into the PostgreSQL of PG_CONFIG (default
# the packaged one); the Makefile turns CI=true into -Werror.
build_and_install() {
    local pg_config="${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}"
    local make_args=(-C "$REPO_ROOT" "PG_CONFIG=$pg_config" "CI=${CI:-}")
    quietly make "${make_args[@]}" -j"$(nproc)"
    quietly make "${make_args[@]}" install
}

install_packages
build_and_install
