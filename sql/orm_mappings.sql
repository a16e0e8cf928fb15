-- What ORMs do with their default conventions, in SQL (issue 14): the
-- current view's id is the entity's stable identity, a client-generated key
-- becomes entity_id, an ORM's first lock value is accepted, and a write that
-- cannot be done correctly fails with a clear error; read functions that find
-- nothing return no row; system-versioned conflicts are retriable (40001);
-- a table named by a string gets a hint showing NULL::t.
\set SHOW_CONTEXT never
\set VERBOSITY default
CREATE TABLE tasks (title text NOT NULL, done boolean NOT NULL DEFAULT false);
SELECT immutable.make_versioned('tasks');

------------------------------------------------------------------------------
-- id is the entity's identity: an ORM keyed on id finds the row again
------------------------------------------------------------------------------
INSERT INTO tasks_current (title) VALUES ('write docs') RETURNING id = entity_id AS same, version \gset
\echo :same :version
SELECT id AS e FROM tasks_current WHERE title = 'write docs' \gset
UPDATE tasks_current SET done = true WHERE id = :'e';
UPDATE tasks_current SET title = 'write the docs' WHERE id = :'e' RETURNING id = :'e' AS same_id, version;
SELECT count(DISTINCT entity_id) AS entities, array_agg(version ORDER BY version) AS versions,
       bool_and(entity_id = :'e') AS all_of_e, count(DISTINCT id) AS version_rows
  FROM tasks;
-- the version written through the view is ignored: OLD.version + 1
UPDATE tasks_current SET version = 99, title = 'v4' WHERE id = :'e' RETURNING version;
-- the identity cannot change: 23001
UPDATE tasks_current SET id = '01890000-0000-7000-8000-0000000000ff' WHERE id = :'e';
\echo :LAST_ERROR_SQLSTATE
UPDATE tasks_current SET entity_id = '01890000-0000-7000-8000-0000000000ff' WHERE id = :'e';
\echo :LAST_ERROR_SQLSTATE
-- writing back the values read (or NULL for an entity_id never read) is no change
UPDATE tasks_current SET id = id, entity_id = entity_id, title = 'v5' WHERE id = :'e' RETURNING version;
UPDATE tasks_current SET entity_id = NULL, title = 'v6' WHERE id = :'e' RETURNING version, entity_id = :'e' AS kept;

