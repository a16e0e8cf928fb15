-- Bad input to immutable.make_system_versioned(tbl regclass, history_table
-- name DEFAULT NULL, period_column name DEFAULT 'system_period', adjust
-- boolean DEFAULT false): each call below fails with the documented SQLSTATE
-- (README "Reference", Management) or is shown to be accepted (\echo
-- :SQLSTATE then prints 00000); at the end a catalog and data snapshot shows
-- that no failed call changed anything. Accepted calls are undone
-- (make_mutable, ROLLBACK) or made on tables dropped again.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE SCHEMA bi_sv;
CREATE SCHEMA bi_other;
CREATE SCHEMA "Odd ""Schema""";
SET search_path = bi_sv;

CREATE TABLE t (id int PRIMARY KEY, note text);
INSERT INTO t VALUES (1, 'one'), (2, NULL);
CREATE VIEW v AS SELECT * FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;
CREATE SEQUENCE s;
CREATE TYPE comp AS (a int);
CREATE TABLE parted (id int, note text) PARTITION BY RANGE (id);
CREATE TABLE part1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
-- a foreign table needs no extension: a wrapper without handler will do
CREATE FOREIGN DATA WRAPPER bi_sv_fdw;
CREATE SERVER bi_sv_server FOREIGN DATA WRAPPER bi_sv_fdw;
CREATE FOREIGN TABLE ft (id int, note text, system_period tstzrange) SERVER bi_sv_server;
-- period columns that are not a tstzrange, or generated
CREATE TABLE period_int (id int, p int);
CREATE TABLE period_tsrange (id int, system_period tsrange);
CREATE TABLE period_array (id int, system_period tstzrange[]);
CREATE TABLE period_daterange (id int, system_period daterange);
CREATE DOMAIN tstzrange_dom AS tstzrange;
CREATE TABLE period_domain (id int, system_period tstzrange_dom);
CREATE TABLE period_multirange (id int, system_period tstzmultirange);
CREATE TABLE period_generated (id int, system_period tstzrange GENERATED ALWAYS AS (tstzrange(NULL, NULL)) STORED);
-- periods that are NULL, empty or ended
CREATE TABLE period_null (id int, system_period tstzrange);
INSERT INTO period_null VALUES (1, NULL);
CREATE TABLE period_empty (id int, system_period tstzrange);
INSERT INTO period_empty VALUES (1, 'empty');
CREATE TABLE period_ended (id int, system_period tstzrange);
INSERT INTO period_ended VALUES (1, tstzrange('2000-01-01', '2001-01-01'));
-- history tables that do not fit t
CREATE TABLE h_missing (id int, system_period tstzrange);
CREATE TABLE h_type (id int, note varchar, system_period tstzrange);
CREATE TABLE h_unique (id int UNIQUE, note text, system_period tstzrange);
CREATE TABLE h_period_type (id int, note text, system_period tsrange);
CREATE TABLE h_managed (id int, note text, system_period tstzrange);
CREATE TABLE a_table_name_of_fifty_six_characters_that_leaves_no_room (a int);
-- a function in the way of t's <table>_as_of
CREATE TABLE as_of_taken (id int);
CREATE FUNCTION as_of_taken_as_of(at timestamptz) RETURNS int LANGUAGE sql AS 'SELECT 1';
-- a table of the same name in another schema
CREATE TABLE bi_other.t (id int PRIMARY KEY);
INSERT INTO bi_other.t VALUES (7);
-- odd identifiers
CREATE TABLE "Odd ""Schema"""."tâble 1" ("kéy ""1""" int PRIMARY KEY, "Nöte" text);
INSERT INTO "Odd ""Schema"""."tâble 1" VALUES (1, 'x'), (2, 'y');
CREATE TABLE "Odd ""Schema"""."ééééééééééééééééééééééééééééééé" (a int);

-- what the failed calls must leave untouched
\set bi_schema bi_sv
\ir test/regress/bad_input_catalog.sql
CREATE TEMP VIEW snapshot AS
    SELECT * FROM catalog_snapshot
    UNION ALL
    SELECT 'function', n.nspname, p.proname, pg_get_function_arguments(p.oid)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname IN ('bi_sv', 'bi_other', 'Odd "Schema"')
    UNION ALL
    SELECT 'managed', NULL, table_name::text, kind FROM immutable.managed_tables
    UNION ALL
    SELECT 'rows', 'bi_sv', 't', count(*)::text FROM t
    UNION ALL
    SELECT 'rows', 'bi_sv', 'period_null', count(*)::text FROM period_null
    UNION ALL
    SELECT 'rows', 'bi_sv', 'period_ended', count(*)::text FROM period_ended
    UNION ALL
    SELECT 'rows', 'bi_other', 't', count(*)::text FROM bi_other.t
    UNION ALL
    SELECT 'rows', 'Odd "Schema"', 'tâble 1', count(*)::text FROM "Odd ""Schema"""."tâble 1";
