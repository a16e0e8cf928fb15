-- Bad input to immutable.as_of(rel, at) and immutable.as_of(rel, entity_id, at).
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
SELECT * FROM immutable.as_of(1, now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.as_of(ROW(1, 'x'), :'e1', now());
\echo :LAST_ERROR_SQLSTATE
-- a table, but not a versioned one
SELECT immutable.as_of(NULL::sv, :'e1', now());
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.as_of(NULL::ao, now());
\echo :LAST_ERROR_SQLSTATE
-- as_of(rel, at) also reads system-versioned tables: accepted
SELECT k, note FROM immutable.as_of(NULL::sv, '2000-01-01');
\echo :SQLSTATE

------------------------------------------------------------------------------
-- as_of(rel, at) and as_of(rel, entity_id, at)
------------------------------------------------------------------------------
SELECT * FROM immutable.as_of(NULL::tasks, NULL::timestamptz);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.as_of(NULL::tasks, NULL::uuid, now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.as_of(NULL::tasks, :'e1', NULL);
\echo :LAST_ERROR_SQLSTATE
-- an untyped NULL for at: resolved as as_of(rel, at)
SELECT * FROM immutable.as_of(NULL::tasks, NULL);
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
SELECT pg_temp.drop_table('unhashed'), immutable.as_of(NULL::unhashed, now());
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_temp.drop_table('unhashed'), immutable.as_of(NULL::unhashed, :'e1', now());
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the heads table retyped by hand: 55000
BEGIN;
DROP VIEW unhashed_current;
SET LOCAL session_replication_role = replica;  -- past the DDL guard, as only a superuser can
ALTER TABLE unhashed_heads ALTER COLUMN note TYPE varchar(1) USING left(note, 1);
SET LOCAL session_replication_role = origin;
SELECT * FROM immutable.as_of(NULL::unhashed, now());
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
DROP VIEW unhashed_current;
SET LOCAL session_replication_role = replica;  -- past the DDL guard, as only a superuser can
ALTER TABLE unhashed_heads ALTER COLUMN note TYPE varchar(1) USING left(note, 1);
SET LOCAL session_replication_role = origin;
SELECT immutable.as_of(NULL::unhashed, :'e1', now());
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- the heads table dropped with the extension's event triggers off: 55000
BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL session_replication_role = replica;
DROP TABLE unhashed_heads CASCADE;
SET LOCAL session_replication_role = origin;
SELECT * FROM immutable.as_of(NULL::unhashed, now());
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a column of the table retyped (the heads table follows) and read in the
-- same transaction: the values, as the table has them
BEGIN;
DROP VIEW unhashed_current;
ALTER TABLE unhashed ALTER COLUMN k TYPE bigint;
SELECT k, note, version FROM immutable.as_of(NULL::unhashed, 'infinity');
SELECT k, note, version FROM immutable.as_of(NULL::unhashed, :'e1', 'infinity');
\echo :SQLSTATE
ROLLBACK;
DROP FUNCTION pg_temp.drop_table(text);

\ir test/regress/bad_input_entity_snapshot.sql
