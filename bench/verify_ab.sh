#!/usr/bin/env bash
# bench/verify_ab.sh: rows per second of immutable.verify_chain with two
# builds of the extension, A and B, run in turns on the same tables of the
# same cluster, and the ratio B / A paired within each round: the way to
# compare two builds on a shared, noisy machine.
#
#   bash bench/verify_ab.sh BINDIR A.so B.so
#
# BINDIR is the bin directory of a PostgreSQL 15 whose package library
# directory has the extension installed (immutable.control, its SQL, an
# immutable.so): use a private copy of PostgreSQL, never the system's, since
# the script replaces immutable.so there by A.so and B.so in turn (by
# rename, so that no running backend sees a file change under it; each run
# is a new session, which loads the file then in place) and puts the
# original back at the end.  The cluster is a throwaway one (initdb in a
# temporary directory, fsync=off, default settings otherwise), run as user
# postgres when started as root.
#
# The tables (bench.v_<case>, VERIFY_ROWS rows each, written through the
# hash-chain trigger, then vacuumed):
#   fixed            one chain; bigint, integer, bigint, timestamptz: one
#                    SHA-256 per row
#   ledger           one chain; the same with a text column (its digest is a
#                    second SHA-256), as bench/sql/hash_setup.sql's hv_chain
#   fixed_accounts   chain_by account over 1000 accounts, rows interleaved
#   ledger_accounts  (account = row number mod 1000)
# Each round runs every case with A then B (odd rounds) or B then A (even
# rounds), after one unmeasured warm-up of each; a run is one session that
# loads the library with a small table's verify_chain, then times
# verify_chain of the case's table on the server (clock_timestamp around
# the call, which must report no problem).
#
# Environment: VERIFY_ROWS [1000000], ROUNDS [7], PORT [a free one],
# CASES [fixed ledger fixed_accounts ledger_accounts].
# Prints per case: the median rows/s of A and B with their min–max, and the
# median and min–max of the paired ratios B/A (above 1: B is faster).

set -euo pipefail

BINDIR=$1
SO_A=$(realpath "$2")
SO_B=$(realpath "$3")
VERIFY_ROWS=${VERIFY_ROWS:-1000000}
ROUNDS=${ROUNDS:-7}
CASES=${CASES:-fixed ledger fixed_accounts ledger_accounts}
PORT=${PORT:-$(shuf -i 55000-55999 -n 1)}
LIBDIR=$("$BINDIR/pg_config" --pkglibdir)
WORK=$(mktemp -d /tmp/verify_ab.XXXXXX)
chmod 755 "$WORK"
cp "$LIBDIR/immutable.so" "$WORK/original.so"

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    as_postgres "$BINDIR/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
    cp "$WORK/original.so" "$LIBDIR/immutable.so.verify_ab" &&
        mv "$LIBDIR/immutable.so.verify_ab" "$LIBDIR/immutable.so"
    rm -rf "$WORK"
}
trap cleanup EXIT

# use FILE: make FILE the extension's library for the next sessions
use() {
    cp "$1" "$LIBDIR/immutable.so.verify_ab"
    mv "$LIBDIR/immutable.so.verify_ab" "$LIBDIR/immutable.so"
}

[ "$(id -u)" = 0 ] && chown postgres: "$WORK"
as_postgres "$BINDIR/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
as_postgres "$BINDIR/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w \
    -o "-p $PORT -k $WORK -c listen_addresses='' -c fsync=off" start >/dev/null
export PGHOST=$WORK PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres

