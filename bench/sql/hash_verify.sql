-- bench/sql/hash_verify.sql: V, how fast a whole table's chains are checked,
-- and, first, whether every chain the benchmarks wrote is intact.
--
-- Check: every table of hash_setup.sql that has a chain, the write tables
-- after S1 and B (run_hash.sh runs this file last) and the V tables after
-- their load, is checked once, and the rows and problems it has go into
-- bench.chain_problems and the log; every count of problems should be 0
-- (nothing here fails on it: run_hash.sh puts the counts in the footer).
--
-- V: bench.hv_chain (one chain), bench.hv_accounts (chain_by over 1000
-- accounts, rows interleaved: account = row number mod 1000),
-- bench.hv_fixed and bench.hv_fixed_accounts (the same with fixed-length
-- columns only) and bench.hv_pgcrypto (the PL/pgSQL + pgcrypto chain) are
-- loaded with verify_rows rows each, through their triggers, in one
-- statement each (its time is in the log), and vacuumed, so that no
-- verification sets hint bits.  Then each round times, on the server
-- (bench.measure, after a warm-up that reads the table into shared
-- buffers as far as it fits; at a million rows a table is larger than the
-- default shared_buffers, and rounds read the rest from the OS cache; the
-- sizes are in the log):
--
--   chain, accounts  SELECT count(*) FROM immutable.verify_chain(t): every
--                    row's hash recomputed, every link checked, in one
--                    sequential read (test h_verify; h_verify_fixed for the
--                    fixed-length tables)
--   pgcrypto         the SQL verifier users write for their trigger
--                    (bench.pgcrypto_verifier): each row's digest recomputed
--                    from lag(hash) OVER (ORDER BY chain_seq) and the row's
--                    row_to_json, mismatches counted.  It reports less than
--                    verify_chain (a count, not which problem where), so its
--                    rows per second are an upper bound for a hand-written
--                    check.
--
-- hash_report.sql shows rows per second: verify_rows ÷ the median time.
--
-- psql variables: verify_rows, reps.

\set ON_ERROR_STOP on

-- One core per statement: verify_chain uses one, the SQL verifier gets no
-- parallel workers either.
SET max_parallel_workers_per_gather = 0;

-- The SQL verifier of a table made like bench.h_pgcrypto: the number of
-- rows whose hash is not digest(previous row's hash || row_to_json of the
-- row with hash NULL), exactly what the trigger hashed.
CREATE FUNCTION bench.pgcrypto_verifier(tbl text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $f$
    SELECT replace($$SELECT count(*) FILTER (
                          WHERE hash IS DISTINCT FROM
                                digest(coalesce(prev, '')
                                       || convert_to(row_to_json(ROW(id, account, amount, booked, note,
                                                                     chain_seq, NULL::bytea)::{table})::text,
                                                     'UTF8'),
                                       'sha256'))
                       FROM (SELECT t.*, lag(hash) OVER (ORDER BY chain_seq) AS prev
                               FROM {table} AS t) AS s$$,
                   '{table}', tbl)
$f$;

-- Check the chains of tbl once (verify_chain, or for a pgcrypto table its
-- SQL verifier) and record its rows and problems in bench.chain_problems.
CREATE FUNCTION bench.check_chain(tbl regclass) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    n        bigint;
    problems bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s', tbl) INTO n;
    IF tbl::text LIKE '%pgcrypto' THEN
        EXECUTE bench.pgcrypto_verifier(tbl::text) INTO problems;
    ELSE
        SELECT count(*) INTO problems FROM immutable.verify_chain(tbl);
    END IF;
    INSERT INTO bench.chain_problems VALUES (tbl::text, n, problems);
    RETURN problems;
END
$$;

------------------------------------------------------------------------------
-- The write tables, as S1 and B left them
------------------------------------------------------------------------------

SELECT t AS tbl, bench.check_chain(t) AS problems
  FROM unnest('{bench.h_chain,bench.h_accounts,bench.h_pgcrypto}'::regclass[]) AS t;

------------------------------------------------------------------------------
-- V: load, check, time
------------------------------------------------------------------------------

\timing on
INSERT INTO bench.hv_chain (account, amount, booked, note)
SELECT g % 1000, g, now(), 'note ' || g FROM generate_series(1, :verify_rows) AS g;
INSERT INTO bench.hv_accounts (account, amount, booked, note)
SELECT g % 1000, g, now(), 'note ' || g FROM generate_series(1, :verify_rows) AS g;
INSERT INTO bench.hv_pgcrypto (account, amount, booked, note)
SELECT g % 1000, g, now(), 'note ' || g FROM generate_series(1, :verify_rows) AS g;
INSERT INTO bench.hv_fixed (account, amount, booked)
SELECT g % 1000, g, now() FROM generate_series(1, :verify_rows) AS g;
INSERT INTO bench.hv_fixed_accounts (account, amount, booked)
SELECT g % 1000, g, now() FROM generate_series(1, :verify_rows) AS g;
\timing off
VACUUM ANALYZE bench.hv_chain, bench.hv_accounts, bench.hv_pgcrypto, bench.hv_fixed,
    bench.hv_fixed_accounts;
SELECT t AS tbl, pg_size_pretty(pg_table_size(t)) AS heap,
       pg_size_pretty(pg_indexes_size(t)) AS indexes
  FROM unnest('{bench.hv_chain,bench.hv_accounts,bench.hv_pgcrypto,bench.hv_fixed,bench.hv_fixed_accounts}'::regclass[]) AS t;

SELECT t AS tbl, bench.check_chain(t) AS problems
  FROM unnest('{bench.hv_chain,bench.hv_accounts,bench.hv_pgcrypto,bench.hv_fixed,bench.hv_fixed_accounts}'::regclass[]) AS t;

-- Every check, and the first problems of any table that has some.
SELECT * FROM bench.chain_problems;
SELECT format('SELECT %L AS tbl, * FROM immutable.verify_chain(%L) LIMIT 10', tbl, tbl)
  FROM bench.chain_problems
 WHERE problems > 0 AND tbl NOT LIKE '%pgcrypto'
\gexec

-- How the SQL verifier runs, for the log.
SELECT 'EXPLAIN (ANALYZE, COSTS OFF) ' || bench.pgcrypto_verifier('bench.hv_pgcrypto')
\gexec

CALL bench.measure('h_verify', :verify_rows, :reps, true,
    '{chain,accounts,pgcrypto}',
    ARRAY['SELECT count(*) FROM immutable.verify_chain(''bench.hv_chain'')',
          'SELECT count(*) FROM immutable.verify_chain(''bench.hv_accounts'')',
          bench.pgcrypto_verifier('bench.hv_pgcrypto')]);
CALL bench.measure('h_verify_fixed', :verify_rows, :reps, true,
    '{chain,accounts}',
    ARRAY['SELECT count(*) FROM immutable.verify_chain(''bench.hv_fixed'')',
          'SELECT count(*) FROM immutable.verify_chain(''bench.hv_fixed_accounts'')']);
