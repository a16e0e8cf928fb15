#!/usr/bin/env bash
# bench/run_hash.sh: benchmark hash-chained append-only tables
# (immutable.make_append_only(hashed => true), with and without chain_by)
# against the same table unhashed (the limit) and the PL/pgSQL + pgcrypto
# trigger users write today, and print the medians and ratios as a markdown
# table for README.md.
#
#   bash bench/run_hash.sh       # from anywhere; about 4 minutes on 2 cores
#
# Builds and installs the extension from this tree (BENCH_INSTALL=0 skips
# that), then runs everything in one throwaway cluster made by pg_virtualenv
# with PostgreSQL's default settings (except fsync=off, which pg_virtualenv
# sets; the footer of the table says so).  Needs pgcrypto, which comes with
# PostgreSQL.
#
#   S1 server-side cost per row of one INSERT statement of many rows
#      (sql/hash_writes.sql); see bench.measure in sql/harness.sql for how
#      and why it is timed that way
#   B  pgbench throughput, one single-row INSERT per transaction
#      (pgbench/hash_insert.sql)
#   V  rows per second of checking a whole table's chains: verify_chain on
#      one chain and on one chain per account (1000 interleaved chains), of
#      the ledger and of a table of fixed-length columns, and the SQL
#      verifier users write for the pgcrypto trigger (sql/hash_verify.sql),
#      which first checks every chain S1 and B wrote.  To compare two builds
#      of verify_chain paired, round by round: verify_ab.sh
#
# A benchmark is not a test: nothing here judges the numbers, the exit status
# only says whether the run worked.  The table goes to stdout and, with the
# log of every statement (and the trigger times of an INSERT, the plan of
# the SQL verifier, the problems every chain check found), to BENCH_OUT.
# What it shares with run.sh and run_system.sh (installing, the cluster,
# psql and pgbench runs, the footer) is in lib.sh.
#
# Sizes (environment variables, defaults in brackets):
#   BENCH_ROWS        rows per statement in S1 [10000]
#   BENCH_REPS        measured rounds per test in S1 and V, after one
#                     warm-up [5]
#   BENCH_VERIFY_ROWS rows of each table V checks, at least 1000 (the
#                     per-account table has 1000 accounts) [1000000]
#   BENCH_SECONDS     duration of each pgbench run [4]
#   BENCH_ROUNDS      pgbench runs per script, interleaved [3]
#   BENCH_CLIENTS     pgbench clients (and threads) [2]
#   BENCH_OUT         directory for results.md and bench.log
#                     [bench/results/hash-<date-time>, ignored by git]
#   BENCH_PORT        port of the cluster [a free one in 54000-54999]

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

export BENCH_ROWS=${BENCH_ROWS:-10000}
export BENCH_REPS=${BENCH_REPS:-5}
export BENCH_VERIFY_ROWS=${BENCH_VERIFY_ROWS:-1000000}
export BENCH_SECONDS=${BENCH_SECONDS:-4}
export BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_CLIENTS=${BENCH_CLIENTS:-2}
export BENCH_OUT=${BENCH_OUT:-$BENCH_DIR/results/hash-$(date +%Y%m%d-%H%M%S)}

# The write tables, named bench.h_<variant> (sql/hash_setup.sql).
VARIANTS="unhashed chain accounts pgcrypto"

# say, run_in_cluster, sql, value, pgbench_run, report ... (see there)
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC1091
source "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------------------
# Outside the cluster: check the sizes, install, then run this script again
# inside one (run_in_cluster, in lib.sh).
# ---------------------------------------------------------------------------
if [ -z "${BENCH_IN_CLUSTER:-}" ]; then
    if (( BENCH_ROWS < 1 || BENCH_VERIFY_ROWS < 1000 )); then
        echo "bench: need BENCH_ROWS >= 1 and BENCH_VERIFY_ROWS >= 1000" >&2
        exit 2
    fi
    run_in_cluster "${BASH_SOURCE[0]}"
