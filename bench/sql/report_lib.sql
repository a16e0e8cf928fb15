-- bench/sql/report_lib.sql: the helper functions report.sql (run.sh),
-- system_report.sql (run_system.sh) and hash_report.sql (run_hash.sh)
-- share, included by each (\ir report_lib.sql).  They are pg_temp functions on bench.timing and
-- bench.tps (sql/harness.sql) and vanish with the session.

-- The median of one test and variant, in the unit shown: µs per row or
-- lookup (µs per call for run.sh's UUID loop, net of the empty loop), seconds
-- for its one-shot loads, transactions per second for pgbench.
CREATE FUNCTION pg_temp.figure(p_test text, p_variant text, p_unit text)
RETURNS float8
LANGUAGE sql STABLE
AS $$
    WITH med AS (
        SELECT variant, max(rows) AS rows,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms
          FROM bench.timing
         WHERE test = p_test
         GROUP BY variant
    )
    SELECT CASE p_unit
           WHEN 'tps' THEN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY tps)
                              FROM bench.tps
                             WHERE test = p_test AND variant = p_variant)
           WHEN 's' THEN (SELECT ms / 1000 FROM med WHERE variant = p_variant)
           WHEN 'µs/call' THEN
               (SELECT (m.ms - e.ms) * 1000 / m.rows
                  FROM med AS m, med AS e
                 WHERE m.variant = p_variant AND e.variant = 'empty')
           ELSE (SELECT ms * 1000 / rows FROM med WHERE variant = p_variant)
           END
$$;

-- A figure with three significant digits or so.
CREATE FUNCTION pg_temp.num(x float8) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
           WHEN x IS NULL THEN '—'
           WHEN abs(x) >= 100 THEN to_char(round(x::numeric), 'FM999999999')
           WHEN abs(x) >= 10 THEN to_char(round(x::numeric, 1), 'FM99990.0')
           WHEN abs(x) >= 1 THEN to_char(round(x::numeric, 2), 'FM99990.00')
           ELSE to_char(round(x::numeric, 3), 'FM99990.000')
           END
$$;

-- A line's label with {n} replaced by the number of rows its test wrote or
-- read, as 500, 10k or 1M (nothing if the test did not run).
CREATE FUNCTION pg_temp.label(p_label text, p_test text) RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT replace(p_label, '{n}',
                   coalesce(CASE WHEN n % 1000000 = 0 THEN (n / 1000000) || 'M'
                                 WHEN n % 1000 = 0 THEN (n / 1000) || 'k'
                                 ELSE n::text END, ''))
      FROM (SELECT max(rows) AS n FROM bench.timing WHERE test = p_test) AS t
$$;

-- A variant against the base it is compared with: "1.19× (+0.82)" for µs,
-- "0.91×" for tps.
CREATE FUNCTION pg_temp.versus(x float8, base float8, unit text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
           WHEN x IS NULL OR base IS NULL OR base = 0 THEN '—'
           WHEN unit = 'tps' THEN to_char(x / base, 'FM9990.00') || '×'
           ELSE to_char(x / base, 'FM9990.00') || '× ('
                || CASE WHEN x >= base THEN '+' ELSE '−' END
                || pg_temp.num(abs(x - base)) || ')'
           END
$$;
