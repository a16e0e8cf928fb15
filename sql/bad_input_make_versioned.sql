-- Bad input to immutable.make_versioned(tbl regclass, current_view name
-- DEFAULT NULL, hashed boolean DEFAULT false): each call below fails with the
-- documented SQLSTATE (README "Reference", Management) or is shown to be
-- accepted (\echo :SQLSTATE then prints 00000); at the end a catalog and
-- data snapshot shows that no failed call changed anything. Accepted calls
-- are undone (make_mutable, ROLLBACK) or made on tables dropped again.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE SCHEMA bi_ver;
CREATE SCHEMA bi_other;
CREATE SCHEMA "Odd ""Schema""";
SET search_path = bi_ver;

CREATE TABLE t (k int PRIMARY KEY, note text);
INSERT INTO t VALUES (1, 'one'), (2, NULL);
CREATE VIEW v AS SELECT * FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;
CREATE SEQUENCE s;
CREATE TYPE comp AS (a int);
CREATE TABLE parted (a int) PARTITION BY RANGE (a);
CREATE TABLE part1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
-- a foreign table needs no extension: a wrapper without handler will do
CREATE FOREIGN DATA WRAPPER bi_ver_fdw;
CREATE SERVER bi_ver_server FOREIGN DATA WRAPPER bi_ver_fdw;
CREATE FOREIGN TABLE ft (a int) SERVER bi_ver_server;
-- existing columns named as the fixed ones, of other types
CREATE TABLE entity_text (a int, entity_id text);
INSERT INTO entity_text VALUES (1, 'e1');
CREATE TABLE id_bigint (a int, id bigint);
CREATE TABLE version_bigint (a int, version bigint);
CREATE TABLE valid_from_ts (a int, valid_from timestamp);
CREATE TABLE deleted_at_date (a int, deleted_at date);
CREATE TABLE hash_text (a int, hash text);
CREATE TABLE prev_hash_int (a int, prev_hash integer);
CREATE TABLE int_array (a int[]);
-- an OID alias type: a dump and restore changes its OIDs, a rename its names
CREATE TABLE oid_alias (a int, r regclass);
-- fixed columns that are generated or identities
CREATE TABLE entity_generated (a int, entity_id uuid GENERATED ALWAYS AS (NULL::uuid) STORED);
CREATE TABLE version_identity (a int, version int GENERATED ALWAYS AS IDENTITY);
CREATE TABLE hash_generated (a int, hash bytea GENERATED ALWAYS AS (int4send(a)) STORED);
-- tables whose keys cannot be kept
CREATE TABLE referenced (k int PRIMARY KEY);
CREATE TABLE referencing (k int REFERENCES referenced);
CREATE TABLE other_unique (k int PRIMARY KEY, code text UNIQUE);
CREATE TABLE duplicated (a int, entity_id uuid, version int);
INSERT INTO duplicated VALUES (1, '01890000-0000-7000-8000-000000000001', 1),
                              (2, '01890000-0000-7000-8000-000000000001', 1);
-- names in the way
CREATE TABLE taken (a int);
CREATE VIEW taken_current AS SELECT 1 AS x;
CREATE TABLE heads_taken (a int);
CREATE TABLE heads_taken_heads (a int);
CREATE TABLE a_table_name_of_fifty_six_characters_that_leaves_no_room (a int);
-- a table of the same name in another schema
CREATE TABLE bi_other.t (a int);
INSERT INTO bi_other.t VALUES (7);
-- odd identifiers
CREATE TABLE "Odd ""Schema"""."tâble 1" ("kéy ""1""" int PRIMARY KEY, "Nöte" text);
INSERT INTO "Odd ""Schema"""."tâble 1" VALUES (1, 'x'), (2, 'y');
CREATE TABLE "Odd ""Schema"""."ééééééééééééééééééééééééééééééé" (a int);

