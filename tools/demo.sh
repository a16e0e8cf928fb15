#!/usr/bin/env bash
# tools/demo.sh: the immutable extension on real input, from a bare machine.
#
#   sudo bash tools/demo.sh            (as root: bash tools/demo.sh)
#   sudo DEMO_SECONDS=60 DEMO_HOT=50 bash tools/demo.sh
#
# Runs tools/setup.sh (packages, build, install; DEMO_SETUP=0 skips it), then,
# in a throwaway PostgreSQL 15 cluster:
#   1. creates the pgbench tables and makes pgbench_accounts a versioned table;
#   2. runs concurrent pgbench clients that change balances through the view
#      pgbench_accounts_current, colliding on a small set of hot accounts;
#      each committed change is also written to a ledger table;
#   3. shows what was written: versions, the history of the busiest account,
#      the state of all accounts as of a moment in the middle of the run;
#   4. checks the result against the ledger (no update lost, history complete
#      and gapless, as_of exact, the table itself refuses changes), one PASS or
#      FAIL line per check.
# Exit status 0 if and only if every check passed.
#
# Settings (environment variables):
#   DEMO_SCALE=1        pgbench scale factor: 100000 accounts per unit
#   DEMO_SECONDS=20     how long the pgbench clients run
#   DEMO_CLIENTS=8      pgbench clients (-c)
#   DEMO_JOBS=2         pgbench threads (-j)
#   DEMO_HOT=100        changes go to accounts 1..DEMO_HOT; fewer = more conflicts
#   DEMO_MAX_TRIES=100  pgbench --max-tries: attempts per transaction on 40001
#   DEMO_SETUP=1        0: skip tools/setup.sh (the extension must be installed)
#   DEMO_PORT=5440      first port tried for the cluster

set -euo pipefail

# For demo_lib.sh: the server version, this script's name (in messages and
# the summary line) and the width of the labels of the PASS/FAIL lines.
# shellcheck disable=SC2034
PG_MAJOR=15 DEMO_NAME=demo CHECK_WIDTH=52
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBENCH_SCRIPT="$REPO_ROOT/tools/demo/update_balance.sql"

DEMO_SCALE=${DEMO_SCALE:-1}
DEMO_SECONDS=${DEMO_SECONDS:-20}
DEMO_CLIENTS=${DEMO_CLIENTS:-8}
DEMO_JOBS=${DEMO_JOBS:-2}
DEMO_HOT=${DEMO_HOT:-100}
DEMO_MAX_TRIES=${DEMO_MAX_TRIES:-100}
DEMO_SETUP=${DEMO_SETUP:-1}
DEMO_PORT=${DEMO_PORT:-5440}

# die, outside, sql, check, run_checks ... (see there)
# shellcheck source=demo_lib.sh source-path=SCRIPTDIR disable=SC1091
source "$REPO_ROOT/tools/demo_lib.sh"

###############################################################################
# Outside the cluster: the settings (outside() itself is in demo_lib.sh)
###############################################################################

check_settings() {
    require_positive DEMO_SCALE DEMO_SECONDS DEMO_CLIENTS DEMO_JOBS DEMO_HOT DEMO_MAX_TRIES DEMO_PORT
    require_flag DEMO_SETUP
    [ "$DEMO_SECONDS" -ge 2 ] || die "DEMO_SECONDS must be at least 2 (a mark is taken half-way)"
    [ "$DEMO_HOT" -le $((DEMO_SCALE * 100000)) ] ||
        die "DEMO_HOT ($DEMO_HOT) exceeds the number of accounts ($((DEMO_SCALE * 100000)))"
}

###############################################################################
# Inside the cluster (pg_virtualenv has set PGHOST, PGPORT, PGUSER ...)
###############################################################################

# Remember the current time under a name, in a table, so that later queries
# say demo_mark('mid-run') instead of splicing timestamps into SQL.
mark() {
    sql_value -c "INSERT INTO demo_marks (name, at) VALUES ('$1', now()) RETURNING at"
}

