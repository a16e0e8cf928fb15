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

\ir test/regress/bad_input_entity_snapshot.sql
