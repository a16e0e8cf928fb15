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
# log of every statement, to BENCH_OUT.
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
REPO_ROOT=$(dirname "$BENCH_DIR")
PG_MAJOR=15

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

# Print a progress line on stderr, so stdout is only the table.
say() {
    echo "bench: $(date +%H:%M:%S) $*" >&2
}

# Print a port no server listens on.  pg_virtualenv -t puts every cluster on
# 5432 unless PGPORT says otherwise, and fails when a concurrent test run
# already has a cluster there.
free_port() {
    local port
    for port in $(shuf -i 54000-54999 -n 50); do
        if [ ! -e "/var/run/postgresql/.s.PGSQL.$port" ] &&
            ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo 5432
}

# ---------------------------------------------------------------------------
# Outside the cluster: install, then run this script again inside one.
# ---------------------------------------------------------------------------
if [ -z "${BENCH_IN_CLUSTER:-}" ]; then
    if (( BENCH_ENTITIES <= BENCH_ROWS )); then
        echo "bench: BENCH_ENTITIES must exceed BENCH_ROWS" >&2
        exit 2
    fi
    mkdir -p "$BENCH_OUT"
    started=$(date +%s)
    if [ "${BENCH_INSTALL:-1}" = 1 ]; then
        say "building and installing the extension"
        if ! make -C "$REPO_ROOT" -j"$(nproc)" install >"$BENCH_OUT/build.log" 2>&1; then
            cat "$BENCH_OUT/build.log" >&2
            exit 1
        fi
    fi
    # -t keeps the cluster in a temporary directory even for root, so the
    # run neither needs nor disturbs a cluster called "regress".
    # Its own chatter goes to stdout; keep stdout for the table.
    BENCH_IN_CLUSTER=1 PGPORT=${BENCH_PORT:-$(free_port)} \
        pg_virtualenv -t -v "$PG_MAJOR" bash "${BASH_SOURCE[0]}" |
        grep -v '^Creating new PostgreSQL cluster\|^Dropping cluster'
    elapsed=$(( $(date +%s) - started ))
    printf 'Total runtime: %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60)) |
        tee -a "$BENCH_OUT/results.md"
    exit 0
fi

# ---------------------------------------------------------------------------
# Inside the cluster (pg_virtualenv has set PGHOST, PGPORT, PGUSER ...).
# ---------------------------------------------------------------------------
LOG=$BENCH_OUT/bench.log
: >"$LOG"

# Run psql on the log; on failure show the end of the log and stop.
sql() {
    if ! psql -X -q -v ON_ERROR_STOP=1 "$@" >>"$LOG" 2>&1; then
        echo "bench: psql $* failed; end of $LOG:" >&2
        tail -n 30 "$LOG" >&2
        exit 1
    fi
}

# One pgbench run of pgbench/<script>.sql, recorded as (test, variant, round).
# Starts from a checkpoint, so no run pays for another's dirty pages.  The
# variables: k counts a client's transactions (from 0 in every run), base
# is the first entity the pgbench scripts touch (A wrote to the ones before),
# per_client the entities each client walks through, vbase the version the
# plain table's first walk writes (round r starts 1000 higher: the plain
# table only needs (entity_id, version) to be new).
pgbench_run() {
    local test=$1 variant=$2 script=$3 round=$4 out tps
    sql -c 'CHECKPOINT'
    if ! out=$(pgbench -n -M prepared -c "$BENCH_CLIENTS" -j "$BENCH_CLIENTS" \
                   -T "$BENCH_SECONDS" \
                   -D k=0 -D base="$BENCH_ROWS" -D entities="$BENCH_ENTITIES" \
                   -D clients="$BENCH_CLIENTS" \
                   -D per_client=$(( (BENCH_ENTITIES - BENCH_ROWS) / BENCH_CLIENTS )) \
                   -D vbase=$(( 2 + (round - 1) * 1000 )) \
                   -f "$BENCH_DIR/pgbench/$script.sql" 2>&1); then
        echo "bench: pgbench $script failed:" >&2
        echo "$out" >&2
        exit 1
    fi
    echo "$out" >>"$LOG"
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
    sql -c "INSERT INTO bench.tps VALUES ('$test', '$variant', $round, $tps)"
}

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
            pgbench_run "pgbench_$workload" "$variant" "${workload}_$variant" "$round"
        done
    done
done

if (( BENCH_LOAD_ROWS > 0 )); then
    say "C: ${BENCH_LOAD_ROWS} rows in one transaction"
    sql -v load_rows="$BENCH_LOAD_ROWS" -f "$BENCH_DIR/sql/load.sql"
fi

say "report"
{
    psql -X -q -At -v ON_ERROR_STOP=1 -f "$BENCH_DIR/sql/report.sql"
    echo
    echo "A: medians of ${BENCH_REPS} rounds after a warm-up, one statement" \
         "timed on the server; B: medians of ${BENCH_ROUNDS} pgbench runs of" \
         "${BENCH_SECONDS} s (-M prepared, ${BENCH_CLIENTS} clients); C: one run." \
         "Ratios are immutable's cost over the other's (for tps: the other's" \
         "tps over immutable's), so lower is better. Hand-written: PL/pgSQL" \
         "triggers and view for writes, a PL/pgSQL uuidv7 for UUIDs, the" \
         "equivalent SQL query for reads."
    echo "PostgreSQL $(psql -X -Atc 'SHOW server_version')," \
         "default settings but fsync=$(psql -X -Atc 'SHOW fsync')" \
         "(shared_buffers=$(psql -X -Atc 'SHOW shared_buffers')," \
         "work_mem=$(psql -X -Atc 'SHOW work_mem'));" \
         "$(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1);" \
         "immutable $(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo '(no git)')."
} | tee "$BENCH_OUT/results.md"
