-- Bad input to immutable.make_append_only(tbl regclass, hashed boolean
-- DEFAULT false, chain_by name DEFAULT NULL): each call below fails with the
-- documented SQLSTATE (README "Reference", Management) or is shown to be
-- accepted (\echo :SQLSTATE then prints 00000); at the end a catalog and
-- data snapshot shows that no failed call changed anything. Accepted calls
-- are undone (make_mutable, ROLLBACK) or made on tables dropped again.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE SCHEMA bi_ao;
CREATE SCHEMA bi_other;
CREATE SCHEMA "Odd ""Schema""";
SET search_path = bi_ao;

CREATE TABLE t (a int, note text);
INSERT INTO t VALUES (1, 'one'), (2, NULL);
CREATE VIEW v AS SELECT * FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;
CREATE SEQUENCE s;
CREATE INDEX t_a_idx ON t (a);
CREATE TYPE comp AS (a int);
CREATE TABLE parted (a int) PARTITION BY RANGE (a);
CREATE TABLE part1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
-- a foreign table needs no extension: a wrapper without handler will do
CREATE FOREIGN DATA WRAPPER bi_ao_fdw;
CREATE SERVER bi_ao_server FOREIGN DATA WRAPPER bi_ao_fdw;
CREATE FOREIGN TABLE ft (a int) SERVER bi_ao_server;
-- existing columns named as the hash chain's, of other types
CREATE TABLE hash_text (a int, hash text);
CREATE TABLE seq_int (a int, chain_seq integer);
CREATE TABLE prev_array (a int, prev_hash bytea[]);
CREATE DOMAIN bytea_dom AS bytea;
CREATE TABLE hash_domain (a int, hash bytea_dom);
-- columns hash chains cannot encode
CREATE TABLE int_array (a int[]);
CREATE TABLE composite (c comp);
-- OID alias types: a dump and restore changes their OIDs, a rename their names
CREATE TABLE oid_alias (a int, r regclass);
CREATE DOMAIN regtype_dom AS regtype;
CREATE TABLE oid_alias_domain (a int, t regtype_dom);
-- generated and identity columns where the extension wants to write
CREATE TABLE hash_generated (a int, hash bytea GENERATED ALWAYS AS (int4send(a)) STORED);
CREATE TABLE seq_identity (a int, chain_seq bigint GENERATED ALWAYS AS IDENTITY);
-- a chain_by column holding NULL
CREATE TABLE null_chain (a int, account text);
INSERT INTO null_chain VALUES (1, 'alice'), (2, NULL);
-- a table of the same name in another schema
CREATE TABLE bi_other.t (a int);
INSERT INTO bi_other.t VALUES (7);
-- odd identifiers
CREATE TABLE "Odd ""Schema"""."tâble 1" ("cölumn ""1""" int, "Chain By" text NOT NULL);
INSERT INTO "Odd ""Schema"""."tâble 1" VALUES (1, 'x'), (2, 'y');

-- what the failed calls must leave untouched
\set bi_schema bi_ao
\ir test/regress/bad_input_catalog.sql
CREATE TEMP VIEW snapshot AS
    SELECT * FROM catalog_snapshot
    UNION ALL
    SELECT 'managed', NULL, table_name::text, kind FROM immutable.managed_tables
    UNION ALL
    SELECT 'rows', 'bi_ao', 't', count(*)::text FROM t
    UNION ALL
    SELECT 'rows', 'bi_ao', 'null_chain', count(*)::text FROM null_chain
    UNION ALL
    SELECT 'rows', 'bi_other', 't', count(*)::text FROM bi_other.t
    UNION ALL
    SELECT 'rows', 'Odd "Schema"', 'tâble 1', count(*)::text FROM "Odd ""Schema"""."tâble 1";
CREATE TEMP TABLE before AS SELECT * FROM snapshot;

