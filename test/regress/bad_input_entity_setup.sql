-- Shared set-up of the bad_input_<entity function> tests, included with
-- \ir test/regress/bad_input_entity_setup.sql (pg_regress feeds each test
-- to psql on standard input, so the path is relative to the repository
-- root, where make installcheck runs). It creates the tables every test
-- needs and the snapshot of what the failed calls must leave untouched;
-- test/regress/bad_input_entity_snapshot.sql checks it and drops it all.
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