CREATE TEMP TABLE before AS SELECT * FROM snapshot;

-- NULL for each argument
SELECT immutable.make_system_versioned(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 't_history', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 't_history', 'system_period', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', period_column => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', adjust => NULL);
\echo :LAST_ERROR_SQLSTATE
-- a NULL history_table is its default, <table>_history: accepted (shown,
-- then undone)
BEGIN;
SELECT immutable.make_system_versioned('t', NULL);
\echo :SQLSTATE
ROLLBACK;

-- unknown relations
SELECT immutable.make_system_versioned(0::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned(to_regclass('bi_sv.no_such_table'));
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('no_such_table');
\echo :LAST_ERROR_SQLSTATE

-- wrong kinds of relation
SELECT immutable.make_system_versioned('v');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('mv');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('s');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('ft');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('part1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t_pkey');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('comp');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('pg_toast.pg_toast_1255');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('immutable.registry');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('immutable.erasure_log');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('immutable.managed_tables');
\echo :LAST_ERROR_SQLSTATE
-- a partitioned table is accepted, as documented (shown, then undone)
BEGIN;
SELECT immutable.make_system_versioned('parted');
\echo :SQLSTATE
ROLLBACK;
-- a table of the information schema, made by initdb like pg_class: 42809
-- like every relation initdb creates, no period column added (the snapshot
-- covers its columns)
SELECT immutable.make_system_versioned('information_schema.sql_features');
\echo :LAST_ERROR_SQLSTATE

-- temporary tables are accepted; the history table and <table>_as_of are
-- temporary too
CREATE TEMP TABLE tmp (id int PRIMARY KEY, note text);
SELECT immutable.make_system_versioned('tmp');
\echo :SQLSTATE
SELECT c.relname, c.relpersistence FROM pg_class c
 WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE 'tmp%' AND c.relkind = 'r' ORDER BY 1;
SELECT p.proname FROM pg_proc p WHERE p.pronamespace = pg_my_temp_schema();
SELECT immutable.set_system_time('2000-01-01');
INSERT INTO tmp VALUES (1, 'a');
SELECT immutable.set_system_time('2000-01-02');
UPDATE tmp SET note = 'b';
SELECT immutable.set_system_time(NULL);
SELECT id, note, system_period FROM tmp_history;
TRUNCATE tmp;
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('tmp');
DROP TABLE tmp, tmp_history;
-- unlogged tables are accepted; the history table is unlogged too (u)
CREATE UNLOGGED TABLE unlogged (id int PRIMARY KEY, note text);
SELECT immutable.make_system_versioned('unlogged');
\echo :SQLSTATE
SELECT c.relname, c.relpersistence FROM pg_class c
 WHERE c.relname LIKE 'unlogged%' AND c.relkind = 'r' ORDER BY 1;
SELECT immutable.make_mutable('unlogged');
DROP TABLE unlogged, unlogged_history;

-- period columns
SELECT immutable.make_system_versioned('period_int', period_column => 'p');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_tsrange');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_array');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_daterange');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_domain');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_multirange');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_generated');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_null');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_empty');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('period_ended');
\echo :LAST_ERROR_SQLSTATE
-- an empty name: 42602
SELECT immutable.make_system_versioned('t', period_column => '');
\echo :LAST_ERROR_SQLSTATE
-- a system column: 42P10
SELECT immutable.make_system_versioned('t', period_column => 'ctid');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', period_column => 'tableoid');
\echo :LAST_ERROR_SQLSTATE

