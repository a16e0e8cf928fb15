-- Bad input to the entity and chain functions: immutable.update, delete,
-- undelete, get, status, history, as_of (both forms), redact, verify_chain,
-- chain_digest and purge_history. Each call below fails with the documented
-- SQLSTATE (README "Reference": Management, Entities) or is shown to be
-- accepted (\echo :SQLSTATE then prints 00000); at the end a catalog and
-- data snapshot shows that no failed call changed anything: no version, no
-- heads row, no history row and no erasure_log row was written. Accepted
-- calls that write are made inside transactions that are rolled back, or on
-- tables dropped again.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE SCHEMA bi_ent;
CREATE SCHEMA bi_other;
CREATE SCHEMA "Odd ""Schema""";
SET search_path = bi_ent;
\set e1 '01890000-0000-7000-8000-000000000001'
\set e2 '01890000-0000-7000-8000-000000000002'
\set unknown '01890000-0000-7000-8000-0000000000ff'

-- a hash-chained versioned table: entity e1 live (2 versions), e2 deleted
CREATE TABLE tasks (k int PRIMARY KEY, title text NOT NULL, note text, amount numeric);
SELECT immutable.make_versioned('tasks', hashed => true);
INSERT INTO tasks (entity_id, version, k, title, note, amount)
     VALUES (:'e1', 1, 1, 'first', 'a note', 10), (:'e2', 1, 2, 'second', NULL, 20);
