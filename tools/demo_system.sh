#!/usr/bin/env bash
# tools/demo_system.sh: a system-versioned pgbench_accounts under the standard
# pgbench TPC-B load.
#
#   sudo bash tools/demo_system.sh              (as root: bash tools/demo_system.sh)
#   sudo DEMO_SECONDS=60 DEMO_CLIENTS=16 bash tools/demo_system.sh
#
# Runs tools/setup.sh (packages, build, install; DEMO_SETUP=0 skips it), then,
# in a throwaway PostgreSQL 15 cluster:
#   1. pgbench -i, then immutable.make_system_versioned('pgbench_accounts');
#   2. the builtin TPC-B script (pgbench's own, unchanged) with concurrent
#      clients for a fixed time;
#   3. shows what was written: history rows, the history of the busiest
#      account, the sum of all balances as of moments during the run;
#   4. checks the result against pgbench_history, the ledger pgbench itself
#      writes (one row per committed transaction, mtime = CURRENT_TIMESTAMP,
#      the transaction start time the extension also stamps periods with),
#      one PASS or FAIL line per check.
# Exit status 0 if and only if every check passed.
#
# Concurrency. The extension stamps each row version with the start time of
# the transaction that wrote it, and refuses (22000) to replace a version
# whose transaction started later than the current one. pgbench retries only
# 40001 and 40P01; a 22000 aborts its client. Under READ COMMITTED that
# happens when a transaction that BEGAN later updates the account first.
# REPEATABLE READ turns most of these into 40001, but not all: BEGIN fixes
# the start time, the first statement takes the snapshot, and a transaction
# that BEGINs in between and commits before that snapshot is simply visible.
# (With the script narrowed to 100 accounts, 16 clients, 20 s, 22000 aborted
# 12 to 14 clients under either level; with 100000 accounts it is rare, not
# impossible.) So the demo puts a guard trigger in front of the extension's
# (step 1): it raises 40001 exactly where the extension would raise 22000,
# pgbench runs the transaction again with a new BEGIN, and a sequence counts
# how often that happened. DEMO_GUARD=0 leaves it out, to watch the 22000.
#
# Settings (environment variables):
#   DEMO_SCALE=1        pgbench scale factor: 100000 accounts per unit
#   DEMO_SECONDS=20     how long the pgbench clients run (-T)
#   DEMO_CLIENTS=8      pgbench clients (-c)
#   DEMO_JOBS=2         pgbench threads (-j)
#   DEMO_ISOLATION="read committed"
#                       default_transaction_isolation of the pgbench sessions:
#                       "read committed" (pgbench's usual), "repeatable read" or
#                       "serializable"; with the guard all three are exact, the
#                       latter two only add PostgreSQL's own 40001 on the hot
#                       teller and branch rows (most transactions retried)
#   DEMO_MAX_TRIES=0    pgbench --max-tries, attempts per transaction on 40001;
#                       0 is unlimited (pgbench stops retrying when -T is over)
#   DEMO_GUARD=1        1: turn the 22000 into a retried 40001 (see above)
#   DEMO_MOMENTS=5      random moments of the run at which as_of is checked
#   DEMO_SETUP=1        0: skip tools/setup.sh (the extension must be installed)
#   DEMO_PORT=5440      first port tried for the cluster

set -euo pipefail

# For demo_lib.sh: the server version, this script's name (in messages and
# the summary line) and the width of the labels of the PASS/FAIL lines.
# shellcheck disable=SC2034
PG_MAJOR=15 DEMO_NAME=demo_system CHECK_WIDTH=58
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

DEMO_SCALE=${DEMO_SCALE:-1}
DEMO_SECONDS=${DEMO_SECONDS:-20}
DEMO_CLIENTS=${DEMO_CLIENTS:-8}
DEMO_JOBS=${DEMO_JOBS:-2}
DEMO_ISOLATION=${DEMO_ISOLATION:-read committed}
DEMO_MAX_TRIES=${DEMO_MAX_TRIES:-0}
DEMO_GUARD=${DEMO_GUARD:-1}
DEMO_MOMENTS=${DEMO_MOMENTS:-5}
DEMO_SETUP=${DEMO_SETUP:-1}
DEMO_PORT=${DEMO_PORT:-5440}

