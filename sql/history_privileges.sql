-- A writer of a system-versioned table needs the same grants whether its
-- history table was made by make_system_versioned or given with columns and
-- constraints of its own (which are written through SQL): privileges on the
-- table only.  The history's own defaults see the writer as current_user.
\set SHOW_CONTEXT never
CREATE ROLE hp_owner;
CREATE ROLE hp_writer;
CREATE SCHEMA hp AUTHORIZATION hp_owner;
GRANT USAGE ON SCHEMA hp TO hp_writer;
SET ROLE hp_owner;
CREATE TABLE hp.made (id int PRIMARY KEY, v int);
SELECT immutable.make_system_versioned('hp.made');
CREATE TABLE hp.given (id int PRIMARY KEY, v int);
CREATE TABLE hp.given_history (id int, v int, system_period tstzrange NOT NULL,
    changed_by name DEFAULT current_user, CHECK (v >= 0));
SELECT immutable.make_system_versioned('hp.given', 'given_history');
INSERT INTO hp.made VALUES (1, 1);
INSERT INTO hp.given VALUES (1, 1);
GRANT SELECT, UPDATE, DELETE ON hp.made, hp.given TO hp_writer;
RESET ROLE;

SET ROLE hp_writer;
UPDATE hp.made SET v = 2;
UPDATE hp.given SET v = 2;
DELETE FROM hp.given;
-- the writer still cannot write the history table itself
INSERT INTO hp.given_history (id, v, system_period) VALUES (9, 9, '[2000-01-01,2000-01-02)');
RESET ROLE;
SELECT id, v FROM hp.made_history;
SELECT id, v, changed_by FROM hp.given_history ORDER BY v;

-- a rule of the history table cannot swallow or add history rows
SET ROLE hp_owner;
CREATE RULE swallow AS ON INSERT TO hp.given_history DO INSTEAD NOTHING;
INSERT INTO hp.given VALUES (2, 1);
UPDATE hp.given SET v = 5;
DROP RULE swallow ON hp.given_history;
CREATE TABLE hp.audit (id int);
CREATE RULE also AS ON INSERT TO hp.given_history DO ALSO INSERT INTO hp.audit VALUES (NEW.id);
UPDATE hp.given SET v = 5;
DROP RULE also ON hp.given_history;
UPDATE hp.given SET v = 5;
RESET ROLE;
SELECT id, v FROM hp.given_history ORDER BY v;

DROP SCHEMA hp CASCADE;
DROP ROLE hp_writer;
DROP ROLE hp_owner;
