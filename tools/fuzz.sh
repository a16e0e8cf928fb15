#!/usr/bin/env bash
# tools/fuzz.sh: random SQL against every kind of managed table, in a
# throwaway PostgreSQL cluster of its own; fails when the server crashes.
#
#   bash tools/fuzz.sh                         # 60 s sqlsmith + 30 s API calls
#   FUZZ_SECONDS=600 FUZZ_SEED=42 bash tools/fuzz.sh
#   bash tools/fuzz.sh --setup-only            # cluster and database, left running
#
# Environment:
#   FUZZ_SECONDS      seconds sqlsmith runs (default 60)
#   FUZZ_API_SECONDS  seconds the API statements run (default 30)
#   FUZZ_SEED         seed of both (default: from the commit checked out, so
#                     that CI runs of one commit fuzz alike and every commit
#                     fuzzes anew; random outside git); printed, so that a
#                     failing run can be repeated
#   FUZZ_PG_BIN       bin directory of the PostgreSQL 15 the extension is
#                     installed in (default /usr/lib/postgresql/15/bin)
#   FUZZ_KEEP=1       keep the cluster's directory (kept anyway on failure)
#
# 1. initdb, start a cluster (Unix socket only, in a new directory under
#    /tmp), create database immutable_fuzz with tools/fuzz.sql: every kind of
#    managed table with data, owned by role fuzzer.
# 2. sqlsmith, as fuzzer, for FUZZ_SECONDS: random queries (SELECT, INSERT,
#    UPDATE, DELETE, MERGE, each rolled back) over the tables, views, heads
#    and history tables and immutable's registry, calling any function,
#    those of schema immutable included. Its queries are kept (gzip) to
#    find the one a crashed backend ran.
# 3. The API statements for FUZZ_API_SECONDS: random transactions of calls
#    of every function of schema immutable (sqlsmith cannot call those
#    taking anyelement or returning sets), writes to every managed table,
#    view, heads and history table, and DDL on them, with arguments from
#    the tables and values the functions must refuse (fuzz_gen in
#    tools/fuzz.sql); most as fuzzer, some as an application role or as
#    superuser. A quarter of the blocks without DDL or make_* calls commit.
# 4. Checks. A finding (exit 1): a PANIC, an assertion failure (TRAP:), a
#    server process terminated by a signal or exiting abnormally, the server
#    not accepting connections afterwards, an internal error (XX000) raised
#    by the extension's own code, or a broken invariant (a hash chain that
#    no longer verifies, versions with gaps, heads that are not the last
#    versions, a table no longer managed). Each is printed with its log
#    lines and the statement that caused it, a crash with a backtrace when
#    the server left a core file and gdb is installed. Ordinary SQL errors
#    are what random statements get and count for nothing; internal errors
#    raised by PostgreSQL itself are listed but do not fail the run.
#
# Exit status: 0 nothing found, 1 a finding, 2 could not run. The last line
# says which. As root, the cluster, sqlsmith and psql run as user postgres.

set -u

SECONDS_SQLSMITH=${FUZZ_SECONDS:-60}
SECONDS_API=${FUZZ_API_SECONDS:-30}
SEED=${FUZZ_SEED:-}
PG_BIN=${FUZZ_PG_BIN:-/usr/lib/postgresql/15/bin}
KEEP=${FUZZ_KEEP:-}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DB=immutable_fuzz
PORT=5432                 # the socket lives in our own directory: no clash
API_CHUNK=2000            # API blocks generated at a time

# A log line's prefix (log_line_prefix '%m [%p] '), and the lines that mean
# a crash: a PANIC, a process killed by a signal, a backend exiting with a
# non-zero code (the postmaster then resets every backend), an assertion.
PREFIX_RE='^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:.]+ [-A-Z+0-9]+ \[[0-9]+\] '
CRASH_RE="${PREFIX_RE}(PANIC: |LOG:  ([0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]: )?(server process \\(PID [0-9]+\\) exited with exit code|.*\\(PID [0-9]+\\) was terminated by (signal|exception)))|^TRAP: "

# Internal errors (XX000) the extension raises on purpose, as its reference
# says: versioning() on a history table without the period column, with
# temporal_tables' error.
DOCUMENTED_XX000_RE='^history relation ".*" does not contain system period column '

WORK=
FINDINGS=0
CRASHES=0
SENTINEL=             # backend pid of the sentinel session

