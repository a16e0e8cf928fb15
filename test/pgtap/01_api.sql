-- 01_api.sql: pins the SQL API surface of the immutable extension 1.1.
--
-- Every function of immutable--1.1.sql with its exact argument types and
-- names, result, volatility, strictness, parallel label and language; who
-- may execute it; the registry table and managed_tables view with their
-- columns and privileges. A change to any of these is a change of the API
-- and must show up here.
--
-- Run by make installcheck-pgtap (pg_prove) in a database that has pgtap and
-- immutable installed; everything below is rolled back.

BEGIN;

-- One row per function: the single source the table-driven checks use.
CREATE TEMP TABLE api (
    ord        integer PRIMARY KEY,
    name       name NOT NULL,
    args       name[] NOT NULL,     -- as format_type() spells them: pgTAP
                                    -- compares some of them as text
    arguments  text NOT NULL,       -- pg_get_function_arguments()
    returns    text NOT NULL,
    volatility text NOT NULL,
    strict     boolean NOT NULL,
    parallel   "char" NOT NULL,     -- s(afe), r(estricted), u(nsafe)
    public_may boolean NOT NULL     -- may PUBLIC execute it?
);

INSERT INTO api VALUES
    ( 1, 'uuidv7', '{}', '', 'uuid', 'volatile', true, 's', true),
    ( 2, 'uuidv7', '{interval}', 'shift interval', 'uuid', 'volatile', true, 's', true),
    ( 3, 'uuidv7_at', '{timestamp with time zone}', 'at timestamp with time zone', 'uuid', 'volatile', true, 's', true),
    ( 4, 'uuid_extract_timestamp', '{uuid}', 'uuid', 'timestamp with time zone', 'immutable', true, 's', true),
    ( 5, 'uuid_extract_version', '{uuid}', 'uuid', 'smallint', 'immutable', true, 's', true),
    -- Trigger and event trigger functions: the extension attaches them,
    -- users never call them.
    -- refuse_change only refuses: PUBLIC may execute it, so that the owner
    -- of a partitioned history table can add partitions (which clone its
    -- trigger).
    ( 6, 'refuse_change', '{}', '', 'trigger', 'volatile', false, 'u', true),
    ( 7, 'stamp_version', '{}', '', 'trigger', 'volatile', false, 'u', false),
    ( 8, 'write_current_view', '{}', '', 'trigger', 'volatile', false, 'u', false),
    ( 9, 'forget_dropped', '{}', '', 'event_trigger', 'volatile', false, 'u', false),
    (10, 'follow_alter_table', '{}', '', 'event_trigger', 'volatile', false, 'u', false),
    -- make_* raise 22004 for NULL themselves, so they are not STRICT.
    (11, 'make_append_only', '{regclass,boolean,name}', 'tbl regclass, hashed boolean DEFAULT false, chain_by name DEFAULT NULL::name', 'void', 'volatile', false, 'u', true),
    (12, 'make_versioned', '{regclass,name,boolean}', 'tbl regclass, current_view name DEFAULT NULL::name, hashed boolean DEFAULT false', 'regclass', 'volatile', false, 'u', true),
    (13, 'make_mutable', '{regclass}', 'tbl regclass', 'void', 'volatile', false, 'u', true),
    -- rel is a typed NULL by design, so the entity functions cannot be STRICT.
    (14, 'update', '{anyelement,uuid,jsonb}', 'rel anyelement, entity_id uuid, changes jsonb', 'anyelement', 'volatile', false, 'u', true),
    (15, 'delete', '{anyelement,uuid}', 'rel anyelement, entity_id uuid', 'anyelement', 'volatile', false, 'u', true),
    (16, 'undelete', '{anyelement,uuid}', 'rel anyelement, entity_id uuid', 'anyelement', 'volatile', false, 'u', true),
    (17, 'get', '{anyelement,uuid}', 'rel anyelement, entity_id uuid', 'anyelement', 'stable', false, 's', true),
    (18, 'status', '{anyelement,uuid}', 'rel anyelement, entity_id uuid', 'text', 'stable', false, 's', true),
    (19, 'history', '{anyelement,uuid}', 'rel anyelement, entity_id uuid', 'setof anyelement', 'stable', false, 's', true),
    (20, 'as_of', '{anyelement,timestamp with time zone}', 'rel anyelement, at timestamp with time zone', 'setof anyelement', 'stable', false, 's', true),
    (21, 'as_of', '{anyelement,uuid,timestamp with time zone}', 'rel anyelement, entity_id uuid, at timestamp with time zone', 'anyelement', 'stable', false, 's', true),
    (22, 'guard_ddl', '{}', '', 'event_trigger', 'volatile', false, 'u', false),
    (23, 'add_head', '{}', '', 'trigger', 'volatile', false, 'u', false),
    -- System-versioned tables; versioning() and set_system_time() as in
    -- temporal_tables, and like it not executable by PUBLIC.
    (24, 'make_system_versioned', '{regclass,name,name,boolean}', 'tbl regclass, history_table name DEFAULT NULL::name, period_column name DEFAULT ''system_period''::name, adjust boolean DEFAULT false', 'regclass', 'volatile', false, 'u', true),
    (25, 'versioning', '{}', '', 'trigger', 'volatile', false, 'u', false),
    (26, 'set_system_time', '{timestamp with time zone}', 'at timestamp with time zone', 'void', 'volatile', false, 'u', false),
    -- SQL:2011 FOR SYSTEM_TIME forms, for versioned and system-versioned tables.
    (27, 'from_to', '{anyelement,timestamp with time zone,timestamp with time zone}', 'rel anyelement, start timestamp with time zone, "end" timestamp with time zone', 'setof anyelement', 'stable', false, 's', true),
    (28, 'between', '{anyelement,timestamp with time zone,timestamp with time zone}', 'rel anyelement, start timestamp with time zone, "end" timestamp with time zone', 'setof anyelement', 'stable', false, 's', true),
    (29, 'contained_in', '{anyelement,timestamp with time zone,timestamp with time zone}', 'rel anyelement, start timestamp with time zone, "end" timestamp with time zone', 'setof anyelement', 'stable', false, 's', true),
    (30, 'all_versions', '{anyelement}', 'rel anyelement', 'setof anyelement', 'stable', false, 's', true),
    -- Hash chains.
    (31, 'hash_chain', '{}', '', 'trigger', 'volatile', false, 'u', false),
    (32, 'verify_chain', '{regclass,jsonb,boolean}', 'tbl regclass, digest jsonb DEFAULT NULL::jsonb, stop_at_first boolean DEFAULT false', 'setof record', 'stable', false, 'r', true),
    (33, 'chain_digest', '{regclass}', 'tbl regclass', 'jsonb', 'stable', false, 'r', true),
    -- Erasure; only a table's owner may, which the functions check.
    (34, 'redact', '{anyelement,uuid,text[]}', 'rel anyelement, entity_id uuid, columns text[]', 'integer', 'volatile', false, 'u', true),
    (35, 'purge_history', '{regclass,timestamp with time zone}', 'tbl regclass, before timestamp with time zone', 'bigint', 'volatile', false, 'u', true),
    -- Partitions of system-versioned and history tables get the TRUNCATE trigger.
    (36, 'protect_partitions', '{}', '', 'event_trigger', 'volatile', false, 'u', false),
    -- The trigger function make_system_versioned attaches: PUBLIC may
    -- execute it, so that the owner of a partitioned table can add
    -- partitions (which clone its triggers); fired by any other trigger it
    -- raises 39P01.
    (37, 'system_versioning', '{}', '', 'trigger', 'volatile', false, 'u', true),
    -- A restore without the registry's rows registers tables from their triggers.
    (38, 'restore_registration', '{}', '', 'event_trigger', 'volatile', false, 'u', false);