create_and_convert() {
    heading "1. pgbench accounts become a versioned table"

    pgbench_init
    sql <<'SQL'
CREATE EXTENSION immutable;
SELECT count(*) AS n FROM pgbench_accounts \gset
SELECT clock_timestamp() AS t0 \gset
SELECT immutable.make_versioned('pgbench_accounts') AS view \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS secs \gset
\echo 'immutable.make_versioned(''pgbench_accounts'')' converted :n rows in :secs s, created view :view
\echo
SELECT conname AS "constraint", pg_get_constraintdef(oid) AS definition
  FROM pg_constraint
 WHERE conrelid = 'pgbench_accounts'::regclass
 ORDER BY contype, conname;

-- The demo's own bookkeeping: every committed balance change (written by
-- the pgbench script in the same transaction) and named moments.
CREATE TABLE demo_ledger (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aid   integer NOT NULL,
    delta integer NOT NULL,
    at    timestamptz NOT NULL  -- transaction start, like valid_from
);
CREATE TABLE demo_marks (name text PRIMARY KEY, at timestamptz NOT NULL);
CREATE FUNCTION demo_mark(text) RETURNS timestamptz
    LANGUAGE sql STABLE AS 'SELECT at FROM demo_marks WHERE name = $1';
-- Accounts: pgbench makes 100000 per scale unit, one branch per unit.
CREATE FUNCTION demo_accounts() RETURNS bigint
    LANGUAGE sql STABLE AS 'SELECT count(*) * 100000 FROM pgbench_branches';
SQL
}

run_pgbench() {
    local pid mid status=0 progress=5
    [ "$DEMO_SECONDS" -ge 10 ] || progress=1
    heading "2. $DEMO_CLIENTS clients change accounts 1..$DEMO_HOT through the view for $DEMO_SECONDS s"

    echo "pgbench script (tools/demo/update_balance.sql):"
    grep -v '^--' "$PGBENCH_SCRIPT" | indent
    echo

    mark 'before the run' >/dev/null
    # Progress lines (stderr) go to the screen, the summary into a file.
    {
        pgbench -n -c "$DEMO_CLIENTS" -j "$DEMO_JOBS" -T "$DEMO_SECONDS" -P "$progress" \
            --max-tries="$DEMO_MAX_TRIES" -D hot="$DEMO_HOT" -f "$PGBENCH_SCRIPT" \
            >"$DEMO_TMP/pgbench.out"
    } 2>&1 &
    pid=$!
    sleep $((DEMO_SECONDS / 2))
    mid=$(mark 'mid-run')
    echo "mid-run mark: $mid"
    wait "$pid" || status=$?
    echo "$status" >"$DEMO_TMP/pgbench.status"

    echo
    # The version banner and the script path say nothing new.
    grep -v -e '^pgbench (' -e '^transaction type:' "$DEMO_TMP/pgbench.out" | indent
    [ "$status" -eq 0 ] || echo "    pgbench exit status: $status"
}

show_versions() {
    heading "3. What was written"
    show sql -x <<'SQL'
SELECT count(*) AS "rows in pgbench_accounts",
       count(*) - demo_accounts() AS "versions added (rows - accounts)",
       count(*) FILTER (WHERE version > 1) AS "rows with version > 1",
       count(DISTINCT aid) FILTER (WHERE version > 1) AS "accounts changed",
       max(version) AS "highest version",
       (SELECT count(*) FROM demo_ledger) AS "changes in the ledger",
       pg_size_pretty(pg_total_relation_size('pgbench_accounts')) AS "table size"
  FROM pgbench_accounts;
SQL
}

# The busiest account's history through immutable.history(); long histories
# show their first and last versions only.
show_history() {
    local aid=$1 entity=$2 versions=$3
    echo
    echo "History of account $aid (entity $entity, $versions versions), oldest first:"
    echo
    printf '    %7s %9s %7s  %s\n' version abalance change valid_from
    show history_lines "$entity" 10
}

