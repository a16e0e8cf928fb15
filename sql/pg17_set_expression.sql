-- ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION (new in PostgreSQL 17)
-- gives a generated column new values in every row: refused (0A000) on
-- every kind of managed table, like the other changes of kept values.
-- Before 17 the file stops after the version check
-- (expected/pg17_set_expression_1.out).
SELECT pg_catalog.current_setting('server_version_num')::int >= 170000 AS pg17 \gset
\if :pg17
\else
\echo 'skipped: SET EXPRESSION is new in PostgreSQL 17'
\quit
\endif
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';

-- append-only: the stored values would be rewritten
CREATE TABLE setx_ao (k int, a int, s int GENERATED ALWAYS AS (a * 3) STORED);
SELECT immutable.make_append_only('setx_ao');
INSERT INTO setx_ao (k, a) VALUES (1, 10), (2, 20);
ALTER TABLE setx_ao ALTER COLUMN s SET EXPRESSION AS (a * 100);
\echo :LAST_ERROR_SQLSTATE
-- also as one of several subcommands
ALTER TABLE setx_ao ADD COLUMN note text, ALTER COLUMN s SET EXPRESSION AS (a * 100);
\echo :LAST_ERROR_SQLSTATE
SELECT k, a, s FROM setx_ao ORDER BY k;
SELECT attname FROM pg_attribute WHERE attrelid = 'setx_ao'::regclass AND attname = 'note';

-- hash-chained
CREATE TABLE setx_hashed (k int, a int, s int GENERATED ALWAYS AS (a * 3) STORED);
SELECT immutable.make_append_only('setx_hashed', hashed => true);
INSERT INTO setx_hashed (k, a) VALUES (1, 10);
ALTER TABLE setx_hashed ALTER COLUMN s SET EXPRESSION AS (a * 100);
\echo :LAST_ERROR_SQLSTATE
SELECT k, a, s FROM setx_hashed;
SELECT count(*) AS problems FROM immutable.verify_chain('setx_hashed');

-- system-versioned: the current rows would change without a history row
CREATE TABLE setx_sv (k int PRIMARY KEY, a int, s int GENERATED ALWAYS AS (a * 3) STORED);
SELECT immutable.make_system_versioned('setx_sv');
INSERT INTO setx_sv (k, a) VALUES (1, 10);
ALTER TABLE setx_sv ALTER COLUMN s SET EXPRESSION AS (a * 100);
\echo :LAST_ERROR_SQLSTATE
SELECT k, a, s FROM setx_sv;
SELECT count(*) AS history_rows FROM setx_sv_history;

-- out of management it works as usual
SELECT immutable.make_mutable('setx_ao');
ALTER TABLE setx_ao ALTER COLUMN s SET EXPRESSION AS (a * 100);
SELECT k, a, s FROM setx_ao ORDER BY k;

SELECT immutable.make_mutable('setx_hashed');
SELECT immutable.make_mutable('setx_sv');
DROP TABLE setx_ao, setx_hashed, setx_sv, setx_sv_history;
