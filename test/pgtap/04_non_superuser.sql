-- 04_non_superuser.sql: an ordinary role that owns its tables can manage
-- them and use every entity function; a role that does not own them cannot
-- put them under or out of management; protection holds for the owner and
-- for the superuser alike.
--
-- The roles exist only inside this file's transaction (rolled back at the
-- end). pgTAP's bookkeeping tables are granted to PUBLIC, so assertions
-- work under SET ROLE.

BEGIN;

SELECT plan(65);

CREATE ROLE immutable_tap_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE ROLE immutable_tap_other NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE SCHEMA tap_owned AUTHORIZATION immutable_tap_owner;
-- The other role may look the tables up, so its 42501 can only come from
-- the ownership check.
GRANT USAGE ON SCHEMA tap_owned TO immutable_tap_other;

SELECT isnt_superuser('immutable_tap_owner', 'the owner role is not a superuser');
SELECT isnt_superuser('immutable_tap_other', 'the other role is not a superuser');

------------------------------------------------------------------------------
-- The owner manages its own tables
------------------------------------------------------------------------------

SET ROLE immutable_tap_owner;

CREATE TABLE tap_owned.notes (body text NOT NULL);
CREATE TABLE tap_owned.tasks (title text NOT NULL, done boolean NOT NULL DEFAULT false, note text);
CREATE TABLE tap_owned.spare (x integer);
CREATE TABLE tap_owned.accounts (id integer PRIMARY KEY, balance integer NOT NULL);

-- The entity whose first version has this title (plpgsql: resolved when
-- called, after make_versioned has added entity_id).
CREATE FUNCTION pg_temp.eid(first_title text)
RETURNS uuid
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (SELECT t.entity_id FROM tap_owned.tasks AS t
             WHERE t.title = first_title AND t.version = 1);
END
$$;

-- Append-only.
SELECT lives_ok($$SELECT immutable.make_append_only('tap_owned.notes')$$,
    'the owner can make_append_only its table');
SELECT lives_ok($$INSERT INTO tap_owned.notes (body) VALUES ('kept')$$,
    'the owner can INSERT into its append-only table');
SELECT throws_ok($$UPDATE tap_owned.notes SET body = 'changed'$$, '23001', NULL,
    'UPDATE of the append-only table by its owner raises 23001');
SELECT throws_ok($$DELETE FROM tap_owned.notes$$, '23001', NULL,
    'DELETE from the append-only table by its owner raises 23001');
SELECT throws_ok($$TRUNCATE tap_owned.notes$$, '23001', NULL,
    'TRUNCATE of the append-only table by its owner raises 23001');

-- Versioned, written directly, through the current view and through the
-- entity functions.
SELECT lives_ok($$SELECT immutable.make_versioned('tap_owned.tasks')$$,
    'the owner can make_versioned its table');
SELECT has_view('tap_owned', 'tasks_current', 'make_versioned created tap_owned.tasks_current');
SELECT view_owner_is('tap_owned', 'tasks_current', 'immutable_tap_owner',
    'the current view belongs to the owner of the table');
SELECT is((SELECT managed_by::text FROM immutable.managed_tables
            WHERE table_name = 'tap_owned.tasks'::regclass),
          'immutable_tap_owner', 'managed_tables records who put the table under management');
SELECT lives_ok($$INSERT INTO tap_owned.tasks (title) VALUES ('first')$$,
    'the owner can INSERT into its versioned table');
SELECT lives_ok($$INSERT INTO tap_owned.tasks_current (title) VALUES ('second')$$,
    'the owner can INSERT through the current view');
SELECT lives_ok($$SELECT immutable.update(NULL::tap_owned.tasks, pg_temp.eid('first'), '{"done": true}')$$,
    'the owner can immutable.update an entity');
SELECT lives_ok($$UPDATE tap_owned.tasks_current SET done = true WHERE title = 'second'$$,
    'the owner can UPDATE through the current view');
SELECT lives_ok($$SELECT immutable.delete(NULL::tap_owned.tasks, pg_temp.eid('first'))$$,
    'the owner can immutable.delete an entity');
SELECT is(immutable.status(NULL::tap_owned.tasks, pg_temp.eid('first')), 'deleted',
    'immutable.status says deleted');
SELECT lives_ok($$SELECT immutable.undelete(NULL::tap_owned.tasks, pg_temp.eid('first'))$$,
    'the owner can immutable.undelete an entity');
