# shellcheck shell=bash
# tools/demo_lib.sh: what tools/demo.sh and tools/demo_system.sh share,
# sourced by both (source "$REPO_ROOT/tools/demo_lib.sh"); not run by itself.
#
# Provides, outside the cluster: die, require_positive, require_flag (setting
# checks), free_port, outside (set-up, then the demo again inside
# pg_virtualenv, then the summary line); inside it: heading, sql, sql_value,
# show, indent, pgbench_init, pgbench_number; for the checks: result, check,
# check_display, run_checks and FIRST_DIFFERENCES; and demo_main, which picks
# outside or inside.
#
# The demo script sets, before calling demo_main:
#   DEMO_NAME     its name without ".sh" (demo, demo_system): messages are
#                 "DEMO_NAME.sh: ...", the summary "DEMO_NAME: ...", and
#                 tools/DEMO_NAME.sh is what runs inside the cluster
#   PG_MAJOR      the PostgreSQL major version of the cluster
#   REPO_ROOT     the repository's top directory
#   DEMO_SETUP    1: run tools/setup.sh first; 0: skip it
#   DEMO_PORT     first port tried for the cluster
#   CHECK_WIDTH   width of the label column of the PASS/FAIL lines
# and defines check_settings (called first, outside) and inside (the demo
# itself, run inside the cluster).

###############################################################################
# Outside the cluster: set-up, then the demo script again inside pg_virtualenv
###############################################################################

# Print "DEMO_NAME.sh: MESSAGE" on stderr and exit 1.
die() {
    echo "$DEMO_NAME.sh: $*" >&2
    exit 1
}

# require_positive NAME...: die unless each named variable is a positive integer.
require_positive() {
    local name
    for name in "$@"; do
        [[ ${!name} =~ ^[1-9][0-9]*$ ]] || die "$name must be a positive integer, not '${!name}'"
    done
}

# require_flag NAME...: die unless each named variable is 0 or 1.
require_flag() {
    local name
    for name in "$@"; do
        [[ ${!name} =~ ^[01]$ ]] || die "$name must be 0 or 1, not '${!name}'"
    done
}

# The first of 200 ports from DEMO_PORT on with no server on it, by TCP or by
# Unix socket. With -t (below) pg_createcluster knows of no other cluster, so
# its own choice of port could collide; the default, 5440, stays out of the
# way of the clusters pg_createcluster hands 5432, 5433 ... to.
free_port() {
    local port
    for ((port = DEMO_PORT; port < DEMO_PORT + 200; port++)); do
        [ -e "/var/run/postgresql/.s.PGSQL.$port" ] && continue
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
        echo "$port"
        return 0
    done
    die "no free port between $DEMO_PORT and $((DEMO_PORT + 199))"
}

# Check the settings, set up (or not), run the demo inside a throwaway
# cluster, print the summary line; exit 1 unless every check passed.
outside() {
    local started=$SECONDS tmp status=0 failed total
    check_settings

    if [ "$DEMO_SETUP" = 1 ]; then
        printf '== 0. Set-up: tools/setup.sh (packages, build, install) ==\n\n'
        bash "$REPO_ROOT/tools/setup.sh"
        echo "extension built and installed"
    else
        printf '== 0. Set-up skipped (DEMO_SETUP=0) ==\n\n'
        [ -f "/usr/share/postgresql/$PG_MAJOR/extension/immutable.control" ] ||
            die "the extension is not installed: run tools/setup.sh, or leave DEMO_SETUP at 1"
        echo "using the installed extension"
    fi

    # immutable-demo.XXXXXX, immutable-demo-system.XXXXXX
    tmp=$(mktemp -d -t "immutable-${DEMO_NAME//_/-}.XXXXXX")
    # shellcheck disable=SC2064  # expand $tmp now: it is local
    trap "rm -rf '$tmp'" EXIT
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$tmp" # the server (user postgres) writes its pid file here
    fi

    # -t keeps the cluster in a private directory with a private port, and
    # its pid file goes to $tmp, not to the path every pg_virtualenv cluster
    # named "regress" shares: the demo neither refuses to start nor disturbs
    # anything when a test run (tools/test.sh) or another pg_virtualenv
    # cluster is active.
    DEMO_TMP=$tmp PGPORT=$(free_port) \
        pg_virtualenv -t -v "$PG_MAJOR" -o "external_pid_file=$tmp/postmaster.pid" \
        bash "$REPO_ROOT/tools/$DEMO_NAME.sh" --inside || status=$?

    if [ "$status" -ne 0 ] || [ ! -s "$tmp/failed" ]; then
        die "aborted (exit status $status) after $((SECONDS - started)) s"
    fi
    failed=$(cat "$tmp/failed")
    total=$(cat "$tmp/total")
    echo
    if [ "$failed" -eq 0 ]; then
        echo "$DEMO_NAME: all $total checks passed ($((SECONDS - started)) s)"
    else
        echo "$DEMO_NAME: $failed of $total checks FAILED ($((SECONDS - started)) s)"
        exit 1
    fi
}

