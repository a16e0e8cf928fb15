#!/usr/bin/env bash
# tools/test.sh: build, install and run every test suite of the immutable
# extension against a throwaway PostgreSQL 15 cluster.
#
#   bash tools/test.sh
#
# Suites, all inside ONE pg_virtualenv cluster:
#   pg_regress   sql/*.sql      (make installcheck, REGRESS)
#   isolation    specs/*.spec   (make installcheck, ISOLATION)
#   pgTAP        test/pgtap/*.sql, run by pg_prove
#   Perl TAP     test/t/*.pl    (PostgreSQL::Test::Cluster), when there are any
#   fuzz         tools/fuzz.sh: sqlsmith and random API calls for a bounded
#                time (FUZZ_SECONDS, default 60, plus FUZZ_API_SECONDS,
#                default 30), in a cluster of its own; one test
#
# Every suite runs even when an earlier one fails. At the end come the
# regression diffs and the failing TAP output, then exactly one line
# "N passed, M failed" counting individual tests over all suites. The exit
# status is non-zero iff M > 0 or a suite could not run.
#
# Run as root on a CI machine (tools/setup.sh installs packages); the server
# and the Perl TAP clusters run as user postgres.

set -u

# The PostgreSQL major to test: 15, or the one IMMUTABLE_PG_MAJOR names
# (tools/pg_versions.sh runs this in a chroot with 17 or 18).
PG_MAJOR=${IMMUTABLE_PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PG_BIN/pg_config
PGTAP_DB=immutable_pgtap
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Scratch directory shared by the outer script and the copy of it that runs
# inside the cluster. Per suite (pg_regress, isolation, pgtap, perl-tap) it
# holds <suite>.log, the suite's output, and adds a line to "counts"
# ("<suite> <passed> <failed>") or, when the suite could not run, to "broken"
# ("<suite>: <why>").
WORK=${IMMUTABLE_TEST_WORK:-}

# Are there files matching a glob?
have_files() {
    compgen -G "$1" >/dev/null
}

# Note that a suite could not run at all.
suite_broken() {
    echo "$1: $2" >>"$WORK/broken"
    echo "!! $1 could not run: $2"
}

# Run a command, showing its output live and keeping it in <suite>.log.
run_logged() {
    local suite=$1
    shift
    "$@" 2>&1 | tee "$WORK/$suite.log"
    return "${PIPESTATUS[0]}"
}

# Count pg_regress / pg_isolation_regress result lines in a log and print
# "passed failed finished". PG 15 prints "test foo ... ok" / "... FAILED"
# (parallel groups indent the name instead of "test"); PG 16+ prints TAP
# lines "ok 1 - foo" / "not ok 2 - bar". A failure pg_regress was told to
# ignore ("failed (ignored)") counts as passed, as pg_regress itself does.
# A test line with no verdict is a test pg_regress gave up on (a missing
# expected file aborts the whole run): it counts as failed. "finished" is 1
# when pg_regress got to its closing "... tests passed/failed" line.
count_regress() {
    awk '
        / \.\.\. ok( |$)/                { pass++; next }
        / \.\.\. failed \(ignored\)/     { pass++; next }
        / \.\.\. FAILED/                 { fail++; next }
        /^(test |     )[^ ]+ +\.\.\. /     { fail++; next }
        /^ok [0-9]+ /                    { pass++; next }
        /^not ok [0-9]+ /                { fail++; next }
        /tests? (passed|failed)/         { finished = 1 }
        END { printf "%d %d %d\n", pass, fail, finished }
    ' "$1"
}

# Count the tests of a TAP::Harness (pg_prove / prove) log and print
# "passed failed", or nothing when the harness printed no summary.
# "Files=F, Tests=N" gives the assertions that ran; each file in the
# "Test Summary Report" adds its failed assertions, plus those it planned
# but never ran (a script that died half-way), and counts as one failed test
# when it failed without a failing assertion (no plan, non-zero exit). Files
# listed only for "TODO passed" add nothing.
count_tap() {
    awk '
        function close_file() {
            if (!in_file) return
            failed += file_failed + missing
            extra += missing
            if (file_failed + missing == 0 && died) { extra++; failed++ }
            in_file = 0
        }
        /^Test Summary Report/ { in_report = 1; next }
        in_report && /\(Wstat: .* Tests: [0-9]+ Failed: [0-9]+\)$/ {
            close_file()
            in_file = 1
            file_failed = $0
            sub(/.*Failed: /, "", file_failed); sub(/\)$/, "", file_failed)
            file_failed += 0
            missing = 0
            died = 0
            next
        }
        in_report && /^  (Non-zero exit status|Non-zero wait status|Parse errors):/ {
            died = 1
        }
        in_report && /You planned [0-9]+ tests? but ran [0-9]+/ {
            planned = $0; sub(/.*You planned /, "", planned); sub(/ .*/, "", planned)
            ran = $0; sub(/.* but ran /, "", ran); sub(/[^0-9].*/, "", ran)
            if (planned - ran > 0) missing = planned - ran
            next
        }
        /^Files=[0-9]+, Tests=[0-9]+/ {
            close_file()
            tests = $0; sub(/.*Tests=/, "", tests); sub(/,.*/, "", tests)
            seen = 1
        }
        END {
            if (!seen) exit
            total = tests + extra
            printf "%d %d\n", total - failed, failed
        }
    ' "$1"
}

