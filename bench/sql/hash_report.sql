-- bench/sql/hash_report.sql: the results of run_hash.sh as a markdown table
-- for README.md.
--
-- Every figure is a median over the measured rounds (the warm-up round is
-- not recorded).  The writes of each chained variant are compared with the
-- unhashed table: its figure divided by unhashed's (µs: 1.12× means 12 %
-- slower; tps: 0.88× means 12 % fewer transactions per second), and for µs
-- per row also the difference, the cost of the chain per row.  The
-- verification lines have no unhashed figure: their columns are verify_chain
-- on one chain, on one chain per account, and (ledger only) the SQL verifier
-- of the PL/pgSQL + pgcrypto chain, in rows per second.  The target column shows
-- immutable's targets and whether they are met; nothing here fails, a
-- benchmark is not a test.
--
-- Run with psql -At; prints only the table.

\set ON_ERROR_STOP on

-- figure, num, label, versus
\ir report_lib.sql

-- A figure in the line's unit: rows per second from the median µs per row.
CREATE FUNCTION pg_temp.shown(p_test text, p_variant text, p_unit text) RETURNS float8
LANGUAGE sql STABLE
AS $$
    SELECT CASE p_unit
           WHEN 'rows/s' THEN 1e6 / nullif(pg_temp.figure(p_test, p_variant, 'µs/row'), 0)
           ELSE pg_temp.figure(p_test, p_variant, p_unit)
           END
$$;

-- "✓" when x meets the target, "✗" when not: kind 'max' bounds x / base
-- from above, 'min' bounds x itself from below.
CREATE FUNCTION pg_temp.met(x float8, base float8, kind text, bound float8) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
           WHEN x IS NULL OR (kind = 'max' AND base IS NULL) THEN '—'
           WHEN kind = 'max' THEN CASE WHEN x / base <= bound THEN '✓' ELSE '✗' END
           ELSE CASE WHEN x >= bound THEN '✓' ELSE '✗' END
           END
$$;

-- The lines of the table: which test each shows, in which unit, and
-- immutable's target: for the INSERT statements, one chain and one chain
-- per account at most 1.3× unhashed; for verification (issue 15 item 5),
-- verify_chain on one chain and on 1000 interleaved chains at least
-- 1,500,000 rows/s for the ledger (a text column: two SHA-256 a row) and
-- 2,000,000 for fixed-length columns (one).  {n} in a label is the number
-- of rows the test wrote or read.
CREATE TEMP TABLE line (ord, label, test, unit, target_kind, target) AS
VALUES
 (10, 'INSERT, {n} rows in one statement, 100 accounts', 'h_insert', 'µs/row',
      'max', 1.30::float8),
 (20, 'pgbench: INSERT one row (client c: account c)', 'pgbench_insert', 'tps',
      NULL, NULL),
 (30, 'verify {n} rows: verify_chain (per account: 1000 chains); PL/pgSQL: SQL window verifier',
      'h_verify', 'rows/s', 'min', 1500000),
 (40, 'verify {n} rows of fixed-length columns: verify_chain (per account: 1000 chains)',
      'h_verify_fixed', 'rows/s', 'min', 2000000);

WITH shown AS (
    SELECT l.*,
           pg_temp.label(l.label, l.test) AS text,
           pg_temp.shown(l.test, 'unhashed', l.unit) AS v_unhashed,
           pg_temp.shown(l.test, 'chain', l.unit) AS v_chain,
           pg_temp.shown(l.test, 'accounts', l.unit) AS v_accounts,
           pg_temp.shown(l.test, 'pgcrypto', l.unit) AS v_pgcrypto
      FROM line AS l
)
SELECT line
  FROM (SELECT 0 AS ord,
               '| Operation | Unit | unhashed | one chain | chain per account '
               '| PL/pgSQL + pgcrypto | one chain vs unhashed '
               '| per account vs unhashed | PL/pgSQL vs unhashed | target |' AS line
        UNION ALL
        SELECT 1, '|---|---|--:|--:|--:|--:|--:|--:|--:|:-:|'
        UNION ALL
        SELECT ord,
               format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
                      text, unit, pg_temp.num(v_unhashed), pg_temp.num(v_chain),
                      pg_temp.num(v_accounts), pg_temp.num(v_pgcrypto),
                      pg_temp.versus(v_chain, v_unhashed, unit),
                      pg_temp.versus(v_accounts, v_unhashed, unit),
                      pg_temp.versus(v_pgcrypto, v_unhashed, unit),
                      CASE target_kind
                      WHEN 'max' THEN format('≤ %s×: one chain %s, per account %s',
                                             to_char(target, 'FM990.00'),
                                             pg_temp.met(v_chain, v_unhashed, target_kind, target),
                                             pg_temp.met(v_accounts, v_unhashed, target_kind, target))
                      WHEN 'min' THEN format('≥ %s %s: one chain %s, per account %s',
                                             pg_temp.num(target), unit,
                                             pg_temp.met(v_chain, NULL, target_kind, target),
                                             pg_temp.met(v_accounts, NULL, target_kind, target))
                      ELSE '—'
                      END)
          FROM shown
         WHERE v_chain IS NOT NULL) AS t
 ORDER BY ord;