-- The function's OID, or NULL when it does not exist (no error, so one
-- missing function fails its own checks instead of aborting the file).
CREATE FUNCTION pg_temp.api_oid(fname name, fargs name[])
RETURNS regprocedure
LANGUAGE sql STABLE
AS $$
    SELECT pg_catalog.to_regprocedure(pg_catalog.format('immutable.%I(%s)',
               fname, pg_catalog.array_to_string(fargs, ',')))
$$;

-- A role that exists only in this transaction: it has exactly what PUBLIC has.
CREATE ROLE immutable_tap_fresh NOLOGIN;

SELECT plan(38 * 8 + 53);

-- The schema and the extension.
SELECT has_extension('immutable', 'extension immutable is installed');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'immutable'), '1.1',
    'CREATE EXTENSION installs version 1.1, the default_version of immutable.control');
SELECT has_schema('immutable', 'schema immutable exists');
SELECT schema_privs_are('immutable', 'immutable_tap_fresh', ARRAY['USAGE'],
    'PUBLIC may use schema immutable but not create in it');
SELECT functions_are('immutable',
    ARRAY(SELECT DISTINCT name FROM api),
    'schema immutable has exactly the functions of the 1.1 API');

-- Per function: existence with exact argument types, argument names and
-- defaults, result, volatility, strictness, parallel label, who may run it.
SELECT has_function('immutable', name, args,
           format('function immutable.%s(%s) exists', name, array_to_string(args, ', ')))
  FROM api ORDER BY ord;
