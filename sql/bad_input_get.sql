-- Bad input to immutable.get(rel, entity_id) and immutable.status(rel, entity_id).
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
-- an untyped NULL: PostgreSQL picks the overload for a table name (text),
-- which raises 42809 with a hint that shows the typed NULL
SELECT immutable.get(NULL, :'e1');
\echo :LAST_ERROR_SQLSTATE
-- not a row of a table
SELECT immutable.get(NULL::v, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.status(NULL::comp, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::record, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::tasks[], :'e1');
\echo :LAST_ERROR_SQLSTATE
-- sequences and indexes have no row type: PostgreSQL refuses the cast
SELECT immutable.get(NULL::s, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::tasks_pkey, :'e1');
\echo :LAST_ERROR_SQLSTATE
-- a table, but not a versioned one
SELECT immutable.get(NULL::plain, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.status(NULL::sv_history, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::pg_class, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::immutable.registry, :'e1');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.get(NULL::bi_other.tasks, :'e1');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- get(rel, entity_id) and status(rel, entity_id)
------------------------------------------------------------------------------
SELECT immutable.get(NULL::tasks, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.status(NULL::tasks, NULL);
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
SELECT pg_temp.drop_table('unhashed'), immutable.get(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_temp.drop_table('unhashed'), immutable.status(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the heads table renamed or retyped by hand: 55000
BEGIN;
SET LOCAL session_replication_role = replica;  -- past the DDL guard, as only a superuser can
ALTER TABLE unhashed_heads RENAME COLUMN note TO memo;
SET LOCAL session_replication_role = origin;
SELECT immutable.get(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
DROP VIEW unhashed_current;
SET LOCAL session_replication_role = replica;  -- past the DDL guard, as only a superuser can
ALTER TABLE unhashed_heads ALTER COLUMN note TYPE varchar(1) USING left(note, 1);
SET LOCAL session_replication_role = origin;
SELECT immutable.status(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- the heads table dropped with the extension's event triggers off: 55000
BEGIN;
SET LOCAL session_replication_role = replica;
DROP TABLE unhashed_heads CASCADE;
SET LOCAL session_replication_role = origin;
SELECT immutable.get(NULL::unhashed, :'e1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the table retyped (the heads table follows) and read in the
-- same transaction: the values, as the table has them
BEGIN;
DROP VIEW unhashed_current;
ALTER TABLE unhashed ALTER COLUMN k TYPE bigint;
SELECT k, note, version FROM immutable.get(NULL::unhashed, :'e1');
SELECT immutable.status(NULL::unhashed, :'e1');
\echo :SQLSTATE
ROLLBACK;
-- a column added with a default (the heads table follows, each head gets the
-- value) and read in the same transaction: the value
BEGIN;
ALTER TABLE unhashed ADD COLUMN added int DEFAULT 5;
SELECT k, note, added, version FROM immutable.get(NULL::unhashed, :'e1');
SELECT k, note, added, version FROM unhashed_current;
ROLLBACK;
DROP FUNCTION pg_temp.drop_table(text);

\ir test/regress/bad_input_entity_snapshot.sql
