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

\ir test/regress/bad_input_entity_snapshot.sql
