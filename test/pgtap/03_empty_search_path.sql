-- 03_empty_search_path.sql: the extension works for a session whose
-- search_path is empty, as long as the caller qualifies its own objects:
-- the C code and its triggers must find everything by OID or by qualified
-- name, never through search_path.
--
-- pgTAP itself cannot run with an empty search_path (its functions call
-- each other unqualified), so the file works in two halves:
--   1. with SET search_path = '' it makes the calls and writes what each
--      returned into the temporary table seen;
--   2. with the search_path restored it asserts on seen and on the tables.
-- psql's ON_ERROR_ROLLBACK keeps a failing step from aborting the
-- transaction (and ON_ERROR_STOP, set by pg_prove, is turned off for it), so
-- the step shows up as a failed assertion below and its error on stderr.
-- Everything is rolled back.

\set ON_ERROR_STOP 0
\set ON_ERROR_ROLLBACK on

BEGIN;

SELECT plan(29);

CREATE SCHEMA bare;
CREATE TABLE bare.tasks (title text NOT NULL, done boolean NOT NULL DEFAULT false);
CREATE TABLE bare.log (msg text);
CREATE TEMP TABLE seen (step text PRIMARY KEY, value text);

-- The entity created first (plpgsql: resolved when called, so it can exist
-- before make_versioned adds entity_id).
CREATE FUNCTION pg_temp.first_entity()
RETURNS uuid
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (SELECT t.entity_id FROM bare.tasks AS t
             WHERE t.title = 'first' AND t.version = 1);
END
$$;

------------------------------------------------------------------------------
-- 1. The calls, with an empty search_path. Only pg_catalog (always searched)
--    and pg_temp (for relations) are reachable unqualified.
------------------------------------------------------------------------------

SET search_path = '';

INSERT INTO pg_temp.seen
SELECT 'search_path', pg_catalog.current_setting('search_path');

-- regclass output qualifies names not on the search_path: bare.tasks_current
INSERT INTO pg_temp.seen
SELECT 'make_versioned', immutable.make_versioned('bare.tasks')::text;

WITH w AS (INSERT INTO bare.tasks (title) VALUES ('first') RETURNING version)
INSERT INTO pg_temp.seen SELECT 'insert', w.version::text FROM w;

WITH w AS (INSERT INTO bare.tasks (title, entity_id)
           VALUES ('first, edited', pg_temp.first_entity()) RETURNING version)
INSERT INTO pg_temp.seen SELECT 'insert next version', w.version::text FROM w;

INSERT INTO pg_temp.seen
SELECT 'update', u.version || ' ' || u.done || ' ' || u.title
  FROM immutable.update(NULL::bare.tasks, pg_temp.first_entity(), '{"done": true}') AS u;

WITH w AS (INSERT INTO bare.tasks_current (title) VALUES ('other')
           RETURNING version, entity_id IS NOT NULL AS has_entity)
INSERT INTO pg_temp.seen SELECT 'view insert', w.version || ' ' || w.has_entity FROM w;

WITH w AS (UPDATE bare.tasks_current SET title = 'other, edited' WHERE title = 'other'
           RETURNING version)
INSERT INTO pg_temp.seen SELECT 'view update', w.version::text FROM w;

WITH w AS (DELETE FROM bare.tasks_current WHERE title = 'other, edited' RETURNING title)
INSERT INTO pg_temp.seen SELECT 'view delete', pg_catalog.count(*)::text FROM w;

INSERT INTO pg_temp.seen
SELECT 'delete', d.version || ' ' || (d.deleted_at IS NOT NULL)
  FROM immutable.delete(NULL::bare.tasks, pg_temp.first_entity()) AS d;

INSERT INTO pg_temp.seen
SELECT 'status deleted', immutable.status(NULL::bare.tasks, pg_temp.first_entity());

INSERT INTO pg_temp.seen
SELECT 'get deleted', (immutable.get(NULL::bare.tasks, pg_temp.first_entity()) IS NULL)::text;

INSERT INTO pg_temp.seen
SELECT 'undelete', u.version || ' ' || (u.deleted_at IS NULL) || ' ' || u.title
  FROM immutable.undelete(NULL::bare.tasks, pg_temp.first_entity()) AS u;

INSERT INTO pg_temp.seen
SELECT 'status live', immutable.status(NULL::bare.tasks, pg_temp.first_entity());

INSERT INTO pg_temp.seen
SELECT 'get live', g.version || ' ' || g.title
  FROM immutable.get(NULL::bare.tasks, pg_temp.first_entity()) AS g;

INSERT INTO pg_temp.seen
SELECT 'status unknown', immutable.status(NULL::bare.tasks, immutable.uuidv7());

INSERT INTO pg_temp.seen
SELECT 'history', pg_catalog.string_agg(h.version::text, ',' ORDER BY h.ordinality)
  FROM immutable.history(NULL::bare.tasks, pg_temp.first_entity()) WITH ORDINALITY AS h;

-- All versions were written by this transaction, so all are valid from now().
INSERT INTO pg_temp.seen
SELECT 'as_of now', pg_catalog.string_agg(a.title || ':' || a.version, ',' ORDER BY a.title)
  FROM immutable.as_of(NULL::bare.tasks, pg_catalog.now()) AS a;

INSERT INTO pg_temp.seen
SELECT 'as_of before', pg_catalog.count(*)::text
  FROM immutable.as_of(NULL::bare.tasks, pg_catalog.now() - '1 second'::interval) AS a;