# The default seed: the commit's abbreviated hash as a number, or random.
default_seed() {
    local head
    if head=$(git -C "$REPO_ROOT" rev-parse --short=7 HEAD 2>/dev/null); then
        echo $((16#$head % 1000000000))
    else
        echo $(((RANDOM << 15 | RANDOM) % 1000000000))
    fi
}

die() {
    echo "fuzz: $*" >&2
    echo "fuzz: could not run"
    exit 2
}

# Run a command as the owner of the cluster: postgres when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Run a libpq client as the owner of the cluster, without the connection
# settings of an enclosing cluster (pg_virtualenv's): every connection here
# names its host, port, user and database.
as_client() {
    as_owner env -u PGSERVICE -u PGSERVICEFILE -u PGPASSWORD -u PGPASSFILE -u PGHOST \
        -u PGHOSTADDR -u PGPORT -u PGUSER -u PGDATABASE -u PGOPTIONS "$@"
}

# psql on the fuzz cluster as its superuser, postgres, unless -U says.
fuzz_psql() {
    as_client "$PG_BIN/psql" -X -h "$WORK" -p "$PORT" -U postgres "$@"
}

finding() {
    FINDINGS=$((FINDINGS + 1))
    echo
    echo "!! fuzz finding $FINDINGS: $*"
}

stop_cluster() {
    [ -n "$WORK" ] && [ -f "$WORK/data/postmaster.pid" ] &&
        as_owner "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
}

cleanup() {
    local rc=$?
    stop_cluster
    if [ -n "$WORK" ]; then
        if [ -z "$KEEP" ] && [ "$rc" -eq 0 ]; then
            rm -rf "$WORK"
        else
            echo "fuzz: cluster directory kept: $WORK (server log $WORK/server.log)"
        fi
    fi
}

# A throwaway cluster: trust, Unix socket in $WORK only, verbose error
# locations (to tell the extension's internal errors from PostgreSQL's),
# core files allowed (pg_ctl -c).
start_cluster() {
    WORK=$(mktemp -d /tmp/immutable-fuzz.XXXXXX) || die "mktemp failed"
    trap cleanup EXIT
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$WORK" || die "cannot chown $WORK to postgres"
    fi
    as_owner "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres -E UTF8 --locale=C \
        --no-sync >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; die "initdb failed"; }
    as_owner tee -a "$WORK/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = ''
unix_socket_directories = '$WORK'
port = $PORT
fsync = off
max_connections = 20
shared_buffers = 32MB
log_line_prefix = '%m [%p] '
log_error_verbosity = verbose
restart_after_crash = on
EOF
    as_owner "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 -c start \
        >/dev/null 2>&1 || { cat "$WORK/server.log"; die "the server did not start"; }
}

setup_database() {
    fuzz_psql -q -d postgres -c "CREATE DATABASE $DB" >/dev/null ||
        die "CREATE DATABASE $DB failed"
    # through stdin: postgres may not be able to read the repository
    fuzz_psql -q -v ON_ERROR_STOP=1 -d "$DB" -f - <"$REPO_ROOT/tools/fuzz.sql" \
        >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; die "tools/fuzz.sql failed"; }
}

run_sqlsmith() {
    local rc
    [ "$SECONDS_SQLSMITH" -gt 0 ] || return 0
    echo "fuzz: sqlsmith for ${SECONDS_SQLSMITH} s"
    # SIGINT: sqlsmith prints its report and exits; its stdout (every query
    # it generates, before running it) is compressed as it comes.
    as_client timeout -s INT -k 30 "$SECONDS_SQLSMITH" sqlsmith \
        --target="host=$WORK port=$PORT dbname=$DB user=fuzzer" \
        --seed="$SEED" --exclude-catalog --dump-all-queries --verbose \
        2>"$WORK/sqlsmith.log" | gzip -1 >"$WORK/queries.gz"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 124 ]; then
        tail -20 "$WORK/sqlsmith.log"
        die "sqlsmith stopped by itself (exit status $rc)"
    fi
    echo "fuzz: sqlsmith ran $(grep '^queries: ' "$WORK/sqlsmith.log" | tail -1 | cut -d' ' -f2) queries," \
        "with $(zcat "$WORK/queries.gz" | grep -o 'immutable\.[a-z_0-9]*(' | wc -l) calls of functions of schema immutable;" \
        "$(grep '^error rate: ' "$WORK/sqlsmith.log" | tail -1)"
}

