-- A table owner who is not superuser cannot switch protection off by
-- disabling, dropping or renaming the extension's triggers (42501); the way
-- out is make_mutable.  Superusers can.
\set SHOW_CONTEXT never
CREATE ROLE immutable_owner;
CREATE SCHEMA owned AUTHORIZATION immutable_owner;
SET ROLE immutable_owner;
CREATE TABLE owned.log (msg text);
CREATE TABLE owned.tasks (title text);
SELECT immutable.make_append_only('owned.log');
SELECT immutable.make_versioned('owned.tasks');

ALTER TABLE owned.log DISABLE TRIGGER immutable_refuse_change;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE owned.log DISABLE TRIGGER USER;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE owned.log DISABLE TRIGGER ALL;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE owned.log ENABLE REPLICA TRIGGER immutable_refuse_truncate;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE owned.tasks ENABLE ALWAYS TRIGGER zz_immutable_stamp_version;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE owned.tasks DISABLE TRIGGER USER;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER immutable_refuse_change ON owned.log;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER zz_immutable_stamp_version ON owned.tasks;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER immutable_write_current_view ON owned.tasks_current;
\echo :LAST_ERROR_SQLSTATE
ALTER TRIGGER immutable_refuse_change ON owned.tasks RENAME TO harmless;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER immutable_add_head ON owned.tasks;
\echo :LAST_ERROR_SQLSTATE
-- system-versioned tables and their history tables are guarded the same way
CREATE TABLE owned.acct (id int PRIMARY KEY, bal int);
SELECT immutable.make_system_versioned('owned.acct');
ALTER TABLE owned.acct DISABLE TRIGGER zz_immutable_system_period;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE owned.acct DISABLE TRIGGER USER;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER immutable_write_history ON owned.acct;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE owned.acct_history DISABLE TRIGGER ALL;
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('owned.acct');
-- the heads table is guarded the same way, and cannot be dropped alone
ALTER TABLE owned.tasks_heads DISABLE TRIGGER ALL;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER immutable_refuse_change ON owned.tasks_heads;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE owned.tasks_heads CASCADE;
\echo :LAST_ERROR_SQLSTATE
-- nor can the current view be renamed: the registration names it
ALTER VIEW owned.tasks_current RENAME TO other_name;
SELECT current_view FROM immutable.managed_tables WHERE table_name = 'owned.tasks'::regclass;
-- the owner's own triggers and other ALTER TABLE commands are unaffected
CREATE FUNCTION owned.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER mine BEFORE INSERT ON owned.log FOR EACH ROW EXECUTE FUNCTION owned.noop();
ALTER TABLE owned.log DISABLE TRIGGER mine;
ALTER TABLE owned.log ENABLE TRIGGER ALL;
DROP TRIGGER mine ON owned.log;
ALTER TABLE owned.log ADD COLUMN level int;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'owned.log'::regclass ORDER BY tgname;
UPDATE owned.log SET msg = 'x';
INSERT INTO owned.log VALUES ('kept');
UPDATE owned.log SET msg = 'x';
\echo :LAST_ERROR_SQLSTATE
-- nor can it attach the trigger function that stamps versions to a table
-- of its own (PUBLIC may not execute it)
CREATE TABLE owned.mine (a int);
CREATE TRIGGER x BEFORE INSERT ON owned.mine FOR EACH ROW EXECUTE FUNCTION immutable.stamp_version();
\echo :LAST_ERROR_SQLSTATE
DROP TABLE owned.mine;

-- make_mutable is the way out
SELECT immutable.make_mutable('owned.log');
SELECT immutable.make_mutable('owned.tasks');
UPDATE owned.log SET msg = 'changed';
RESET ROLE;

-- a superuser may disable them
SELECT immutable.make_append_only('owned.log');
ALTER TABLE owned.log DISABLE TRIGGER immutable_refuse_change;
UPDATE owned.log SET msg = 'by superuser';
ALTER TABLE owned.log ENABLE TRIGGER immutable_refuse_change;
SELECT immutable.make_mutable('owned.log');

DROP SCHEMA owned CASCADE;
DROP ROLE immutable_owner;
