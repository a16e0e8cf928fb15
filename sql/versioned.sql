-- Versioned tables: the trigger assigns id, entity_id, version, valid_from
-- and deleted_at; versions are gapless; conflicts are reported.
\set SHOW_CONTEXT never
CREATE TABLE tasks (title text NOT NULL, done boolean NOT NULL DEFAULT false);
SELECT immutable.make_versioned('tasks');
\d tasks

-- a new entity is version 1, its entity_id is the id of that version
INSERT INTO tasks (title) VALUES ('write tests') RETURNING title, version,
    entity_id = id AS first, valid_from = now() AS stamped, deleted_at;
-- an entity may also be created with a chosen entity_id and version 1
\set e 01890000-0000-7000-8000-000000000001
INSERT INTO tasks (entity_id, version, title) VALUES (:'e', 1, 'chosen id')
    RETURNING version, entity_id, id <> entity_id AS own_id;

-- a row with an existing entity_id is the next version
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'write more tests')
    RETURNING title, version, entity_id = :'e' AS same_entity, id <> entity_id AS new_id;
-- client-supplied id and valid_from are overwritten
INSERT INTO tasks (id, entity_id, title, valid_from)
    VALUES ('00000000-0000-0000-0000-000000000000', :'e', 'v3', '2000-01-01')
    RETURNING version, id <> '00000000-0000-0000-0000-000000000000' AS id_assigned,
        valid_from = now() AS time_assigned;
-- an explicit version must be the next one (optimistic locking)
INSERT INTO tasks (entity_id, version, title) VALUES (:'e', 4, 'v4') RETURNING version;
INSERT INTO tasks (entity_id, version, title) VALUES (:'e', 4, 'stale');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO tasks (entity_id, version, title) VALUES (:'e', 9, 'ahead');
\echo :LAST_ERROR_SQLSTATE
SELECT version, title FROM tasks WHERE entity_id = :'e' ORDER BY version;

-- a new entity starts at version 1
INSERT INTO tasks (title, version) VALUES ('bad', 2);
\echo :LAST_ERROR_SQLSTATE
-- an unknown entity_id needs version 1 to create the entity
INSERT INTO tasks (entity_id, title) VALUES ('11111111-1111-7111-8111-111111111111', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO tasks (entity_id, version, title)
    VALUES ('11111111-1111-7111-8111-111111111111', 1, 'imported') RETURNING version, entity_id;
-- a first version cannot be a tombstone
INSERT INTO tasks (title, deleted_at) VALUES ('gone', now());
\echo :LAST_ERROR_SQLSTATE

-- a tombstone is a version with deleted_at, stamped with the transaction time
INSERT INTO tasks (entity_id, title, deleted_at)
    VALUES ('11111111-1111-7111-8111-111111111111', 'imported', '1999-01-01')
    RETURNING version, deleted_at = now() AS stamped;
INSERT INTO tasks (entity_id, title, deleted_at)
    VALUES ('11111111-1111-7111-8111-111111111111', 'imported', now());
\echo :LAST_ERROR_SQLSTATE
-- a live version after a tombstone undeletes
INSERT INTO tasks (entity_id, title)
    VALUES ('11111111-1111-7111-8111-111111111111', 'back') RETURNING version, deleted_at;

-- many versions of one entity in one statement and one transaction
BEGIN;
INSERT INTO tasks (entity_id, title) SELECT :'e', 'bulk ' || g FROM generate_series(1, 100) g;
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'after bulk') RETURNING version;
COMMIT;
COPY tasks (entity_id, title) FROM STDIN;
11111111-1111-7111-8111-111111111111	copied 1
11111111-1111-7111-8111-111111111111	copied 2
\.
SELECT entity_id = :'e' AS e, count(*), min(version), max(version),
       count(DISTINCT version) AS distinct_versions
  FROM tasks GROUP BY 1 ORDER BY 1;

-- the heads table holds exactly the latest version of every entity
CREATE VIEW heads_mismatch AS
SELECT (SELECT count(*) FROM ((SELECT DISTINCT ON (entity_id) * FROM tasks
                               ORDER BY entity_id, version DESC)
                              EXCEPT ALL SELECT * FROM tasks_heads) m)
     + (SELECT count(*) FROM (SELECT * FROM tasks_heads
                              EXCEPT ALL (SELECT DISTINCT ON (entity_id) * FROM tasks
                                          ORDER BY entity_id, version DESC)) n) AS mismatched;