# die, outside, sql, check, run_checks ... (see there)
# shellcheck source=demo_lib.sh source-path=SCRIPTDIR disable=SC1091
source "$REPO_ROOT/tools/demo_lib.sh"

###############################################################################
# Outside the cluster: the settings (outside() itself is in demo_lib.sh)
###############################################################################

check_settings() {
    require_positive DEMO_SCALE DEMO_SECONDS DEMO_CLIENTS DEMO_JOBS DEMO_MOMENTS DEMO_PORT
    [[ $DEMO_MAX_TRIES =~ ^(0|[1-9][0-9]*)$ ]] ||
        die "DEMO_MAX_TRIES must be 0 (unlimited) or a positive integer, not '$DEMO_MAX_TRIES'"
    require_flag DEMO_GUARD DEMO_SETUP
    case $DEMO_ISOLATION in
        "read committed" | "repeatable read" | serializable) ;;
        *) die "DEMO_ISOLATION must be 'read committed', 'repeatable read' or 'serializable', not '$DEMO_ISOLATION'" ;;
    esac
}

###############################################################################
# Inside the cluster (pg_virtualenv has set PGHOST, PGPORT, PGUSER ...)
###############################################################################

# PGOPTIONS for the pgbench sessions: a backslash keeps the space of
# "read committed" inside one option.
isolation_options() {
    echo "-c default_transaction_isolation=${DEMO_ISOLATION// /\\ }"
}

# The guard: a BEFORE UPDATE trigger that fires before the extension's
# zz_immutable_system_period (BEFORE triggers fire in name order) and raises
# 40001 where that trigger would raise 22000: the row version it replaces
# started later than this transaction, or at the same microsecond and was
# written by another transaction (a version this transaction wrote starts at
# its own start time and may be changed again). The sequence is not rolled
# back with the transaction, so it counts every time the guard fired.
create_guard() {
    sql <<'SQL'
CREATE SEQUENCE demo_start_order_conflicts;
CREATE FUNCTION demo_retry_later_start() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF lower(OLD.system_period) > transaction_timestamp()
       OR (lower(OLD.system_period) = transaction_timestamp()
           AND NOT EXISTS (SELECT FROM pgbench_accounts AS a
                            WHERE a.aid = OLD.aid
                              AND a.xmin = pg_current_xact_id_if_assigned()::xid)) THEN
        PERFORM nextval('demo_start_order_conflicts');
        RAISE EXCEPTION 'account % was changed by a transaction that started later than this one', OLD.aid
            USING ERRCODE = 'serialization_failure',
                  DETAIL = format('Its version is valid from %s, this transaction started at %s.',
                                  lower(OLD.system_period), transaction_timestamp()),
                  HINT = 'Retry the transaction.';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER demo_retry_later_start BEFORE UPDATE ON pgbench_accounts
    FOR EACH ROW EXECUTE FUNCTION demo_retry_later_start();
SQL
}

create_and_convert() {
    heading "1. pgbench tables; pgbench_accounts becomes system-versioned"

    pgbench_init
    # The conversion's transaction start, now(), is where every existing
    # row's period begins; demo_marks keeps it for the checks.
    sql <<'SQL'
CREATE EXTENSION immutable;
CREATE TABLE demo_marks (name text PRIMARY KEY, at timestamptz NOT NULL);
SELECT count(*) AS n FROM pgbench_accounts \gset
BEGIN;
SELECT clock_timestamp() AS t0 \gset
SELECT immutable.make_system_versioned('pgbench_accounts') AS history \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS secs \gset
INSERT INTO demo_marks VALUES ('converted', now());
COMMIT;
\echo 'immutable.make_system_versioned(''pgbench_accounts'')' converted :n rows in :secs s, created :history
\echo
SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS type,
       pg_get_expr(d.adbin, d.adrelid) AS "default"
  FROM pg_attribute AS a
  JOIN pg_class AS c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid IN ('pgbench_accounts'::regclass, 'pgbench_accounts_history'::regclass)
   AND a.attname = 'system_period'
 ORDER BY 1;
SQL
    if [ "$DEMO_GUARD" = 1 ]; then
        create_guard
    fi
    echo
    sql <<'SQL'
SELECT tgname AS "trigger on pgbench_accounts", pg_get_triggerdef(oid) AS definition
  FROM pg_trigger
 WHERE tgrelid = 'pgbench_accounts'::regclass AND NOT tgisinternal
 ORDER BY tgname;
SQL
}

