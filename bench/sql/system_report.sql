-- bench/sql/system_report.sql: the results of run_system.sh as a markdown
-- table for README.md.
--
-- Every figure is a median over the measured rounds (the warm-up round is
-- not recorded).  Each versioned variant is compared with the plain table:
-- its figure divided by plain's (µs: 1.12× means 12 % slower; tps: 0.88×
-- means 12 % fewer transactions per second), and for µs per row also the
-- difference, the cost of the versioning per row.  The target, for
-- immutable, shows whether it is met; nothing here fails, a benchmark is not
-- a test.  Right after the UPDATE and DELETE lines comes one for
-- bench.sv_immutable_lean (immutable whose history table keeps only the
-- BRIN index on the period, no btree key index), in the immutable columns,
-- against plain, without a target: its difference to the line above is
-- what that index costs, its own difference to plain the trigger and the
-- rest of the history write.
--
-- Run with psql -At; prints only the table.

\set ON_ERROR_STOP on

-- figure, num, label, versus
\ir report_lib.sql

-- immutable's target and whether it is met: kind 'max' bounds the ratio
-- from above, 'min' from below, 'delta' bounds the difference in µs.
CREATE FUNCTION pg_temp.target(x float8, plain float8, kind text, bound float8)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
           WHEN kind IS NULL OR x IS NULL OR plain IS NULL THEN '—'
           WHEN kind = 'max' THEN '≤ ' || to_char(bound, 'FM990.00') || '× '
                || CASE WHEN x / plain <= bound THEN '✓' ELSE '✗' END
           WHEN kind = 'min' THEN '≥ ' || to_char(bound, 'FM990.00') || '× '
                || CASE WHEN x / plain >= bound THEN '✓' ELSE '✗' END
           ELSE '≤ +' || bound || ' µs '
                || CASE WHEN x - plain <= bound THEN '✓' ELSE '✗' END
           END
$$;

-- The lines of the table: which test and variants each shows (NULL: not
-- measured), and immutable's target.  {n} in a label is the number of rows
-- the test wrote or read.  The writes, statements and pgbench alike,
-- measure every variant (immutable_lean only in the UPDATE and DELETE
-- statements, in the immutable columns); the reads compare immutable's ways
-- of reading with plain alone.
CREATE TEMP TABLE line (ord, label, test, unit, plain, imm, plpgsql, periods,
                        target_kind, target) AS
SELECT ord, label, test, unit, 'plain', 'immutable', 'plpgsql', 'periods',
       target_kind, target
  FROM (VALUES
        (10, 'INSERT, {n} rows', 'sv_insert', 'µs/row', 'max', 1.05),
        (11, 'UPDATE, {n} rows', 'sv_update', 'µs/row', 'delta', 4),
        (13, 'DELETE, {n} rows', 'sv_delete', 'µs/row', NULL, NULL),
        (20, 'pgbench: INSERT one row', 'pgbench_insert', 'tps', 'min', 0.95),
        (21, 'pgbench: UPDATE one row by primary key', 'pgbench_update', 'tps', 'min', 0.85),
        (22, 'pgbench: DELETE one row by primary key', 'pgbench_delete', 'tps', NULL, NULL))
       AS writes (ord, label, test, unit, target_kind, target)
UNION ALL
VALUES
 (12, '… immutable with the period index only (no key index on the history)', 'sv_update',
      'µs/row', 'plain', 'immutable_lean', NULL, NULL, NULL, NULL),
 (14, '… immutable with the period index only (no key index on the history)', 'sv_delete',
      'µs/row', 'plain', 'immutable_lean', NULL, NULL, NULL, NULL),
 (30, 'as_of(t, ts) whole table, ts in the history, {n} rows', 'sv_scan', 'µs/row',
      'plain', 'as_of_past', NULL, NULL, 'max', 2.00),
 (31, '… the same query as plain SQL (UNION ALL of table and history)', 'sv_scan', 'µs/row',
      'plain', 'as_of_sql_past', NULL, NULL, NULL, NULL),
 (32, 'as_of(t, now()) whole table, {n} rows', 'sv_scan', 'µs/row',
      'plain', 'as_of_now', NULL, NULL, 'max', 2.00),
 (33, 'one key as of ts in the history, SQL over table + history (plain: PK lookup), {n} lookups',
      'sv_lookup', 'µs/lookup', 'pk', 'sql_past', NULL, NULL, NULL, NULL),
 (34, 'one key as of now(), SQL over table + history (plain: PK lookup), {n} lookups',
      'sv_lookup', 'µs/lookup', 'pk', 'sql_now', NULL, NULL, NULL, NULL),
 (35, 'one key as of ts in the history, through r_sv_as_of(ts) (plain: PK lookup), {n} lookups',
      'sv_lookup', 'µs/lookup', 'pk', 'fn_past', NULL, NULL, 'max', 1.50),
 (36, 'one key as of now(), through r_sv_as_of(now()) (plain: PK lookup), {n} lookups',
      'sv_lookup', 'µs/lookup', 'pk', 'fn_now', NULL, NULL, 'max', 1.50);

WITH shown AS (
    SELECT l.*,
           pg_temp.label(l.label, l.test) AS text,
           pg_temp.figure(l.test, l.plain, l.unit) AS v_plain,
           pg_temp.figure(l.test, l.imm, l.unit) AS v_imm,
           pg_temp.figure(l.test, l.plpgsql, l.unit) AS v_plpgsql,
           pg_temp.figure(l.test, l.periods, l.unit) AS v_periods
      FROM line AS l
)
SELECT line
  FROM (SELECT 0 AS ord,
               '| Operation | Unit | plain | immutable | PL/pgSQL trigger | periods '
               '| immutable vs plain | target | PL/pgSQL vs plain | periods vs plain |' AS line
        UNION ALL
        SELECT 1, '|---|---|--:|--:|--:|--:|--:|:-:|--:|--:|'
        UNION ALL
        SELECT ord,
               format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
                      text, unit, pg_temp.num(v_plain), pg_temp.num(v_imm),
                      pg_temp.num(v_plpgsql), pg_temp.num(v_periods),
                      pg_temp.versus(v_imm, v_plain, unit),
                      pg_temp.target(v_imm, v_plain, target_kind, target),
                      pg_temp.versus(v_plpgsql, v_plain, unit),
                      pg_temp.versus(v_periods, v_plain, unit))
          FROM shown
         WHERE v_imm IS NOT NULL) AS t
 ORDER BY ord;