SELECT is(pg_get_function_arguments(pg_temp.api_oid(name, args)), arguments,
           format('immutable.%s(%s) has arguments "%s"', name, array_to_string(args, ', '), arguments))
  FROM api ORDER BY ord;
SELECT function_returns('immutable', name, args, returns,
           format('immutable.%s(%s) returns %s', name, array_to_string(args, ', '), returns))
  FROM api ORDER BY ord;
SELECT volatility_is('immutable', name, args, volatility,
           format('immutable.%s(%s) is %s', name, array_to_string(args, ', '), volatility))
  FROM api ORDER BY ord;
SELECT CASE WHEN strict
            THEN is_strict('immutable', name, args,
                     format('immutable.%s(%s) is strict', name, array_to_string(args, ', ')))
            ELSE isnt_strict('immutable', name, args,
                     format('immutable.%s(%s) is not strict', name, array_to_string(args, ', ')))
       END
  FROM api ORDER BY ord;
SELECT is((SELECT p.proparallel FROM pg_proc AS p WHERE p.oid = pg_temp.api_oid(name, args)),
          parallel,
          format('immutable.%s(%s) is parallel %s', name, array_to_string(args, ', '),
                 CASE parallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END))
  FROM api ORDER BY ord;
SELECT function_lang_is('immutable', name, args, 'c',
           format('immutable.%s(%s) is written in C', name, array_to_string(args, ', ')))
  FROM api ORDER BY ord;
SELECT function_privs_are('immutable', name, args, 'immutable_tap_fresh',
           CASE WHEN public_may THEN ARRAY['EXECUTE'] ELSE ARRAY[]::text[] END,
           format('PUBLIC %s execute immutable.%s(%s)',
                  CASE WHEN public_may THEN 'may' ELSE 'may not' END,
                  name, array_to_string(args, ', ')))
  FROM api ORDER BY ord;

-- Across all functions.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc AS p
     WHERE p.pronamespace = 'immutable'::regnamespace AND p.prosecdef
$$, 'no function of the extension is SECURITY DEFINER');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc AS p
     WHERE p.pronamespace = 'immutable'::regnamespace
       AND pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL
$$, 'every function of the extension has a comment');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc AS p
     WHERE p.pronamespace = 'immutable'::regnamespace
       AND NOT EXISTS (SELECT FROM pg_depend AS d
                        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.refclassid = 'pg_extension'::regclass
                          AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'immutable')
                          AND d.deptype = 'e')
$$, 'every function in schema immutable belongs to the extension');

