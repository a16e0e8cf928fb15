-- make_system_versioned refuses what it cannot version, with nothing changed
\set SHOW_CONTEXT never
CREATE TABLE t (id int PRIMARY KEY, p int);
SELECT immutable.make_system_versioned(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', period_column => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', adjust => NULL);
\echo :LAST_ERROR_SQLSTATE
-- a period column of the wrong type
SELECT immutable.make_system_versioned('t', period_column => 'p');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE t ADD COLUMN a tstzrange[], ADD COLUMN r tsrange,
    ADD COLUMN g tstzrange GENERATED ALWAYS AS (tstzrange(NULL, NULL)) STORED;
SELECT immutable.make_system_versioned('t', period_column => 'a');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', period_column => 'r');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', period_column => 'g');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE t DROP COLUMN a, DROP COLUMN r, DROP COLUMN g;
-- NULL, empty or ended periods
ALTER TABLE t ADD COLUMN sp tstzrange;
INSERT INTO t VALUES (1, 1, NULL);
SELECT immutable.make_system_versioned('t', period_column => 'sp');
\echo :LAST_ERROR_SQLSTATE
UPDATE t SET sp = 'empty';
SELECT immutable.make_system_versioned('t', period_column => 'sp');
\echo :LAST_ERROR_SQLSTATE
UPDATE t SET sp = tstzrange('2000-01-01', '2001-01-01');
SELECT immutable.make_system_versioned('t', period_column => 'sp');
\echo :LAST_ERROR_SQLSTATE
UPDATE t SET sp = tstzrange('2000-01-01', NULL);
-- history tables that do not fit
CREATE TABLE h1 (id int, sp tstzrange);
SELECT immutable.make_system_versioned('t', 'h1', 'sp');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE h2 (id int, p text, sp tstzrange);
SELECT immutable.make_system_versioned('t', 'h2', 'sp');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE h3 (id int PRIMARY KEY, p int, sp tstzrange);
SELECT immutable.make_system_versioned('t', 'h3', 'sp');
\echo :LAST_ERROR_SQLSTATE
CREATE VIEW h4 AS SELECT * FROM t;
SELECT immutable.make_system_versioned('t', 'h4', 'sp');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE h5 (LIKE t);
SELECT immutable.make_append_only('h5');
SELECT immutable.make_system_versioned('t', 'h5', 'sp');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t', 't', 'sp');
\echo :LAST_ERROR_SQLSTATE
-- nothing was changed by any of these
SELECT count(*) AS managed FROM immutable.managed_tables WHERE table_name = 't'::regclass;
SELECT tgname FROM pg_trigger WHERE tgrelid = 't'::regclass;
SELECT attname FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
-- a function in the way of <table>_as_of
CREATE FUNCTION t_as_of(at timestamptz) RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT immutable.make_system_versioned('t', period_column => 'sp');
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION t_as_of(timestamptz);
-- relations that cannot be system-versioned
CREATE VIEW v AS SELECT 1 AS a;
SELECT immutable.make_system_versioned('v');
\echo :LAST_ERROR_SQLSTATE
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;
SELECT immutable.make_system_versioned('mv');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE parted (a int) PARTITION BY LIST (a);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES IN (1);
SELECT immutable.make_system_versioned('parted_1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('no_such_table');
\echo :LAST_ERROR_SQLSTATE
CREATE ROLE sv_stranger;
SET ROLE sv_stranger;
SELECT immutable.make_system_versioned('t');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE sv_stranger;
DROP VIEW v;
DROP MATERIALIZED VIEW mv;
DROP TABLE parted;
-- mixed-case and schema-qualified names work everywhere
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Odd Table" ("Key" int PRIMARY KEY, "Value" text);
SELECT immutable.make_system_versioned('"My Schema"."Odd Table"', period_column => 'Valid Period');
INSERT INTO "My Schema"."Odd Table" VALUES (1, 'a');
UPDATE "My Schema"."Odd Table" SET "Value" = 'b';
ALTER TABLE "My Schema"."Odd Table" RENAME COLUMN "Value" TO "New Value";
SELECT "Key", "New Value" FROM "My Schema"."Odd Table_history";
SELECT count(*) FROM immutable.all_versions(NULL::"My Schema"."Odd Table");
SELECT immutable.make_mutable('"My Schema"."Odd Table"');
DROP SCHEMA "My Schema" CASCADE;
-- a given history table with more columns is fine; a table without a
-- primary key too (the history table gets the period index only)
CREATE TABLE h6 (LIKE t, changed_by text);
SELECT immutable.make_system_versioned('t', 'h6', 'sp', adjust => true);
SELECT immutable.make_system_versioned('t');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE nokey (v int);
SELECT immutable.make_system_versioned('nokey');
SELECT indexdef FROM pg_indexes WHERE tablename = 'nokey_history';
-- with adjust, a conflict is resolved 1 microsecond after the other start
SET TIME ZONE 'UTC';
SELECT immutable.set_system_time('2001-05-01');
UPDATE t SET p = 2;
SELECT immutable.set_system_time('2001-04-01');
UPDATE t SET p = 3;
SELECT p, sp FROM t;
SELECT p, sp, changed_by FROM h6 ORDER BY sp;
SELECT immutable.set_system_time(NULL);
SELECT immutable.make_mutable('t');
SELECT immutable.make_mutable('nokey');
SELECT immutable.make_mutable('h5');
DROP TABLE t, h1, h2, h3, h5, h6, nokey, nokey_history CASCADE;