run_pgbench() {
    local options progress=5 started status
    [ "$DEMO_SECONDS" -ge 10 ] || progress=1
    options=$(isolation_options)
    heading "2. Standard TPC-B: $DEMO_CLIENTS clients for $DEMO_SECONDS s"

    echo "pgbench's builtin script (pgbench --show-script=tpcb-like):"
    pgbench --show-script=tpcb-like 2>&1 | grep -v -e '^--' -e '^$' | indent
    echo
    echo "PGOPTIONS='$options'"
    echo "isolation of the pgbench sessions: $(PGOPTIONS=$options sql_value -c 'SHOW default_transaction_isolation')"
    if [ "$DEMO_GUARD" = 1 ]; then
        echo "start-order conflicts: 40001 from the guard trigger, retried by pgbench"
    else
        echo "start-order conflicts: 22000 from the extension (DEMO_GUARD=0), not retried by pgbench"
    fi
    echo
    echo "pgbench -c $DEMO_CLIENTS -j $DEMO_JOBS -T $DEMO_SECONDS -P $progress --max-tries=$DEMO_MAX_TRIES"
    echo

    # The summary (stdout) goes to a file; progress and errors (stderr) go to
    # the screen and to a file the first check reads.
    started=$SECONDS
    {
        status=0
        PGOPTIONS=$options pgbench -c "$DEMO_CLIENTS" -j "$DEMO_JOBS" -T "$DEMO_SECONDS" \
            -P "$progress" --max-tries="$DEMO_MAX_TRIES" >"$DEMO_TMP/pgbench.out" || status=$?
        echo "$status" >"$DEMO_TMP/pgbench.status"
    } 2>&1 | tee "$DEMO_TMP/pgbench.err" | indent
    echo
    grep -v -e '^pgbench (' "$DEMO_TMP/pgbench.out" | indent
    echo "    pgbench exit status: $(cat "$DEMO_TMP/pgbench.status"), $((SECONDS - started)) s"
}

###############################################################################
# What was written
###############################################################################

# Moments at which the past is read back: just before the first transaction,
# at the first and at the last transaction's start (as_of includes a version
# from the very microsecond its transaction began), and DEMO_MOMENTS random
# microseconds in between.
pick_moments() {
    sql -v moments="$DEMO_MOMENTS" <<'SQL'
CREATE TABLE demo_moments (n int PRIMARY KEY, label text NOT NULL, at timestamptz NOT NULL);
WITH run AS (SELECT min(mtime) AS first, max(mtime) AS last FROM pgbench_history),
     random AS (SELECT first + (random() * extract(epoch FROM last - first) * 1e6)::bigint
                               * interval '1 microsecond' AS at
                  FROM run, generate_series(1, :moments))
INSERT INTO demo_moments
SELECT 1, 'before the first', first - interval '1 microsecond' FROM run
UNION ALL
SELECT 2, 'first start', first FROM run
UNION ALL
SELECT 2 + i, 'random ' || i, at
  FROM (SELECT at, row_number() OVER (ORDER BY at) AS i FROM random) AS r
UNION ALL
SELECT 3 + :moments, 'last start', last FROM run;
SQL
}

