-- bench/sql/system_writes.sql: S1-S3, server-side cost per written row of
-- the write tables of system_setup.sql: the four variants in all three, and
-- in S2 and S3 (UPDATE, DELETE) also bench.sv_immutable_lean, immutable
-- without the btree key index on its history table, which splits
-- immutable's cost there into that index and the rest.
--
-- Each statement writes {rows} rows, so the per-row trigger work dominates
-- and a client round trip is amortized away; system_report.sql divides the
-- median statement time by {rows}.  The statements of a test are the same
-- text for every variant, only the table differs (bench.each).  Every
-- round is a transaction of its own (bench.measure), so every UPDATE and
-- DELETE ends periods that an earlier transaction started and writes a
-- history row per row.
--
-- psql variables: rows, reps.

\set ON_ERROR_STOP on

-- One core per statement: the costs are per row.
SET max_parallel_workers_per_gather = 0;

-- The variants (bench.measure rotates their order every round), and those
-- of S2 and S3, which add immutable_lean.
\set variants '{plain,immutable,plpgsql,periods}'
\set variants_lean '{plain,immutable,immutable_lean,plpgsql,periods}'

-- How S2 and S3 find their rows in each table, for the log.
SELECT format('EXPLAIN (COSTS OFF) UPDATE bench.sv_%s SET payload = payload + 1'
              ' WHERE id BETWEEN 1 AND %s', v, :rows),
       format('EXPLAIN (COSTS OFF) DELETE FROM bench.sv_%s'
              ' WHERE id BETWEEN 100000001 AND %s', v, 100000000 + :rows)
  FROM unnest(:'variants_lean'::text[]) AS v
\gexec

-- S1: {rows} new rows, ids 100000001 + {rep} * {rows} .. : new in every
-- round (the warm-up is round 0).  The versioned tables stamp the period in
-- a trigger, the plain table takes it from the column default.
CALL bench.measure('sv_insert', :rows, :reps, true,
    :'variants', bench.each('bench.sv_', :'variants',
        $$INSERT INTO {table} (id, payload, note)
          SELECT 100000000 + {rep} * {rows} + g, g, 'note'
            FROM generate_series(1, {rows}) AS g$$));

-- The same rows in bench.sv_immutable_lean, which S1 does not measure,
-- untimed, for S3 to delete: every round's rows, the warm-up's included, in
-- one statement committed before S3 starts.
INSERT INTO bench.sv_immutable_lean (id, payload, note)
SELECT 100000000 + g, (g - 1) % :rows + 1, 'note'
  FROM generate_series(1, (:reps + 1) * :rows) AS g;

-- S2: UPDATE the seeded rows 1 .. {rows} in every round: one history row
-- each (none for plain, which updates in place).
CALL bench.measure('sv_update', :rows, :reps, true,
    :'variants_lean', bench.each('bench.sv_', :'variants_lean',
        $$UPDATE {table} SET payload = payload + 1
           WHERE id BETWEEN 1 AND {rows}$$));

-- S3: DELETE the rows S1 inserted in the round of the same number (for
-- immutable_lean, the ones inserted above): one history row each.
CALL bench.measure('sv_delete', :rows, :reps, true,
    :'variants_lean', bench.each('bench.sv_', :'variants_lean',
        $$DELETE FROM {table}
           WHERE id BETWEEN 100000001 + {rep} * {rows}
                        AND 100000000 + ({rep} + 1) * {rows}$$));

-- What the rounds left: the history rows every versioned table now holds
-- (the same number in each, or a trigger missed some).
SELECT 'immutable' AS variant, count(*) AS history_rows FROM bench.sv_immutable_history
UNION ALL
SELECT 'immutable_lean', count(*) FROM bench.sv_immutable_lean_history
UNION ALL
SELECT 'plpgsql', count(*) FROM bench.sv_plpgsql_history
UNION ALL
SELECT 'periods', count(*) FROM bench.sv_periods_history;

-- Where the time of an UPDATE goes, for the log: the time of each trigger
-- (EXPLAIN ANALYZE), for 1000 rows of each table.
SELECT format('EXPLAIN (ANALYZE, COSTS OFF) UPDATE bench.sv_%s SET payload = payload + 1'
              ' WHERE id BETWEEN 1 AND 1000', v)
  FROM unnest(:'variants_lean'::text[]) AS v
\gexec

VACUUM ANALYZE bench.sv_plain, bench.sv_immutable, bench.sv_immutable_lean,
    bench.sv_plpgsql, bench.sv_periods, bench.sv_immutable_history,
    bench.sv_immutable_lean_history, bench.sv_plpgsql_history, bench.sv_periods_history;
