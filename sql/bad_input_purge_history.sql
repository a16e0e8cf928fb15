-- Bad input to immutable.purge_history(tbl, before).
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
-- odd identifiers: column names are JSON keys and array elements as they
-- are, never SQL identifiers
------------------------------------------------------------------------------
SELECT immutable.purge_history('"Odd ""Schema"""."tâble 1"', now());
\echo :LAST_ERROR_SQLSTATE

\ir test/regress/bad_input_entity_snapshot.sql