show_written() {
    heading "3. What was written"
    show sql -x <<'SQL'
SELECT (SELECT count(*) FROM pgbench_history) AS "pgbench transactions (pgbench_history rows)",
       count(*) AS "history rows of pgbench_accounts",
       count(DISTINCT aid) AS "accounts with history",
       (SELECT max(n) FROM (SELECT count(*) AS n FROM pgbench_accounts_history GROUP BY aid) AS x)
           AS "most changes of one account",
       (SELECT min(mtime)::timestamptz FROM pgbench_history) AS "first transaction start",
       (SELECT max(mtime)::timestamptz FROM pgbench_history) AS "last transaction start",
       pg_size_pretty(pg_total_relation_size('pgbench_accounts_history')) AS "history table size"
  FROM pgbench_accounts_history;
SQL
}

# Every version of the account with the most history rows, oldest first,
# next to the pgbench transaction that began its period.
show_account() {
    local aid
    aid=$(sql_value -c "SELECT aid FROM pgbench_accounts_history
                         GROUP BY aid ORDER BY count(*) DESC, aid LIMIT 1")
    if [ -z "$aid" ]; then
        echo "No account was changed."
        return 0
    fi
    echo
    echo "History of account $aid (pgbench_accounts_history, then pgbench_accounts), oldest first:"
    show sql -v aid="$aid" <<'SQL'
WITH versions AS (
    SELECT 'history' AS "table", abalance, system_period FROM pgbench_accounts_history WHERE aid = :aid
    UNION ALL
    SELECT 'current', abalance, system_period FROM pgbench_accounts WHERE aid = :aid
)
SELECT v."table", v.abalance,
       v.abalance - lag(v.abalance) OVER (ORDER BY lower(v.system_period)) AS change,
       lower(v.system_period) AS "valid from", upper(v.system_period) AS "valid until",
       h.delta AS "pgbench delta", h.tid AS teller
  FROM versions AS v
  LEFT JOIN pgbench_history AS h ON h.aid = :aid AND h.mtime = lower(v.system_period)
 ORDER BY lower(v.system_period);
SQL
}

show_as_of() {
    echo
    echo "Sum of all balances as of moments of the run, against pgbench_history up to then:"
    show sql <<'SQL'
SELECT m.label AS moment, m.at AS "time",
       (SELECT count(*) FROM pgbench_history WHERE mtime <= m.at) AS "transactions begun",
       a.accounts AS "as_of rows", a.balances AS "sum(abalance) as_of",
       (SELECT coalesce(sum(delta), 0) FROM pgbench_history WHERE mtime <= m.at) AS "sum(delta)"
  FROM demo_moments AS m
 CROSS JOIN LATERAL (SELECT count(*) AS accounts, coalesce(sum(abalance), 0) AS balances
                       FROM immutable.as_of(NULL::pgbench_accounts, m.at)) AS a
 ORDER BY m.n;
SQL
}

# How often a transaction met a row version written by one that started
# later, and what else pgbench retried: under REPEATABLE READ and
# SERIALIZABLE, PostgreSQL's own 40001 for concurrent updates of the same
# teller or branch row (a guard firing after the time is up is not retried).
show_conflicts() {
    local fired retries
    echo
    if [ "$DEMO_GUARD" = 1 ]; then
        fired=$(sql_value -c "SELECT CASE WHEN is_called THEN last_value ELSE 0 END
                                FROM demo_start_order_conflicts")
        retries=$(pgbench_number 'total number of retries')
        echo "Start-order conflicts (a row version written by a transaction that started later"
        echo "than the one changing it): $fired, each turned into 40001 by the guard."
        echo "pgbench retries in all: ${retries:-0} (the guard's and PostgreSQL's own 40001)."
    else
        echo "Start-order conflicts that reached pgbench as 22000 (clients aborted):" \
            "$(grep -c 'system period value' "$DEMO_TMP/pgbench.err" || true)"
    fi
}

show_results() {
    show_written
    show_account
    show_as_of
    show_conflicts
}

###############################################################################
# Checks
###############################################################################

check_pgbench() {
    local status processed failed retried aborted conflicts ok=f
    status=$(cat "$DEMO_TMP/pgbench.status")
    processed=$(pgbench_number 'number of transactions actually processed')
    failed=$(pgbench_number 'number of failed transactions')
    retried=$(pgbench_number 'number of transactions retried')
    aborted=$(grep -cE 'client [0-9]+ .*aborted' "$DEMO_TMP/pgbench.err" || true)
    conflicts=$(grep -c 'system period value' "$DEMO_TMP/pgbench.err" || true)
    if [ "$status" = 0 ] && [ "${processed:-0}" -gt 0 ] && [ "${failed:-x}" = 0 ] && [ "$aborted" = 0 ]; then
        ok=t
    fi
    result "$ok" "(1) pgbench: every transaction committed" \
        "exit status $status, ${processed:-?} processed, ${failed:-?} failed, ${retried:-0} retried, $aborted clients aborted ($conflicts by 22000)"
}

# (2) The exact relationship. pgbench_history gets one row per committed
# transaction, and pgbench counts exactly those as processed (an attempt that
# fails is rolled back, also after the time is up). Each transaction updates
# one account, once, and the version it replaces was committed by another
# transaction (the conversion or an earlier pgbench transaction, never itself:
# TPC-B changes an account once per transaction), so the extension writes
# exactly one history row: the old version, its period ended at this
# transaction's start. Retried attempts roll their history row back with
# everything else. Hence: history rows = pgbench_history rows = processed
# transactions, and row by row, the history row and the pgbench_history row
# were inserted by the same transaction (same xmin), for the same account,
# with upper(system_period) = mtime.
check_history_rows() {
    local processed
    processed=$(pgbench_number 'number of transactions actually processed')
    check "(2) history rows = pgbench transactions" "
        SELECT h = t AND t = :processed,
               format('%s history rows, %s pgbench_history rows, %s processed by pgbench', h, t, :processed)
          FROM (SELECT count(*) AS h FROM pgbench_accounts_history) AS x,
               (SELECT count(*) AS t FROM pgbench_history) AS y" -v processed="${processed:-0}"

    check "(2) each history row: its transaction's account and start" "
        WITH tx AS (SELECT xmin::text::bigint AS xid, aid, mtime FROM pgbench_history),
             hist AS (SELECT xmin::text::bigint AS xid, aid, upper(system_period) AS ended
                        FROM pgbench_accounts_history),
             pairs AS (SELECT t.xid IS NOT NULL AS has_tx, h.xid IS NOT NULL AS has_hist,
                              t.aid = h.aid AND t.mtime = h.ended AS same
                         FROM tx AS t FULL JOIN hist AS h ON h.xid = t.xid)
        SELECT count(*) FILTER (WHERE has_tx AND has_hist AND same) = count(*)
               AND (SELECT count(DISTINCT xid) = count(*) FROM tx),
               format('%s transactions: %s without a history row, %s history rows of no transaction, %s of another account or period end',
                      count(*) FILTER (WHERE has_tx), count(*) FILTER (WHERE NOT has_hist),
                      count(*) FILTER (WHERE NOT has_tx), count(*) FILTER (WHERE NOT same))
          FROM pairs"

    # Each account's versions, history and current, ordered by period: the
    # first starts at the conversion with balance 0, each next one where the
    # previous ended, with the previous balance plus the delta of the pgbench
    # transaction that began then; only the last (the current row) is open.
    check "(2) each account's versions chain without gap" "
        WITH versions AS (
                 SELECT aid, abalance, system_period, false AS current FROM pgbench_accounts_history
                 UNION ALL
                 SELECT aid, abalance, system_period, true FROM pgbench_accounts),
             steps AS (
                 SELECT aid, abalance, current, system_period AS period,
                        lag(upper(system_period)) OVER w AS prev_end,
                        lag(abalance) OVER w AS prev_balance,
                        row_number() OVER w AS n, count(*) OVER (PARTITION BY aid) AS total
                   FROM versions
                 WINDOW w AS (PARTITION BY aid ORDER BY lower(system_period))),
             res AS (
                 SELECT s.aid, s.n,
                        CASE WHEN s.n = 1
                             THEN lower(s.period) = (SELECT at FROM demo_marks WHERE name = 'converted')
                                  AND s.abalance = 0
                             ELSE lower(s.period) = s.prev_end AND s.abalance = s.prev_balance + t.delta
                        END IS TRUE
                        AND s.current = (s.n = s.total) AND s.current = upper_inf(s.period) AS ok,
                        format('aid %s: version %s of %s, %s, balance %s', s.aid, s.n, s.total,
                               s.period, s.abalance) AS example
                   FROM steps AS s
                   LEFT JOIN pgbench_history AS t ON s.n > 1 AND t.aid = s.aid AND t.mtime = lower(s.period))
        SELECT bool_and(ok) AND count(DISTINCT aid) = (SELECT count(*) FROM pgbench_accounts),
               format('%s accounts, %s versions, %s out of chain', count(DISTINCT aid), count(*),
                      count(*) FILTER (WHERE NOT ok)) || $FIRST_DIFFERENCES
          FROM res"
}

# (3) Both sides use transaction start times: a version is in as_of(at) when
# its period, which began at its transaction's start, contains at; the same
# transaction's delta is in the sum when its mtime (CURRENT_TIMESTAMP, the
# transaction start) is <= at. Checked account by account, and the sums.
check_as_of() {
    local n label
    while IFS=$'\t' read -r n label; do
        check "(3) as_of($label) = pgbench_history up to then" "
            WITH m AS (SELECT at FROM demo_moments WHERE n = :n),
                 past AS (SELECT aid, abalance FROM immutable.as_of(NULL::pgbench_accounts, (SELECT at FROM m))),
                 ledger AS (SELECT aid, sum(delta) AS total FROM pgbench_history
                             WHERE mtime <= (SELECT at FROM m) GROUP BY aid),
                 cmp AS (SELECT aid, p.abalance, coalesce(l.total, 0) AS total,
                                p.abalance IS NOT DISTINCT FROM coalesce(l.total, 0) AS ok,
                                format('aid %s: as_of %s, deltas %s', aid, p.abalance, coalesce(l.total, 0)) AS example
                           FROM past AS p FULL JOIN ledger AS l USING (aid))
            SELECT bool_and(ok) AND count(*) = (SELECT count(*) FROM pgbench_accounts)
                   AND count(*) = count(DISTINCT aid),
                   format('sum %s = %s, %s rows, %s accounts differ',
                          sum(abalance), sum(total), count(*), count(*) FILTER (WHERE NOT ok)) || $FIRST_DIFFERENCES
              FROM cmp" -v n="$n"
    done < <(sql_value -c "SELECT n, label FROM demo_moments ORDER BY n")
}

check_balances() {
    check "(4) every current balance = sum of its deltas" "
        WITH ledger AS (SELECT aid, sum(delta) AS total FROM pgbench_history GROUP BY aid),
             cmp AS (SELECT aid, a.abalance, coalesce(l.total, 0) AS total,
                            a.abalance IS NOT DISTINCT FROM coalesce(l.total, 0) AS ok,
                            format('aid %s: balance %s, deltas %s', aid, a.abalance, coalesce(l.total, 0)) AS example
                       FROM pgbench_accounts AS a FULL JOIN ledger AS l USING (aid))
        SELECT bool_and(ok),
               format('%s accounts, sum %s = %s, %s differ', count(*), sum(abalance), sum(total),
                      count(*) FILTER (WHERE NOT ok)) || $FIRST_DIFFERENCES
          FROM cmp"
}

inside() {
    # pgbench_history.mtime is a timestamp without time zone: CURRENT_TIMESTAMP
    # in the session's time zone. With UTC everywhere it converts back to the
    # transaction start exactly (no daylight saving hour is ambiguous).
    export PGTZ=UTC
    create_and_convert
    run_pgbench
    pick_moments
    show_results
    run_checks check_pgbench check_display check_history_rows check_as_of check_balances
}

demo_main "$@"
