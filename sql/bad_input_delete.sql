-- Bad input to immutable.delete(rel, entity_id) and
-- immutable.undelete(rel, entity_id).
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
SELECT immutable.delete(NULL::mv, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.undelete(NULL::ft, :'e1');
\echo :LAST_ERROR_SQLSTATE
-- a table, but not a versioned one
SELECT immutable.delete(NULL::sv, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.undelete(NULL::tasks_heads, :'e1');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- delete(rel, entity_id) and undelete(rel, entity_id)
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

------------------------------------------------------------------------------
-- odd identifiers: column names are JSON keys and array elements as they
-- are, never SQL identifiers
------------------------------------------------------------------------------
SELECT immutable.delete(NULL::"Odd ""Schema"""."tâble 1", :'unknown');
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
SELECT pg_temp.drop_table('unhashed'), immutable.delete(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_temp.drop_table('tasks'), immutable.undelete(NULL::tasks, :'e2');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the heads table renamed by hand: 55000
BEGIN;
SET LOCAL session_replication_role = replica;  -- past the DDL guard, as only a superuser can
ALTER TABLE unhashed_heads RENAME COLUMN note TO memo;
SET LOCAL session_replication_role = origin;
SELECT immutable.delete(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
DROP FUNCTION pg_temp.drop_table(text);

------------------------------------------------------------------------------
-- a BEFORE INSERT trigger of the table that cancels the version: 55000
------------------------------------------------------------------------------
BEGIN;
CREATE FUNCTION pg_temp.cancel() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER a_cancel BEFORE INSERT ON unhashed FOR EACH ROW EXECUTE FUNCTION pg_temp.cancel();
SELECT immutable.delete(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
CREATE FUNCTION pg_temp.cancel() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER a_cancel BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION pg_temp.cancel();
SELECT immutable.undelete(NULL::tasks, :'e2');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

\ir test/regress/bad_input_entity_snapshot.sql
