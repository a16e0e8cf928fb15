-- Bad input to the entity functions, cases that span several of them: get,
-- status, history and as_of on unknown and deleted entities; generated and
-- identity columns; temporary and unlogged tables, and huge TOASTed values,
-- through every function. The cases of one function are in
-- bad_input_<function>.sql.
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
-- get, status, history, as_of: unknown and deleted entities
------------------------------------------------------------------------------
-- unknown and deleted entities, infinite times: accepted, nothing found
SELECT NOT EXISTS (SELECT FROM immutable.get(NULL::tasks, :'unknown')) AS unknown_is_null,
       NOT EXISTS (SELECT FROM immutable.get(NULL::tasks, :'e2')) AS deleted_is_null,
       immutable.status(NULL::tasks, :'unknown') AS unknown_status,
       immutable.status(NULL::tasks, :'e2') AS deleted_status,
       (SELECT count(*) FROM immutable.history(NULL::tasks, :'unknown')) AS unknown_versions,
       NOT EXISTS (SELECT FROM immutable.as_of(NULL::tasks, :'unknown', now())) AS unknown_as_of,
       (SELECT count(*) FROM immutable.as_of(NULL::tasks, '-infinity')) AS at_minus_infinity,
       (SELECT count(*) FROM immutable.as_of(NULL::tasks, 'infinity')) AS at_infinity;
\echo :SQLSTATE

------------------------------------------------------------------------------
-- generated and identity columns
------------------------------------------------------------------------------
-- refused by make_versioned (0A000): PostgreSQL computes them after the
-- versioning trigger wrote the row and its heads row
CREATE TABLE generated (k int PRIMARY KEY, note text, doubled int GENERATED ALWAYS AS (k * 2) STORED);
SELECT immutable.make_versioned('generated');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE generated;
CREATE TABLE identity_always (k int PRIMARY KEY, note text, n int GENERATED ALWAYS AS IDENTITY);
SELECT immutable.make_versioned('identity_always');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE identity_always;