# One line per version; only the first and last EDGE when there are more.
history_lines() {
    sql_value -v entity="$1" -v edge="$2" <<'SQL' | indent
WITH h AS (
    SELECT h.version, h.abalance, h.valid_from, h.ordinality AS n,
           h.abalance - lag(h.abalance) OVER (ORDER BY h.ordinality) AS change,
           count(*) OVER () AS total
      FROM immutable.history(NULL::pgbench_accounts, :'entity') WITH ORDINALITY AS h
)
SELECT CASE WHEN n <= :edge OR n > total - :edge OR total <= 2 * :edge + 1
            THEN format('%7s %9s %7s  %s', version, abalance, coalesce(change::text, ''), valid_from)
            ELSE format('%7s  (%s more versions)', '...', total - 2 * :edge)
       END
  FROM h
 WHERE n <= :edge + 1 OR n > total - :edge
 ORDER BY n;
SQL
}

# All accounts, and the busiest one, as of the marks taken around the run.
show_as_of() {
    local aid=$1 entity=$2
    echo
    echo "All accounts as of the marks, against the ledger's changes up to that time:"
    show sql <<'SQL'
SELECT m.name AS moment, m.at AS "time", 'immutable.as_of' AS "read with",
       a.accounts, a.balance_sum AS "sum of balances", l.ledger_sum AS "ledger sum"
  FROM demo_marks AS m
 CROSS JOIN LATERAL (SELECT count(*) AS accounts, sum(abalance) AS balance_sum
                       FROM immutable.as_of(NULL::pgbench_accounts, m.at)) AS a
 CROSS JOIN LATERAL (SELECT coalesce(sum(delta), 0) AS ledger_sum
                       FROM demo_ledger WHERE at <= m.at) AS l
UNION ALL
SELECT 'now', now(), 'current view', count(*), sum(abalance),
       (SELECT coalesce(sum(delta), 0) FROM demo_ledger)
  FROM pgbench_accounts_current
 ORDER BY 2;
SQL
    echo
    echo "Account $aid as of mid-run and now:"
    show sql -v aid="$aid" -v entity="$entity" <<'SQL'
SELECT 'mid-run' AS moment, 'immutable.as_of' AS "read with",
       a.version, a.abalance, a.valid_from,
       (SELECT sum(delta) FROM demo_ledger
         WHERE aid = :aid AND at <= demo_mark('mid-run')) AS "ledger sum"
  FROM immutable.as_of(NULL::pgbench_accounts, :'entity'::uuid, demo_mark('mid-run')) AS a
UNION ALL
SELECT 'now', 'current view', c.version, c.abalance, c.valid_from,
       (SELECT sum(delta) FROM demo_ledger WHERE aid = :aid)
  FROM pgbench_accounts_current AS c
 WHERE c.aid = :aid;
SQL
}

show_direct_update() {
    echo
    echo "A direct UPDATE of the table (not through the view):"
    psql -X -q -v VERBOSITY=verbose \
        -c "UPDATE pgbench_accounts SET abalance = 0 WHERE aid = 1" 2>&1 |
        grep -v -e '^LOCATION:' | indent || true
}