psql() { "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

use "$SO_B"
psql >/dev/null <<SQL
CREATE EXTENSION immutable;
CREATE SCHEMA bench;
CREATE TABLE bench.v_fixed (id bigint GENERATED ALWAYS AS IDENTITY, account integer,
                            amount bigint, booked timestamptz);
CREATE TABLE bench.v_ledger (id bigint GENERATED ALWAYS AS IDENTITY, account integer,
                             amount numeric(12, 2), booked timestamptz, note text);
CREATE TABLE bench.v_fixed_accounts (LIKE bench.v_fixed INCLUDING ALL);
CREATE TABLE bench.v_ledger_accounts (LIKE bench.v_ledger INCLUDING ALL);
CREATE TABLE bench.v_small (id integer);
SELECT immutable.make_append_only('bench.v_fixed', hashed => true);
SELECT immutable.make_append_only('bench.v_ledger', hashed => true);
SELECT immutable.make_append_only('bench.v_fixed_accounts', hashed => true, chain_by => 'account');
SELECT immutable.make_append_only('bench.v_ledger_accounts', hashed => true, chain_by => 'account');
SELECT immutable.make_append_only('bench.v_small', hashed => true);
INSERT INTO bench.v_small SELECT 1;
INSERT INTO bench.v_fixed (account, amount, booked)
SELECT g % 1000, g, now() FROM generate_series(1, $VERIFY_ROWS) AS g;
INSERT INTO bench.v_fixed_accounts (account, amount, booked)
SELECT g % 1000, g, now() FROM generate_series(1, $VERIFY_ROWS) AS g;
INSERT INTO bench.v_ledger (account, amount, booked, note)
SELECT g % 1000, g, now(), 'note ' || g FROM generate_series(1, $VERIFY_ROWS) AS g;
INSERT INTO bench.v_ledger_accounts (account, amount, booked, note)
SELECT g % 1000, g, now(), 'note ' || g FROM generate_series(1, $VERIFY_ROWS) AS g;
VACUUM ANALYZE;
CREATE FUNCTION bench.time_verify(t regclass) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
    started timestamptz := clock_timestamp();
    problems bigint;
BEGIN
    SELECT count(*) INTO problems FROM immutable.verify_chain(t);
    IF problems <> 0 THEN
        RAISE EXCEPTION 'verify_chain(%) found % problems', t, problems;
    END IF;
    RETURN extract(epoch FROM clock_timestamp() - started);
END
\$\$;
CREATE TABLE bench.v_runs (round int, tcase text, build text, seconds float8);
SQL

# run ROUND CASE BUILD FILE: one measured session (ROUND 0: warm-up)
run() {
    local seconds
    use "$4"
    seconds=$(psql -At -c "SELECT count(*) FROM immutable.verify_chain('bench.v_small')" \
                  -c "SELECT bench.time_verify('bench.v_$2')" | tail -n 1)
    [ "$1" = 0 ] ||
        psql -c "INSERT INTO bench.v_runs VALUES ($1, '$2', '$3', $seconds)"
}

for tcase in $CASES; do
    run 0 "$tcase" A "$SO_A"
    run 0 "$tcase" B "$SO_B"
done
for round in $(seq "$ROUNDS"); do
    for tcase in $CASES; do
        if (( round % 2 )); then
            run "$round" "$tcase" A "$SO_A"; run "$round" "$tcase" B "$SO_B"
        else
            run "$round" "$tcase" B "$SO_B"; run "$round" "$tcase" A "$SO_A"
        fi
    done
done

psql -P footer=off <<SQL
WITH r AS (
    SELECT tcase, round,
           $VERIFY_ROWS / max(seconds) FILTER (WHERE build = 'A') AS a,
           $VERIFY_ROWS / max(seconds) FILTER (WHERE build = 'B') AS b
      FROM bench.v_runs GROUP BY tcase, round
)
SELECT tcase AS "case",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY a)) AS "A rows/s",
       round(min(a)) || '–' || round(max(a)) AS "A min–max",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY b)) AS "B rows/s",
       round(min(b)) || '–' || round(max(b)) AS "B min–max",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY b / a)::numeric, 2) AS "B/A",
       round(min(b / a)::numeric, 2) || '–' || round(max(b / a)::numeric, 2) AS "B/A min–max",
       count(*) AS rounds
  FROM r GROUP BY tcase ORDER BY min(array_position('{$(echo "$CASES" | tr ' ' ',')}'::text[], tcase));
SQL