INSERT INTO pg_temp.seen
SELECT 'as_of entity', a.version::text
  FROM immutable.as_of(NULL::bare.tasks, pg_temp.first_entity(), pg_catalog.now()) AS a;

INSERT INTO pg_temp.seen
SELECT 'make_append_only', 'done' FROM immutable.make_append_only('bare.log');

WITH w AS (INSERT INTO bare.log (msg) VALUES ('hello') RETURNING msg)
INSERT INTO pg_temp.seen SELECT 'append', w.msg FROM w;

-- The refusal is the expected outcome here: catch it instead of printing it.
DO $$
BEGIN
    UPDATE bare.log SET msg = 'changed';
    INSERT INTO pg_temp.seen VALUES ('update append-only', 'no error');
EXCEPTION WHEN OTHERS THEN
    INSERT INTO pg_temp.seen VALUES ('update append-only', SQLSTATE);
END
$$;

INSERT INTO pg_temp.seen
SELECT 'make_mutable versioned', 'done' FROM immutable.make_mutable('bare.tasks');

INSERT INTO pg_temp.seen
SELECT 'make_mutable append-only', 'done' FROM immutable.make_mutable('bare.log');

------------------------------------------------------------------------------
-- 2. The assertions, with pgTAP reachable again.
------------------------------------------------------------------------------

RESET search_path;

-- What a step saw, NULL when it failed.
CREATE FUNCTION pg_temp.seen(what text)
RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT s.value FROM pg_temp.seen AS s WHERE s.step = what $$;

SELECT is(pg_temp.seen('search_path'), '""', 'the calls ran with an empty search_path');
SELECT is(pg_temp.seen('make_versioned'), 'bare.tasks_current',
    'make_versioned returns the current view bare.tasks_current');
SELECT is(pg_temp.seen('insert'), '1', 'INSERT with entity_id NULL writes version 1');
SELECT is(pg_temp.seen('insert next version'), '2', 'INSERT with an existing entity_id writes version 2');
SELECT is(pg_temp.seen('update'), '3 true first, edited', 'immutable.update writes version 3 with the change');
SELECT is(pg_temp.seen('view insert'), '1 true', 'INSERT through the current view creates an entity');
SELECT is(pg_temp.seen('view update'), '2', 'UPDATE through the current view writes and returns version 2');
SELECT is(pg_temp.seen('view delete'), '1', 'DELETE through the current view returns one row');
SELECT is(pg_temp.seen('delete'), '4 true', 'immutable.delete writes tombstone version 4');
SELECT is(pg_temp.seen('status deleted'), 'deleted', 'immutable.status says deleted');
SELECT is(pg_temp.seen('get deleted'), 'true', 'immutable.get of a deleted entity is NULL');
SELECT is(pg_temp.seen('undelete'), '5 true first, edited', 'immutable.undelete writes live version 5');
SELECT is(pg_temp.seen('status live'), 'live', 'immutable.status says live');
SELECT is(pg_temp.seen('get live'), '5 first, edited', 'immutable.get returns version 5');
SELECT is(pg_temp.seen('status unknown'), 'not_found', 'immutable.status of an unknown entity says not_found');
SELECT is(pg_temp.seen('history'), '1,2,3,4,5', 'immutable.history returns versions 1 to 5 in order');
SELECT is(pg_temp.seen('as_of now'), 'first, edited:5', 'immutable.as_of(now()) leaves out the deleted entity');
SELECT is(pg_temp.seen('as_of before'), '0', 'immutable.as_of before the transaction is empty');
SELECT is(pg_temp.seen('as_of entity'), '5', 'immutable.as_of(entity, now()) returns version 5');
SELECT is(pg_temp.seen('make_append_only'), 'done', 'make_append_only works');
SELECT is(pg_temp.seen('append'), 'hello', 'INSERT into the append-only table works');
SELECT is(pg_temp.seen('update append-only'), '23001', 'UPDATE of the append-only table raises 23001');
SELECT is(pg_temp.seen('make_mutable versioned'), 'done', 'make_mutable of the versioned table works');
SELECT is(pg_temp.seen('make_mutable append-only'), 'done', 'make_mutable of the append-only table works');

SELECT results_eq(
    $$SELECT version, deleted_at IS NOT NULL FROM bare.tasks
       WHERE entity_id = pg_temp.first_entity() ORDER BY version$$,
    $$VALUES (1, false), (2, false), (3, false), (4, true), (5, false)$$,
    'bare.tasks holds every version of the first entity');
SELECT results_eq(
    $$SELECT title, version, deleted_at IS NOT NULL FROM bare.tasks
       WHERE entity_id <> pg_temp.first_entity() ORDER BY version$$,
    $$VALUES ('other', 1, false), ('other, edited', 2, false), ('other, edited', 3, true)$$,
    'bare.tasks holds every version of the entity written through the view');
SELECT is_empty($$SELECT relid FROM immutable.registry
                   WHERE relid IN ('bare.tasks'::regclass, 'bare.log'::regclass)$$,
    'make_mutable removed both tables from the registry');
SELECT hasnt_view('bare', 'tasks_current', 'make_mutable dropped bare.tasks_current');
SELECT lives_ok($$UPDATE bare.log SET msg = 'changed'$$,
    'after make_mutable bare.log accepts UPDATE');

SELECT * FROM finish();
ROLLBACK;
