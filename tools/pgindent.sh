#!/usr/bin/env bash
# tools/pgindent.sh [--check] [FILE...]: lay out the C sources (default:
# src/*.c src/*.h) as PostgreSQL's pgindent does, with pg_bsd_indent
# (Debian package pg-bsd-indent) and PostgreSQL's indent settings.
#
# The type names indent must know are the server headers' (found in the
# headers of the PostgreSQL that pg_config names) and ours (typedefs.list).
# Dash-protected block comments ("/* ---") are left as they are, and a
# function's return type keeps one space before its '*', as pgindent does.
# With --check nothing is written: the files that would change are listed
# and the exit status is 1 if there are any.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
INDENT=${INDENT:-pg_bsd_indent}
OPTIONS="-bad -bap -bbb -bc -bl -cli1 -cp33 -cdb -nce -d0 -di12 -nfc1 -i4 -l79 -lp -lpl -nip -npro -sac -tpg -ts4"

check=false
if [ "${1:-}" = --check ]; then
    check=true
    shift
fi
cd "$REPO_ROOT"
if [ $# -eq 0 ]; then
    set -- src/*.c src/*.h
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every name a server header or src/ declares with typedef, one per line.
{
    grep -rhoE '^\}[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;' "$("$PG_CONFIG" --includedir-server)" |
        grep -oE '[A-Za-z_][A-Za-z0-9_]*'
    grep -rhoE '^typedef[^(;]*[[:space:]*][A-Za-z_][A-Za-z0-9_]*;' "$("$PG_CONFIG" --includedir-server)" |
        grep -oE '[A-Za-z_][A-Za-z0-9_]*;$' | tr -d ';'
    grep -rhoE 'typedef[^;]*\(\*[A-Za-z_][A-Za-z0-9_]*\)' "$("$PG_CONFIG" --includedir-server)" |
        grep -oE '\(\*[A-Za-z_][A-Za-z0-9_]*\)' | tr -d '(*)'
    cat typedefs.list
    echo bool
} | sort -u >"$work/typedefs"

changed=0
for file in "$@"; do
    sed -e 's!/\* +---!/*---X_X!g' "$file" >"$work/in.c"
    "$INDENT" $OPTIONS "-U$work/typedefs" "$work/in.c" "$work/out.c"
    sed -e 's!/\*---X_X!/* ---!g' \
        -e 's!^\([A-Za-z_][^ \t]*\)[ \t][ \t]*\*$!\1 *!' \
        "$work/out.c" >"$work/indented.c"
    if ! cmp -s "$file" "$work/indented.c"; then
        changed=1
        if $check; then
            echo "$file"
        else
            cp "$work/indented.c" "$file"
        fi
    fi
done
if $check && [ $changed -ne 0 ]; then
    exit 1
fi
exit 0