# Record the counts of a finished suite, or mark it broken when its runner
# failed without reporting any failing test (it could not connect, build,
# find its files ...).
record_counts() {
    local suite=$1 rc=$2 counts=$3 passed failed
    if [ -z "$counts" ]; then
        suite_broken "$suite" "no test results (exit status $rc)"
        return
    fi
    read -r passed failed <<<"$counts"
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        suite_broken "$suite" "runner failed (exit status $rc) with no failing test"
        return
    fi
    if [ $((passed + failed)) -eq 0 ]; then
        suite_broken "$suite" "no test results"
        return
    fi
    echo "$suite $passed $failed" >>"$WORK/counts"
}

# pg_regress or isolation through PGXS' installcheck. PGXS runs REGRESS,
# ISOLATION and TAP_TESTS in one recipe, which stops at the first failing
# suite, so each suite gets its own make run with the others switched off.
run_pgxs_suite() {
    local suite=$1 rc passed failed finished
    shift
    echo "== $suite =="
    run_logged "$suite" make -s -C "$REPO_ROOT" --no-print-directory \
        PG_CONFIG="$PG_CONFIG" "$@" installcheck
    rc=$?
    read -r passed failed finished < <(count_regress "$WORK/$suite.log")
    if [ "$rc" -ne 0 ] && [ "$finished" -eq 0 ] && [ $((passed + failed)) -gt 0 ]; then
        suite_broken "$suite" "pg_regress stopped before running every test"
    fi
    if [ $((passed + failed)) -gt 0 ]; then
        record_counts "$suite" "$rc" "$passed $failed"
    else
        record_counts "$suite" "$rc" ""
    fi
}

run_regress() {
    if ! have_files "$REPO_ROOT/sql/*.sql"; then
        echo "== pg_regress: no tests in sql/, skipped =="
        return
    fi
    run_pgxs_suite pg_regress ISOLATION= TAP_TESTS= PGTAP_TESTS=
}

run_isolation() {
    if ! have_files "$REPO_ROOT/specs/*.spec"; then
        echo "== isolation: no specs in specs/, skipped =="
        return
    fi
    run_pgxs_suite isolation REGRESS= TAP_TESTS= PGTAP_TESTS=
}

