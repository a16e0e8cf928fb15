-- 02_errors.sql: every documented bad input fails with its documented
-- SQLSTATE (see the COMMENTs in immutable--1.0.sql), and quoted mixed-case
-- names work wherever a table is named.
--
-- Setup steps that must succeed are lives_ok assertions, so a failing
-- make_* shows as a failed test instead of ending the file. Everything is
-- rolled back.

BEGIN;

SELECT plan(108);

------------------------------------------------------------------------------
-- Objects to name. Created as the superuser running the file.
------------------------------------------------------------------------------

CREATE SCHEMA tap_errors;
CREATE TABLE tap_errors.plain (title text);
CREATE VIEW tap_errors.a_view AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW tap_errors.a_matview AS SELECT 1 AS x;
CREATE SEQUENCE tap_errors.a_sequence;
CREATE TYPE tap_errors.a_type AS (x integer);
CREATE TABLE tap_errors.parted (k integer, title text) PARTITION BY LIST (k);
CREATE TABLE tap_errors.parted_1 PARTITION OF tap_errors.parted FOR VALUES IN (1);
CREATE TABLE tap_errors.bad_version (title text, version text);
CREATE TABLE tap_errors.bad_entity_id (title text, entity_id bigint);
CREATE TABLE tap_errors.bad_deleted_at (title text, deleted_at integer);
CREATE TABLE tap_errors.referenced (code integer PRIMARY KEY);
CREATE TABLE tap_errors.referencing (code integer REFERENCES tap_errors.referenced);
CREATE TABLE tap_errors.log (msg text);
CREATE TABLE tap_errors.tasks (title text NOT NULL, done boolean NOT NULL DEFAULT false);
CREATE TABLE tap_errors.misuse (x integer);
INSERT INTO tap_errors.misuse VALUES (1);

-- The entity whose first version has this title (plpgsql: checked when
-- called, so it can be created before make_versioned adds entity_id).
CREATE FUNCTION pg_temp.eid(first_title text)
RETURNS uuid
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (SELECT t.entity_id FROM tap_errors.tasks AS t
             WHERE t.title = first_title AND t.version = 1);
END
$$;

SELECT lives_ok($$SELECT immutable.make_append_only('tap_errors.log')$$,
    'setup: make_append_only(tap_errors.log)');
SELECT lives_ok($$SELECT immutable.make_versioned('tap_errors.tasks')$$,
    'setup: make_versioned(tap_errors.tasks)');
SELECT lives_ok($$INSERT INTO tap_errors.tasks (title) VALUES ('live'), ('gone')$$,
    'setup: insert two entities');
SELECT lives_ok($$SELECT immutable.delete(NULL::tap_errors.tasks, pg_temp.eid('gone'))$$,
    'setup: delete one of them');

------------------------------------------------------------------------------
-- make_*: NULL, wrong kind of relation, partitioned tables
------------------------------------------------------------------------------

SELECT throws_ok($$SELECT immutable.make_append_only(NULL)$$, '22004', NULL,
    'make_append_only(NULL) raises 22004');
SELECT throws_ok($$SELECT immutable.make_versioned(NULL)$$, '22004', NULL,
    'make_versioned(NULL) raises 22004');
SELECT throws_ok($$SELECT immutable.make_mutable(NULL)$$, '22004', NULL,
    'make_mutable(NULL) raises 22004');

SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.a_view')$$, '42809', NULL,
    'make_append_only of a view raises 42809');
SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.a_matview')$$, '42809', NULL,
    'make_append_only of a materialized view raises 42809');
SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.a_sequence')$$, '42809', NULL,
    'make_append_only of a sequence raises 42809');
SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.a_type')$$, '42809', NULL,
    'make_append_only of a composite type raises 42809');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.a_view')$$, '42809', NULL,
    'make_versioned of a view raises 42809');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.a_matview')$$, '42809', NULL,
    'make_versioned of a materialized view raises 42809');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.a_sequence')$$, '42809', NULL,
    'make_versioned of a sequence raises 42809');

SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.parted')$$, '0A000', NULL,
    'make_append_only of a partitioned table raises 0A000');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.parted')$$, '0A000', NULL,
    'make_versioned of a partitioned table raises 0A000');
SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.parted_1')$$, '42809', NULL,
    'make_append_only of a partition raises 42809');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.parted_1')$$, '42809', NULL,
    'make_versioned of a partition raises 42809');

