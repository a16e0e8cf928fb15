-- Bad input to immutable.make_mutable(tbl regclass): each a clear error;
-- at the end a snapshot shows that the failed calls changed nothing.
\set SHOW_CONTEXT never
CREATE SCHEMA bi_mm;
CREATE SCHEMA "Odd ""Mutable""";
CREATE TABLE bi_mm.plain (a int);
CREATE VIEW bi_mm.v AS SELECT * FROM bi_mm.plain;
CREATE SEQUENCE bi_mm.s;
CREATE TABLE bi_mm.ao (a int);
SELECT immutable.make_append_only('bi_mm.ao');
CREATE TABLE bi_mm.tasks (title text);
SELECT immutable.make_versioned('bi_mm.tasks');
CREATE TABLE bi_mm.acct (id int PRIMARY KEY, bal int);
SELECT immutable.make_system_versioned('bi_mm.acct');
CREATE TABLE "Odd ""Mutable"""."tâble 1" (a int);
SELECT immutable.make_append_only('"Odd ""Mutable"""."tâble 1"');
CREATE ROLE bi_mm_other NOLOGIN;
GRANT USAGE ON SCHEMA bi_mm TO bi_mm_other;
CREATE TEMP TABLE before AS
SELECT c.relname::text AS what FROM pg_class AS c
 WHERE c.relnamespace IN ('bi_mm'::regnamespace, '"Odd ""Mutable"""'::regnamespace)
UNION ALL
SELECT t.tgrelid::regclass || ' ' || t.tgname FROM pg_trigger AS t
 WHERE NOT t.tgisinternal AND t.tgrelid IN (SELECT oid FROM pg_class
        WHERE relnamespace IN ('bi_mm'::regnamespace, '"Odd ""Mutable"""'::regnamespace))
UNION ALL
SELECT 'managed ' || table_name FROM immutable.managed_tables;

SELECT immutable.make_mutable(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable(0::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('bi_mm.missing');
\echo :LAST_ERROR_SQLSTATE
-- not managed: a plain table, a view, a sequence, a catalog, the registry
SELECT immutable.make_mutable('bi_mm.plain');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('bi_mm.v');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('bi_mm.s');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('immutable.registry');
\echo :LAST_ERROR_SQLSTATE
-- the companions of a managed table are not managed themselves
SELECT immutable.make_mutable('bi_mm.tasks_current');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('bi_mm.tasks_heads');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('bi_mm.acct_history');
\echo :LAST_ERROR_SQLSTATE
-- a role that does not own the tables
SET ROLE bi_mm_other;
SELECT immutable.make_mutable('bi_mm.ao');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('bi_mm.tasks');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('bi_mm.acct');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- nothing changed
SELECT what FROM (SELECT c.relname::text AS what FROM pg_class AS c
                   WHERE c.relnamespace IN ('bi_mm'::regnamespace, '"Odd ""Mutable"""'::regnamespace)
                  UNION ALL
                  SELECT t.tgrelid::regclass || ' ' || t.tgname FROM pg_trigger AS t
                   WHERE NOT t.tgisinternal AND t.tgrelid IN (SELECT oid FROM pg_class
                          WHERE relnamespace IN ('bi_mm'::regnamespace, '"Odd ""Mutable"""'::regnamespace))
                  UNION ALL
                  SELECT 'managed ' || table_name FROM immutable.managed_tables) AS now
EXCEPT SELECT what FROM before;
SELECT what FROM before
EXCEPT SELECT what FROM (SELECT c.relname::text AS what FROM pg_class AS c
                   WHERE c.relnamespace IN ('bi_mm'::regnamespace, '"Odd ""Mutable"""'::regnamespace)
                  UNION ALL
                  SELECT t.tgrelid::regclass || ' ' || t.tgname FROM pg_trigger AS t
                   WHERE NOT t.tgisinternal AND t.tgrelid IN (SELECT oid FROM pg_class
                          WHERE relnamespace IN ('bi_mm'::regnamespace, '"Odd ""Mutable"""'::regnamespace))
                  UNION ALL
                  SELECT 'managed ' || table_name FROM immutable.managed_tables) AS now;

-- odd identifiers are accepted
SELECT immutable.make_mutable('"Odd ""Mutable"""."tâble 1"');
\echo :SQLSTATE
SELECT immutable.make_mutable('bi_mm.ao');
SELECT immutable.make_mutable('bi_mm.tasks');
SELECT immutable.make_mutable('bi_mm.acct');
SET client_min_messages = warning;
DROP SCHEMA bi_mm, "Odd ""Mutable""" CASCADE;
DROP ROLE bi_mm_other;
