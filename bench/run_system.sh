#!/usr/bin/env bash
# bench/run_system.sh: benchmark system-versioned tables
# (immutable.make_system_versioned) against a plain table (the limit), the
# PL/pgSQL history trigger users copy from blog posts, and the periods
# extension, and print the medians and ratios as a markdown table for
# README.md.
#
#   bash bench/run_system.sh     # from anywhere; about 4 minutes on 2 cores
#
# Builds and installs the extension from this tree (BENCH_INSTALL=0 skips
# that), then runs everything in one throwaway cluster made by pg_virtualenv
# with PostgreSQL's default settings (except fsync=off, which pg_virtualenv
# sets; the footer of the table says so).  Needs the periods extension
# (Debian: postgresql-15-periods).
#
#   S  server-side cost per row of one statement of many rows: INSERT,
#      UPDATE, DELETE (sql/system_writes.sql; UPDATE and DELETE also on
#      immutable without the btree key index on its history table, to
#      separate that index's cost from the trigger's), and reading the
#      whole table or one key as of a time from a history of a million rows
#      (sql/system_reads.sql); see bench.measure in sql/harness.sql for how
#      and why it is timed that way
#   B  pgbench throughput, one short transaction at a time
#      (pgbench/system_*.sql)
#
# A benchmark is not a test: nothing here judges the numbers, the exit status
# only says whether the run worked.  The table goes to stdout and, with the
# log of every statement (and the plans of the reads), to BENCH_OUT.  What
# it shares with run.sh (installing, the cluster, psql and pgbench runs, the
# footer) is in lib.sh.
#
# Sizes (environment variables, defaults in brackets):
#   BENCH_ROWS      rows per statement in S, lookups per statement [10000]
#   BENCH_REPS      measured rounds per test, after one warm-up [5]
#   BENCH_ENTITIES  rows seeded into each write table [100000]
#   BENCH_KEYS      rows of the read table [10000]
#   BENCH_VERSIONS  versions of each row of the read table, the current one
#                   included [100]
#   BENCH_SECONDS   duration of each pgbench INSERT and UPDATE run [4]
#   BENCH_ROUNDS    pgbench runs per script, interleaved [3]
#   BENCH_CLIENTS   pgbench clients (and threads) [2]
#   BENCH_OUT       directory for results.md and bench.log
#                   [bench/results/system-<date-time>, ignored by git]
#   BENCH_PORT      port of the cluster [a free one in 54000-54999]

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

export BENCH_ROWS=${BENCH_ROWS:-10000}
export BENCH_REPS=${BENCH_REPS:-5}
export BENCH_ENTITIES=${BENCH_ENTITIES:-100000}
export BENCH_KEYS=${BENCH_KEYS:-10000}
export BENCH_VERSIONS=${BENCH_VERSIONS:-100}
export BENCH_SECONDS=${BENCH_SECONDS:-4}
export BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_CLIENTS=${BENCH_CLIENTS:-2}
export BENCH_OUT=${BENCH_OUT:-$BENCH_DIR/results/system-$(date +%Y%m%d-%H%M%S)}

# The write tables, named bench.sv_<variant> (sql/system_setup.sql), but
# bench.sv_immutable_lean, which only S2 and S3 measure.
VARIANTS="plain immutable plpgsql periods"

# say, run_in_cluster, sql, value, pgbench_run, report ... (see there)
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC1091
source "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------------------
# Outside the cluster: check the sizes, install, then run this script again
# inside one (run_in_cluster, in lib.sh).
# ---------------------------------------------------------------------------
if [ -z "${BENCH_IN_CLUSTER:-}" ]; then
    # S2 updates the seeded rows 1 .. BENCH_ROWS; the ids S1 and pgbench
    # insert start at 100000001 and 1000000000 (sql/system_setup.sql).
    if (( BENCH_ENTITIES < BENCH_ROWS || BENCH_ENTITIES > 100000000 ||
          BENCH_ENTITIES < BENCH_CLIENTS || BENCH_VERSIONS < 2 )); then
        echo "bench: need BENCH_ROWS <= BENCH_ENTITIES <= 100000000," \
             "BENCH_CLIENTS <= BENCH_ENTITIES and BENCH_VERSIONS >= 2" >&2
        exit 2
    fi
    run_in_cluster "${BASH_SOURCE[0]}"
fi

# ---------------------------------------------------------------------------
# Inside the cluster (pg_virtualenv has set PGHOST, PGPORT, PGUSER ...).
# ---------------------------------------------------------------------------
LOG=$BENCH_OUT/bench.log
: >"$LOG"

# The pgbench scripts of every variant: pgbench/system_<workload>.sql with
# the variant's table in place of {table} (pgbench -M prepared sends
# variables as parameters, which cannot name a table).
SCRIPTS=$BENCH_OUT/pgbench
mkdir -p "$SCRIPTS"
for workload in insert update delete; do
    for variant in $VARIANTS; do
        sed "s/{table}/bench.sv_$variant/g" "$BENCH_DIR/pgbench/system_$workload.sql" \
            >"$SCRIPTS/${workload}_$variant.sql"
    done
