-- Bad input to immutable.history(rel, entity_id).
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
SELECT * FROM immutable.history(NULL::tasks_dom, :'e1');
\echo :LAST_ERROR_SQLSTATE
-- a table, but not a versioned one
SELECT * FROM immutable.history(NULL::parted, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.history(NULL::part1, :'e1');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- history(rel, entity_id)
------------------------------------------------------------------------------
SELECT * FROM immutable.history(NULL::tasks, NULL);
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
SELECT pg_temp.drop_table('unhashed'), immutable.history(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the heads table dropped by hand: 55000
BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL session_replication_role = replica;  -- past the DDL guard, as only a superuser can
ALTER TABLE unhashed_heads DROP COLUMN note CASCADE;
SET LOCAL session_replication_role = origin;
SELECT * FROM immutable.history(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the table retyped (the heads table follows) and read in the
-- same transaction: the values, as the table has them
BEGIN;
DROP VIEW unhashed_current;
ALTER TABLE unhashed ALTER COLUMN k TYPE bigint;
SELECT k, note, version FROM immutable.history(NULL::unhashed, :'e1');
\echo :SQLSTATE
ROLLBACK;
DROP FUNCTION pg_temp.drop_table(text);

\ir test/regress/bad_input_entity_snapshot.sql