------------------------------------------------------------------------------
-- make_*: already managed, names taken, columns of the wrong type, foreign
-- keys pointing at the table
------------------------------------------------------------------------------

SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.log')$$, '42710', NULL,
    'make_append_only of an append-only table raises 42710');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.log')$$, '42710', NULL,
    'make_versioned of an append-only table raises 42710');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.tasks')$$, '42710', NULL,
    'make_versioned of a versioned table raises 42710');
SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.tasks')$$, '42710', NULL,
    'make_append_only of a versioned table raises 42710');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.plain', 'a_view')$$, '42P07', NULL,
    'make_versioned with a current_view name that is taken raises 42P07');
SELECT ok(NOT EXISTS (SELECT FROM immutable.registry WHERE relid = 'tap_errors.plain'::regclass),
    'the failed make_versioned left tap_errors.plain unmanaged');

SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.bad_version')$$, '42804', NULL,
    'make_versioned of a table with version text raises 42804');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.bad_entity_id')$$, '42804', NULL,
    'make_versioned of a table with entity_id bigint raises 42804');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.bad_deleted_at')$$, '42804', NULL,
    'make_versioned of a table with deleted_at integer raises 42804');

SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.referenced')$$, '55000', NULL,
    'make_versioned of a table other tables reference by foreign key raises 55000');

------------------------------------------------------------------------------
-- make_*: only the owner. The role may use the schema, so 42501 can only
-- come from the ownership check, not from looking up the name.
------------------------------------------------------------------------------

CREATE ROLE immutable_tap_stranger NOLOGIN;
GRANT USAGE ON SCHEMA tap_errors TO immutable_tap_stranger;
SET ROLE immutable_tap_stranger;

SELECT throws_ok($$SELECT immutable.make_append_only('tap_errors.plain')$$, '42501', NULL,
    'make_append_only by a role that does not own the table raises 42501');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_errors.plain')$$, '42501', NULL,
    'make_versioned by a role that does not own the table raises 42501');
SELECT throws_ok($$SELECT immutable.make_mutable('tap_errors.log')$$, '42501', NULL,
    'make_mutable by a role that does not own the table raises 42501');

RESET ROLE;

------------------------------------------------------------------------------
-- make_mutable and the read functions on tables that are not versioned
------------------------------------------------------------------------------

SELECT throws_ok($$SELECT immutable.make_mutable('tap_errors.plain')$$, '55000', NULL,
    'make_mutable of a table that is not managed raises 55000');
SELECT throws_ok($$SELECT immutable.get(NULL::tap_errors.plain, immutable.uuidv7())$$, '55000', NULL,
    'get on a table that is not managed raises 55000');
SELECT throws_ok($$SELECT immutable.get(NULL::tap_errors.log, immutable.uuidv7())$$, '55000', NULL,
    'get on an append-only table raises 55000');
SELECT throws_ok($$SELECT immutable.status(NULL::tap_errors.plain, immutable.uuidv7())$$, '55000', NULL,
    'status on a table that is not managed raises 55000');
SELECT throws_ok($$SELECT * FROM immutable.history(NULL::tap_errors.plain, immutable.uuidv7())$$, '55000', NULL,
    'history on a table that is not managed raises 55000');
SELECT throws_ok($$SELECT * FROM immutable.as_of(NULL::tap_errors.plain, now())$$, '55000', NULL,
    'as_of(rel, at) on a table that is not managed raises 55000');
SELECT throws_ok($$SELECT immutable.as_of(NULL::tap_errors.plain, immutable.uuidv7(), now())$$, '55000', NULL,
    'as_of(rel, entity_id, at) on a table that is not managed raises 55000');

------------------------------------------------------------------------------
-- Entity functions: NULL arguments
------------------------------------------------------------------------------

SELECT throws_ok($$SELECT immutable.update(NULL::tap_errors.tasks, NULL, '{"done": true}')$$, '22004', NULL,
    'update with a NULL entity_id raises 22004');
SELECT throws_ok($$SELECT immutable.update(NULL::tap_errors.tasks, pg_temp.eid('live'), NULL)$$, '22004', NULL,
    'update with NULL changes raises 22004');
SELECT throws_ok($$SELECT immutable.delete(NULL::tap_errors.tasks, NULL)$$, '22004', NULL,
    'delete with a NULL entity_id raises 22004');
SELECT throws_ok($$SELECT immutable.undelete(NULL::tap_errors.tasks, NULL)$$, '22004', NULL,
    'undelete with a NULL entity_id raises 22004');
