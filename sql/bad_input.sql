-- Bad input to the make_* functions: each a clear error, nothing changed.
\set SHOW_CONTEXT never
CREATE TABLE t (a int);
CREATE VIEW v AS SELECT * FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;
CREATE SEQUENCE s;
CREATE TABLE parted (a int) PARTITION BY RANGE (a);
CREATE TABLE part1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE TYPE comp AS (a int);
CREATE FOREIGN DATA WRAPPER immutable_dummy_fdw;
CREATE SERVER immutable_dummy_server FOREIGN DATA WRAPPER immutable_dummy_fdw;
CREATE FOREIGN TABLE ft (a int) SERVER immutable_dummy_server;

SELECT immutable.make_append_only(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('no_such_table');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned(4294967295::oid::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('v');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('mv');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('s');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('ft');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('comp');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('parted');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('part1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('immutable.registry');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('t');
\echo :LAST_ERROR_SQLSTATE

-- already managed
SELECT immutable.make_append_only('t');
SELECT immutable.make_append_only('t');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('t');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('t');

-- the current view's name must be free and short enough
CREATE VIEW t_current AS SELECT 1 AS x;
SELECT immutable.make_versioned('t');
\echo :LAST_ERROR_SQLSTATE
DROP VIEW t_current;
CREATE TABLE a_table_name_of_sixty_characters_that_leaves_no_room_at_all_ (a int);
SELECT immutable.make_versioned('a_table_name_of_sixty_characters_that_leaves_no_room_at_all_');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE a_table_name_of_sixty_characters_that_leaves_no_room_at_all_;

-- not the owner
CREATE ROLE immutable_intruder;
CREATE SCHEMA intruder AUTHORIZATION immutable_intruder;
GRANT ALL ON t TO immutable_intruder;
SET ROLE immutable_intruder;
SELECT immutable.make_append_only('t');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('t');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT immutable.make_append_only('t');
SET ROLE immutable_intruder;
SELECT immutable.make_mutable('t');
\echo :LAST_ERROR_SQLSTATE
-- nor can the trigger functions that write be attached directly (those
-- that only refuse, or act only as the extension attached them, may be:
-- partitions clone them)
CREATE TABLE intruder.mine (a int);
CREATE TRIGGER x BEFORE INSERT ON intruder.mine FOR EACH ROW EXECUTE FUNCTION immutable.stamp_version();
\echo :LAST_ERROR_SQLSTATE
CREATE TRIGGER y BEFORE UPDATE ON intruder.mine FOR EACH ROW EXECUTE FUNCTION immutable.versioning('p', 'h', 'false');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO immutable.registry VALUES ('intruder.mine', 'append_only', NULL, now(), current_user);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM immutable.registry;
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('intruder.mine');
SELECT table_name, managed_by FROM immutable.managed_tables;
DROP TABLE intruder.mine;
RESET ROLE;
SELECT immutable.make_mutable('t');

-- nothing changed by the failed calls
SELECT table_name, kind FROM immutable.managed_tables;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgname LIKE '%immutable%'
   AND tgrelid <> 'immutable.erasure_log'::regclass;
SELECT attname FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 ORDER BY attnum;

DROP TABLE t CASCADE;
DROP TABLE parted;
DROP SEQUENCE s;
DROP TYPE comp;
DROP FOREIGN TABLE ft;
DROP SERVER immutable_dummy_server;
DROP FOREIGN DATA WRAPPER immutable_dummy_fdw;
DROP SCHEMA intruder;
DROP ROLE immutable_intruder;