show_results() {
    local busiest aid entity versions
    show_versions
    busiest=$(sql_value -c "
        SELECT aid, entity_id, count(*) FROM pgbench_accounts
         GROUP BY aid, entity_id ORDER BY count(*) DESC, aid LIMIT 1")
    IFS=$'\t' read -r aid entity versions <<<"$busiest"
    show_history "$aid" "$entity" "$versions"
    show_as_of "$aid" "$entity"
    show_direct_update
}

###############################################################################
# Checks
###############################################################################

check_conversion() {
    check "make_versioned kept every account as version 1" "
        SELECT count(*) = demo_accounts()
               AND count(DISTINCT aid) = demo_accounts()
               AND count(DISTINCT entity_id) = demo_accounts()
               AND bool_and(abalance = 0),
               format('%s accounts, %s entities, %s balances other than 0',
                      count(DISTINCT aid), count(DISTINCT entity_id),
                      count(*) FILTER (WHERE abalance <> 0))
          FROM pgbench_accounts WHERE version = 1"
}

check_every_update_versioned() {
    check "(a) every committed change is a new version" "
        WITH versions AS (SELECT aid, count(*) - 1 AS n FROM pgbench_accounts GROUP BY aid),
             ledger AS (SELECT aid, count(*) AS n FROM demo_ledger GROUP BY aid),
             cmp AS (SELECT aid, v.n AS versions, coalesce(l.n, 0) AS changes,
                            v.n IS NOT DISTINCT FROM coalesce(l.n, 0) AS ok,
                            format('aid %s: %s new versions, %s changes', aid, v.n, coalesce(l.n, 0)) AS example
                       FROM versions AS v FULL JOIN ledger AS l USING (aid))
        SELECT bool_and(ok),
               format('%s changes in the ledger, %s new versions, %s accounts differ',
                      sum(changes), sum(versions), count(*) FILTER (WHERE NOT ok)) || $FIRST_DIFFERENCES
          FROM cmp"

    check "(a) history() lists them all, oldest first" "
        WITH changed AS (SELECT DISTINCT a.aid, a.entity_id
                           FROM demo_ledger AS l
                           JOIN pgbench_accounts AS a ON a.aid = l.aid AND a.version = 1),
             cmp AS (SELECT c.aid,
                            (SELECT count(*) FROM pgbench_accounts AS x
                              WHERE x.entity_id = c.entity_id) AS stored,
                            h.listed, h.in_order
                       FROM changed AS c
                      CROSS JOIN LATERAL (
                            SELECT count(*) AS listed,
                                   coalesce(bool_and(version = ordinality), true) AS in_order
                              FROM immutable.history(NULL::pgbench_accounts, c.entity_id)
                                   WITH ORDINALITY) AS h),
             res AS (SELECT *, listed = stored AND in_order AS ok,
                            format('aid %s: %s listed of %s, in order: %s', aid, listed, stored, in_order) AS example
                       FROM cmp)
        SELECT bool_and(ok),
               format('%s changed accounts: %s of %s versions listed, %s out of order',
                      count(*), sum(listed), sum(stored), count(*) FILTER (WHERE NOT in_order)) || $FIRST_DIFFERENCES
          FROM res"
}

check_gapless() {
    check "(b) versions 1..n per entity, valid_from ordered" "
        WITH steps AS (SELECT entity_id, aid, version,
                              valid_from < lag(valid_from) OVER w AS backwards
                         FROM pgbench_accounts
                       WINDOW w AS (PARTITION BY entity_id ORDER BY version)),
             entities AS (SELECT entity_id, min(aid) AS aid,
                                 min(version) = 1 AND max(version) = count(*)
                                 AND count(DISTINCT version) = count(*) AS gapless,
                                 count(DISTINCT aid) = 1 AS one_aid,
                                 count(*) FILTER (WHERE backwards) = 0 AS ordered
                            FROM steps GROUP BY entity_id),
             res AS (SELECT *, gapless AND one_aid AND ordered AS ok,
                            format('aid %s: gapless %s, one aid %s, ordered %s',
                                   aid, gapless, one_aid, ordered) AS example
                       FROM entities)
        SELECT bool_and(ok),
               format('%s entities: %s with gaps or duplicates, %s with more than one aid, %s out of time order',
                      count(*), count(*) FILTER (WHERE NOT gapless),
                      count(*) FILTER (WHERE NOT one_aid), count(*) FILTER (WHERE NOT ordered)) || $FIRST_DIFFERENCES
          FROM res"
}

check_no_lost_update() {
    check "(c) each balance = sum of its ledger changes" "
        WITH ledger AS (SELECT aid, sum(delta) AS total FROM demo_ledger GROUP BY aid),
             cmp AS (SELECT aid, c.abalance, coalesce(l.total, 0) AS expected,
                            c.abalance IS NOT DISTINCT FROM coalesce(l.total, 0) AS ok,
                            format('aid %s: balance %s, ledger %s', aid, c.abalance, coalesce(l.total, 0)) AS example
                       FROM pgbench_accounts_current AS c FULL JOIN ledger AS l USING (aid))
        SELECT bool_and(ok),
               format('%s accounts, %s differ', count(*), count(*) FILTER (WHERE NOT ok)) || $FIRST_DIFFERENCES
          FROM cmp"

    check "(c) sum of balances = sum of the ledger" "
        SELECT b = l, format('balances %s, ledger %s', b, l)
          FROM (SELECT coalesce(sum(abalance), 0) AS b FROM pgbench_accounts_current) AS x,
               (SELECT coalesce(sum(delta), 0) AS l FROM demo_ledger) AS y"
}

check_current_view() {
    check "(d) the view has one row per account, its latest" "
        WITH latest AS (SELECT entity_id, max(version) AS version
                          FROM pgbench_accounts GROUP BY entity_id)
        SELECT count(*) = demo_accounts() AND count(DISTINCT c.aid) = demo_accounts()
               AND min(c.aid) = 1 AND max(c.aid) = demo_accounts()
               AND count(*) FILTER (WHERE c.version <> l.version) = 0,
               format('%s rows, %s accounts (expected %s), %s not the latest version',
                      count(*), count(DISTINCT c.aid), demo_accounts(),
                      count(*) FILTER (WHERE c.version <> l.version))
          FROM pgbench_accounts_current AS c
          JOIN latest AS l USING (entity_id)"
}

# Both sides use transaction start times: valid_from <= mark puts a version in
# as_of(mark), at <= mark puts the same transaction's ledger row in the sum.
check_as_of() {
    check "(e) as_of(mid-run) = ledger up to mid-run" "
        WITH past AS (SELECT aid, abalance
                        FROM immutable.as_of(NULL::pgbench_accounts, demo_mark('mid-run'))),
             ledger AS (SELECT aid, sum(delta) AS total, count(*) AS n FROM demo_ledger
                         WHERE at <= demo_mark('mid-run') GROUP BY aid),
             cmp AS (SELECT aid, l.n,
                            p.abalance IS NOT DISTINCT FROM coalesce(l.total, 0) AS ok,
                            format('aid %s: as_of %s, ledger %s', aid, p.abalance, coalesce(l.total, 0)) AS example
                       FROM past AS p FULL JOIN ledger AS l USING (aid))
        SELECT bool_and(ok) AND count(*) = demo_accounts(),
               format('%s accounts, %s changes before the mark, %s balances differ',
                      count(*), coalesce(sum(n), 0), count(*) FILTER (WHERE NOT ok)) || $FIRST_DIFFERENCES
          FROM cmp"
}

# Last, because a change that got through would spoil the other checks.
check_refused() {
    local stmt state ok=t states=""
    for stmt in "UPDATE pgbench_accounts SET abalance = 0 WHERE aid = 1" \
        "DELETE FROM pgbench_accounts WHERE aid = 1" \
        "TRUNCATE pgbench_accounts"; do
        state=$(psql -X -q -c "$stmt" -c '\echo :SQLSTATE' 2>/dev/null) || true
        [ "$state" = 23001 ] || ok=f
        states+="${states:+, }${stmt%% *} ${state:-?}"
    done
    result "$ok" "(f) direct UPDATE/DELETE/TRUNCATE fail with 23001" "$states"
}

check_pgbench() {
    local status failed retried
    status=$(cat "$DEMO_TMP/pgbench.status")
    failed=$(pgbench_number 'number of failed transactions')
    retried=$(pgbench_number 'number of transactions retried')
    result "$([ "$status" = 0 ] && [ "${failed:-x}" = 0 ] && echo t || echo f)" \
        "pgbench: every transaction committed (with retries)" \
        "exit status $status, ${failed:-?} failed, ${retried:-?} retried after 40001"
}

inside() {
    create_and_convert
    run_pgbench
    show_results
    run_checks check_pgbench check_display check_conversion check_every_update_versioned \
        check_gapless check_no_lost_update check_current_view check_as_of check_refused
}

demo_main "$@"
