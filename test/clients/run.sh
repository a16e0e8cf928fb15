#!/usr/bin/env bash
# test/clients/run.sh [script...]
#   Runs the ORM client tests against the server the PG* environment
#   variables name (a throwaway cluster with the extension installed): each
#   script (default: every executable test_* under test/clients/*/) gets a
#   fresh database with the extension, named by PGDATABASE for the script.
#   The scripts print TAP lines (ok N - ..., not ok N - ...); a script that
#   exits non-zero without a failed line counts as one failure.  Prints
#   each script's output and a last line "N passed, M failed"; exits 0 iff
#   nothing failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
    set -- $(find "$here" -mindepth 2 -maxdepth 2 -name 'test_*' -type f -perm -u+x | sort)
fi
passed=0
failed=0
for script in "$@"; do
    db="immutable_client_$(basename "$script" | tr -c 'a-zA-Z0-9_\n' '_')"
    echo "# $script (database $db)"
    if ! psql -X -q -v ON_ERROR_STOP=1 -d postgres \
            -c "SET client_min_messages TO warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null ||
       ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION immutable' >/dev/null; then
        echo "not ok - $script: could not create database $db"
        failed=$((failed + 1))
        continue
    fi
    out=$(cd "$(dirname "$script")" && PGDATABASE=$db timeout 300 "$script" 2>&1)
    rc=$?
    echo "$out"
    ok=$(grep -c '^ok ' <<<"$out")
    notok=$(grep -c '^not ok ' <<<"$out")
    if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
        echo "not ok - $script exited with status $rc"
        notok=1
    fi
    passed=$((passed + ok))
    failed=$((failed + notok))
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