SELECT count(*) AS heads, (SELECT count(DISTINCT entity_id) FROM tasks) AS entities
  FROM tasks_heads;
SELECT * FROM heads_mismatch;

-- a version rolled back with its savepoint leaves the previous one the head
BEGIN;
SAVEPOINT s;
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'rolled back');
ROLLBACK TO SAVEPOINT s;
SELECT version, title FROM tasks_heads WHERE entity_id = :'e';
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'kept') RETURNING version;
COMMIT;
SELECT * FROM heads_mismatch;

-- several versions of a new entity in one statement (an import)
COPY tasks (entity_id, version, title) FROM STDIN;
22222222-2222-7222-8222-222222222222	1	imported v1
22222222-2222-7222-8222-222222222222	2	imported v2
22222222-2222-7222-8222-222222222222	3	imported v3
\.
SELECT version, title FROM tasks_current WHERE entity_id = '22222222-2222-7222-8222-222222222222';
SELECT * FROM heads_mismatch;

-- an import that fails inside a savepoint leaves nothing behind: imported
-- again in the same transaction, the entity gets its head (a COPY, a
-- multi-row INSERT and a PL/pgSQL exception block, each failing on a later
-- row of the entity), and later writes find it
\set imp1 33333333-3333-7333-8333-333333333331
\set imp2 33333333-3333-7333-8333-333333333332
\set imp3 33333333-3333-7333-8333-333333333333
-- PostgreSQL's message names the failing row, ids and times included: terse
\set VERBOSITY terse
BEGIN;
SAVEPOINT s;
COPY tasks (entity_id, version, title) FROM STDIN;
33333333-3333-7333-8333-333333333331	1	copied v1
33333333-3333-7333-8333-333333333331	2	copied v2
33333333-3333-7333-8333-333333333331	3	\N
\.
ROLLBACK TO SAVEPOINT s;
INSERT INTO tasks (entity_id, version, title) VALUES
    (:'imp2', 1, 'inserted v1'), (:'imp2', 2, 'inserted v2'), (:'imp2', 3, NULL);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
DO $$
BEGIN
    INSERT INTO tasks (entity_id, version, title) VALUES
        ('33333333-3333-7333-8333-333333333333', 1, 'block v1'),
        ('33333333-3333-7333-8333-333333333333', 2, 'block v2'),
        ('33333333-3333-7333-8333-333333333333', 3, NULL);
EXCEPTION WHEN not_null_violation THEN
    RAISE NOTICE 'import failed: %', SQLSTATE;
END $$;
INSERT INTO tasks (entity_id, version, title) VALUES
    (:'imp1', 1, 'again'), (:'imp2', 1, 'again'), (:'imp3', 1, 'again');
COMMIT;
\set VERBOSITY default
SELECT entity_id, version, title FROM tasks_current
 WHERE entity_id IN (:'imp1', :'imp2', :'imp3') ORDER BY entity_id;
SELECT immutable.status(NULL::tasks, :'imp1') AS imp1, immutable.status(NULL::tasks, :'imp2') AS imp2,
       immutable.status(NULL::tasks, :'imp3') AS imp3;
SELECT entity_id, version, title FROM immutable.update(NULL::tasks, :'imp1', '{"title": "updated"}');
INSERT INTO tasks (entity_id, title) VALUES (:'imp2', 'appended'), (:'imp3', 'appended')
    RETURNING entity_id, version, title;
SELECT * FROM heads_mismatch;

-- the early heads of one table are not another's: a statement that imports
-- several versions of an entity into one table and the first version of an
-- entity with the same entity_id into another gives each its head
CREATE TABLE twin (title text NOT NULL);
SELECT immutable.make_versioned('twin');
WITH imported AS (INSERT INTO tasks (entity_id, version, title)
                  VALUES ('44444444-4444-7444-8444-444444444444', 1, 'tasks v1'),
                         ('44444444-4444-7444-8444-444444444444', 2, 'tasks v2'))
INSERT INTO twin (entity_id, version, title)
VALUES ('44444444-4444-7444-8444-444444444444', 1, 'twin v1');
SELECT 'tasks' AS tbl, version, title FROM tasks_current
 WHERE entity_id = '44444444-4444-7444-8444-444444444444'
