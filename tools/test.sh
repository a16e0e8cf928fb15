#!/usr/bin/env bash
# tools/test.sh: every test suite of the immutable extension, on a throwaway
# cluster, as CI runs them (.ci/run).
#
#   bash tools/test.sh                                   # as root, Debian bookworm
#   PG_BIN=/opt/pg/usr/lib/postgresql/15/bin bash tools/test.sh   # another PostgreSQL 15
#
# 1. tools/setup.sh installs the missing packages, builds the extension and
#    installs it into the PostgreSQL of PG_BIN.
# 2. initdb and pg_ctl start a cluster in a new directory under /tmp (Unix
#    socket only).
# 3. make installcheck on a copy of the tree (as git sees it): pg_regress
#    (sql/), isolation (specs/), pgTAP (test/pgtap/), Perl TAP (test/t/;
#    the upgrade test gets the library of release 1.0 that
#    tools/release_library.sh builds from the history).
#    make -i: a failing suite does not stop the next one. As root, the copy
#    and the cluster belong to user postgres and make runs as postgres: the
#    Perl TAP tests run initdb, which refuses root, and write into the tree.
#    Then the ORM client tests (test/clients/run.sh: Django, SQLAlchemy) on
#    the same cluster, on PostgreSQL 15.
# 4. tools/fuzz.sh, in a cluster of its own.
# 5. tools/pgindent.sh --check: src/ laid out as pgindent does.
#
# tools/test_count.awk then counts the tests in the output: regression
# files, isolation specs, pgTAP and Perl TAP assertions, and the fuzz run as
# one. After the regression diffs, the failing TAP output and the suites
# that could not run (each counted as one failed test), the last line is
# exactly "N passed, M failed"; the exit status is non-zero iff M > 0. On
# failure the copy of the tree (results/, tmp_check/log) and the server log
# are kept, and the line before the last says where.

set -u

# The PostgreSQL to test: PG_BIN, or the major IMMUTABLE_PG_MAJOR names (15
# by default; tools/pg_versions.sh runs this in a chroot with 17 or 18).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/${IMMUTABLE_PG_MAJOR:-15}/bin}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/immutable-test.XXXXXX)

# Run a command as the owner of the cluster: postgres when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_cluster() {
    as_owner "$PG_BIN/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null 2>&1
}

# Without a build of this tree installed, no suite runs: none could pass on
# an older installation.
run_suites() {
    if ! PG_CONFIG=$PG_BIN/pg_config bash "$REPO_ROOT/tools/setup.sh"; then
        echo "setup: tools/setup.sh failed"
        return
    fi
    # The library of release 1.0, for test/t/007_upgrade.pl (skipped without)
    local release_1_0=
    if ! release_1_0=$(PG_CONFIG=$PG_BIN/pg_config bash "$REPO_ROOT/tools/release_library.sh" 1.0); then
        echo "setup: no library of release 1.0, test/t/007_upgrade.pl is skipped"
        release_1_0=
    fi
    mkdir "$WORK/tree" "$WORK/socket"
    tar -C "$REPO_ROOT" --exclude-vcs --exclude-vcs-ignores -cf - . | tar -C "$WORK/tree" -xf -
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres: "$WORK"
    fi
    as_owner "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres >"$WORK/initdb.log" 2>&1 ||
        cat "$WORK/initdb.log"
    as_owner "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
        -o "-k $WORK/socket -c listen_addresses=''" start >/dev/null ||
        cat "$WORK/server.log"
    (cd "$WORK/tree" && as_owner env PATH="$PG_BIN:$PATH" PGHOST="$WORK/socket" PGPORT=5432 \
        PGUSER=postgres IMMUTABLE_RELEASE_1_0="$release_1_0" \
        make -i -s --no-print-directory PG_CONFIG="$PG_BIN/pg_config" \
        "PROVE_FLAGS=-f --nocolor" installcheck)
    echo "+++ clients +++"
    if [ "${IMMUTABLE_PG_MAJOR:-15}" != 15 ]; then
        echo "clients: not run with PostgreSQL ${IMMUTABLE_PG_MAJOR} (15's run runs them)"
    else
        (cd "$WORK/tree" && as_owner env PATH="$PG_BIN:$PATH" PGHOST="$WORK/socket" PGPORT=5432 \
            PGUSER=postgres bash test/clients/run.sh)
    fi
    stop_cluster
    echo "+++ fuzz +++"
    FUZZ_PG_BIN=$PG_BIN bash "$REPO_ROOT/tools/fuzz.sh"
    echo "+++ style +++"
    if [ "${IMMUTABLE_PG_MAJOR:-15}" != 15 ]; then
        echo "style: not checked with PostgreSQL ${IMMUTABLE_PG_MAJOR}'s headers (15's run checks it)"
    elif PG_CONFIG=$PG_BIN/pg_config bash "$REPO_ROOT/tools/pgindent.sh" --check; then
        echo "style: laid out as pgindent does"
    else
        echo "style: files pgindent would change (tools/pgindent.sh)"
    fi
}

trap stop_cluster EXIT
run_suites 2>&1 | tee "$WORK/test.log"
for diffs in regression.diffs output_iso/regression.diffs; do
    if [ -s "$WORK/tree/$diffs" ]; then
        echo "== $diffs"
        cat "$WORK/tree/$diffs"
    fi
done
awk -v kept="$WORK" -f "$REPO_ROOT/tools/test_count.awk" "$WORK/test.log"
status=$?
if [ "$status" -eq 0 ]; then
    rm -rf "$WORK"
fi
exit "$status"