# The API statements, in chunks until the time is up: psql with
# ON_ERROR_ROLLBACK runs each statement in a savepoint, so an error ends
# neither the block nor the run. psql stops when the server crashes.
run_api() {
    local deadline=$((SECONDS + SECONDS_API)) chunk=0 rc left blocks=0 last
    [ "$SECONDS_API" -gt 0 ] || return 0
    echo "fuzz: API statements for ${SECONDS_API} s"
    : >"$WORK/api.progress"
    while [ "$SECONDS" -lt "$deadline" ]; do
        fuzz_psql -At -d "$DB" -c "SELECT * FROM fuzz_gen.statements($SEED, $chunk, $API_CHUNK)" \
            >"$WORK/api-$chunk.sql" 2>"$WORK/api-gen.log" ||
            { cat "$WORK/api-gen.log"; die "generating the API statements failed"; }
        left=$((deadline - SECONDS))
        [ "$left" -gt 0 ] || break
        as_client timeout -s TERM "$left" \
            "$PG_BIN/psql" -X -q -h "$WORK" -p "$PORT" -U postgres -d "$DB" -o /dev/null \
            -v ON_ERROR_ROLLBACK=on -f - <"$WORK/api-$chunk.sql" >"$WORK/api.progress" 2>"$WORK/api.err"
        rc=$?
        last=$(tail -1 "$WORK/api.progress" | sed -n 's/^block //p')
        blocks=${last:-$blocks}
        if [ "$rc" -eq 2 ]; then
            echo "fuzz: psql lost the connection in block $blocks"
            awk -v n="$blocks" '$0 == "\\echo block " n { on = 1; next } /^\\echo block / { on = 0 } on' \
                "$WORK/api-$chunk.sql" >"$WORK/api-lost-block.sql"
            break
        fi
        [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || die "psql failed (exit status $rc): $(tail -3 "$WORK/api.err")"
        chunk=$((chunk + 1))
    done
    echo "fuzz: $blocks API transactions"
}

# A superuser session that sleeps through the run, in another database
# (fuzzer cannot signal it, no statement_timeout ends it): after a crash the postmaster ends every backend, so when it is gone,
# the server crashed even if no log line said so.
start_sentinel() {
    local i
    as_client "$PG_BIN/psql" -X -q -h "$WORK" -p "$PORT" -U postgres \
        "dbname=postgres application_name=fuzz_sentinel" -c "SET statement_timeout = 0" \
        -c "SELECT pg_sleep(86400)" >/dev/null 2>&1 &
    for ((i = 0; i < 100; i++)); do
        SENTINEL=$(fuzz_psql -d "$DB" -Atc \
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'fuzz_sentinel'")
        [ -z "$SENTINEL" ] || return 0
        sleep 0.1
    done
    die "the sentinel session did not start"
}

check_sentinel() {
    local alive
    alive=$(fuzz_psql -d "$DB" -Atc "SELECT count(*) FROM pg_stat_activity
                                       WHERE pid = $SENTINEL AND application_name = 'fuzz_sentinel'")
    if [ "$alive" = 1 ]; then
        fuzz_psql -d "$DB" -Atc "SELECT pg_terminate_backend($SENTINEL)" >/dev/null
    elif [ "$CRASHES" -eq 0 ]; then
        finding "the sentinel session is gone: the server ended every backend (a crash) without logging why"
        tail -30 "$WORK/server.log"
    fi
}

# A backend that crashed is still writing its core file for a moment after
# its client saw the connection drop, and the postmaster logs the crash only
# when it has exited: wait until no backend of the database (but the
# sentinel) nor a zombie is left, then a moment for the postmaster.
settle() {
    local pm i proc state ppid busy
    pm=$(head -1 "$WORK/data/postmaster.pid" 2>/dev/null) || return 0
    for ((i = 0; i < 120; i++)); do
        busy=
        for proc in /proc/[0-9]*; do
            # /proc/PID/stat: pid (comm) state ppid ...; comm is "postgres"
            read -r _ _ state ppid _ 2>/dev/null <"$proc/stat" || continue
            if [ "$ppid" != "$pm" ] || [ "${proc#/proc/}" = "$SENTINEL" ]; then
                continue
            fi
            if [ "$state" = Z ] ||
                tr '\0' ' ' 2>/dev/null <"$proc/cmdline" | grep -q "^postgres: [^ ]* $DB "; then
                busy=1
                break
            fi
        done
        [ -n "$busy" ] || break
        sleep 0.5
    done
    sleep 1
}

# The server must still (or again, after a crash restart) accept
# connections.
check_alive() {
    local i
    for ((i = 0; i < 60; i++)); do
        if fuzz_psql -d "$DB" -Atc "SELECT 1" >/dev/null 2>&1; then
            return 0
        fi
        sleep 1
    done
    finding "the server does not accept connections any more"
    tail -30 "$WORK/server.log"
    return 1
}

# The text a crashed backend was running, as the postmaster logged it
# (the first 1023 bytes), from the DETAIL after the crash line at line $1.
crashed_activity() {
    awk -v from="$1" -v re="$PREFIX_RE" '
        NR < from { next }
        NR > from && $0 ~ re && !started {
            if ($0 ~ /DETAIL:  Failed process was running: /) {
                sub(/.*DETAIL:  Failed process was running: /, "")
                started = 1; print; next
            }
            exit
        }
        started && $0 ~ re { exit }
        started { print }
    ' "$WORK/server.log"
}

# The full query sqlsmith sent that starts with the text in file $1 (the
# postmaster logs only its beginning); every match, separated by blank lines.
sqlsmith_query() {
    [ -s "$WORK/queries.gz" ] || return 0
    zcat "$WORK/queries.gz" | perl -e '
        open(my $f, "<", $ARGV[0]) or die; local $/; my $want = <$f>; close $f;
        $want =~ s/\n\z//;
        $/ = ";\n";
        while (my $q = <STDIN>) {
            chomp $q;
            print "$q;\n\n" if length($want) && index($q, $want) == 0;
        }' "$1"
}

# Backtraces of the core files a crash left, when gdb is installed.
backtraces() {
    local core
    command -v gdb >/dev/null || return 0
    for core in "$WORK"/data/core*; do
        [ -f "$core" ] || continue
        echo "-- backtrace of $core:"
        gdb -batch -ex "bt" "$PG_BIN/postgres" "$core" 2>/dev/null | grep -E '^#' | uniq | head -40
        [ -n "$KEEP" ] || rm -f "$core"
    done
}

check_crashes() {
    local line n=0 activity found=
    while IFS=: read -r line _; do
        n=$((n + 1))
        [ "$n" -le 10 ] || { echo "(more crash lines in $WORK/server.log)"; break; }
        finding "server crash, server.log line $line:"
        sed -n "${line}p" "$WORK/server.log" | cut -c1-400
        activity=$(crashed_activity "$line")
        [ -n "$activity" ] || continue
        printf '%s' "$activity" >"$WORK/crash-$n.activity"
        sqlsmith_query "$WORK/crash-$n.activity" >"$WORK/crash-$n.sql"
        if [ -s "$WORK/crash-$n.sql" ]; then
            found=1
            echo "-- the query sqlsmith ran (as role fuzzer; also in $WORK/crash-$n.sql):"
            head -c 20000 "$WORK/crash-$n.sql"
        else
            echo "-- the statement it ran (as logged: at most 1023 bytes):"
            echo "$activity"
        fi
    done < <(grep -nE "$CRASH_RE" "$WORK/server.log")
    CRASHES=$n
    [ "$n" -gt 0 ] || return 0
    if [ -s "$WORK/api-lost-block.sql" ]; then
        echo "-- the API transaction during which psql lost the connection (as postgres):"
        cat "$WORK/api-lost-block.sql"
    fi
    if [ -z "$found" ] && [ ! -s "$WORK/api-lost-block.sql" ] && [ -s "$WORK/queries.gz" ]; then
        echo "-- the last query sqlsmith generated:"
        zcat "$WORK/queries.gz" | perl -e '$/ = ";\n"; my $l; $l = $_ while <STDIN>; print $l' | head -c 5000
    fi
    backtraces
}

# Internal errors (XX000) with their LOCATION and first STATEMENT: a finding
# when raised by a function of the extension's sources (src/*.c) and not
# documented, listed otherwise.
check_internal_errors() {
    awk 'FNR == 1 { f = FILENAME; sub(/.*\//, "", f) }
         /^[A-Za-z_][A-Za-z0-9_]*\(/ { n = $0; sub(/\(.*/, "", n); print n ", " f }' \
        "$REPO_ROOT"/src/*.c | sort -u >"$WORK/extension-functions"
    awk -v re="$PREFIX_RE" -v own_file="$WORK/extension-functions" -v count_file="$WORK/internal-count" \
        -v documented="$DOCUMENTED_XX000_RE" '
        function pid_of(line) { sub(/^[^[]*\[/, "", line); sub(/\].*/, "", line); return line }
        BEGIN { while ((getline f < own_file) > 0) own[f] = 1 }
        $0 ~ re { collecting = 0 }
        $0 ~ re && /ERROR:  XX000: / {
            msg = $0; sub(/.*ERROR:  XX000: /, "", msg)
            cur[pid_of($0)] = msg; next
        }
        $0 ~ re && /LOCATION:  / {
            pid = pid_of($0)
            if (!(pid in cur)) next
            loc = $0; sub(/.*LOCATION:  /, "", loc)
            key = cur[pid] " (" loc ")"
            if (!(key in count)) order[++keys] = key
            count[key]++
            where = loc; sub(/:[0-9]+$/, "", where)
            mine[key] = (where in own) ? (cur[pid] ~ documented ? "documented" : "yes") : ""
            want[pid] = key
            delete cur[pid]; next
        }
        $0 ~ re && /STATEMENT:  / {
            pid = pid_of($0)
            if (pid in want) {
                key = want[pid]; delete want[pid]
                if (!(key in stmt)) {
                    s = $0; sub(/.*STATEMENT:  /, "", s); stmt[key] = s
                    collecting = 1
                }
            }
            next
        }
        collecting && length(stmt[key]) < 5000 { stmt[key] = stmt[key] "\n" $0 }
        END {
            for (i = 1; i <= keys; i++) {
                k = order[i]
                print ""
                if (mine[k] == "yes") {
                    ours++
                    printf "!! internal error raised by the extension, %d times: %s\n", count[k], k
                    print "-- first statement: " stmt[k]
                } else if (mine[k] == "documented")
                    printf "fuzz: internal error the extension documents (not a finding), %d times: %s\n", count[k], k
                else
                    printf "fuzz: internal error raised by PostgreSQL (not a finding), %d times: %s\n", count[k], k
            }
            print ours + 0 > count_file
        }' "$WORK/server.log"
    FINDINGS=$((FINDINGS + $(cat "$WORK/internal-count")))
}

# The invariants (fuzz_gen.problems() in tools/fuzz.sql), as superuser.
check_invariants() {
    local problems
    problems=$(fuzz_psql -At -d "$DB" -c "SELECT * FROM fuzz_gen.problems()" 2>&1) || {
        finding "checking the invariants failed: $problems"
        return
    }
    if [ -n "$problems" ]; then
        finding "broken invariants:"
        echo "$problems"
    fi
}

main() {
    local setup_only=
    case "${1:-}" in
    --setup-only) setup_only=1 ;;
    "") ;;
    -h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 2 ;;
    esac
    [ -x "$PG_BIN/postgres" ] || die "no PostgreSQL in $PG_BIN (set FUZZ_PG_BIN)"
    [ -f "$("$PG_BIN/pg_config" --sharedir)/extension/immutable.control" ] ||
        die "the extension is not installed into $PG_BIN/.. (make install)"
    command -v sqlsmith >/dev/null || die "sqlsmith is not installed (apt-get install sqlsmith; tools/setup.sh does)"
    SEED=${SEED:-$(default_seed)}
    [[ "$SECONDS_SQLSMITH" =~ ^[0-9]+$ && "$SECONDS_API" =~ ^[0-9]+$ && "$SEED" =~ ^[0-9]+$ ]] ||
        die "FUZZ_SECONDS, FUZZ_API_SECONDS and FUZZ_SEED must be whole numbers"

    start_cluster
    setup_database
    if [ -n "$setup_only" ]; then
        trap - EXIT
        echo "fuzz: cluster running; connect with: psql -h $WORK -p $PORT -U fuzzer $DB"
        echo "fuzz: stop it with: $PG_BIN/pg_ctl -D $WORK/data stop (as $(as_owner id -un))"
        exit 0
    fi
    echo "fuzz: seed $SEED (FUZZ_SEED=$SEED repeats this run)"
    start_sentinel
    run_sqlsmith
    run_api
    settle
    if check_alive; then
        check_invariants
        check_crashes
        check_sentinel
    else
        check_crashes
    fi
    check_internal_errors
    echo
    if [ "$FINDINGS" -gt 0 ]; then
        echo "fuzz: $FINDINGS findings with seed $SEED"
        exit 1
    fi
    echo "fuzz: no findings with seed $SEED"
}

main "$@"
