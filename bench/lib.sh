# shellcheck shell=bash
# bench/lib.sh: what bench/run.sh and bench/run_system.sh share, sourced by
# both (source "$BENCH_DIR/lib.sh"); not run by itself.
#
# Provides, outside the cluster: say, free_port, run_in_cluster (install,
# then the runner again inside pg_virtualenv, then the runtime line); inside
# it: sql, value, pgbench_run, settings_line and report.
#
# The runner sets, before sourcing this file:
#   BENCH_DIR     the bench directory
#   BENCH_OUT     the directory for results.md, bench.log and build.log
#   BENCH_CLIENTS pgbench clients (and threads)
# and, inside the cluster, LOG (the log sql and pgbench_run append to).

REPO_ROOT=$(dirname "$BENCH_DIR")
PG_MAJOR=15

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

# run_in_cluster RUNNER: install the extension (unless BENCH_INSTALL=0), run
# bash RUNNER again inside a throwaway cluster with BENCH_IN_CLUSTER=1, then
# print the total runtime (also onto results.md) and exit 0.
run_in_cluster() {
    local runner=$1 started elapsed
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
        pg_virtualenv -t -v "$PG_MAJOR" bash "$runner" |
        grep -v '^Creating new PostgreSQL cluster\|^Dropping cluster'
    elapsed=$(( $(date +%s) - started ))
    printf 'Total runtime: %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60)) |
        tee -a "$BENCH_OUT/results.md"
    exit 0
}

# Run psql on the log; on failure show the end of the log and stop.
sql() {
    if ! psql -X -q -v ON_ERROR_STOP=1 "$@" >>"$LOG" 2>&1; then
        echo "bench: psql $* failed; end of $LOG:" >&2
        tail -n 30 "$LOG" >&2
        exit 1
    fi
}

# Print the value of one query.
value() {
    psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

# pgbench_run TEST VARIANT ROUND SCRIPT OPTION...: one pgbench run of SCRIPT
# with BENCH_CLIENTS clients, -M prepared and the given options (duration,
# -D variables), recorded as (TEST, VARIANT, ROUND) in bench.tps.  Starts
# from a checkpoint, so no run pays for another's dirty pages.
pgbench_run() {
    local test=$1 variant=$2 round=$3 script=$4 out tps
    shift 4
    sql -c 'CHECKPOINT'
    if ! out=$(pgbench -n -M prepared -c "$BENCH_CLIENTS" -j "$BENCH_CLIENTS" \
                   "$@" -f "$script" 2>&1); then
        echo "bench: pgbench $(basename "$script" .sql) failed:" >&2
        echo "$out" >&2
        exit 1
    fi
    echo "$out" >>"$LOG"
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
    sql -c "INSERT INTO bench.tps VALUES ('$test', '$variant', $round, $tps)"
}

# Print the footer's line on the server, its settings, the machine and the
# extension's version, without closing punctuation.
settings_line() {
    echo "PostgreSQL $(value 'SHOW server_version')," \
         "default settings but fsync=$(value 'SHOW fsync')" \
         "(shared_buffers=$(value 'SHOW shared_buffers')," \
         "work_mem=$(value 'SHOW work_mem'));" \
         "$(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1);" \
         "immutable $(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo '(no git)')"
}

# report SQL END NOTE...: print the table of sql/SQL, a blank line, the NOTE
# words as one line, and settings_line followed by END, on stdout and into
# results.md.
report() {
    local file=$1 end=$2
    shift 2
    say "report"
    {
        psql -X -q -At -v ON_ERROR_STOP=1 -f "$BENCH_DIR/sql/$file"
        echo
        echo "$@"
        echo "$(settings_line)$end"
    } | tee "$BENCH_OUT/results.md"
}