-- NULL for each argument
SELECT immutable.make_append_only(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', NULL, 'a');
\echo :LAST_ERROR_SQLSTATE
-- a NULL chain_by is its default: accepted, one chain (shown, then undone)
BEGIN;
SELECT immutable.make_append_only('t', true, NULL);
SELECT table_name, kind, hashed, chain_by FROM immutable.managed_tables;
ROLLBACK;

-- unknown relations
SELECT immutable.make_append_only(0::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only(to_regclass('bi_ao.no_such_table'));
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('no_such_table');
\echo :LAST_ERROR_SQLSTATE

-- wrong kinds of relation
SELECT immutable.make_append_only('v');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('mv');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('s');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('ft');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('parted');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('part1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t_a_idx');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('comp');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('pg_toast.pg_toast_1255');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('immutable.registry');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('immutable.erasure_log');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('immutable.managed_tables');
\echo :LAST_ERROR_SQLSTATE
-- a table of the information schema, made by initdb like pg_class: 42809
-- like every relation initdb creates
SELECT immutable.make_append_only('information_schema.sql_features');
\echo :LAST_ERROR_SQLSTATE

-- temporary and unlogged tables are accepted and protected
CREATE TEMP TABLE tmp (a int);
SELECT immutable.make_append_only('tmp', true);
\echo :SQLSTATE
INSERT INTO tmp VALUES (1), (2);
UPDATE tmp SET a = 3;
\echo :LAST_ERROR_SQLSTATE
SELECT a, chain_seq FROM tmp ORDER BY chain_seq;
SELECT count(*) AS problems FROM immutable.verify_chain('tmp');
SELECT table_name, kind, hashed FROM immutable.managed_tables;
SELECT immutable.make_mutable('tmp');
DROP TABLE tmp;
CREATE UNLOGGED TABLE unlogged (a int);
SELECT immutable.make_append_only('unlogged', true);
\echo :SQLSTATE
INSERT INTO unlogged VALUES (1);
DELETE FROM unlogged;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS problems FROM immutable.verify_chain('unlogged');
SELECT immutable.make_mutable('unlogged');
DROP TABLE unlogged;

-- generated and identity columns
-- chain_seq, prev_hash or hash generated or an identity: 42611, as for
-- make_versioned
SELECT immutable.make_append_only('hash_generated', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('seq_identity', true);
\echo :LAST_ERROR_SQLSTATE
-- unhashed, the same tables are accepted (the names mean nothing then)
BEGIN;
SELECT immutable.make_append_only('hash_generated');
\echo :SQLSTATE
ROLLBACK;
-- a stored generated column of the rows: accepted, and left out of the
-- hash, so that the rows inserted afterwards verify (the identity column is
-- an ordinary column the hash covers)
CREATE TABLE generated (a int, doubled int GENERATED ALWAYS AS (a * 2) STORED,
                        n int GENERATED ALWAYS AS IDENTITY);
INSERT INTO generated (a) VALUES (1);
SELECT immutable.make_append_only('generated', true);
\echo :SQLSTATE
INSERT INTO generated (a) VALUES (2), (3);
SELECT a, doubled, n, chain_seq FROM generated ORDER BY chain_seq;
SELECT chain_seq, problem FROM immutable.verify_chain('generated') ORDER BY chain_seq;
SELECT immutable.make_mutable('generated');
DROP TABLE generated;
-- a generated chain_by column: 42P10, the table left as it was
CREATE TABLE generated_chain (a int, parity int GENERATED ALWAYS AS (a % 2) STORED);
INSERT INTO generated_chain (a) VALUES (1), (2);
SELECT immutable.make_append_only('generated_chain', true, 'parity');
\echo :LAST_ERROR_SQLSTATE
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'bi_ao' AND table_name = 'generated_chain' ORDER BY ordinal_position;
SELECT count(*) AS managed FROM immutable.managed_tables
 WHERE table_name = 'bi_ao.generated_chain'::regclass;
DROP TABLE generated_chain;

-- odd identifiers: accepted, and named correctly in every message (shown
-- on a copy, so that the table in the snapshot keeps its columns)
CREATE TABLE "Odd ""Schema"""."tâble 2" (LIKE "Odd ""Schema"""."tâble 1");
INSERT INTO "Odd ""Schema"""."tâble 2" SELECT * FROM "Odd ""Schema"""."tâble 1";
SELECT immutable.make_append_only('"Odd ""Schema"""."tâble 2"', true, 'Chain By');
\echo :SQLSTATE
SELECT table_name, kind, hashed, chain_by FROM immutable.managed_tables;
INSERT INTO "Odd ""Schema"""."tâble 2" VALUES (3, 'x');
SELECT chain, chain_seq, problem FROM immutable.verify_chain('"Odd ""Schema"""."tâble 2"');
SELECT immutable.chain_digest('"Odd ""Schema"""."tâble 2"') ->> 'table' AS digest_table;
UPDATE "Odd ""Schema"""."tâble 2" SET "cölumn ""1""" = 0;
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('"Odd ""Schema"""."tâble 2"');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('"Odd ""Schema"""."tâble 2"');
DROP TABLE "Odd ""Schema"""."tâble 2";
-- identifiers are case sensitive
SELECT immutable.make_append_only('"Odd ""Schema"""."tâble 1"', true, 'chain by');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('"Odd ""Schema"""."TÂBLE 1"');
\echo :LAST_ERROR_SQLSTATE
-- and so is the schema's name: PostgreSQL 15 reports the schema missing
-- (3F000), 17 and 18 the relation (42P01)
DO $$
BEGIN
    PERFORM immutable.make_append_only('"odd ""schema"""."tâble 1"');
EXCEPTION WHEN invalid_schema_name OR undefined_table THEN
    RAISE NOTICE 'not found';
END $$;

-- tables in other schemas: the name is resolved as PostgreSQL does, and
-- only the table named is managed
SELECT immutable.make_append_only('bi_other.t');
\echo :SQLSTATE
SELECT table_name, kind FROM immutable.managed_tables;
SELECT tgrelid::regclass AS "table", tgname FROM pg_trigger
 WHERE tgrelid IN ('bi_ao.t'::regclass, 'bi_other.t'::regclass) ORDER BY 1, 2;
SELECT immutable.make_mutable('bi_other.t');
SELECT immutable.make_append_only('"bi_other".no_such_table');
\echo :LAST_ERROR_SQLSTATE

-- chain_by
SELECT immutable.make_append_only('t', false, 'a');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', true, 'no_such_column');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', true, '');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', true, 'chain_seq');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', true, 'prev_hash');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', true, 'hash');
\echo :LAST_ERROR_SQLSTATE
-- a system column: 42P10
SELECT immutable.make_append_only('t', true, 'ctid');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', true, 'xmin');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('null_chain', true, 'account');
\echo :LAST_ERROR_SQLSTATE

-- wrong column types
SELECT immutable.make_append_only('hash_text', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('seq_int', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('prev_array', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('hash_domain', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('int_array', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('composite', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('oid_alias', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('oid_alias_domain', true);
\echo :LAST_ERROR_SQLSTATE
-- every OID alias type: 0A000
DO $$
DECLARE
    alias text;
BEGIN
    FOREACH alias IN ARRAY ARRAY['regproc', 'regprocedure', 'regoper', 'regoperator',
                                 'regclass', 'regtype', 'regconfig', 'regdictionary',
                                 'regnamespace', 'regrole', 'regcollation'] LOOP
        EXECUTE format('CREATE TABLE one_alias (a int, v %s)', alias);
        BEGIN
            PERFORM immutable.make_append_only('one_alias', true);
            RAISE NOTICE '%: accepted', alias;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE '%: %', alias, SQLSTATE;
        END;
        DROP TABLE one_alias;
    END LOOP;
END $$;
-- without hashed, an OID alias column is accepted
BEGIN;
SELECT immutable.make_append_only('oid_alias');
\echo :SQLSTATE
ROLLBACK;

-- a role that does not own the table, though it has every privilege on the
-- table and its schema: 42501
CREATE ROLE bi_ao_stranger;
GRANT USAGE, CREATE ON SCHEMA bi_ao TO bi_ao_stranger;
GRANT ALL ON t TO bi_ao_stranger;
SET ROLE bi_ao_stranger;
SELECT immutable.make_append_only('t');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON t FROM bi_ao_stranger;
REVOKE ALL ON SCHEMA bi_ao FROM bi_ao_stranger;
DROP ROLE bi_ao_stranger;

-- already managed
SELECT immutable.make_append_only('t');
SELECT immutable.make_append_only('t');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_append_only('t', true);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_versioned('t');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_system_versioned('t');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('t');

-- a huge TOASTed value in a hashed table: hashed whole (the hash recomputed
-- here from README's canonical encoding matches), and the chain verifies
CREATE TABLE big (id int, note text);
-- 1 MB that does not compress, already there when the table becomes hashed
INSERT INTO big SELECT 1, string_agg(md5(i::text), '' ORDER BY i) FROM generate_series(1, 32768) AS i;
SELECT immutable.make_append_only('big', true);
-- 1 MB that compresses, and a NULL, appended
INSERT INTO big SELECT 2, repeat('ab', 524288);
INSERT INTO big VALUES (3, NULL);
SELECT id, octet_length(note) AS bytes, pg_column_size(note) < octet_length(note) AS compressed,
       chain_seq, length(hash) AS hash_bytes,
       hash = sha256(prev_hash
           || '\x00000009'::bytea || 'chain_seq'::bytea || '\x01'::bytea || int4send(8) || int8send(chain_seq)
           || '\x00000002'::bytea || 'id'::bytea || '\x01'::bytea || int4send(4) || int4send(id)
           || coalesce('\x00000004'::bytea || 'note'::bytea || '\x02'::bytea || sha256(convert_to(note, 'UTF8')), ''))
         AS recomputed
  FROM big ORDER BY chain_seq;
SELECT (SELECT reltoastrelid FROM pg_class WHERE oid = 'big'::regclass) <> 0 AS has_toast,
       pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = 'big'::regclass)) > 1000000 AS toasted;
SELECT count(*) AS problems FROM immutable.verify_chain('big');
SELECT count(*) AS problems FROM immutable.verify_chain('big', stop_at_first => true);
SELECT count(*) AS problems FROM immutable.verify_chain('big', immutable.chain_digest('big'));
-- one byte changed in the middle of the first 1 MB value is found
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE big SET note = overlay(note PLACING 'X' FROM 500000) WHERE id = 1;
RESET session_replication_role;
SELECT chain_seq, problem FROM immutable.verify_chain('big');
ROLLBACK;
SELECT immutable.make_mutable('big');
DROP TABLE big;

-- nothing changed by the failed calls
SELECT what, schema, name, string_agg(detail, ', ' ORDER BY detail) AS details
  FROM snapshot GROUP BY what, schema, name ORDER BY what, schema, name;
(SELECT * FROM snapshot EXCEPT SELECT * FROM before)
UNION ALL
(SELECT * FROM before EXCEPT SELECT * FROM snapshot);

DROP VIEW snapshot, catalog_snapshot;
DROP TABLE before;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA bi_ao CASCADE;
DROP SCHEMA bi_other CASCADE;
DROP SCHEMA "Odd ""Schema""" CASCADE;
DROP SERVER bi_ao_server;
DROP FOREIGN DATA WRAPPER bi_ao_fdw;
RESET client_min_messages;
