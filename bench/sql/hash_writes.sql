-- bench/sql/hash_writes.sql: S1, server-side cost per inserted row of the
-- write tables of hash_setup.sql: unhashed, one chain, one chain per account
-- and the PL/pgSQL + pgcrypto trigger.
--
-- Each statement inserts {rows} rows spread over 100 accounts, so the
-- per-row trigger work (lock, last row of the chain, SHA-256) dominates and
-- a client round trip is amortized away; hash_report.sql divides the median
-- statement time by {rows}.  The statements are the same text for every
-- variant, only the table differs (bench.each).  Every round is a
-- transaction of its own (bench.measure), as an application's would be:
-- its first row of each chain finds the chain's last row among committed
-- rows, the others among the statement's own.
--
-- psql variables: rows, reps.

\set ON_ERROR_STOP on

-- One core per statement: the costs are per row.
SET max_parallel_workers_per_gather = 0;

-- The variants (bench.measure rotates their order every round).
\set variants '{unhashed,chain,accounts,pgcrypto}'

-- S1: {rows} new rows, account g % 100; id, and for the hashed tables
-- chain_seq, prev_hash and hash, come from the table.
CALL bench.measure('h_insert', :rows, :reps, true,
    :'variants', bench.each('bench.h_', :'variants',
        $$INSERT INTO {table} (account, amount, booked, note)
          SELECT g % 100, g, now(), 'note ' || g
            FROM generate_series(1, {rows}) AS g$$));

-- Where the time of an INSERT goes, for the log: the time of each trigger
-- (EXPLAIN ANALYZE), for 1000 rows of each table.
SELECT format('EXPLAIN (ANALYZE, COSTS OFF) INSERT INTO bench.h_%s (account, amount, booked, note)'
              ' SELECT g %% 100, g, now(), ''note '' || g FROM generate_series(1, 1000) AS g', v)
  FROM unnest(:'variants'::text[]) AS v
\gexec

VACUUM ANALYZE bench.h_unhashed, bench.h_chain, bench.h_accounts, bench.h_pgcrypto;