UNION ALL
SELECT 'twin', version, title FROM twin_current
 WHERE entity_id = '44444444-4444-7444-8444-444444444444';
SELECT * FROM heads_mismatch;
SELECT immutable.make_mutable('twin');
DROP TABLE twin;

-- valid_from never decreases within an entity
SELECT count(*) AS out_of_order FROM (
    SELECT valid_from < lag(valid_from) OVER (PARTITION BY entity_id ORDER BY version) AS back
      FROM tasks) s WHERE back;

-- rows cancelled by an earlier BEFORE trigger leave nothing behind
CREATE FUNCTION skip_cancelled() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN IF NEW.title = 'cancel' THEN RETURN NULL; END IF; RETURN NEW; END $$;
CREATE TRIGGER a_skip BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION skip_cancelled();
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'cancel');
SELECT max(version) FROM tasks WHERE entity_id = :'e';
-- user BEFORE triggers fire before the stamping trigger (names sort before zz_)
CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.title := upper(NEW.title); NEW.version := NULL; RETURN NEW; END $$;
CREATE TRIGGER shout_loud BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION shout();
SELECT tgname FROM pg_trigger WHERE tgrelid = 'tasks'::regclass ORDER BY tgname;
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'quiet') RETURNING title, version;
DROP TRIGGER shout_loud ON tasks;
DROP TRIGGER a_skip ON tasks;

-- UPDATE, DELETE, TRUNCATE are refused
UPDATE tasks SET done = true;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM tasks;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE tasks;
\echo :LAST_ERROR_SQLSTATE

-- the stamping trigger refuses to be called in other ways
SELECT immutable.stamp_version();
\echo :LAST_ERROR_SQLSTATE

-- a version that could be skipped after it became the head is refused:
-- a unique index that ON CONFLICT could skip it for, or a trigger that
-- fires after the stamping one
CREATE UNIQUE INDEX tasks_title ON tasks (title) WHERE entity_id = :'e';
INSERT INTO tasks (entity_id, title)
    SELECT entity_id, title FROM tasks_current WHERE entity_id = :'e'
    ON CONFLICT DO NOTHING;
\echo :LAST_ERROR_SQLSTATE
DROP INDEX tasks_title;
CREATE FUNCTION cancel_all() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER zzz_cancel BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION cancel_all();
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'cancelled');
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER zzz_cancel ON tasks;
DROP FUNCTION cancel_all();
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'next') RETURNING version;
SELECT * FROM heads_mismatch;

-- a first version skipped by ON CONFLICT DO NOTHING leaves no head
CREATE TABLE tags (name text PRIMARY KEY);
SELECT immutable.make_versioned('tags');
INSERT INTO tags (name) VALUES ('a');
INSERT INTO tags (name) VALUES ('a'), ('b') ON CONFLICT DO NOTHING RETURNING name, version;
SELECT name, version FROM tags_heads ORDER BY name;
SELECT immutable.make_mutable('tags');
DROP TABLE tags;

-- the heads table refuses writes, and an entity whose head was removed
-- outside the extension is reported
INSERT INTO tasks_heads SELECT * FROM tasks_heads LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE tasks_heads SET title = 'x';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM tasks_heads;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE tasks_heads;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE tasks_heads CASCADE;
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
DELETE FROM tasks_heads WHERE entity_id = :'e';
RESET session_replication_role;
INSERT INTO tasks (entity_id, title) VALUES (:'e', 'after tampering');
\echo :LAST_ERROR_SQLSTATE

DROP VIEW heads_mismatch;
SELECT immutable.make_mutable('tasks');
DROP TABLE tasks;
DROP FUNCTION skip_cancelled(), shout();

-- dropping a versioned table drops its heads table and current view, and
-- leaves the registry; a view of the user's on the current view stops it,
-- unless the DROP says CASCADE
CREATE TABLE short_lived (title text);
SELECT immutable.make_versioned('short_lived');
CREATE VIEW mine AS SELECT title FROM short_lived_current;
DROP TABLE short_lived;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE short_lived CASCADE;
SELECT to_regclass('mine') AS mine;
SELECT to_regclass('short_lived_heads') AS heads, to_regclass('short_lived_current') AS view,
       (SELECT count(*) FROM immutable.registry) AS registered;