------------------------------------------------------------------------------
-- INSERT: client-generated keys, lock values, NULL and duplicate keys
------------------------------------------------------------------------------
-- a client-generated id becomes entity_id, version 1
INSERT INTO tasks_current (id, title) VALUES ('01890000-0000-7000-8000-000000000001', 'client key')
RETURNING id, entity_id, version;
-- so does an entity_id that no entity has (Django's primary_key entity_id)
INSERT INTO tasks_current (entity_id, title) VALUES ('01890000-0000-7000-8000-000000000002', 'client entity_id')
RETURNING id, entity_id, version;
-- the first value of an ORM's optimistic lock: 0 (ActiveRecord, Sequelize) or 1
INSERT INTO tasks_current (title, version) VALUES ('lock 0', 0) RETURNING version, id = entity_id AS same;
INSERT INTO tasks_current (title, version) VALUES ('lock 1', 1) RETURNING version;
INSERT INTO tasks_current (id, title, version) VALUES ('01890000-0000-7000-8000-000000000003', 'lock 0 key', 0)
RETURNING version;
-- other versions cannot start an entity (22023, as for the table)
INSERT INTO tasks_current (title, version) VALUES ('lock 2', 2);
\echo :LAST_ERROR_SQLSTATE
-- an INSERT with the id of a live entity is a duplicate key: 23505
INSERT INTO tasks_current (id, title) VALUES ('01890000-0000-7000-8000-000000000001', 'duplicate');
\echo :LAST_ERROR_SQLSTATE
-- NULL in id and entity_id names no entity: 23502, nothing written
SELECT count(*) AS before FROM tasks \gset
INSERT INTO tasks_current (id, title) VALUES (NULL, 'no key');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :before AS nothing_written FROM tasks;
-- a view whose id has no default (1.0's, until ALTER EXTENSION UPDATE):
-- NULL in id and entity_id is a new entity, as in 1.0
ALTER VIEW tasks_current ALTER COLUMN id DROP DEFAULT;
INSERT INTO tasks_current (title, version) VALUES ('no default', 0) RETURNING id = entity_id AS same, version;
ALTER VIEW tasks_current ALTER COLUMN id SET DEFAULT immutable.uuidv7();
-- entity_id of an existing entity appends its next version, as before
INSERT INTO tasks_current (entity_id, title) VALUES ('01890000-0000-7000-8000-000000000002', 'appended')
RETURNING id, version;
-- DELETE counts one row; an INSERT with the id of the deleted entity undeletes it
DELETE FROM tasks_current WHERE id = '01890000-0000-7000-8000-000000000001' RETURNING id, title;
SELECT immutable.status(NULL::tasks, '01890000-0000-7000-8000-000000000001');
INSERT INTO tasks_current (id, title) VALUES ('01890000-0000-7000-8000-000000000001', 'back')
RETURNING id, version, title;
SELECT entity_id, version, title, deleted_at IS NOT NULL AS tombstone
  FROM tasks WHERE entity_id IN ('01890000-0000-7000-8000-000000000001', '01890000-0000-7000-8000-000000000002')
 ORDER BY entity_id, version;
-- one entity per key, versions gapless
SELECT count(*) AS entities, bool_and(versions = max_version) AS gapless
  FROM (SELECT entity_id, count(*) AS versions, max(version) AS max_version FROM tasks GROUP BY entity_id) s;

------------------------------------------------------------------------------
-- an application role (not superuser) with the rights the README names:
-- the writes on the view, SELECT and INSERT on the table
------------------------------------------------------------------------------
CREATE ROLE orm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tasks_current TO orm_app;
GRANT SELECT, INSERT ON tasks TO orm_app;
SET ROLE orm_app;
INSERT INTO tasks_current (id, title) VALUES ('01890000-0000-7000-8000-000000000004', 'app')
RETURNING id, version;
UPDATE tasks_current SET done = true WHERE id = '01890000-0000-7000-8000-000000000004' RETURNING version;
INSERT INTO tasks_current (id, title) VALUES ('01890000-0000-7000-8000-000000000004', 'app again');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM tasks_current WHERE id = '01890000-0000-7000-8000-000000000004';
INSERT INTO tasks_current (id, title) VALUES ('01890000-0000-7000-8000-000000000004', 'app back')
RETURNING version;
RESET ROLE;
SELECT version, title, done, deleted_at IS NOT NULL AS tombstone FROM tasks
 WHERE entity_id = '01890000-0000-7000-8000-000000000004' ORDER BY version;

------------------------------------------------------------------------------
-- reads: nothing found is no row; timestamps as text with microseconds
------------------------------------------------------------------------------
SELECT count(*) AS get_unknown FROM immutable.get(NULL::tasks, '01890000-0000-7000-8000-0000000000aa');
DELETE FROM tasks_current WHERE id = '01890000-0000-7000-8000-000000000003';
SELECT count(*) AS get_deleted FROM immutable.get(NULL::tasks, '01890000-0000-7000-8000-000000000003');
SELECT count(*) AS as_of_unknown
  FROM immutable.as_of(NULL::tasks, '01890000-0000-7000-8000-0000000000aa', now());
SELECT count(*) AS as_of_before
  FROM immutable.as_of(NULL::tasks, :'e', '2000-01-01');
SELECT * FROM immutable.get(NULL::tasks, '01890000-0000-7000-8000-0000000000aa');
-- a version's valid_from read back as text (microseconds) finds that version
SELECT to_char(valid_from, 'YYYY-MM-DD HH24:MI:SS.US TZH:TZM') AS vf,
       to_char(valid_from - interval '1 microsecond', 'YYYY-MM-DD HH24:MI:SS.US TZH:TZM') AS vf_before
  FROM tasks WHERE entity_id = :'e' AND version = 3 \gset
SELECT :'vf'::timestamptz = valid_from AS exact FROM tasks WHERE entity_id = :'e' AND version = 3;
SELECT version FROM immutable.as_of(NULL::tasks, :'e', :'vf');
SELECT version FROM immutable.as_of(NULL::tasks, :'vf') WHERE entity_id = :'e';
SELECT version FROM immutable.between(NULL::tasks, :'vf', :'vf') WHERE entity_id = :'e';
SELECT version FROM immutable.from_to(NULL::tasks, :'vf', 'infinity') WHERE entity_id = :'e' ORDER BY version;
SELECT array_agg(version ORDER BY version) AS contained FROM immutable.contained_in(NULL::tasks, :'vf', now())
 WHERE entity_id = :'e';
SELECT array_agg(version ORDER BY version) AS not_contained FROM immutable.contained_in(NULL::tasks, :'vf_before', :'vf')
 WHERE entity_id = :'e';
PREPARE at_text(unknown) AS SELECT version FROM immutable.as_of(NULL::tasks, :'e', $1);
EXECUTE at_text(:'vf');
-- one microsecond earlier is still version 2
SELECT version FROM immutable.as_of(NULL::tasks, :'e', :'vf_before');

------------------------------------------------------------------------------
-- a table named by a string: 42809 and a hint showing NULL::t
------------------------------------------------------------------------------
SELECT * FROM immutable.update('tasks', :'e', '{"done": false}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.history('public.tasks', :'e');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.as_of('tasks', now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.status('tasks', :'e');
\echo :LAST_ERROR_SQLSTATE
-- typed calls are unaffected
SELECT version FROM immutable.update(NULL::tasks, :'e', '{"done": false}');

------------------------------------------------------------------------------
-- system-versioned tables: a conflict is 40001 (retriable) by default, 22000
-- with retry_conflicts => false (temporal_tables' SQLSTATE)
------------------------------------------------------------------------------
CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL);
SELECT immutable.make_system_versioned('acct');
CREATE TABLE acct_tt (id int PRIMARY KEY, bal int NOT NULL);
SELECT immutable.make_system_versioned('acct_tt', retry_conflicts => false);
SELECT table_name, retry_conflicts FROM immutable.managed_tables
 WHERE kind = 'system_versioned' ORDER BY 1::text;
SELECT immutable.set_system_time('2001-01-01');
INSERT INTO acct VALUES (1, 100);
INSERT INTO acct_tt VALUES (1, 100);
SELECT immutable.set_system_time('2001-05-01');
UPDATE acct SET bal = 101;
UPDATE acct_tt SET bal = 101;
-- a transaction that started earlier changes the row afterwards
SELECT immutable.set_system_time('2001-04-15');
UPDATE acct SET bal = 102;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM acct;
\echo :LAST_ERROR_SQLSTATE
UPDATE acct_tt SET bal = 102;
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.set_system_time(NULL);
SELECT bal FROM acct UNION ALL SELECT bal FROM acct_tt;
SELECT immutable.make_system_versioned('acct', retry_conflicts => NULL);
\echo :LAST_ERROR_SQLSTATE

SELECT immutable.make_mutable('tasks');
SELECT immutable.make_mutable('acct');
SELECT immutable.make_mutable('acct_tt');
DROP TABLE tasks, acct, acct_history, acct_tt, acct_tt_history;
DROP ROLE orm_app;
SELECT count(*) AS registered FROM immutable.registry;