SELECT throws_ok($$SELECT immutable.get(NULL::tap_errors.tasks, NULL)$$, '22004', NULL,
    'get with a NULL entity_id raises 22004');
SELECT throws_ok($$SELECT immutable.status(NULL::tap_errors.tasks, NULL)$$, '22004', NULL,
    'status with a NULL entity_id raises 22004');
SELECT throws_ok($$SELECT * FROM immutable.history(NULL::tap_errors.tasks, NULL)$$, '22004', NULL,
    'history with a NULL entity_id raises 22004');
SELECT throws_ok($$SELECT * FROM immutable.as_of(NULL::tap_errors.tasks, NULL::timestamptz)$$, '22004', NULL,
    'as_of with a NULL time raises 22004');
SELECT throws_ok($$SELECT immutable.as_of(NULL::tap_errors.tasks, NULL::uuid, now())$$, '22004', NULL,
    'as_of with a NULL entity_id raises 22004');
SELECT throws_ok($$SELECT immutable.as_of(NULL::tap_errors.tasks, pg_temp.eid('live'), NULL)$$, '22004', NULL,
    'as_of of an entity with a NULL time raises 22004');

------------------------------------------------------------------------------
-- update(): unknown and protected columns
------------------------------------------------------------------------------

SELECT throws_ok($$SELECT immutable.update(NULL::tap_errors.tasks, pg_temp.eid('live'), '{"no_such_column": 1}')$$,
    '42703', NULL, 'update of an unknown column raises 42703');
SELECT throws_ok($$SELECT immutable.update(NULL::tap_errors.tasks, pg_temp.eid('live'), '{"Title": "x"}')$$,
    '42703', NULL, 'update matches column names exactly: "Title" is unknown, raises 42703');
SELECT throws_ok(format($$SELECT immutable.update(NULL::tap_errors.tasks, pg_temp.eid('live'), '{"%s": null}')$$, col),
    '22023', NULL, format('update of protected column %s raises 22023', col))
  FROM unnest(ARRAY['id', 'entity_id', 'version', 'valid_from', 'deleted_at']) AS col;
SELECT is((SELECT max(version) FROM tap_errors.tasks WHERE entity_id = pg_temp.eid('live')), 1,
    'the refused updates wrote no version');

------------------------------------------------------------------------------
-- Entity functions: unknown, deleted and live entities
------------------------------------------------------------------------------

SELECT throws_ok($$SELECT immutable.update(NULL::tap_errors.tasks, immutable.uuidv7(), '{"done": true}')$$,
    'P0002', NULL, 'update of an unknown entity raises P0002');
SELECT throws_ok($$SELECT immutable.delete(NULL::tap_errors.tasks, immutable.uuidv7())$$,
    'P0002', NULL, 'delete of an unknown entity raises P0002');
SELECT throws_ok($$SELECT immutable.undelete(NULL::tap_errors.tasks, immutable.uuidv7())$$,
    'P0002', NULL, 'undelete of an unknown entity raises P0002');
SELECT throws_ok($$SELECT immutable.delete(NULL::tap_errors.tasks, pg_temp.eid('gone'))$$,
    '55000', NULL, 'delete of a deleted entity raises 55000');
SELECT throws_ok($$SELECT immutable.update(NULL::tap_errors.tasks, pg_temp.eid('gone'), '{"done": true}')$$,
    '55000', NULL, 'update of a deleted entity raises 55000');
SELECT throws_ok($$SELECT immutable.undelete(NULL::tap_errors.tasks, pg_temp.eid('live'))$$,
    '55000', NULL, 'undelete of a live entity raises 55000');
SELECT is(immutable.status(NULL::tap_errors.tasks, immutable.uuidv7()), 'not_found',
    'status of an unknown entity is not_found (no error)');
SELECT is(immutable.get(NULL::tap_errors.tasks, immutable.uuidv7()), NULL,
    'get of an unknown entity is NULL (no error)');

------------------------------------------------------------------------------
-- INSERT into a versioned table (stamp_version)
------------------------------------------------------------------------------

SELECT throws_ok($$INSERT INTO tap_errors.tasks (title, entity_id) VALUES ('orphan', immutable.uuidv7())$$,
    'P0002', NULL, 'INSERT with an unknown entity_id and no version 1 raises P0002');