fi

# ---------------------------------------------------------------------------
# Inside the cluster (pg_virtualenv has set PGHOST, PGPORT, PGUSER ...).
# ---------------------------------------------------------------------------
LOG=$BENCH_OUT/bench.log
: >"$LOG"

# The pgbench script of every variant: pgbench/hash_insert.sql with the
# variant's table in place of {table} (pgbench -M prepared sends variables
# as parameters, which cannot name a table).
SCRIPTS=$BENCH_OUT/pgbench
mkdir -p "$SCRIPTS"
for variant in $VARIANTS; do
    sed "s/{table}/bench.h_$variant/g" "$BENCH_DIR/pgbench/hash_insert.sql" \
        >"$SCRIPTS/insert_$variant.sql"
done

# Print what every chain check of sql/hash_verify.sql found, for the footer:
# "bench.h_chain 12345 rows 0 problems, ...".
chain_problems() {
    value "SELECT string_agg(format('%s %s rows %s problems', tbl, rows, problems),
                             ', ' ORDER BY tbl)
             FROM bench.chain_problems"
}

say "setup"
sql -f "$BENCH_DIR/sql/hash_setup.sql"

say "S1: inserts, ${BENCH_ROWS} rows per statement, ${BENCH_REPS} rounds"
sql -v rows="$BENCH_ROWS" -v reps="$BENCH_REPS" -f "$BENCH_DIR/sql/hash_writes.sql"

say "B: pgbench, ${BENCH_CLIENTS} clients, ${BENCH_ROUNDS} x ${BENCH_SECONDS} s per script"
# Short runs in rounds, variants back to back, rather than one long run per
# script: a burst of load elsewhere on the machine then spoils one run of
# every variant instead of all runs of one, and the median drops it.  The
# variable k counts a client's transactions (from 0 in every run), the
# amount of the row it inserts.
for round in $(seq "$BENCH_ROUNDS"); do
    for variant in $VARIANTS; do
        pgbench_run pgbench_insert "$variant" "$round" "$SCRIPTS/insert_$variant.sql" \
            -T "$BENCH_SECONDS" -D k=0
    done
done

say "V: chain checks, verification of ${BENCH_VERIFY_ROWS} rows, ${BENCH_REPS} rounds"
sql -v verify_rows="$BENCH_VERIFY_ROWS" -v reps="$BENCH_REPS" \
    -f "$BENCH_DIR/sql/hash_verify.sql"
if [ "$(value 'SELECT count(*) FROM bench.chain_problems WHERE problems > 0')" != 0 ]; then
    say "WARNING: a chain check found problems: $(chain_problems)"
fi

report hash_report.sql "." \
    "S1: medians of ${BENCH_REPS} rounds after a warm-up, one statement" \
    "timed on the server; B: medians of ${BENCH_ROUNDS} pgbench runs of" \
    "${BENCH_SECONDS} s (-M prepared, ${BENCH_CLIENTS} clients, one row per" \
    "transaction); V: medians of ${BENCH_REPS} rounds after a warm-up, one" \
    "table of ${BENCH_VERIFY_ROWS} rows each, rows/s = rows ÷ time." \
    "\"vs unhashed\": the variant's figure ÷ unhashed's (µs: lower is" \
    "better; tps: higher is better) and, in brackets, the difference in µs" \
    "per row: the cost of the chain, including its three columns and its" \
    "index on (chain_seq) or (account, chain_seq).  Every table is" \
    "append-only (make_append_only).  PL/pgSQL + pgcrypto: a BEFORE INSERT" \
    "trigger that takes pg_advisory_xact_lock, reads the last row (ORDER BY" \
    "chain_seq DESC LIMIT 1) and sets hash = digest(previous hash ||" \
    "row_to_json(NEW), 'sha256'); its verifier recomputes that digest from" \
    "lag(hash) OVER (ORDER BY chain_seq) and counts mismatches.  Chains" \
    "checked after the runs: $(chain_problems)."