SELECT is(immutable.status(NULL::tap_owned.tasks, pg_temp.eid('first')), 'live',
    'immutable.status says live');
SELECT is((immutable.get(NULL::tap_owned.tasks, pg_temp.eid('first'))).version, 4,
    'immutable.get returns version 4 (insert, update, delete, undelete)');
SELECT results_eq(
    $$SELECT version, deleted_at IS NOT NULL
        FROM immutable.history(NULL::tap_owned.tasks, pg_temp.eid('first'))$$,
    $$VALUES (1, false), (2, false), (3, true), (4, false)$$,
    'immutable.history returns the four versions in order');
SELECT results_eq(
    $$SELECT title, version FROM immutable.as_of(NULL::tap_owned.tasks, now()) ORDER BY title$$,
    $$VALUES ('first', 4), ('second', 2)$$,
    'immutable.as_of returns the current version of both entities');
SELECT lives_ok($$DELETE FROM tap_owned.tasks_current WHERE title = 'second'$$,
    'the owner can DELETE through the current view');
SELECT is(immutable.status(NULL::tap_owned.tasks, pg_temp.eid('second')), 'deleted',
    'DELETE through the view wrote a tombstone');
SELECT throws_ok($$UPDATE tap_owned.tasks SET done = false$$, '23001', NULL,
    'UPDATE of the versioned table by its owner raises 23001');
SELECT throws_ok($$DELETE FROM tap_owned.tasks$$, '23001', NULL,
    'DELETE from the versioned table by its owner raises 23001');
SELECT throws_ok($$TRUNCATE tap_owned.tasks$$, '23001', NULL,
    'TRUNCATE of the versioned table by its owner raises 23001');

-- System-versioned: the table stays writable, the history table only takes
-- the trigger's rows, and the system time is not the owner's to set.
SELECT lives_ok($$SELECT immutable.make_system_versioned('tap_owned.accounts')$$,
    'the owner can make_system_versioned its table');
SELECT table_owner_is('tap_owned', 'accounts_history', 'immutable_tap_owner',
    'the history table belongs to the owner of the table');
SELECT lives_ok($$INSERT INTO tap_owned.accounts VALUES (1, 10)$$,
    'the owner can INSERT into its system-versioned table');
SELECT lives_ok($$UPDATE tap_owned.accounts SET balance = 20$$,
    'the owner can UPDATE its system-versioned table');
SELECT lives_ok($$DELETE FROM tap_owned.accounts$$,
    'the owner can DELETE from its system-versioned table');
SELECT throws_ok($$INSERT INTO tap_owned.accounts_history VALUES (2, 0, tstzrange(now(), NULL))$$,
    '23001', NULL, 'the owner cannot INSERT into its history table');
SELECT throws_ok($$TRUNCATE tap_owned.accounts_history$$, '23001', NULL,
    'the owner cannot TRUNCATE its history table');
SELECT throws_ok($$TRUNCATE tap_owned.accounts$$, '23001', NULL,
    'the owner cannot TRUNCATE its system-versioned table');
SELECT throws_ok($$ALTER TABLE tap_owned.accounts DISABLE TRIGGER USER$$, '42501', NULL,
    'the owner cannot disable the triggers of its system-versioned table');
SELECT throws_ok($$SELECT immutable.set_system_time('2000-01-01')$$, '42501', NULL,
    'set_system_time is not executable by the owner (not PUBLIC)');
SELECT is((SELECT count(*)::integer FROM tap_owned.accounts_history), 0,
    'a row inserted, updated and deleted in one transaction leaves no history');

------------------------------------------------------------------------------
-- Another role: may not put the tables under management or out of it, nor
-- edit the registry behind the extension's back
------------------------------------------------------------------------------

SET ROLE immutable_tap_other;

SELECT throws_ok($$SELECT immutable.make_append_only('tap_owned.spare')$$, '42501', NULL,
    'make_append_only of a table the role does not own raises 42501');
SELECT throws_ok($$SELECT immutable.make_versioned('tap_owned.spare')$$, '42501', NULL,
    'make_versioned of a table the role does not own raises 42501');
SELECT throws_ok($$SELECT immutable.make_mutable('tap_owned.notes')$$, '42501', NULL,
    'make_mutable of an append-only table the role does not own raises 42501');
SELECT throws_ok($$SELECT immutable.make_mutable('tap_owned.tasks')$$, '42501', NULL,
    'make_mutable of a versioned table the role does not own raises 42501');