SELECT throws_ok($$INSERT INTO tap_errors.tasks (title, entity_id, version) VALUES ('skip', pg_temp.eid('live'), 7)$$,
    '40001', NULL, 'INSERT with a version that is not the next one raises 40001');
SELECT throws_ok($$INSERT INTO tap_errors.tasks (title, entity_id, version) VALUES ('stale', pg_temp.eid('live'), 1)$$,
    '40001', NULL, 'INSERT with a version that already exists raises 40001');

------------------------------------------------------------------------------
-- Protection: writes other than INSERT are refused
------------------------------------------------------------------------------

SELECT throws_ok($$UPDATE tap_errors.tasks SET done = true$$, '23001', NULL,
    'UPDATE of a versioned table raises 23001');
SELECT throws_ok($$DELETE FROM tap_errors.tasks$$, '23001', NULL,
    'DELETE from a versioned table raises 23001');
SELECT throws_ok($$TRUNCATE tap_errors.tasks$$, '23001', NULL,
    'TRUNCATE of a versioned table raises 23001');
SELECT lives_ok($$INSERT INTO tap_errors.log (msg) VALUES ('hello')$$,
    'INSERT into an append-only table works');
SELECT throws_ok($$UPDATE tap_errors.log SET msg = 'changed'$$, '23001', NULL,
    'UPDATE of an append-only table raises 23001');
SELECT throws_ok($$DELETE FROM tap_errors.log$$, '23001', NULL,
    'DELETE from an append-only table raises 23001');
SELECT throws_ok($$TRUNCATE tap_errors.log$$, '23001', NULL,
    'TRUNCATE of an append-only table raises 23001');
SELECT throws_ok($$MERGE INTO tap_errors.log AS l USING (VALUES ('hello')) AS v(msg) ON l.msg = v.msg
                   WHEN MATCHED THEN UPDATE SET msg = 'merged'$$, '23001', NULL,
    'MERGE ... UPDATE of an append-only table raises 23001');
SELECT throws_ok($$MERGE INTO tap_errors.log AS l USING (VALUES ('hello')) AS v(msg) ON l.msg = v.msg
                   WHEN MATCHED THEN DELETE$$, '23001', NULL,
    'MERGE ... DELETE of an append-only table raises 23001');

------------------------------------------------------------------------------
-- Trigger functions called other than as their trigger
------------------------------------------------------------------------------

SELECT throws_ok($$SELECT immutable.refuse_change()$$, '39P01', NULL,
    'refuse_change() called directly raises 39P01');
SELECT throws_ok($$SELECT immutable.stamp_version()$$, '39P01', NULL,
    'stamp_version() called directly raises 39P01');
SELECT throws_ok($$SELECT immutable.write_current_view()$$, '39P01', NULL,
    'write_current_view() called directly raises 39P01');
CREATE TRIGGER misuse AFTER DELETE ON tap_errors.misuse
    FOR EACH ROW EXECUTE FUNCTION immutable.refuse_change();
SELECT throws_ok($$DELETE FROM tap_errors.misuse$$, '39P01', NULL,
    'refuse_change() as an AFTER trigger raises 39P01');

------------------------------------------------------------------------------
-- Quoted names: spaces, capitals, quotes; everything found by OID
------------------------------------------------------------------------------

CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Task List" ("Title" text, "Done" boolean DEFAULT false);
CREATE TABLE "My Schema"."Audit Log" ("Message" text);
CREATE TABLE "My Schema"."Bob's ""Tasks""" (title text);

SELECT lives_ok($$SELECT immutable.make_versioned('"My Schema"."Task List"')$$,
    'make_versioned of "My Schema"."Task List"');
SELECT is((SELECT current_view::text FROM immutable.registry
            WHERE relid = '"My Schema"."Task List"'::regclass),
          '"My Schema"."Task List_current"',
          'its current view is "My Schema"."Task List_current"');
SELECT lives_ok($$INSERT INTO "My Schema"."Task List_current" ("Title") VALUES ('write tests')$$,
    'INSERT through "My Schema"."Task List_current"');
SELECT lives_ok($$SELECT immutable.update(NULL::"My Schema"."Task List",
                      (SELECT entity_id FROM "My Schema"."Task List" WHERE "Title" = 'write tests'),
                      '{"Done": true}')$$,
    'update() of a mixed-case column of "My Schema"."Task List"');
SELECT results_eq($$SELECT "Title", "Done", version FROM "My Schema"."Task List_current"$$,
    $$VALUES ('write tests', true, 2)$$,
    'the current view shows version 2 with "Done" set');
