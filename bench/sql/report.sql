-- bench/sql/report.sql: the results as a markdown table for README.md.
--
-- Every figure is a median over the measured rounds (the warm-up round is
-- not recorded).  Ratios are costs: immutable's time per row (or per
-- transaction, for pgbench's tps) divided by the other's, so 1.12× means
-- 12 % slower and 0.50× twice as fast.  A ratio next to its target shows
-- whether it is met; nothing here fails, a benchmark is not a test.
--
-- Run with psql -At; prints only the table.

\set ON_ERROR_STOP on

-- figure, num, label
\ir report_lib.sql

-- immutable's cost over the other's.
CREATE FUNCTION pg_temp.ratio(imm float8, other float8, unit text)
RETURNS float8
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN unit = 'tps' THEN other / nullif(imm, 0)
                ELSE imm / nullif(other, 0) END
$$;

-- The lines of the table: which test and variants each shows, and the
-- target of its immutable ÷ plain ratio.  {n} in a label is the number of
-- rows the test wrote or read.
CREATE TEMP TABLE line (ord, label, test, unit, imm, plain, hand, target) AS
VALUES
 (10, 'INSERT new entity, {n} rows', 'insert_new', 'µs/row',
      'immutable', 'plain', 'plpgsql', 1.15),
 (11, 'INSERT new version, {n} rows', 'insert_version', 'µs/row',
      'immutable', 'plain', 'plpgsql', 1.30),
 (12, 'UPDATE through current view, {n} rows', 'update_view', 'µs/row',
      'immutable', 'plain', 'plpgsql', NULL),
 (13, '… of which finding the current rows', 'update_view_read', 'µs/row',
      'immutable', 'plain', 'plpgsql', NULL),
 (20, 'uuidv7() (plain: gen_random_uuid()), {n} calls', 'uuid', 'µs/call',
      'uuidv7', 'gen_random_uuid', 'plpgsql_uuidv7', 0.50),
 (30, 'current view, {n} entities × 2 versions', 'scan_v2', 'µs/row',
      'view', 'plain', NULL, 2.00),
 (31, 'as_of(t, now()), {n} entities × 2 versions', 'scan_v2', 'µs/row',
      'as_of', 'plain', 'as_of_sql', 2.00),
 (32, 'as_of(t, e, now()) (plain: PK lookup), {n} lookups, 2 versions', 'lookup_v2', 'µs/lookup',
      'as_of', 'pk', 'as_of_sql', 1.50),
 (35, 'current view, {n} entities × 10 versions', 'scan_v10', 'µs/row',
      'view', 'plain', NULL, 2.00),
 (36, 'as_of(t, now()), {n} entities × 10 versions', 'scan_v10', 'µs/row',
      'as_of', 'plain', 'as_of_sql', 2.00),
 (37, 'as_of(t, e, now()) (plain: PK lookup), {n} lookups, 10 versions', 'lookup_v10', 'µs/lookup',
      'as_of', 'pk', 'as_of_sql', 1.50),
 (40, 'pgbench: INSERT new entity', 'pgbench_new_entity', 'tps',
      'immutable', 'plain', 'plpgsql', 1.15),
 (41, 'pgbench: INSERT new version', 'pgbench_new_version', 'tps',
      'immutable', 'plain', 'plpgsql', 1.30),
 (42, 'pgbench: UPDATE through current view', 'pgbench_update', 'tps',
      'immutable', 'plain', 'plpgsql', NULL),
 (43, 'pgbench: as_of(t, e, now()) (plain: PK lookup)', 'pgbench_lookup', 'tps',
      'immutable', 'plain', 'sql', 1.50),
 (50, 'make_versioned on a {n}-row table, one transaction', 'load_make_versioned', 's',
      'immutable', NULL, NULL, NULL),
 (51, 'INSERT … SELECT of {n} new versions, one transaction', 'load_new_versions', 's',
      'immutable', 'plain', NULL, NULL);

WITH shown AS (
    SELECT l.*,
           pg_temp.label(l.label, l.test) AS text,
           pg_temp.figure(l.test, l.imm, l.unit) AS v_imm,
           pg_temp.figure(l.test, l.plain, l.unit) AS v_plain,
           pg_temp.figure(l.test, l.hand, l.unit) AS v_hand
      FROM line AS l
),
ratios AS (
    SELECT s.*,
           pg_temp.ratio(v_imm, v_plain, unit) AS r_plain,
           pg_temp.ratio(v_imm, v_hand, unit) AS r_hand
      FROM shown AS s
     WHERE v_imm IS NOT NULL
)
SELECT line
  FROM (SELECT 0 AS ord,
               '| Operation | Unit | immutable | plain | hand-written | immutable ÷ plain | target | immutable ÷ hand-written |' AS line
        UNION ALL
        SELECT 1, '|---|---|--:|--:|--:|--:|:-:|--:|'
        UNION ALL
        SELECT ord,
               format('| %s | %s | %s | %s | %s | %s | %s | %s |',
                      text, unit, pg_temp.num(v_imm), pg_temp.num(v_plain),
                      pg_temp.num(v_hand),
                      coalesce(to_char(r_plain, 'FM9990.00') || '×', '—'),
                      CASE WHEN target IS NULL OR r_plain IS NULL THEN '—'
                           ELSE '≤ ' || to_char(target, 'FM990.00') || '× '
                                || CASE WHEN r_plain <= target THEN '✓' ELSE '✗' END
                      END,
                      coalesce(to_char(r_hand, 'FM9990.00') || '×', '—'))
          FROM ratios) AS t
 ORDER BY ord;