-- what the failed calls must leave untouched
\set bi_schema bi_ver
\ir test/regress/bad_input_catalog.sql
CREATE TEMP VIEW snapshot AS
    SELECT * FROM catalog_snapshot
    UNION ALL
    SELECT 'constraint', n.nspname, c.relname, co.conname || ' ' || co.contype::text
      FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('bi_ver', 'bi_other', 'Odd "Schema"')
       -- PostgreSQL 18 catalogs NOT NULL as constraints too; the columns
       -- part of the snapshot has them
       AND co.contype OPERATOR(pg_catalog.<>) 'n'
    UNION ALL
    SELECT 'managed', NULL, table_name::text, kind FROM immutable.managed_tables
    UNION ALL
    SELECT 'rows', 'bi_ver', 't', count(*)::text FROM t
    UNION ALL
    SELECT 'rows', 'bi_ver', 'entity_text', count(*)::text FROM entity_text
    UNION ALL
    SELECT 'rows', 'bi_ver', 'duplicated', count(*)::text FROM duplicated
    UNION ALL
    SELECT 'rows', 'bi_other', 't', count(*)::text FROM bi_other.t
    UNION ALL
    SELECT 'rows', 'Odd "Schema"', 'tâble 1', count(*)::text FROM "Odd ""Schema"""."tâble 1"
    UNION ALL
    SELECT 'rows', 'information_schema', 'sql_features', count(*)::text FROM information_schema.sql_features;
CREATE TEMP TABLE before AS SELECT * FROM snapshot;