done

# pgbench_variant WORKLOAD VARIANT ROUND LENGTH...: one pgbench run of
# WORKLOAD on VARIANT for LENGTH (-T seconds or -t transactions), recorded
# as (pgbench_WORKLOAD, VARIANT, ROUND) by pgbench_run.  The variables: k
# counts a client's transactions (from 0 in every run), ibase is the first
# id the INSERT run of the round inserts (new ids in every round),
# per_client the seeded rows each client walks through.
pgbench_variant() {
    local workload=$1 variant=$2 round=$3
    shift 3
    pgbench_run "pgbench_$workload" "$variant" "$round" "$SCRIPTS/${workload}_$variant.sql" \
        "$@" -D k=0 -D ibase=$(( round * 1000000000 )) \
        -D clients="$BENCH_CLIENTS" \
        -D per_client=$(( BENCH_ENTITIES / BENCH_CLIENTS ))
}

# Print how many rows the INSERT run of round inserted into variant's table
# for the client that inserted fewest: the transactions each client of the
# DELETE run can make, every one deleting a row.
inserted_per_client() {
    local variant=$1 round=$2
    value "SELECT CASE WHEN count(*) = $BENCH_CLIENTS THEN min(n) ELSE 0 END
             FROM (SELECT count(*) AS n FROM bench.sv_$variant
                    WHERE id >= $(( round * 1000000000 ))
                      AND id < $(( (round + 1) * 1000000000 ))
                    GROUP BY id % $BENCH_CLIENTS) AS c"
}

# Print the indexes of immutable's history table, for the footer.
history_indexes() {
    value "SELECT string_agg(regexp_replace(pg_get_indexdef(indexrelid), '^.* USING ', ''),
                             ', ' ORDER BY indexrelid)
             FROM pg_index WHERE indrelid = 'bench.sv_immutable_history'::regclass"
}

say "setup: ${BENCH_ENTITIES} rows in each write table"
sql -v entities="$BENCH_ENTITIES" -f "$BENCH_DIR/sql/system_setup.sql"

say "S1-S3: writes, ${BENCH_ROWS} rows per statement, ${BENCH_REPS} rounds"
sql -v rows="$BENCH_ROWS" -v reps="$BENCH_REPS" -f "$BENCH_DIR/sql/system_writes.sql"

say "S4-S5: reads, ${BENCH_KEYS} keys x ${BENCH_VERSIONS} versions"
sql -v keys="$BENCH_KEYS" -v versions="$BENCH_VERSIONS" \
    -v rows="$BENCH_ROWS" -v reps="$BENCH_REPS" -f "$BENCH_DIR/sql/system_reads.sql"

say "B: pgbench, ${BENCH_CLIENTS} clients, ${BENCH_ROUNDS} x ${BENCH_SECONDS} s per script"
# Short runs in rounds, variants back to back, rather than one long run per
# script: a burst of load elsewhere on the machine then spoils one run of
# every variant instead of all runs of one, and the median drops it.  The
# DELETE runs of a round delete what its INSERT runs inserted, so the
# tables keep their size from round to round.
for round in $(seq "$BENCH_ROUNDS"); do
    for workload in insert update delete; do
        for variant in $VARIANTS; do
            if [ "$workload" = delete ]; then
                n=$(inserted_per_client "$variant" "$round")
                if (( n == 0 )); then
                    echo "bench: the INSERT run of $variant inserted nothing" >&2
                    exit 1
                fi
                pgbench_variant "$workload" "$variant" "$round" -t "$n"
            else
                pgbench_variant "$workload" "$variant" "$round" -T "$BENCH_SECONDS"
            fi
        done
    done
done

report system_report.sql \
    "; periods $(value "SELECT extversion FROM pg_extension WHERE extname = 'periods'")." \
    "S: medians of ${BENCH_REPS} rounds after a warm-up, one statement" \
    "timed on the server; B: medians of ${BENCH_ROUNDS} pgbench runs" \
    "(-M prepared, ${BENCH_CLIENTS} clients; INSERT and UPDATE" \
    "${BENCH_SECONDS} s, DELETE as many rows as the INSERT run inserted)." \
    "\"vs plain\": the variant's figure ÷ plain's (µs: lower is better;" \
    "tps: higher is better) and, in brackets, the difference in µs per" \
    "row: the cost of the versioning.  Every history table has the" \
    "indexes make_system_versioned creates: $(history_indexes);" \
    "periods keeps its period in two timestamptz columns (its period" \
    "index is on their range).  Reads: ${BENCH_KEYS} rows × ${BENCH_VERSIONS}" \
    "versions, history of $(( BENCH_KEYS * (BENCH_VERSIONS - 1) )) rows."