SELECT lives_ok($$UPDATE "My Schema"."Task List_current" SET "Title" = 'write more tests'$$,
    'UPDATE through "My Schema"."Task List_current"');
SELECT lives_ok($$DELETE FROM "My Schema"."Task List_current"$$,
    'DELETE through "My Schema"."Task List_current"');
SELECT results_eq($$SELECT version, deleted_at IS NOT NULL FROM "My Schema"."Task List" ORDER BY version$$,
    $$VALUES (1, false), (2, false), (3, false), (4, true)$$,
    '"My Schema"."Task List" holds three versions and a tombstone');
SELECT lives_ok($$SELECT immutable.make_versioned('"My Schema"."Bob''s ""Tasks"""', 'Bob''s "Current"')$$,
    'make_versioned of a table and a current view with quotes in their names');
SELECT has_view('My Schema', 'Bob''s "Current"', 'view "My Schema"."Bob''s ""Current""" exists');
SELECT lives_ok($$SELECT immutable.make_append_only('"My Schema"."Audit Log"')$$,
    'make_append_only of "My Schema"."Audit Log"');
SELECT lives_ok($$INSERT INTO "My Schema"."Audit Log" ("Message") VALUES ('logged')$$,
    'INSERT into "My Schema"."Audit Log"');
-- Row triggers fire only for rows, so the table must not be empty here.
SELECT throws_ok($$UPDATE "My Schema"."Audit Log" SET "Message" = 'x'$$, '23001', NULL,
    'UPDATE of "My Schema"."Audit Log" raises 23001');
SELECT lives_ok($$SELECT immutable.make_mutable('"My Schema"."Task List"')$$,
    'make_mutable of "My Schema"."Task List"');
SELECT hasnt_view('My Schema', 'Task List_current',
    'make_mutable dropped "My Schema"."Task List_current"');
SELECT is((SELECT count(*)::integer FROM "My Schema"."Task List"), 4,
    'make_mutable kept every version of "My Schema"."Task List"');
SELECT lives_ok($$SELECT immutable.make_mutable('"My Schema"."Audit Log"')$$,
    'make_mutable of "My Schema"."Audit Log"');
SELECT lives_ok($$UPDATE "My Schema"."Audit Log" SET "Message" = 'x'$$,
    'after make_mutable "My Schema"."Audit Log" accepts UPDATE');

-- System-versioned tables and the FOR SYSTEM_TIME forms
CREATE TABLE sv_errors (id int PRIMARY KEY, p int, sp tsrange);
SELECT throws_ok($$SELECT immutable.make_system_versioned(NULL)$$, '22004', NULL,
    'make_system_versioned(NULL) raises 22004');
SELECT throws_ok($$SELECT immutable.make_system_versioned('sv_errors', period_column => NULL)$$,
    '22004', NULL, 'make_system_versioned with a NULL period_column raises 22004');
SELECT throws_ok($$SELECT immutable.make_system_versioned('sv_errors', period_column => 'p')$$,
    '42804', NULL, 'make_system_versioned with an integer period column raises 42804');
SELECT throws_ok($$SELECT immutable.make_system_versioned('sv_errors', period_column => 'sp')$$,
    '42804', NULL, 'make_system_versioned with a tsrange period column raises 42804');
SELECT throws_ok($$SELECT * FROM immutable.all_versions(NULL::sv_errors)$$, '55000', NULL,
    'all_versions of a table that is not versioned raises 55000');
SELECT lives_ok($$SELECT immutable.make_system_versioned('sv_errors', period_column => 'period')$$,
    'make_system_versioned adds a period column of another name');
SELECT throws_ok($$SELECT * FROM immutable.from_to(NULL::sv_errors, NULL, now())$$, '22004', NULL,
    'from_to with a NULL start raises 22004');
SELECT throws_ok($$SELECT * FROM immutable.contained_in(NULL::sv_errors, now(), NULL)$$, '22004', NULL,
    'contained_in with a NULL end raises 22004');
SELECT throws_ok($$SELECT immutable.make_system_versioned('sv_errors')$$, '42710', NULL,
    'make_system_versioned of a system-versioned table raises 42710');
SELECT throws_ok($$INSERT INTO sv_errors_history VALUES (1, 1, NULL, tstzrange(now(), NULL))$$,
    '23001', NULL, 'INSERT into a history table raises 23001');

SELECT * FROM finish();
ROLLBACK;