# pgTAP: the files run in one database made here with both extensions
# installed, as a migration would leave it. Each file wraps its work in
# BEGIN ... ROLLBACK, so files do not see each other's objects and their
# order does not matter; a failing CREATE EXTENSION is reported once, as
# "could not run", instead of once per file.
run_pgtap() {
    local rc
    if ! have_files "$REPO_ROOT/test/pgtap/*.sql"; then
        echo "== pgTAP: no tests in test/pgtap/, skipped =="
        return
    fi
    echo "== pgTAP =="
    if ! psql -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c "DROP DATABASE IF EXISTS $PGTAP_DB" \
        -c "CREATE DATABASE $PGTAP_DB" >"$WORK/pgtap-setup.log" 2>&1 ||
        ! psql -X -q -v ON_ERROR_STOP=1 -d "$PGTAP_DB" \
            -c "CREATE EXTENSION pgtap" \
            -c "CREATE EXTENSION immutable" >>"$WORK/pgtap-setup.log" 2>&1; then
        cat "$WORK/pgtap-setup.log"
        suite_broken pgtap "could not create database $PGTAP_DB with pgtap and immutable"
        return
    fi
    # -f shows the failing assertions (not only their diagnostics).
    (cd "$REPO_ROOT" && run_logged pgtap pg_prove -f --nocolor \
        -d "$PGTAP_DB" test/pgtap/*.sql)
    rc=$?
    record_counts pgtap "$rc" "$(count_tap "$WORK/pgtap.log")"
}

# Perl TAP tests run initdb for clusters of their own, which refuses root:
# as root they run as user postgres on a copy of the tree postgres may
# write to (tmp_check/ with the test logs is kept when a test fails).
run_perl_tap() {
    local tree rc
    if ! have_files "$REPO_ROOT/test/t/*.pl"; then
        echo "== Perl TAP: no tests in test/t/, skipped =="
        return
    fi
    echo "== Perl TAP =="
    local make_tap=(make -s --no-print-directory PG_CONFIG="$PG_CONFIG"
        REGRESS= ISOLATION= PGTAP_TESTS= TAP_TESTS=1 "PROVE_TESTS=test/t/*.pl"
        "PROVE_FLAGS=-f --nocolor" installcheck)
    if [ "$(id -u)" -eq 0 ]; then
        tree=$(mktemp -d /tmp/immutable-tap.XXXXXX)
        if ! tar -C "$REPO_ROOT" --exclude=./.git -cf - . | tar -C "$tree" -xf - ||
            ! chown -R postgres: "$tree"; then
            suite_broken perl-tap "could not copy the tree to $tree"
            return
        fi
        (cd "$tree" && run_logged perl-tap runuser -u postgres -- "${make_tap[@]}")
        rc=$?
    else
        tree=$REPO_ROOT
        (cd "$tree" && run_logged perl-tap "${make_tap[@]}")
        rc=$?
    fi
    record_counts perl-tap "$rc" "$(count_tap "$WORK/perl-tap.log")"
    if [ "$tree" != "$REPO_ROOT" ]; then
        if [ "$rc" -eq 0 ]; then
            rm -rf "$tree"
        else
            echo "Perl TAP logs kept in $tree/tmp_check/log"
        fi
    fi
}

# The fuzz run (tools/fuzz.sh) counts as one test: passed when it found
# nothing, failed on a finding (a crash, PANIC, assertion failure, internal
# error of the extension, broken invariant). It starts a throwaway cluster
# of its own from the same PostgreSQL, so a crash it provokes cannot disturb
# the suites' cluster, and it finds crashes in its own server log. It runs
# last all the same.
run_fuzz() {
    local rc
    echo "== fuzz =="
    run_logged fuzz env FUZZ_PG_BIN="$PG_BIN" bash "$REPO_ROOT/tools/fuzz.sh"
    rc=$?
    case $rc in
    0) echo "fuzz 1 0" >>"$WORK/counts" ;;
    1) echo "fuzz 0 1" >>"$WORK/counts" ;;
    *) suite_broken fuzz "tools/fuzz.sh could not run (exit status $rc)" ;;
    esac
}

# Inside the cluster: run every suite; never stop early.
run_suites() {
    # Leftovers of an earlier run would be printed as this run's diffs.
    rm -f "$REPO_ROOT/regression.diffs" "$REPO_ROOT/output_iso/regression.diffs"
    run_regress
    run_isolation
    run_pgtap
    run_perl_tap
    run_fuzz
    # pg_virtualenv dumps the server logs when the command fails; the suites
    # report for themselves, so exit 0 and let the outer script judge.
    exit 0
}

# The failing parts of a TAP::Harness log: failed assertions with their
# diagnostics, psql errors and the summary report.
failing_tap_output() {
    awk '
        /^Test Summary Report/              { report = 1 }
        report                              { print }
        report && /^Result:/                { exit }
        report                              { next }
        /^not ok / || /^# / || /^psql:/     { print; ctx = 1; next }
        ctx && /^(LINE [0-9]+:|HINT:|DETAIL:|CONTEXT:|QUERY:|  )/ { print; next }
        { ctx = 0 }
    ' "$1"
}

# After the cluster is gone: diffs, failing output, then the one-line total.
report() {
    local passed=0 failed=0 suite p f diffs
    echo
    for diffs in "$REPO_ROOT/regression.diffs" "$REPO_ROOT/output_iso/regression.diffs"; do
        if [ -s "$diffs" ]; then
            echo "== ${diffs#"$REPO_ROOT"/} =="
            cat "$diffs"
        fi
    done
    if [ -f "$WORK/counts" ]; then
        while read -r suite p f; do
            passed=$((passed + p))
            failed=$((failed + f))
            case "$suite" in
            pgtap | perl-tap)
                if [ "$f" -gt 0 ]; then
                    echo "== failing $suite output =="
                    failing_tap_output "$WORK/$suite.log"
                fi
                ;;
            fuzz)
                if [ "$f" -gt 0 ]; then
                    echo "== fuzz findings =="
                    sed -n '/^!! /,$p' "$WORK/fuzz.log"
                fi
                ;;
            esac
        done <"$WORK/counts"
    fi
    if [ -s "$WORK/broken" ]; then
        echo "== suites that could not run =="
        cat "$WORK/broken"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ ! -s "$WORK/broken" ]
}

# A port no server uses: neither its Unix socket in /var/run/postgresql
# exists nor anything accepts TCP connections on it. pg_virtualenv -t keeps
# its cluster out of /etc/postgresql, so pg_createcluster does not know the
# ports of other clusters on the machine and could pick a taken one.
free_port() {
    local port
    for ((port = 15432 + RANDOM % 1000; port < 65000; port++)); do
        if [ ! -e "/var/run/postgresql/.s.PGSQL.$port" ] &&
            ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    return 1
}

main() {
    if [ "${1:-}" = --in-cluster ]; then
        run_suites
    fi
    WORK=$(mktemp -d /tmp/immutable-test.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
    cd "$REPO_ROOT" || exit 1

    if ! bash tools/setup.sh; then
        echo "setup: tools/setup.sh failed" >>"$WORK/broken"
    # -t: as root, pg_virtualenv would otherwise register the fixed cluster
    # 15/regress in /etc/postgresql and refuse to start while another run
    # (or a leftover of one) holds that name. PGPORT: see free_port.
    elif ! IMMUTABLE_TEST_WORK=$WORK PGPORT=$(free_port) \
        pg_virtualenv -t -v "$PG_MAJOR" \
        bash "$REPO_ROOT/tools/test.sh" --in-cluster; then
        echo "cluster: pg_virtualenv failed" >>"$WORK/broken"
    fi
    report
}

main "$@"
