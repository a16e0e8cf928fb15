#!/usr/bin/env bash
# bench/soak.sh: a soak test, not part of CI.  SOAK_CLIENTS pgbench clients
# (16) write for SOAK_SECONDS (600) to every kind of managed table at once,
# in one transaction each: a hash-chained append-only ledger (one chain per
# account), a hash-chained versioned table through its current view (with
# 40001 retried), a system-versioned table (adjust on, so a transaction
# that started earlier is nudged instead of failing), over SOAK_ACCOUNTS
# (50) hot rows.  Then every invariant is checked and printed, one line
# each, "ok" or "FAILED" (also in the log, soak.log under BENCH_OUT).
#
#   bash bench/soak.sh                                   # about 11 minutes
#   SOAK_SECONDS=60 SOAK_CLIENTS=8 bash bench/soak.sh    # a short one
#
# Builds and installs the extension from this tree (BENCH_INSTALL=0 skips
# that) and runs in a throwaway cluster made by pg_virtualenv (fsync off).

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export SOAK_SECONDS=${SOAK_SECONDS:-600}
export SOAK_CLIENTS=${SOAK_CLIENTS:-16}
export SOAK_ACCOUNTS=${SOAK_ACCOUNTS:-50}
export BENCH_CLIENTS=$SOAK_CLIENTS
export BENCH_OUT=${BENCH_OUT:-$BENCH_DIR/results/soak-$(date +%Y%m%d-%H%M%S)}

# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC1091
source "$BENCH_DIR/lib.sh"

if [ -z "${BENCH_IN_CLUSTER:-}" ]; then
    run_in_cluster "${BASH_SOURCE[0]}"
fi

LOG=$BENCH_OUT/soak.log
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

say "setup: $SOAK_ACCOUNTS accounts"
psql_q >>"$LOG" 2>&1 <<SQL
CREATE EXTENSION immutable;
CREATE TABLE ledger (account int NOT NULL, amount int NOT NULL, client int NOT NULL);
SELECT immutable.make_append_only('ledger', hashed => true, chain_by => 'account');
CREATE TABLE acct (aid int PRIMARY KEY, bal int NOT NULL);
SELECT immutable.make_versioned('acct', hashed => true);
INSERT INTO acct_current SELECT a, 0 FROM generate_series(1, $SOAK_ACCOUNTS) AS a;
CREATE TABLE stock (item int PRIMARY KEY, qty int NOT NULL);
SELECT immutable.make_system_versioned('stock', adjust => true);
INSERT INTO stock SELECT i, 0 FROM generate_series(1, $SOAK_ACCOUNTS) AS i;
SQL

SCRIPT=$BENCH_OUT/soak.sql
cat >"$SCRIPT" <<SQL
\set a random(1, $SOAK_ACCOUNTS)
BEGIN;
INSERT INTO ledger VALUES (:a, 1, :client_id);
UPDATE acct_current SET bal = bal + 1 WHERE aid = :a;
UPDATE stock SET qty = qty + 1 WHERE item = :a;
END;
SQL

say "pgbench: $SOAK_CLIENTS clients for $SOAK_SECONDS s"
pgbench -n -c "$SOAK_CLIENTS" -j "$SOAK_CLIENTS" -T "$SOAK_SECONDS" --max-tries 1000 \
    -P 60 -f "$SCRIPT" 2>&1 | tee -a "$LOG" | grep -E '^(progress|tps|number of|latency average)' >&2 || true

say "checking the invariants"
failed=0
check() {
    local what=$1 query=$2 got
    got=$(psql_q -c "$query" 2>>"$LOG")
    if [ "$got" = t ]; then
        echo "ok      $what" | tee -a "$LOG"
    else
        echo "FAILED  $what ($got)" | tee -a "$LOG"
        failed=1
    fi
}
check "one ledger row, one new version and one history row per committed transaction" \
    "SELECT (SELECT count(*) FROM ledger) = (SELECT count(*) - $SOAK_ACCOUNTS FROM acct)
        AND (SELECT count(*) FROM ledger) = (SELECT count(*) FROM stock_history)"
check "the current rows add up to every committed change" \
    "SELECT (SELECT sum(bal) FROM acct_current) = (SELECT count(*) FROM ledger)
        AND (SELECT sum(qty) FROM stock) = (SELECT count(*) FROM ledger)"
check "every account's ledger chain is as long as its versions say" \
    "SELECT bool_and(l.n = h.version - 1) FROM (SELECT account, count(*) AS n FROM ledger GROUP BY account) AS l
       JOIN acct_heads AS h ON h.aid = l.account"
check "versions are gapless and the heads rows are the latest" \
    "SELECT NOT EXISTS (SELECT FROM acct_heads AS h
                         WHERE h.version <> (SELECT count(*) FROM acct AS a WHERE a.entity_id = h.entity_id))"
check "history periods of an item neither overlap nor leave gaps" \
    "SELECT NOT EXISTS (SELECT FROM (SELECT item, system_period,
                                            lead(lower(system_period)) OVER (PARTITION BY item ORDER BY lower(system_period)) AS next
                                       FROM immutable.all_versions(NULL::stock)) AS v
                         WHERE v.next IS NOT NULL AND v.next <> upper(v.system_period))"
check "the ledger's hash chains verify" "SELECT count(*) = 0 FROM immutable.verify_chain('ledger')"
check "the versioned hash chains verify" "SELECT count(*) = 0 FROM immutable.verify_chain('acct')"
check "as_of now equals the current view" \
    "SELECT (SELECT string_agg(aid || ':' || bal, ',' ORDER BY aid) FROM immutable.as_of(NULL::acct, now()))
          = (SELECT string_agg(aid || ':' || bal, ',' ORDER BY aid) FROM acct_current)"
psql_q -c "SELECT 'rows: ledger ' || (SELECT count(*) FROM ledger) || ', versions ' || (SELECT count(*) FROM acct)
                  || ', history ' || (SELECT count(*) FROM stock_history)" | tee -a "$LOG"
exit "$failed"