------------------------------------------------------------------------------
-- temporary and unlogged tables: accepted by every function
------------------------------------------------------------------------------
CREATE TEMP TABLE tmp (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('tmp', hashed => true);
INSERT INTO tmp (entity_id, version, k, note) VALUES (:'e1', 1, 1, 'a');
SELECT version, note FROM immutable.update(NULL::tmp, :'e1', '{"note": "b"}');
SELECT version FROM immutable.delete(NULL::tmp, :'e1');
SELECT version FROM immutable.undelete(NULL::tmp, :'e1');
SELECT immutable.status(NULL::tmp, :'e1'), (immutable.get(NULL::tmp, :'e1')).note,
       (SELECT count(*) FROM immutable.history(NULL::tmp, :'e1')) AS versions,
       (immutable.as_of(NULL::tmp, :'e1', 'infinity')).version;
SELECT count(*) AS problems FROM immutable.verify_chain('tmp', immutable.chain_digest('tmp'));
BEGIN;
SELECT immutable.redact(NULL::tmp, :'e1', ARRAY['note']) AS redacted_versions;
\echo :SQLSTATE
SELECT count(*) AS problems FROM immutable.verify_chain('tmp');
ROLLBACK;
SELECT immutable.make_mutable('tmp');
DROP TABLE tmp;
CREATE UNLOGGED TABLE unlogged (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('unlogged', hashed => true);
INSERT INTO unlogged (entity_id, version, k, note) VALUES (:'e1', 1, 1, 'a');
SELECT version, note FROM immutable.update(NULL::unlogged, :'e1', '{"note": "b"}');
SELECT version FROM immutable.delete(NULL::unlogged, :'e1');
SELECT version FROM immutable.undelete(NULL::unlogged, :'e1');
SELECT immutable.status(NULL::unlogged, :'e1'), (immutable.get(NULL::unlogged, :'e1')).note,
       (SELECT count(*) FROM immutable.history(NULL::unlogged, :'e1')) AS versions,
       (immutable.as_of(NULL::unlogged, :'e1', 'infinity')).version;
SELECT count(*) AS problems FROM immutable.verify_chain('unlogged', immutable.chain_digest('unlogged'));
BEGIN;
SELECT immutable.redact(NULL::unlogged, :'e1', ARRAY['note']) AS redacted_versions;
\echo :SQLSTATE
ROLLBACK;
SELECT immutable.make_mutable('unlogged');
DROP TABLE unlogged;
CREATE UNLOGGED TABLE unlogged_sv (k int PRIMARY KEY, note text);
SELECT immutable.set_system_time('2000-01-01');
SELECT immutable.make_system_versioned('unlogged_sv');
INSERT INTO unlogged_sv VALUES (1, 'a');
SELECT immutable.set_system_time('2000-01-02');
UPDATE unlogged_sv SET note = 'b';
SELECT immutable.set_system_time(NULL);
SELECT k, note FROM immutable.as_of(NULL::unlogged_sv, '2000-01-01');
BEGIN;
SELECT immutable.purge_history('unlogged_sv', 'infinity') AS purged;
\echo :SQLSTATE
ROLLBACK;
SELECT immutable.make_mutable('unlogged_sv');
DROP TABLE unlogged_sv, unlogged_sv_history;

------------------------------------------------------------------------------
-- huge TOASTed values: a 1 MB value written by update() is hashed whole, read
-- back whole by get, history and as_of, and redacted with the chain intact
------------------------------------------------------------------------------
CREATE TABLE big (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('big', hashed => true);
INSERT INTO big (entity_id, version, k, note) VALUES (:'e1', 1, 1, 'small');
SELECT version, octet_length(note) AS bytes, md5(note)
  FROM immutable.update(NULL::big, :'e1',
       jsonb_build_object('note', (SELECT string_agg(md5(i::text), '' ORDER BY i)
                                     FROM generate_series(1, 32768) AS i)));
SELECT version, octet_length(note) AS bytes, md5(note)
  FROM immutable.update(NULL::big, :'e1', jsonb_build_object('note', repeat('ab', 524288)));
SELECT version, octet_length(note) AS bytes, md5(note) FROM immutable.history(NULL::big, :'e1');
SELECT version, octet_length(note) AS bytes, md5(note) FROM immutable.get(NULL::big, :'e1');
SELECT version, octet_length(note) AS bytes FROM immutable.as_of(NULL::big, :'e1', 'infinity');
SELECT count(*) AS problems FROM immutable.verify_chain('big', immutable.chain_digest('big'));
BEGIN;
SELECT immutable.redact(NULL::big, :'e1', ARRAY['note']) AS redacted_versions;
SELECT version, note FROM immutable.history(NULL::big, :'e1');
SELECT count(*) AS problems FROM immutable.verify_chain('big');
ROLLBACK;
SELECT immutable.make_mutable('big');
DROP TABLE big;

------------------------------------------------------------------------------
-- columns named like the aliases of the extension's own queries (h, x, r,
-- n, o, e): every function and the current view read and write them as
-- columns, the whole row as the row
------------------------------------------------------------------------------
CREATE TABLE aliased (k int PRIMARY KEY, h text, x int, r text, n text, o text, e text);
SELECT immutable.make_versioned('aliased', hashed => true);
INSERT INTO aliased_current (entity_id, version, k, h, x, r, n, o, e)
     VALUES (:'e1', 1, 1, 'h1', 1, 'r1', 'n1', 'o1', 'e1')
     RETURNING k, h, x, r, n, o, e, version;
SELECT k, h, x, version FROM immutable.update(NULL::aliased, :'e1', '{"h": "h2", "x": 2}');
UPDATE aliased_current SET h = 'h3', x = 3 WHERE k = 1 RETURNING k, h, x, version;
SELECT k, h, x, version FROM immutable.delete(NULL::aliased, :'e1');
SELECT k, h, x, version FROM immutable.undelete(NULL::aliased, :'e1');
SELECT immutable.status(NULL::aliased, :'e1'), (immutable.get(NULL::aliased, :'e1')).h,
       (immutable.as_of(NULL::aliased, :'e1', 'infinity')).x;
SELECT version, h, x FROM immutable.history(NULL::aliased, :'e1');
SELECT version, h, x FROM immutable.as_of(NULL::aliased, 'infinity');
-- the same reads by SQL, as for a user under row security
BEGIN;
ALTER TABLE aliased ENABLE ROW LEVEL SECURITY;
CREATE POLICY everything ON aliased USING (true);
GRANT SELECT ON aliased TO bi_entity_stranger;
SET ROLE bi_entity_stranger;
SELECT (immutable.get(NULL::aliased, :'e1')).h, (immutable.as_of(NULL::aliased, :'e1', 'infinity')).x;
SELECT version, h, x FROM immutable.as_of(NULL::aliased, 'infinity');
RESET ROLE;
ROLLBACK;
BEGIN;
SELECT immutable.redact(NULL::aliased, :'e1', ARRAY['h', 'r', 'n', 'o', 'e']) AS redacted_versions;
SELECT version, h, x, r, n, o, e FROM immutable.history(NULL::aliased, :'e1');
SELECT count(*) AS problems FROM immutable.verify_chain('aliased');
ROLLBACK;
DELETE FROM aliased_current WHERE k = 1 RETURNING k, h, x, version;
SELECT count(*) AS problems FROM immutable.verify_chain('aliased');
SELECT immutable.make_mutable('aliased');
DROP TABLE aliased;

\ir test/regress/bad_input_entity_snapshot.sql
