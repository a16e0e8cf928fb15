-- 04_non_superuser.sql: an ordinary role that owns its tables can use every
-- function of the extension on them, owns what the extension creates for
-- them, and is refused every write that would change their history; another
-- role cannot read or write the erasure log.
--
-- What the regression suite shows for such roles is not repeated here:
-- trigger_guard.sql (the owner puts tables under management, inserts, is
-- refused UPDATE and cannot disable or drop the extension's triggers, and
-- make_mutable is its way out), the bad_input_*.sql files (a role that does
-- not own a table is refused make_*, redact and purge_history),
-- system_versioned_owner_partitions.sql (the owner writes its
-- system-versioned table and cannot insert into its history),
-- bad_input_set_system_time.sql; and append_only.sql and versioned.sql run
-- as a superuser. 01_api.sql pins the privileges on the registry.
--
-- The roles exist only inside this file's transaction (rolled back at the
-- end). pgTAP's bookkeeping tables are granted to PUBLIC, so assertions
-- work under SET ROLE.

BEGIN;

SELECT plan(30);

CREATE ROLE immutable_tap_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE ROLE immutable_tap_other NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE SCHEMA tap_owned AUTHORIZATION immutable_tap_owner;
-- The other role may look the tables up, so its 42501 on the erasure log
-- can only come from the log's privileges.
GRANT USAGE ON SCHEMA tap_owned TO immutable_tap_other;

SELECT isnt_superuser('immutable_tap_owner', 'the owner role is not a superuser');
SELECT isnt_superuser('immutable_tap_other', 'the other role is not a superuser');

------------------------------------------------------------------------------
-- The owner manages its own tables
------------------------------------------------------------------------------

SET ROLE immutable_tap_owner;

CREATE TABLE tap_owned.notes (body text NOT NULL);
CREATE TABLE tap_owned.tasks (title text NOT NULL, done boolean NOT NULL DEFAULT false, note text);
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
SELECT immutable.make_append_only('tap_owned.notes');
INSERT INTO tap_owned.notes (body) VALUES ('kept');
SELECT throws_ok($$DELETE FROM tap_owned.notes$$, '23001', NULL,
    'DELETE from the append-only table by its owner raises 23001');
SELECT throws_ok($$TRUNCATE tap_owned.notes$$, '23001', NULL,
    'TRUNCATE of the append-only table by its owner raises 23001');

-- Versioned, written directly, through the current view and through the
-- entity functions.
SELECT immutable.make_versioned('tap_owned.tasks');
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

-- System-versioned: the owner owns the history table too, and can truncate
-- neither.
SELECT immutable.make_system_versioned('tap_owned.accounts');
SELECT table_owner_is('tap_owned', 'accounts_history', 'immutable_tap_owner',
    'the history table belongs to the owner of the table');
INSERT INTO tap_owned.accounts VALUES (1, 10);
SELECT throws_ok($$TRUNCATE tap_owned.accounts_history$$, '23001', NULL,
    'the owner cannot TRUNCATE its history table');
SELECT throws_ok($$TRUNCATE tap_owned.accounts$$, '23001', NULL,
    'the owner cannot TRUNCATE its system-versioned table');

------------------------------------------------------------------------------
-- Another role: the erasure log is closed to it
------------------------------------------------------------------------------

SET ROLE immutable_tap_other;

SELECT throws_ok($$SELECT * FROM immutable.erasure_log$$, '42501', NULL,
    'a role cannot read immutable.erasure_log');
SELECT throws_ok($$INSERT INTO immutable.erasure_log (logged_at, logged_by, relid, action, before, rows)
                   VALUES (now(), 'me', 'tap_owned.accounts', 'purge', now(), 0)$$, '42501', NULL,
    'a role cannot forge entries of immutable.erasure_log');

------------------------------------------------------------------------------
-- The owner erases: purges history and redacts
------------------------------------------------------------------------------

SET ROLE immutable_tap_owner;

SELECT is((SELECT immutable.purge_history('tap_owned.accounts', now())), 0::bigint,
    'the owner can purge_history of its system-versioned table (no history: one transaction)');
SELECT lives_ok($$SELECT immutable.update(NULL::tap_owned.tasks, pg_temp.eid('first'), '{"note": "secret"}')$$,
    'the owner notes something about an entity');
SELECT is((SELECT immutable.redact(NULL::tap_owned.tasks, pg_temp.eid('first'), ARRAY['note'])), 1,
    'the owner can redact an entity of its versioned table');

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