SELECT version FROM immutable.update(NULL::tasks, :'e1', '{"note": "another note"}');
SELECT version FROM immutable.delete(NULL::tasks, :'e2');
-- tables of every other kind, managed or not
CREATE TABLE plain (k int, note text);
CREATE TABLE ao (k int, note text);
SELECT immutable.make_append_only('ao');
CREATE TABLE ao_hashed (k int, note text);
SELECT immutable.make_append_only('ao_hashed', hashed => true);
INSERT INTO ao_hashed VALUES (1, 'x');
CREATE TABLE sv (k int PRIMARY KEY, note text);
SELECT immutable.set_system_time('2000-01-01');
SELECT immutable.make_system_versioned('sv');
INSERT INTO sv VALUES (1, 'a');
SELECT immutable.set_system_time('2000-01-02');
UPDATE sv SET note = 'b';
SELECT immutable.set_system_time(NULL);
CREATE TABLE unhashed (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('unhashed');
INSERT INTO unhashed (entity_id, version, k, note) VALUES (:'e1', 1, 1, 'u');
CREATE VIEW v AS SELECT * FROM plain;
CREATE MATERIALIZED VIEW mv AS SELECT * FROM plain;
CREATE SEQUENCE s;
CREATE TYPE comp AS (k int);
CREATE DOMAIN tasks_dom AS tasks;
CREATE TABLE parted (k int) PARTITION BY RANGE (k);
CREATE TABLE part1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
-- a foreign table needs no extension: a wrapper without handler will do
CREATE FOREIGN DATA WRAPPER bi_ent_fdw;
CREATE SERVER bi_ent_server FOREIGN DATA WRAPPER bi_ent_fdw;
CREATE FOREIGN TABLE ft (k int) SERVER bi_ent_server;
-- a table of the same name in another schema, not versioned
CREATE TABLE bi_other.tasks (k int PRIMARY KEY, title text);
-- odd identifiers
CREATE TABLE "Odd ""Schema"""."tâble 1" ("kéy ""1""" int PRIMARY KEY, "Nöte ""1""" text);
SELECT immutable.make_versioned('"Odd ""Schema"""."tâble 1"', hashed => true);
INSERT INTO "Odd ""Schema"""."tâble 1" (entity_id, version, "kéy ""1""", "Nöte ""1""")
     VALUES (:'e1', 1, 1, 'x');
-- a role that owns nothing and may read nothing
CREATE ROLE bi_entity_stranger;
GRANT USAGE ON SCHEMA bi_ent TO bi_entity_stranger;

-- what the failed calls must leave untouched
CREATE TEMP VIEW snapshot AS
    SELECT 'relation' AS what, n.nspname AS schema, c.relname AS name, c.relkind::text AS detail
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('bi_ent', 'bi_other', 'Odd "Schema"')
    UNION ALL
    SELECT 'trigger', n.nspname, c.relname, tg.tgname
      FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT tg.tgisinternal AND n.nspname IN ('bi_ent', 'bi_other', 'Odd "Schema"')
    UNION ALL
    SELECT 'column', table_schema, table_name,
           column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-')
      FROM information_schema.columns
     WHERE table_schema IN ('bi_ent', 'bi_other', 'Odd "Schema"')
    UNION ALL
    SELECT 'managed', NULL, table_name::text, kind FROM immutable.managed_tables
    UNION ALL
    SELECT 'rows', 'bi_ent', 'tasks', count(*)::text FROM tasks
    UNION ALL
    SELECT 'rows', 'bi_ent', 'tasks_heads', count(*)::text FROM tasks_heads
    UNION ALL
    SELECT 'rows', 'bi_ent', 'unhashed', count(*)::text FROM unhashed
    UNION ALL
    SELECT 'rows', 'bi_ent', 'sv', count(*)::text FROM sv
    UNION ALL
    SELECT 'rows', 'bi_ent', 'sv_history', count(*)::text FROM sv_history
    UNION ALL
    SELECT 'rows', 'bi_ent', 'ao_hashed', count(*)::text FROM ao_hashed
    UNION ALL
    SELECT 'rows', 'Odd "Schema"', 'tâble 1', count(*)::text FROM "Odd ""Schema"""."tâble 1"
    UNION ALL
    SELECT 'rows', 'immutable', 'erasure_log', count(*)::text FROM immutable.erasure_log
    UNION ALL
    -- every value of every version and heads row, hashes included (compared,
    -- not shown: ids and times differ from run to run)
    SELECT 'data', 'bi_ent', 'tasks', t::text FROM tasks AS t
    UNION ALL
    SELECT 'data', 'bi_ent', 'tasks_heads', h::text FROM tasks_heads AS h
    UNION ALL
    SELECT 'data', 'bi_ent', 'unhashed', u::text FROM unhashed AS u
    UNION ALL
    SELECT 'data', 'bi_ent', 'sv', x::text FROM sv AS x
    UNION ALL
    SELECT 'data', 'bi_ent', 'sv_history', y::text FROM sv_history AS y
    UNION ALL
    SELECT 'data', 'Odd "Schema"', 'tâble 1', o::text FROM "Odd ""Schema"""."tâble 1" AS o;
CREATE TEMP TABLE before AS SELECT * FROM snapshot;

------------------------------------------------------------------------------
-- rel: a typed NULL naming a table (all entity functions share the check)
------------------------------------------------------------------------------
-- an untyped NULL: PostgreSQL cannot resolve the polymorphic argument
SELECT immutable.get(NULL, :'e1');
\echo :LAST_ERROR_SQLSTATE
-- not a row of a table
SELECT immutable.get(NULL::v, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks_current, :'e1', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.delete(NULL::mv, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.undelete(NULL::ft, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.status(NULL::comp, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.history(NULL::tasks_dom, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.as_of(1, now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.as_of(ROW(1, 'x'), :'e1', now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::record, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::tasks[], :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::v, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
-- sequences and indexes have no row type: PostgreSQL refuses the cast
SELECT immutable.get(NULL::s, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::tasks_pkey, :'e1');
\echo :LAST_ERROR_SQLSTATE
-- a table, but not a versioned one
SELECT immutable.get(NULL::plain, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::ao, :'e1', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.delete(NULL::sv, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.undelete(NULL::tasks_heads, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.status(NULL::sv_history, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.history(NULL::parted, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.history(NULL::part1, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::pg_class, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::immutable.registry, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::bi_other.tasks, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.as_of(NULL::sv, :'e1', now());
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.as_of(NULL::ao, now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::plain, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::ao, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::sv, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
-- as_of(rel, at) also reads system-versioned tables: accepted
SELECT k, note FROM immutable.as_of(NULL::sv, '2000-01-01');
\echo :SQLSTATE

------------------------------------------------------------------------------
-- update(rel, entity_id, changes)
------------------------------------------------------------------------------
SELECT immutable.update(NULL::tasks, NULL, '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '"note"');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '[{"note": "x"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"no_such_column": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"Note": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"ctid": "(0,1)"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"id": null}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"entity_id": "01890000-0000-7000-8000-000000000002"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"version": 7}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"valid_from": "2000-01-01"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"deleted_at": null}');
\echo :LAST_ERROR_SQLSTATE
-- hash and prev_hash: 22023 as well, the extension's own like the others
SELECT immutable.update(NULL::tasks, :'e1', '{"hash": "\\x00"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"prev_hash": null}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"amount": "lots"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"amount": "1e400000"}');
\echo :LAST_ERROR_SQLSTATE
-- PostgreSQL's own message names the failing row, ids and times included:
-- shown tersely
\set VERBOSITY terse
SELECT immutable.update(NULL::tasks, :'e1', '{"title": null}');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT immutable.update(NULL::tasks, :'e1', '{"k": 3}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'unknown', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e2', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, 'not-a-uuid', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::tasks, :'e1', '{"note": "x"');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- delete, undelete, get, status, history, as_of
------------------------------------------------------------------------------
SELECT immutable.delete(NULL::tasks, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.delete(NULL::tasks, :'unknown');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.delete(NULL::tasks, :'e2');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.undelete(NULL::tasks, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.undelete(NULL::tasks, :'unknown');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.undelete(NULL::tasks, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::tasks, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.status(NULL::tasks, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.history(NULL::tasks, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.as_of(NULL::tasks, NULL::timestamptz);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.as_of(NULL::tasks, NULL::uuid, now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.as_of(NULL::tasks, :'e1', NULL);
\echo :LAST_ERROR_SQLSTATE
-- an untyped NULL for at: resolved as as_of(rel, at)
SELECT * FROM immutable.as_of(NULL::tasks, NULL);
\echo :LAST_ERROR_SQLSTATE
-- unknown and deleted entities, infinite times: accepted, nothing found
SELECT immutable.get(NULL::tasks, :'unknown') IS NULL AS unknown_is_null,
       immutable.get(NULL::tasks, :'e2') IS NULL AS deleted_is_null,
       immutable.status(NULL::tasks, :'unknown') AS unknown_status,
       immutable.status(NULL::tasks, :'e2') AS deleted_status,
       (SELECT count(*) FROM immutable.history(NULL::tasks, :'unknown')) AS unknown_versions,
       immutable.as_of(NULL::tasks, :'unknown', now()) IS NULL AS unknown_as_of,
       (SELECT count(*) FROM immutable.as_of(NULL::tasks, '-infinity')) AS at_minus_infinity,
       (SELECT count(*) FROM immutable.as_of(NULL::tasks, 'infinity')) AS at_infinity;
\echo :SQLSTATE

------------------------------------------------------------------------------
-- redact(rel, entity_id, columns)
------------------------------------------------------------------------------
SELECT immutable.redact(NULL::tasks, NULL, ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', NULL);
\echo :LAST_ERROR_SQLSTATE
-- a NULL element: 22004
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY[NULL]);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['note', NULL]);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY[]::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['no_such_column']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['Note']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['id']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['entity_id']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['version']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['valid_from']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['deleted_at']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['prev_hash']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['hash']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['title']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['amount']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'unknown', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
-- a column named twice counts once
BEGIN;
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['note', 'note']) AS redacted_versions;
\echo :SQLSTATE
ROLLBACK;
-- a system column: 22023
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['ctid']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::unhashed, :'e1', ARRAY['xmin']);
\echo :LAST_ERROR_SQLSTATE
-- only the owner may redact
SET ROLE bi_entity_stranger;
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------
-- verify_chain(tbl, digest, stop_at_first) and chain_digest(tbl)
------------------------------------------------------------------------------
SELECT immutable.verify_chain(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('tasks', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain(to_regclass('bi_ent.no_such_table'));
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('no_such_table');
\echo :LAST_ERROR_SQLSTATE
-- an OID that names no relation: 42P01
SELECT immutable.verify_chain(0::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest(0::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('plain');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('unhashed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('sv');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('tasks_heads');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('tasks_current');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('bi_other.tasks');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('ft');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('unhashed');
\echo :LAST_ERROR_SQLSTATE
-- a NULL digest is its default: accepted
SELECT count(*) AS problems FROM immutable.verify_chain('tasks', NULL);
\echo :SQLSTATE
-- digests chain_digest did not make
SELECT immutable.verify_chain('ao_hashed', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[1]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[null, 1, "00"]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[null, 1, "zz"]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
-- "chains" not an array: 22023
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": null, "version": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": {}, "version": 1}');
\echo :LAST_ERROR_SQLSTATE
-- a chain_seq that is no bigint: 22023
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[null, "one", "0000000000000000000000000000000000000000000000000000000000000000"]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[null, 99999999999999999999, "0000000000000000000000000000000000000000000000000000000000000000"]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
-- a digest of a version chain_digest does not make: 22023
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    '{"table": "ao_hashed", "chains": [[null, 5, "0000000000000000000000000000000000000000000000000000000000000000"]], "version": 2}');
\echo :LAST_ERROR_SQLSTATE
-- a digest recording a row that never existed, or one of another table:
-- accepted, and the rows or chains it recorded are reported missing
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    '{"table": "ao_hashed", "chains": [[null, 5, "0000000000000000000000000000000000000000000000000000000000000000"]], "version": 1}');
\echo :SQLSTATE
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    immutable.chain_digest('"Odd ""Schema"""."tâble 1"'));
\echo :SQLSTATE
-- reading needs SELECT on the table
SET ROLE bi_entity_stranger;
SELECT immutable.verify_chain('ao_hashed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('ao_hashed');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------
-- purge_history(tbl, before)
------------------------------------------------------------------------------
SELECT immutable.purge_history(NULL, now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history('sv', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history(to_regclass('bi_ent.no_such_table'), now());
\echo :LAST_ERROR_SQLSTATE
-- an OID that names no relation: 42P01
SELECT immutable.purge_history(0::regclass, now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history('plain', now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history('tasks', now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history('ao', now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history('sv_history', now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history('v', now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history('pg_class', now());
\echo :LAST_ERROR_SQLSTATE
SET ROLE bi_entity_stranger;
SELECT immutable.purge_history('sv', now());
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- infinite times are accepted: '-infinity' purges nothing, 'infinity' all
-- history (shown, then rolled back, with its log row)
BEGIN;
SELECT immutable.purge_history('sv', '-infinity') AS purged_before_minus_infinity,
       immutable.purge_history('sv', 'infinity') AS purged_before_infinity;
\echo :SQLSTATE
ROLLBACK;

------------------------------------------------------------------------------
-- generated and identity columns
------------------------------------------------------------------------------
-- refused by make_versioned (0A000): PostgreSQL computes them after the
-- versioning trigger wrote the row and its heads row
CREATE TABLE generated (k int PRIMARY KEY, note text, doubled int GENERATED ALWAYS AS (k * 2) STORED);
SELECT immutable.make_versioned('generated');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE generated;
CREATE TABLE identity_always (k int PRIMARY KEY, note text, n int GENERATED ALWAYS AS IDENTITY);
SELECT immutable.make_versioned('identity_always');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE identity_always;

------------------------------------------------------------------------------
-- temporary and unlogged tables: accepted by every function
------------------------------------------------------------------------------
CREATE TEMP TABLE tmp (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('tmp', hashed => true);
INSERT INTO tmp (entity_id, version, k, note) VALUES (:'e1', 1, 1, 'a');
SELECT version, note FROM immutable.update(NULL::tmp, :'e1', '{"note": "b"}');
SELECT version FROM immutable.delete(NULL::tmp, :'e1');
SELECT version FROM immutable.undelete(NULL::tmp, :'e1');
SELECT immutable.status(NULL::tmp, :'e1'), (immutable.get(NULL::tmp, :'e1')).note,
       (SELECT count(*) FROM immutable.history(NULL::tmp, :'e1')) AS versions,
       (immutable.as_of(NULL::tmp, :'e1', 'infinity')).version;
SELECT count(*) AS problems FROM immutable.verify_chain('tmp', immutable.chain_digest('tmp'));
BEGIN;
SELECT immutable.redact(NULL::tmp, :'e1', ARRAY['note']) AS redacted_versions;
\echo :SQLSTATE
SELECT count(*) AS problems FROM immutable.verify_chain('tmp');
ROLLBACK;
SELECT immutable.make_mutable('tmp');
DROP TABLE tmp;
CREATE UNLOGGED TABLE unlogged (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('unlogged', hashed => true);
INSERT INTO unlogged (entity_id, version, k, note) VALUES (:'e1', 1, 1, 'a');
SELECT version, note FROM immutable.update(NULL::unlogged, :'e1', '{"note": "b"}');
SELECT version FROM immutable.delete(NULL::unlogged, :'e1');
SELECT version FROM immutable.undelete(NULL::unlogged, :'e1');
SELECT immutable.status(NULL::unlogged, :'e1'), (immutable.get(NULL::unlogged, :'e1')).note,
       (SELECT count(*) FROM immutable.history(NULL::unlogged, :'e1')) AS versions,
       (immutable.as_of(NULL::unlogged, :'e1', 'infinity')).version;
SELECT count(*) AS problems FROM immutable.verify_chain('unlogged', immutable.chain_digest('unlogged'));
BEGIN;
SELECT immutable.redact(NULL::unlogged, :'e1', ARRAY['note']) AS redacted_versions;
\echo :SQLSTATE
ROLLBACK;
SELECT immutable.make_mutable('unlogged');
DROP TABLE unlogged;
CREATE UNLOGGED TABLE unlogged_sv (k int PRIMARY KEY, note text);
SELECT immutable.set_system_time('2000-01-01');
SELECT immutable.make_system_versioned('unlogged_sv');
INSERT INTO unlogged_sv VALUES (1, 'a');
SELECT immutable.set_system_time('2000-01-02');
UPDATE unlogged_sv SET note = 'b';
SELECT immutable.set_system_time(NULL);
SELECT k, note FROM immutable.as_of(NULL::unlogged_sv, '2000-01-01');
BEGIN;
SELECT immutable.purge_history('unlogged_sv', 'infinity') AS purged;
\echo :SQLSTATE
ROLLBACK;
SELECT immutable.make_mutable('unlogged_sv');
DROP TABLE unlogged_sv, unlogged_sv_history;

------------------------------------------------------------------------------
-- odd identifiers: column names are JSON keys and array elements as they
-- are, never SQL identifiers
------------------------------------------------------------------------------
BEGIN;
SELECT "kéy ""1""", "Nöte ""1""", version
  FROM immutable.update(NULL::"Odd ""Schema"""."tâble 1", :'e1', '{"Nöte \"1\"": "y"}');
\echo :SQLSTATE
ROLLBACK;
SELECT immutable.update(NULL::"Odd ""Schema"""."tâble 1", :'e1', '{"\"Nöte \"\"1\"\"\"": "y"}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.update(NULL::"Odd ""Schema"""."tâble 1", :'e1', '{"nöte \"1\"": "y"}');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT immutable.redact(NULL::"Odd ""Schema"""."tâble 1", :'e1', ARRAY['Nöte "1"']);
\echo :SQLSTATE
SELECT count(*) AS problems FROM immutable.verify_chain('"Odd ""Schema"""."tâble 1"');
SELECT relid, column_name FROM immutable.erasure_log
 WHERE relid = '"Odd ""Schema"""."tâble 1"'::regclass;
ROLLBACK;
SELECT immutable.redact(NULL::"Odd ""Schema"""."tâble 1", :'e1', ARRAY['"Nöte ""1"""']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::"Odd ""Schema"""."tâble 1", :'unknown', ARRAY['Nöte "1"']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.delete(NULL::"Odd ""Schema"""."tâble 1", :'unknown');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('"Odd ""Schema"""."tâble 1"') ->> 'table' AS digest_table;
SELECT immutable.verify_chain('"Odd ""Schema"""."TÂBLE 1"');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.purge_history('"Odd ""Schema"""."tâble 1"', now());
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- huge TOASTed values: a 1 MB value written by update() is hashed whole, read
-- back whole by get, history and as_of, and redacted with the chain intact
------------------------------------------------------------------------------
CREATE TABLE big (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('big', hashed => true);
INSERT INTO big (entity_id, version, k, note) VALUES (:'e1', 1, 1, 'small');
SELECT version, octet_length(note) AS bytes, md5(note)
  FROM immutable.update(NULL::big, :'e1',
       jsonb_build_object('note', (SELECT string_agg(md5(i::text), '' ORDER BY i)
                                     FROM generate_series(1, 32768) AS i)));
SELECT version, octet_length(note) AS bytes, md5(note)
  FROM immutable.update(NULL::big, :'e1', jsonb_build_object('note', repeat('ab', 524288)));
SELECT version, octet_length(note) AS bytes, md5(note) FROM immutable.history(NULL::big, :'e1');
SELECT version, octet_length(note) AS bytes, md5(note) FROM immutable.get(NULL::big, :'e1');
SELECT version, octet_length(note) AS bytes FROM immutable.as_of(NULL::big, :'e1', 'infinity');
SELECT count(*) AS problems FROM immutable.verify_chain('big', immutable.chain_digest('big'));
BEGIN;
SELECT immutable.redact(NULL::big, :'e1', ARRAY['note']) AS redacted_versions;
SELECT version, note FROM immutable.history(NULL::big, :'e1');
SELECT count(*) AS problems FROM immutable.verify_chain('big');
ROLLBACK;
SELECT immutable.make_mutable('big');
DROP TABLE big;

------------------------------------------------------------------------------
-- nothing changed by the failed calls
------------------------------------------------------------------------------
SELECT what, schema, name, string_agg(detail, ', ' ORDER BY detail) AS details
  FROM snapshot WHERE what <> 'data' GROUP BY what, schema, name ORDER BY what, schema, name;
(SELECT * FROM snapshot EXCEPT SELECT * FROM before)
UNION ALL
(SELECT * FROM before EXCEPT SELECT * FROM snapshot);

DROP VIEW snapshot;
DROP TABLE before;
RESET search_path;
SET client_min_messages = warning;
SELECT immutable.make_mutable('bi_ent.tasks');
SELECT immutable.make_mutable('bi_ent.unhashed');
SELECT immutable.make_mutable('bi_ent.ao');
SELECT immutable.make_mutable('bi_ent.ao_hashed');
SELECT immutable.make_mutable('bi_ent.sv');
SELECT immutable.make_mutable('"Odd ""Schema"""."tâble 1"');
DROP SCHEMA bi_ent CASCADE;
DROP SCHEMA bi_other CASCADE;
DROP SCHEMA "Odd ""Schema""" CASCADE;
DROP SERVER bi_ent_server;
DROP FOREIGN DATA WRAPPER bi_ent_fdw;
DROP ROLE bi_entity_stranger;
RESET client_min_messages;