SELECT throws_ok($$SELECT immutable.make_system_versioned('tap_owned.spare')$$, '42501', NULL,
    'make_system_versioned of a table the role does not own raises 42501');
SELECT lives_ok($$SELECT * FROM immutable.managed_tables$$,
    'any role can read immutable.managed_tables');
SELECT throws_ok($$DELETE FROM immutable.registry$$, '42501', NULL,
    'a role cannot unmanage tables by deleting from immutable.registry');
-- Erasure is for owners only, and its log is closed to others.
SELECT throws_ok($$SELECT immutable.redact(NULL::tap_owned.tasks, pg_temp.eid('first'), ARRAY['note'])$$,
    '42501', NULL, 'redact on a table the role does not own raises 42501');
SELECT throws_ok($$SELECT immutable.purge_history('tap_owned.accounts', now())$$, '42501', NULL,
    'purge_history on a table the role does not own raises 42501');
SELECT throws_ok($$SELECT * FROM immutable.erasure_log$$, '42501', NULL,
    'a role cannot read immutable.erasure_log');
SELECT throws_ok($$INSERT INTO immutable.erasure_log (logged_at, logged_by, relid, action, before, rows)
                   VALUES (now(), 'me', 'tap_owned.accounts', 'purge', now(), 0)$$, '42501', NULL,
    'a role cannot forge entries of immutable.erasure_log');

------------------------------------------------------------------------------
-- The superuser is refused too
------------------------------------------------------------------------------

RESET ROLE;

SELECT throws_ok($$UPDATE tap_owned.notes SET body = 'changed'$$, '23001', NULL,
    'UPDATE of the append-only table by the superuser raises 23001');
SELECT throws_ok($$DELETE FROM tap_owned.notes$$, '23001', NULL,
    'DELETE from the append-only table by the superuser raises 23001');
SELECT throws_ok($$TRUNCATE tap_owned.notes$$, '23001', NULL,
    'TRUNCATE of the append-only table by the superuser raises 23001');
SELECT throws_ok($$UPDATE tap_owned.tasks SET done = false$$, '23001', NULL,
    'UPDATE of the versioned table by the superuser raises 23001');
SELECT throws_ok($$DELETE FROM tap_owned.tasks$$, '23001', NULL,
    'DELETE from the versioned table by the superuser raises 23001');
SELECT throws_ok($$TRUNCATE tap_owned.tasks$$, '23001', NULL,
    'TRUNCATE of the versioned table by the superuser raises 23001');

------------------------------------------------------------------------------
-- The owner cannot switch the protection off behind the extension's back
-- (DESIGN: "Disabling or dropping the extension's triggers on a managed
-- table by a non-superuser is refused", with 42501), but can take its tables
-- out of management.
------------------------------------------------------------------------------

SET ROLE immutable_tap_owner;

SELECT throws_ok($$ALTER TABLE tap_owned.notes DISABLE TRIGGER USER$$, '42501', NULL,
    'the owner cannot disable the triggers of its append-only table');
SELECT throws_ok($$ALTER TABLE tap_owned.tasks DISABLE TRIGGER USER$$, '42501', NULL,
    'the owner cannot disable the triggers of its versioned table');
SELECT throws_ok($$DROP TRIGGER zz_immutable_stamp_version ON tap_owned.tasks$$, '42501', NULL,
    'the owner cannot drop the stamping trigger of its versioned table');
SELECT is((SELECT immutable.purge_history('tap_owned.accounts', now())), 0::bigint,
    'the owner can purge_history of its system-versioned table (no history: one transaction)');
SELECT lives_ok($$SELECT immutable.update(NULL::tap_owned.tasks, pg_temp.eid('first'), '{"note": "secret"}')$$,
    'the owner notes something about an entity');
SELECT is((SELECT immutable.redact(NULL::tap_owned.tasks, pg_temp.eid('first'), ARRAY['note'])), 1,
    'the owner can redact an entity of its versioned table');
SELECT lives_ok($$SELECT immutable.make_mutable('tap_owned.notes')$$,
    'the owner can make_mutable its append-only table');
SELECT lives_ok($$SELECT immutable.make_mutable('tap_owned.tasks')$$,
    'the owner can make_mutable its versioned table');
SELECT lives_ok($$SELECT immutable.make_mutable('tap_owned.accounts')$$,
    'the owner can make_mutable its system-versioned table, keeping the history');
SELECT lives_ok($$UPDATE tap_owned.notes SET body = 'changed'$$,
    'after make_mutable the owner can UPDATE its table');

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