-- history tables
SELECT immutable.make_system_versioned('t', 'h_missing');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'h_type');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'h_unique');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'h_period_type');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 't');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'v');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'mv');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 's');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'ft');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'part1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 't_pkey');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'comp');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('h_managed');
SELECT immutable.make_system_versioned('t', 'h_managed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('h_managed');
SELECT immutable.make_system_versioned('a_table_name_of_fifty_six_characters_that_leaves_no_room');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('as_of_taken');
\echo :LAST_ERROR_SQLSTATE
-- an empty name: 42602
SELECT immutable.make_system_versioned('t', '');
\echo :LAST_ERROR_SQLSTATE
-- a history_table name is one identifier in the table's schema, never
-- schema-qualified and never the catalog: 'pg_class' and 'bi_other.h' are
-- new tables of t's schema (shown, then undone)
BEGIN;
SELECT immutable.make_system_versioned('t', 'pg_class');
\echo :SQLSTATE
ROLLBACK;
BEGIN;
SELECT immutable.make_system_versioned('t', 'bi_other.h');
\echo :SQLSTATE
ROLLBACK;
-- the history table's own CHECK and NOT NULL constraints: accepted, and the
-- trigger inserts the history rows through SQL, so a change whose history
-- row violates them fails with 23514 or 23502 and leaves the table as it
-- was
CREATE TABLE checked (id int PRIMARY KEY, note text);
CREATE TABLE checked_history (id int CHECK (id > 100), note text, system_period tstzrange);
SELECT immutable.make_system_versioned('checked', 'checked_history');
\echo :SQLSTATE
CREATE TABLE not_null (id int PRIMARY KEY, note text);
CREATE TABLE not_null_history (id int, note text, system_period tstzrange,
                               changed_by text NOT NULL);
SELECT immutable.make_system_versioned('not_null', 'not_null_history');
\echo :SQLSTATE
SELECT immutable.set_system_time('2000-01-01');
INSERT INTO checked VALUES (1, 'a');
INSERT INTO not_null VALUES (1, 'a');
SELECT immutable.set_system_time('2000-01-02');
UPDATE checked SET note = 'b';
\echo :LAST_ERROR_SQLSTATE
UPDATE not_null SET note = 'b';
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.set_system_time(NULL);
SELECT 'checked' AS "table", id, note, system_period FROM checked
UNION ALL
SELECT 'not_null', id, note, system_period FROM not_null ORDER BY 1;
SELECT (SELECT count(*) FROM checked_history) AS checked_history,
       (SELECT count(*) FROM not_null_history) AS not_null_history;
SELECT immutable.make_mutable('checked');
SELECT immutable.make_mutable('not_null');
DROP TABLE checked, checked_history, not_null, not_null_history;
-- a generated column of the history table's own: computed for every history
-- row
CREATE TABLE computed (id int PRIMARY KEY, note text);
CREATE TABLE computed_history (id int, note text, system_period tstzrange,
                               note_length int GENERATED ALWAYS AS (length(note)) STORED);
SELECT immutable.make_system_versioned('computed', 'computed_history');
\echo :SQLSTATE
SELECT immutable.set_system_time('2000-01-01');
INSERT INTO computed VALUES (1, 'abc');
SELECT immutable.set_system_time('2000-01-02');
UPDATE computed SET note = 'abcdef';
SELECT immutable.set_system_time(NULL);
SELECT id, note, note_length, system_period FROM computed_history;
SELECT immutable.make_mutable('computed');
DROP TABLE computed, computed_history;
-- a generated period column in the history table: refused (42611), as
-- the history keeps the values the table's rows had
CREATE TABLE gen_period (id int PRIMARY KEY);
CREATE TABLE gen_period_history (id int,
    system_period tstzrange GENERATED ALWAYS AS (tstzrange(NULL, NULL)) STORED);
SELECT immutable.make_system_versioned('gen_period', 'gen_period_history');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE gen_period, gen_period_history;

-- a stored generated column of the rows: accepted; the history keeps its
-- values
CREATE TABLE generated (id int PRIMARY KEY, doubled int GENERATED ALWAYS AS (id * 2) STORED);
SELECT immutable.make_system_versioned('generated');
\echo :SQLSTATE
SELECT immutable.set_system_time('2000-01-01');
INSERT INTO generated VALUES (1);
SELECT immutable.set_system_time('2000-01-02');
UPDATE generated SET id = 5;
SELECT immutable.set_system_time(NULL);
SELECT id, doubled, system_period FROM generated;
SELECT id, doubled, system_period FROM generated_history;
SELECT immutable.make_mutable('generated');
DROP TABLE generated, generated_history;

-- odd identifiers: accepted, the history table and <table>_as_of made in the
-- table's schema (shown on a copy, so that the table in the snapshot keeps
-- its columns)
CREATE TABLE "Odd ""Schema"""."tâble 2" (LIKE "Odd ""Schema"""."tâble 1" INCLUDING ALL);
INSERT INTO "Odd ""Schema"""."tâble 2" SELECT * FROM "Odd ""Schema"""."tâble 1";
SELECT immutable.set_system_time('2000-01-01');
SELECT immutable.make_system_versioned('"Odd ""Schema"""."tâble 2"', 'hïstory "2"', 'Périod "2"');
\echo :SQLSTATE
SELECT table_name, history_table, period_column FROM immutable.managed_tables;
SELECT immutable.set_system_time('2000-01-02');
UPDATE "Odd ""Schema"""."tâble 2" SET "Nöte" = 'z' WHERE "kéy ""1""" = 1;
SELECT immutable.set_system_time(NULL);
SELECT "kéy ""1""", "Nöte" FROM "Odd ""Schema"""."hïstory ""2""";
SELECT "kéy ""1""", "Nöte" FROM "Odd ""Schema"""."tâble 2_as_of"('2000-01-01') ORDER BY 1;
SELECT immutable.make_system_versioned('"Odd ""Schema"""."tâble 2"');
\echo :LAST_ERROR_SQLSTATE
TRUNCATE "Odd ""Schema"""."tâble 2";
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('"Odd ""Schema"""."tâble 2"');
DROP TABLE "Odd ""Schema"""."tâble 2", "Odd ""Schema"""."hïstory ""2""";
-- a history table name too long in bytes (31 two-byte characters), a table
-- name that differs in case
SELECT immutable.make_system_versioned('"Odd ""Schema"""."ééééééééééééééééééééééééééééééé"');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('"Odd ""Schema"""."TÂBLE 1"');
\echo :LAST_ERROR_SQLSTATE
-- a period column name that differs in case from an existing column names
-- another column, which is added (shown, then undone)
BEGIN;
SELECT immutable.make_system_versioned('"Odd ""Schema"""."tâble 1"', period_column => 'nöte');
\echo :SQLSTATE
SELECT column_name, data_type FROM information_schema.columns
 WHERE (table_schema, table_name) = ('Odd "Schema"', 'tâble 1') ORDER BY ordinal_position;
