-- Bad input to immutable.verify_chain(tbl, digest, stop_at_first) and
-- immutable.chain_digest(tbl).
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
-- verify_chain(tbl, digest, stop_at_first) and chain_digest(tbl)
------------------------------------------------------------------------------
SELECT immutable.verify_chain(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('tasks', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain(to_regclass('bi_ent.no_such_table'));
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('no_such_table');
\echo :LAST_ERROR_SQLSTATE
-- an OID that names no relation: 42P01
SELECT immutable.verify_chain(0::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest(0::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('plain');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('unhashed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('sv');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('tasks_heads');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('tasks_current');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('bi_other.tasks');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('ft');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('unhashed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('ao');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('sv_history');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('tasks_heads');
\echo :LAST_ERROR_SQLSTATE
-- a NULL digest is its default: accepted
SELECT count(*) AS problems FROM immutable.verify_chain('tasks', NULL);
\echo :SQLSTATE
-- digests chain_digest did not make
SELECT immutable.verify_chain('ao_hashed', '{}');
\echo :LAST_ERROR_SQLSTATE
-- a digest of another version, whole otherwise (with version 1 accepted)
SELECT immutable.verify_chain('ao_hashed', '{"table": "bi_ent.ao_hashed", "chains": [], "version": 2}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM immutable.verify_chain('ao_hashed', '{"table": "bi_ent.ao_hashed", "chains": [], "version": 1}');
\echo :SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[1]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[null, 1, "00"]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[null, 1, "zz"]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
-- "chains" not an array: 22023
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": null, "version": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": {}, "version": 1}');
\echo :LAST_ERROR_SQLSTATE
-- a chain_seq that is no bigint: 22023
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[null, "one", "0000000000000000000000000000000000000000000000000000000000000000"]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.verify_chain('ao_hashed', '{"table": "ao_hashed", "chains": [[null, 99999999999999999999, "0000000000000000000000000000000000000000000000000000000000000000"]], "version": 1}');
\echo :LAST_ERROR_SQLSTATE
-- a digest of a version chain_digest does not make: 22023
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    '{"table": "ao_hashed", "chains": [[null, 5, "0000000000000000000000000000000000000000000000000000000000000000"]], "version": 2}');
\echo :LAST_ERROR_SQLSTATE
-- a digest recording a row that never existed: accepted, and the rows or
-- chains it recorded are reported missing
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    '{"table": "ao_hashed", "chains": [[null, 5, "0000000000000000000000000000000000000000000000000000000000000000"]], "version": 1}');
\echo :SQLSTATE
-- a digest names the table it was taken from, schema-qualified
SELECT immutable.chain_digest('ao_hashed') ->> 'table' AS digest_table;
-- a digest of another table: 22023
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    immutable.chain_digest('"Odd ""Schema"""."tâble 1"'));
\echo :LAST_ERROR_SQLSTATE
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    jsonb_set(immutable.chain_digest('ao_hashed'), '{table}', '"bi_other.ao_hashed"'));
\echo :LAST_ERROR_SQLSTATE
-- a digest naming no table, or not by a string: 22023
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    immutable.chain_digest('ao_hashed') - 'table');
\echo :LAST_ERROR_SQLSTATE
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ao_hashed',
    jsonb_set(immutable.chain_digest('ao_hashed'), '{table}', '7'));
\echo :LAST_ERROR_SQLSTATE
-- a digest verifies under another search_path; one naming the table as
-- chain_digest did before it qualified every name (unqualified when
-- visible) is accepted where that name finds the table
SELECT immutable.chain_digest('ao_hashed') AS ao_digest \gset
SET search_path = pg_catalog;
SELECT count(*) AS problems FROM immutable.verify_chain('bi_ent.ao_hashed', :'ao_digest');
SELECT count(*) AS problems FROM immutable.verify_chain('bi_ent.ao_hashed',
    jsonb_set(:'ao_digest', '{table}', '"ao_hashed"'));
\echo :LAST_ERROR_SQLSTATE
SET search_path = bi_ent;
SELECT count(*) AS problems FROM immutable.verify_chain('ao_hashed',
    jsonb_set(:'ao_digest', '{table}', '"ao_hashed"'));
\echo :SQLSTATE
-- reading needs SELECT on the table
SET ROLE bi_entity_stranger;
SELECT immutable.verify_chain('ao_hashed');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('ao_hashed');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------
-- odd identifiers: column names are JSON keys and array elements as they
-- are, never SQL identifiers
------------------------------------------------------------------------------
SELECT immutable.chain_digest('"Odd ""Schema"""."tâble 1"') ->> 'table' AS digest_table;
SELECT immutable.verify_chain('"Odd ""Schema"""."TÂBLE 1"');
\echo :LAST_ERROR_SQLSTATE

\ir test/regress/bad_input_entity_snapshot.sql