-- The event triggers: forget dropped tables, follow ALTER TABLE.
SELECT ok(EXISTS (SELECT FROM pg_event_trigger
                   WHERE evtname = 'immutable_forget_dropped'
                     AND evtevent = 'sql_drop'
                     AND evtenabled <> 'D'
                     AND evttags IS NULL
                     AND evtfoid = pg_temp.api_oid('forget_dropped', '{}')),
          'event trigger immutable_forget_dropped runs forget_dropped() on sql_drop');
SELECT ok(EXISTS (SELECT FROM pg_event_trigger
                   WHERE evtname = 'immutable_follow_alter_table'
                     AND evtevent = 'ddl_command_end'
                     AND evtenabled <> 'D'
                     AND evttags = ARRAY['ALTER TABLE']
                     AND evtfoid = pg_temp.api_oid('follow_alter_table', '{}')),
          'event trigger immutable_follow_alter_table runs follow_alter_table() after ALTER TABLE');
SELECT ok(EXISTS (SELECT FROM pg_event_trigger
                   WHERE evtname = 'immutable_guard_ddl'
                     AND evtevent = 'ddl_command_start'
                     AND evtenabled <> 'D'
                     AND evttags IS NULL
                     AND evtfoid = pg_temp.api_oid('guard_ddl', '{}')),
          'event trigger immutable_guard_ddl runs guard_ddl() before every DDL command');
SELECT ok(EXISTS (SELECT FROM pg_event_trigger
                   WHERE evtname = 'immutable_protect_partitions'
                     AND evtevent = 'ddl_command_end'
                     AND evtenabled <> 'D'
                     AND evttags = ARRAY['CREATE TABLE', 'ALTER TABLE']
                     AND evtfoid = pg_temp.api_oid('protect_partitions', '{}')),
          'event trigger immutable_protect_partitions runs protect_partitions() after CREATE TABLE, ALTER TABLE');
SELECT ok(EXISTS (SELECT FROM pg_event_trigger
                   WHERE evtname = 'immutable_restore_registration'
                     AND evtevent = 'ddl_command_end'
                     AND evtenabled <> 'D'
                     AND evttags = ARRAY['CREATE TRIGGER']
                     AND evtfoid = pg_temp.api_oid('restore_registration', '{}')),
          'event trigger immutable_restore_registration runs restore_registration() after CREATE TRIGGER');

-- The registry: a catalog table, dumped by pg_dump, readable by everyone,
-- written only by the extension's functions.
SELECT tables_are('immutable', ARRAY['registry', 'erasure_log'],
    'schema immutable has exactly two tables, registry and erasure_log');
SELECT has_table('immutable', 'registry', 'table immutable.registry exists');
SELECT columns_are('immutable', 'registry',
    ARRAY['relid', 'kind', 'current_view', 'managed_since', 'managed_by', 'heads',
          'history', 'period_column', 'adjust', 'hashed', 'chain_by'],
    'immutable.registry has the documented columns');
SELECT col_type_is('immutable', 'registry', 'relid', 'regclass', 'registry.relid is regclass');
SELECT col_type_is('immutable', 'registry', 'kind', 'text', 'registry.kind is text');
SELECT col_type_is('immutable', 'registry', 'current_view', 'regclass', 'registry.current_view is regclass');
SELECT col_type_is('immutable', 'registry', 'managed_since', 'timestamp with time zone', 'registry.managed_since is timestamptz');
SELECT col_type_is('immutable', 'registry', 'managed_by', 'name', 'registry.managed_by is name');
SELECT col_type_is('immutable', 'registry', 'heads', 'regclass', 'registry.heads is regclass');
SELECT col_type_is('immutable', 'registry', 'history', 'regclass', 'registry.history is regclass');
SELECT col_type_is('immutable', 'registry', 'period_column', 'name', 'registry.period_column is name');
SELECT col_type_is('immutable', 'registry', 'adjust', 'boolean', 'registry.adjust is boolean');
SELECT col_type_is('immutable', 'registry', 'hashed', 'boolean', 'registry.hashed is boolean');
SELECT col_type_is('immutable', 'registry', 'chain_by', 'name', 'registry.chain_by is name');
SELECT col_is_pk('immutable', 'registry', 'relid', 'registry.relid is the primary key');
SELECT col_not_null('immutable', 'registry', 'kind', 'registry.kind is NOT NULL');
SELECT col_is_null('immutable', 'registry', 'current_view', 'registry.current_view may be NULL');
SELECT col_not_null('immutable', 'registry', 'managed_since', 'registry.managed_since is NOT NULL');
SELECT col_not_null('immutable', 'registry', 'managed_by', 'registry.managed_by is NOT NULL');
SELECT col_is_null('immutable', 'registry', 'heads', 'registry.heads may be NULL (append-only tables)');
SELECT ok('immutable.registry'::regclass = ANY (
              (SELECT extconfig FROM pg_extension WHERE extname = 'immutable')::oid[]),
          'pg_dump dumps the rows of immutable.registry (pg_extension_config_dump)');
