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
-- an untyped NULL: PostgreSQL cannot resolve the polymorphic argument
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

\ir test/regress/bad_input_entity_snapshot.sql
