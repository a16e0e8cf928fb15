-- Bad input to immutable.redact(rel, entity_id, columns).
-- Each call below fails with the documented SQLSTATE (README "Reference":
-- Management, Entities) or is shown to be accepted (\echo :SQLSTATE then
-- prints 00000); at the end test/regress/bad_input_entity_snapshot.sql
-- shows that no failed call changed anything and drops what
-- test/regress/bad_input_entity_setup.sql created. The \ir paths are
-- relative to the repository root, where pg_regress runs psql. Accepted
-- calls that write are made inside transactions that are rolled back, or
-- on tables dropped again.
\ir test/regress/bad_input_entity_setup.sql

------------------------------------------------------------------------------
-- rel: a typed NULL naming a table (all entity functions share the check)
------------------------------------------------------------------------------
-- not a row of a table
SELECT immutable.redact(NULL::v, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
-- a table, but not a versioned one
SELECT immutable.redact(NULL::plain, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::ao, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::sv, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE

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
-- more than one dimension: 2202E, whatever the elements
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY[['note'], ['note']]);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', ARRAY[['note', 'title']]);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.redact(NULL::tasks, :'e1', '{{{note}}}'::text[]);
\echo :LAST_ERROR_SQLSTATE
-- one dimension with other bounds: accepted
BEGIN;
SELECT immutable.redact(NULL::tasks, :'e1', '[0:0]={note}'::text[]) AS redacted_versions;
\echo :SQLSTATE
ROLLBACK;
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
-- odd identifiers: column names are JSON keys and array elements as they
-- are, never SQL identifiers
------------------------------------------------------------------------------
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

------------------------------------------------------------------------------
-- the table dropped, its heads table changed or dropped by hand, its columns
-- changed: documented errors or the right values, never internal errors
-- (each in a transaction rolled back; the entity's table is known to the
-- session, as after any earlier call)
------------------------------------------------------------------------------
SELECT immutable.status(NULL::unhashed, :'e1');
CREATE FUNCTION pg_temp.drop_table(t text) RETURNS int LANGUAGE plpgsql
    AS $$ BEGIN EXECUTE 'DROP TABLE ' || t || ' CASCADE'; RETURN 1; END $$;
-- the table dropped earlier in the same statement: its row type is gone, 42P01
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_temp.drop_table('unhashed'), immutable.redact(NULL::unhashed, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the heads table dropped by hand: 55000
BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL session_replication_role = replica;  -- past the DDL guard, as only a superuser can
ALTER TABLE unhashed_heads DROP COLUMN note CASCADE;
SET LOCAL session_replication_role = origin;
SELECT immutable.redact(NULL::unhashed, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- the heads table dropped with the extension's event triggers off: 55000
BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL session_replication_role = replica;
DROP TABLE unhashed_heads CASCADE;
SET LOCAL session_replication_role = origin;
SELECT immutable.redact(NULL::unhashed, :'e1', ARRAY['note']);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
DROP FUNCTION pg_temp.drop_table(text);

\ir test/regress/bad_input_entity_snapshot.sql