SELECT table_privs_are('immutable', 'registry', 'immutable_tap_fresh', ARRAY['SELECT'],
    'PUBLIC may only SELECT from immutable.registry');
SELECT isnt(obj_description('immutable.registry'::regclass, 'pg_class'), NULL,
    'immutable.registry has a comment');

-- managed_tables: the documented view over the registry.
SELECT views_are('immutable', ARRAY['managed_tables'],
    'schema immutable has exactly one view, managed_tables');
SELECT has_view('immutable', 'managed_tables', 'view immutable.managed_tables exists');
SELECT columns_are('immutable', 'managed_tables',
    ARRAY['table_name', 'kind', 'current_view', 'managed_since', 'managed_by', 'heads_table',
          'history_table', 'period_column', 'adjust', 'hashed', 'chain_by'],
    'immutable.managed_tables has the documented columns');
SELECT col_type_is('immutable', 'managed_tables', 'table_name', 'regclass', 'managed_tables.table_name is regclass');
SELECT col_type_is('immutable', 'managed_tables', 'kind', 'text', 'managed_tables.kind is text');
SELECT col_type_is('immutable', 'managed_tables', 'current_view', 'regclass', 'managed_tables.current_view is regclass');
SELECT col_type_is('immutable', 'managed_tables', 'managed_since', 'timestamp with time zone', 'managed_tables.managed_since is timestamptz');
SELECT col_type_is('immutable', 'managed_tables', 'managed_by', 'name', 'managed_tables.managed_by is name');
SELECT col_type_is('immutable', 'managed_tables', 'heads_table', 'regclass', 'managed_tables.heads_table is regclass');
SELECT col_type_is('immutable', 'managed_tables', 'history_table', 'regclass', 'managed_tables.history_table is regclass');
SELECT col_type_is('immutable', 'managed_tables', 'period_column', 'name', 'managed_tables.period_column is name');
SELECT col_type_is('immutable', 'managed_tables', 'adjust', 'boolean', 'managed_tables.adjust is boolean');
SELECT col_type_is('immutable', 'managed_tables', 'hashed', 'boolean', 'managed_tables.hashed is boolean');
SELECT col_type_is('immutable', 'managed_tables', 'chain_by', 'name', 'managed_tables.chain_by is name');
SELECT table_privs_are('immutable', 'managed_tables', 'immutable_tap_fresh', ARRAY['SELECT'],
    'PUBLIC may only SELECT from immutable.managed_tables');
SELECT isnt(obj_description('immutable.managed_tables'::regclass, 'pg_class'), NULL,
    'immutable.managed_tables has a comment');

-- Nothing else in the schema.
SELECT is_empty($$
    SELECT c.relname::text FROM pg_class AS c
     WHERE c.relnamespace = 'immutable'::regnamespace
       AND c.relkind NOT IN ('r', 'v', 'i', 'S', 't')
$$, 'schema immutable holds no other relations (matviews, foreign tables, types)');

SELECT * FROM finish();
ROLLBACK;
