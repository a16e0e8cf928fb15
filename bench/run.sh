#!/usr/bin/env bash
# bench/run.sh: benchmark the immutable extension against a plain table (the
# limit) and hand-written PL/pgSQL/SQL equivalents, and print the medians and
# ratios as a markdown table for README.md.
#
#   bash bench/run.sh            # from anywhere; about 6 minutes on 2 cores
#
# Builds and installs the extension from this tree (BENCH_INSTALL=0 skips
# that), then runs everything in one throwaway cluster made by pg_virtualenv
# with PostgreSQL's default settings (except fsync=off, which pg_virtualenv
# sets; the footer of the table says so):
#
#   A  server-side cost per row of one statement of many rows (sql/writes.sql,
#      sql/uuid.sql, sql/reads.sql; see bench.measure in sql/setup.sql for
#      how and why it is timed that way)
#   B  pgbench throughput, one short transaction at a time (pgbench/*.sql)
#   C  one transaction of a million rows (sql/load.sql)
#
# A benchmark is not a test: nothing here judges the numbers, the exit status
# only says whether the run worked.  The table goes to stdout and, with the
# log of every statement, to BENCH_OUT.  What it shares with run_system.sh
# (installing, the cluster, psql and pgbench runs, the footer) is in lib.sh.
#
# Sizes (environment variables, defaults in brackets):
#   BENCH_ROWS      rows per statement in A, lookups per statement [10000]
#   BENCH_REPS      measured rounds per test, after one warm-up [5]
#   BENCH_ENTITIES  entities in the seeded and read data sets [100000]
#   BENCH_VERSIONS  versions per entity of the read data sets ["2 10"]
#   BENCH_UUIDS     UUIDs per statement in A4 [1000000]
#   BENCH_SECONDS   duration of each pgbench run [4]
#   BENCH_ROUNDS    pgbench runs per script, interleaved [3]
#   BENCH_CLIENTS   pgbench clients (and threads) [2]
#   BENCH_LOAD_ROWS rows of the one-transaction loads in C, 0 to skip [1000000]
#   BENCH_OUT       directory for results.md and bench.log
#                   [bench/results/<date-time>, ignored by git]
#   BENCH_PORT      port of the cluster [a free one in 54000-54999]

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

export BENCH_ROWS=${BENCH_ROWS:-10000}
export BENCH_REPS=${BENCH_REPS:-5}
export BENCH_ENTITIES=${BENCH_ENTITIES:-100000}
export BENCH_VERSIONS=${BENCH_VERSIONS:-2 10}
export BENCH_UUIDS=${BENCH_UUIDS:-1000000}
export BENCH_SECONDS=${BENCH_SECONDS:-4}
export BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_CLIENTS=${BENCH_CLIENTS:-2}
export BENCH_LOAD_ROWS=${BENCH_LOAD_ROWS:-1000000}
export BENCH_OUT=${BENCH_OUT:-$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)}

# say, run_in_cluster, sql, pgbench_run, report ... (see there)
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC1091
source "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------------------
# Outside the cluster: check the sizes, install, then run this script again
# inside one (run_in_cluster, in lib.sh).
# ---------------------------------------------------------------------------
if [ -z "${BENCH_IN_CLUSTER:-}" ]; then
    if (( BENCH_ENTITIES <= BENCH_ROWS )); then
        echo "bench: BENCH_ENTITIES must exceed BENCH_ROWS" >&2
        exit 2
    fi
    run_in_cluster "${BASH_SOURCE[0]}"
fi

# ---------------------------------------------------------------------------
# Inside the cluster (pg_virtualenv has set PGHOST, PGPORT, PGUSER ...).
# ---------------------------------------------------------------------------
LOG=$BENCH_OUT/bench.log
: >"$LOG"

say "setup: ${BENCH_ENTITIES} entities in each write table"
sql -v entities="$BENCH_ENTITIES" -f "$BENCH_DIR/sql/setup.sql"

say "A1-A3: writes, ${BENCH_ROWS} rows per statement, ${BENCH_REPS} rounds"
sql -v rows="$BENCH_ROWS" -v reps="$BENCH_REPS" -f "$BENCH_DIR/sql/writes.sql"

say "A4: ${BENCH_UUIDS} UUIDs per statement"
sql -v uuids="$BENCH_UUIDS" -v reps="$BENCH_REPS" -f "$BENCH_DIR/sql/uuid.sql"

for versions in $BENCH_VERSIONS; do
    say "A5: reads, ${BENCH_ENTITIES} entities x ${versions} versions"
    sql -v entities="$BENCH_ENTITIES" -v versions="$versions" \
        -v rows="$BENCH_ROWS" -v reps="$BENCH_REPS" -f "$BENCH_DIR/sql/reads.sql"
done

say "B: pgbench, ${BENCH_CLIENTS} clients, ${BENCH_ROUNDS} x ${BENCH_SECONDS} s per script"
sql -c 'VACUUM ANALYZE bench.imm, bench.plain, bench.plain_cur, bench.plpgsql'
# Every run of pgbench/<workload>_<variant>.sql is recorded as
# (pgbench_<workload>, variant, round).  The variables: k counts a client's
# transactions (from 0 in every run), base is the first entity the pgbench
# scripts touch (A wrote to the ones before), per_client the entities each
# client walks through, vbase the version the plain table's first walk
# writes (round r starts 1000 higher: the plain table only needs
# (entity_id, version) to be new).
#
# Short runs in rounds, variants back to back, rather than one long run per
# script: a burst of load elsewhere on the machine then spoils one run of
# every variant instead of all runs of one, and the median drops it.
for round in $(seq "$BENCH_ROUNDS"); do
    for workload in new_entity new_version update lookup; do
        if [ "$workload" = lookup ]; then
            variants="plain immutable sql"
        else
            variants="plain immutable plpgsql"
        fi
        for variant in $variants; do
            pgbench_run "pgbench_$workload" "$variant" "$round" \
                "$BENCH_DIR/pgbench/${workload}_$variant.sql" -T "$BENCH_SECONDS" \
                -D k=0 -D base="$BENCH_ROWS" -D entities="$BENCH_ENTITIES" \
                -D clients="$BENCH_CLIENTS" \
                -D per_client=$(( (BENCH_ENTITIES - BENCH_ROWS) / BENCH_CLIENTS )) \
                -D vbase=$(( 2 + (round - 1) * 1000 ))
        done
    done
done

if (( BENCH_LOAD_ROWS > 0 )); then
    say "C: ${BENCH_LOAD_ROWS} rows in one transaction"
    sql -v load_rows="$BENCH_LOAD_ROWS" -f "$BENCH_DIR/sql/load.sql"
fi

report report.sql "." \
    "A: medians of ${BENCH_REPS} rounds after a warm-up, one statement" \
    "timed on the server; B: medians of ${BENCH_ROUNDS} pgbench runs of" \
    "${BENCH_SECONDS} s (-M prepared, ${BENCH_CLIENTS} clients); C: one run." \
    "Ratios are immutable's cost over the other's (for tps: the other's" \
    "tps over immutable's), so lower is better. Hand-written: PL/pgSQL" \
    "triggers and view for writes, a PL/pgSQL uuidv7 for UUIDs, the" \
    "equivalent SQL query for reads."