ROLLBACK;

-- tables in other schemas: the name is resolved as PostgreSQL does; the
-- history table and <table>_as_of go to the table's schema (shown, then
-- undone)
BEGIN;
SELECT immutable.make_system_versioned('bi_other.t');
\echo :SQLSTATE
SELECT table_name, history_table FROM immutable.managed_tables;
SELECT p.oid::regprocedure FROM pg_proc p WHERE p.proname = 't_as_of';
SELECT count(*) AS triggers_on_bi_sv_t FROM pg_trigger WHERE tgrelid = 'bi_sv.t'::regclass;
ROLLBACK;

-- a role that does not own the table, though it has every privilege on the
-- table and its schema: 42501
CREATE ROLE bi_sv_stranger;
GRANT USAGE, CREATE ON SCHEMA bi_sv TO bi_sv_stranger;
GRANT ALL ON t TO bi_sv_stranger;
SET ROLE bi_sv_stranger;
SELECT immutable.make_system_versioned('t');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON t FROM bi_sv_stranger;
REVOKE ALL ON SCHEMA bi_sv FROM bi_sv_stranger;
DROP ROLE bi_sv_stranger;

-- already managed (a table made for it, as the period column stays)
CREATE TABLE managed (id int PRIMARY KEY);
SELECT immutable.make_system_versioned('managed');
SELECT immutable.make_system_versioned('managed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('managed', 'another_history', 'another_period', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('managed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('managed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('managed_history');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'managed_history');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 'managed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('managed');
DROP TABLE managed, managed_history;

-- a huge TOASTed value: the history row keeps it whole
CREATE TABLE big (id int PRIMARY KEY, note text);
INSERT INTO big SELECT 1, string_agg(md5(i::text), '' ORDER BY i) FROM generate_series(1, 32768) AS i;
INSERT INTO big SELECT 2, repeat('ab', 524288);
SELECT immutable.make_system_versioned('big');
UPDATE big SET note = note || 'c';
DELETE FROM big WHERE id = 2;
SELECT id, octet_length(note) AS bytes, md5(note) FROM big_history ORDER BY id;
SELECT id, octet_length(note) AS bytes, md5(note) FROM big ORDER BY id;
SELECT pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = 'big_history'::regclass)) > 1000000
       AS history_toasted;
SELECT immutable.make_mutable('big');
DROP TABLE big, big_history;

-- nothing changed by the failed calls
SELECT what, schema, name, string_agg(detail, ', ' ORDER BY detail) AS details
  FROM snapshot WHERE schema IS DISTINCT FROM 'information_schema'
 GROUP BY what, schema, name ORDER BY what, schema, name;
(SELECT * FROM snapshot EXCEPT SELECT * FROM before)
UNION ALL
(SELECT * FROM before EXCEPT SELECT * FROM snapshot);

DROP VIEW snapshot, catalog_snapshot;
DROP TABLE before;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA bi_sv CASCADE;
DROP SCHEMA bi_other CASCADE;
DROP SCHEMA "Odd ""Schema""" CASCADE;
DROP SERVER bi_sv_server;
DROP FOREIGN DATA WRAPPER bi_sv_fdw;
RESET client_min_messages;
