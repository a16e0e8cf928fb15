-- Bad input to immutable.update(rel, entity_id, changes).
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
SELECT immutable.update(NULL::tasks_current, :'e1', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
-- a table, but not a versioned one
SELECT immutable.update(NULL::ao, :'e1', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE

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
SELECT pg_temp.drop_table('unhashed'), immutable.update(NULL::unhashed, :'e1', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the heads table renamed by hand: 55000
BEGIN;
SET LOCAL session_replication_role = replica;  -- past the DDL guard, as only a superuser can
ALTER TABLE unhashed_heads RENAME COLUMN note TO memo;
SET LOCAL session_replication_role = origin;
SELECT immutable.update(NULL::unhashed, :'e1', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the table retyped (the heads table follows) and updated in the
-- same transaction: the new version, and the head is that version
BEGIN;
DROP VIEW unhashed_current;
ALTER TABLE unhashed ALTER COLUMN k TYPE bigint;
SELECT k, note, version FROM immutable.update(NULL::unhashed, :'e1', '{"note": "x"}');
SELECT k, note, version FROM unhashed_heads;
\echo :SQLSTATE
ROLLBACK;
DROP FUNCTION pg_temp.drop_table(text);

------------------------------------------------------------------------------
-- a BEFORE INSERT trigger of the table that cancels the version: 55000
------------------------------------------------------------------------------
BEGIN;
CREATE FUNCTION pg_temp.cancel() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER a_cancel BEFORE INSERT ON unhashed FOR EACH ROW EXECUTE FUNCTION pg_temp.cancel();
SELECT immutable.update(NULL::unhashed, :'e1', '{"note": "x"}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

\ir test/regress/bad_input_entity_snapshot.sql