###############################################################################
# Inside the cluster (pg_virtualenv has set PGHOST, PGPORT, PGUSER ...)
###############################################################################

# Print "== TEXT ==" between blank lines.
heading() {
    printf '\n== %s ==\n\n' "$*"
}

# psql without ~/.psqlrc, quiet, stopping at the first error.
# shellcheck disable=SC2120  # arguments come through show()
sql() {
    psql -X -q -v ON_ERROR_STOP=1 -P footer=off "$@"
}

# Bare values: one value, or one row with its fields separated by tabs.
sql_value() {
    psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$@"
}

# Step 3 runs its queries through show: a failing query is reported where its
# table would be, counted (a check fails at the end), and the demo goes on.
DISPLAY_ERRORS=0
show() {
    "$@" || DISPLAY_ERRORS=$((DISPLAY_ERRORS + 1))
}

# Indent everything read by four spaces.
indent() {
    sed 's/^/    /'
}

# pgbench -i -s DEMO_SCALE, reduced to its last line; all of it if it fails.
pgbench_init() {
    local init
    if ! init=$(pgbench -i -s "$DEMO_SCALE" -q 2>&1); then
        echo "$init"
        exit 1
    fi
    echo "pgbench -i -s $DEMO_SCALE: $(tail -n 1 <<<"$init")"
}

# pgbench's summary number after "LABEL: " in DEMO_TMP/pgbench.out, or nothing.
pgbench_number() {
    sed -n "s/^$1: \([0-9]*\).*/\1/p" "$DEMO_TMP/pgbench.out"
}

###############################################################################
# Checks
###############################################################################

CHECKS_TOTAL=0
CHECKS_FAILED=0

# result OK LABEL DETAIL: print a check's PASS or FAIL line and count it (OK: t or f).
result() {
    local verdict=PASS
    CHECKS_TOTAL=$((CHECKS_TOTAL + 1))
    if [ "$1" != t ]; then
        verdict=FAIL
        CHECKS_FAILED=$((CHECKS_FAILED + 1))
    fi
    printf '%s  %-*s %s\n' "$verdict" "$CHECK_WIDTH" "$2" "$3"
}

# check LABEL QUERY [psql options]: QUERY returns one row (ok boolean, detail
# text); an error fails the check, with its first line as the detail. The
# query goes in on stdin, where psql replaces :variables given by -v.
check() {
    local label=$1 query=$2 out ok detail
    shift 2
    if out=$(sql_value "$@" <<<"$query" 2>&1); then
        IFS=$'\t' read -r ok detail <<<"$out"
    else
        ok=f
        detail=$(head -n 1 <<<"$out")
    fi
    result "${ok:-f}" "$label" "$detail"
}

# For a check's detail: the first three differing rows of a query's "example"
# column (where "ok" is false, in aid order), as "aid N: ..." after a colon.
# shellcheck disable=SC2034  # used by the demo scripts' checks
FIRST_DIFFERENCES="coalesce(': ' || array_to_string((array_agg(example ORDER BY aid)
                                FILTER (WHERE NOT ok))[1:3], '; '), '')"

# The check that step 3's queries (run through show) all succeeded.
check_display() {
    result "$([ "$DISPLAY_ERRORS" -eq 0 ] && echo t || echo f)" \
        "every query of step 3 ran without error" "$DISPLAY_ERRORS failed"
}

# run_checks CHECK...: step 4, the named check functions in turn; the counts
# go to DEMO_TMP for outside's summary line.
run_checks() {
    local fn
    heading "4. Checks"
    for fn in "$@"; do
        "$fn"
    done
    echo "$CHECKS_TOTAL" >"$DEMO_TMP/total"
    echo "$CHECKS_FAILED" >"$DEMO_TMP/failed"
}

# demo_main "$@": inside the cluster with --inside, else outside.
demo_main() {
    if [ "${1:-}" = --inside ]; then
        inside
    else
        outside
    fi
}