-- NULL for each argument
SELECT immutable.make_versioned(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('t', 't_current', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('t', hashed => NULL);
\echo :LAST_ERROR_SQLSTATE
-- a NULL current_view is its default, <table>_current: accepted (shown, then
-- undone)
BEGIN;
SELECT immutable.make_versioned('t', NULL);
\echo :SQLSTATE
ROLLBACK;

-- unknown relations
SELECT immutable.make_versioned(0::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned(to_regclass('bi_ver.no_such_table'));
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('no_such_table');
\echo :LAST_ERROR_SQLSTATE

-- wrong kinds of relation
SELECT immutable.make_versioned('v');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('mv');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('s');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('ft');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('parted');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('part1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('t_pkey');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('comp');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('pg_toast.pg_toast_1255');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('immutable.registry');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('immutable.erasure_log');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('immutable.managed_tables');
\echo :LAST_ERROR_SQLSTATE
-- a table of the information schema, made by initdb like pg_class: 42809
-- like every relation initdb creates, its columns left as they were (the
-- snapshot covers them)
SELECT immutable.make_versioned('information_schema.sql_features');
\echo :LAST_ERROR_SQLSTATE

-- temporary tables are accepted; the heads table and the current view are
-- temporary too
CREATE TEMP TABLE tmp (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('tmp', hashed => true);
\echo :SQLSTATE
SELECT c.relname, c.relpersistence FROM pg_class c
 WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind IN ('r', 'v') ORDER BY 1;
INSERT INTO tmp_current VALUES (1, 'a');
UPDATE tmp_current SET note = 'b';
UPDATE tmp SET note = 'c';
\echo :LAST_ERROR_SQLSTATE
SELECT k, note, version FROM tmp_current;
SELECT count(*) AS problems FROM immutable.verify_chain('tmp');
SELECT immutable.make_mutable('tmp');
DROP TABLE tmp;
-- unlogged tables are accepted, and their heads table is unlogged too (u):
-- after a crash both are empty (the current view, a view, is always p)
CREATE UNLOGGED TABLE unlogged (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('unlogged');
\echo :SQLSTATE
SELECT c.relname, c.relpersistence FROM pg_class c
 WHERE c.relname LIKE 'unlogged%' AND c.relkind IN ('r', 'v') ORDER BY 1;
INSERT INTO unlogged_current VALUES (1, 'a');
DELETE FROM unlogged;
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('unlogged');
DROP TABLE unlogged;

-- generated and identity columns
SELECT immutable.make_versioned('entity_generated');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('version_identity');
\echo :LAST_ERROR_SQLSTATE
-- hash generated, with hashed => true: 0A000 for a stored generated column
-- of the table (as below), checked before the 42611 make_append_only gives
-- for a generated hash column
SELECT immutable.make_versioned('hash_generated', hashed => true);
\echo :LAST_ERROR_SQLSTATE
-- a stored generated column of the rows, hashed or not: 0A000, as
-- PostgreSQL would compute it after the versioning trigger wrote the heads
-- row
CREATE TABLE generated (k int PRIMARY KEY, note text, doubled int GENERATED ALWAYS AS (k * 2) STORED);
SELECT immutable.make_versioned('generated');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('generated', hashed => true);
\echo :LAST_ERROR_SQLSTATE
-- an identity column of the rows, ALWAYS or BY DEFAULT: 0A000 too
CREATE TABLE identity_always (k int PRIMARY KEY, n int GENERATED ALWAYS AS IDENTITY);
SELECT immutable.make_versioned('identity_always');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE identity_default (k int PRIMARY KEY, n int GENERATED BY DEFAULT AS IDENTITY);
SELECT immutable.make_versioned('identity_default');
\echo :LAST_ERROR_SQLSTATE
-- the refused tables keep their columns, and no view or heads table is made
SELECT table_name, string_agg(column_name, ', ' ORDER BY ordinal_position) AS columns
  FROM information_schema.columns
 WHERE table_schema = 'bi_ver'
   AND table_name IN ('generated', 'identity_always', 'identity_default')
 GROUP BY table_name ORDER BY table_name;
SELECT count(*) AS made FROM pg_class
 WHERE relnamespace = 'bi_ver'::regnamespace
   AND relname ~ '^(generated|identity_always|identity_default)_(current|heads)$';
DROP TABLE generated, identity_always, identity_default;

-- odd identifiers: accepted, the heads table and the current view made in
-- the table's schema (shown on a copy, so that the table in the snapshot
-- keeps its columns)
CREATE TABLE "Odd ""Schema"""."tâble 2" (LIKE "Odd ""Schema"""."tâble 1" INCLUDING ALL);
INSERT INTO "Odd ""Schema"""."tâble 2" SELECT * FROM "Odd ""Schema"""."tâble 1";
SELECT immutable.make_versioned('"Odd ""Schema"""."tâble 2"', hashed => true);
\echo :SQLSTATE
SELECT table_name, current_view, heads_table, hashed FROM immutable.managed_tables;
UPDATE "Odd ""Schema"""."tâble 2_current" SET "Nöte" = 'z' WHERE "kéy ""1""" = 1;
SELECT "kéy ""1""", "Nöte", version FROM "Odd ""Schema"""."tâble 2_current" ORDER BY 1;
SELECT count(*) AS problems FROM immutable.verify_chain('"Odd ""Schema"""."tâble 2"');
SELECT immutable.make_versioned('"Odd ""Schema"""."tâble 2"');
\echo :LAST_ERROR_SQLSTATE
UPDATE "Odd ""Schema"""."tâble 2" SET "Nöte" = 'w';
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('"Odd ""Schema"""."tâble 2"');
-- and with an odd current view name
SELECT immutable.make_versioned('"Odd ""Schema"""."tâble 2"', 'vïew "2"');
\echo :SQLSTATE
SELECT table_name, current_view FROM immutable.managed_tables;
SELECT immutable.make_mutable('"Odd ""Schema"""."tâble 2"');
DROP TABLE "Odd ""Schema"""."tâble 2";
-- a current view name in use in the odd schema, a default name too long in
-- bytes (31 two-byte characters), identifiers that differ in case
SELECT immutable.make_versioned('"Odd ""Schema"""."tâble 1"', 'tâble 1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('"Odd ""Schema"""."ééééééééééééééééééééééééééééééé"');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('"Odd ""Schema"""."TÂBLE 1"');
\echo :LAST_ERROR_SQLSTATE

-- tables in other schemas: the name is resolved as PostgreSQL does; the
-- heads table and the current view go to the table's schema (shown, then
-- undone)
BEGIN;
SELECT immutable.make_versioned('bi_other.t');
\echo :SQLSTATE
SELECT table_name, current_view, heads_table FROM immutable.managed_tables;
SELECT count(*) AS triggers_on_bi_ver_t FROM pg_trigger WHERE tgrelid = 'bi_ver.t'::regclass;
ROLLBACK;
-- a current_view name is one identifier, never schema-qualified: 'bi_ver.x'
-- names a view "bi_ver.x" in the table's schema (shown, then undone)
BEGIN;
SELECT immutable.make_versioned('bi_other.t', 'bi_ver.x');
\echo :SQLSTATE
ROLLBACK;

-- current_view names
-- an empty name: 42602
SELECT immutable.make_versioned('t', '');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('t', 't');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('t', 'v');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('taken');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('heads_taken');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('a_table_name_of_fifty_six_characters_that_leaves_no_room');
\echo :LAST_ERROR_SQLSTATE

-- wrong column types
SELECT immutable.make_versioned('entity_text');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('id_bigint');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('version_bigint');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('valid_from_ts');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('deleted_at_date');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('hash_text', hashed => true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('prev_hash_int', hashed => true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('int_array', hashed => true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('oid_alias', hashed => true);
\echo :LAST_ERROR_SQLSTATE

-- keys and existing rows
SELECT immutable.make_versioned('referenced');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('other_unique');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('duplicated');
\echo :LAST_ERROR_SQLSTATE

-- a role that does not own the table, though it has every privilege on the
-- table and its schema: 42501
CREATE ROLE bi_ver_stranger;
GRANT USAGE, CREATE ON SCHEMA bi_ver TO bi_ver_stranger;
GRANT ALL ON t TO bi_ver_stranger;
SET ROLE bi_ver_stranger;
SELECT immutable.make_versioned('t');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON t FROM bi_ver_stranger;
REVOKE ALL ON SCHEMA bi_ver FROM bi_ver_stranger;
DROP ROLE bi_ver_stranger;

-- already managed (a table made for it, as converting adds columns)
CREATE TABLE managed (k int PRIMARY KEY);
SELECT immutable.make_versioned('managed');
SELECT immutable.make_versioned('managed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('managed', 'another_view', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('managed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('managed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('managed_heads');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('managed_current');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('managed');
DROP TABLE managed;

-- a huge TOASTed value in a hashed versioned table: the version and its copy
-- in the heads table keep it whole, and every chain verifies
CREATE TABLE big (k int PRIMARY KEY, note text);
-- 1 MB that does not compress, already there when the table becomes versioned
INSERT INTO big SELECT 1, string_agg(md5(i::text), '' ORDER BY i) FROM generate_series(1, 32768) AS i;
SELECT immutable.make_versioned('big', hashed => true);
-- 1 MB that compresses, written through the view and through update()
INSERT INTO big_current SELECT 2, repeat('ab', 524288);
UPDATE big_current SET note = note || 'c' WHERE k = 1;
SELECT count(*) FROM immutable.update(NULL::big, (SELECT entity_id FROM big_current WHERE k = 2),
                                      jsonb_build_object('note', repeat('cd', 524288)));
SELECT k, version, octet_length(note) AS bytes, md5(note), length(hash) AS hash_bytes
  FROM big ORDER BY k, version;
SELECT k, version, octet_length(note) AS bytes, md5(note) FROM big_current ORDER BY k;
SELECT pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = 'big_heads'::regclass)) > 1000000
       AS heads_toasted;
SELECT count(*) AS problems FROM immutable.verify_chain('big');
SELECT count(*) AS problems FROM immutable.verify_chain('big', immutable.chain_digest('big'));
SELECT immutable.make_mutable('big');
DROP TABLE big;

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
DROP SCHEMA bi_ver CASCADE;
DROP SCHEMA bi_other CASCADE;
DROP SCHEMA "Odd ""Schema""" CASCADE;
DROP SERVER bi_ver_server;
DROP FOREIGN DATA WRAPPER bi_ver_fdw;
RESET client_min_messages;
