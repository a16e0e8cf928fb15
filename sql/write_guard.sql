-- The extension's own writes to protected relations (a history row inserted
-- by SQL, a heads table following ALTER TABLE, redact, purge_history) are
-- let through for exactly that relation and operation.  User code that runs
-- meanwhile (a CHECK constraint or DEFAULT of the history table, a trigger
-- of the heads table) cannot use the moment to change another managed
-- table, nor write more rows than the extension writes.
\set SHOW_CONTEXT never
CREATE ROLE wg_alice;
CREATE ROLE wg_app;
CREATE SCHEMA wg AUTHORIZATION wg_alice;
GRANT USAGE, CREATE ON SCHEMA wg TO wg_app;
SET ROLE wg_alice;
CREATE TABLE wg.ledger (n int);
SELECT immutable.make_append_only('wg.ledger');
INSERT INTO wg.ledger VALUES (1), (2), (3);
CREATE TABLE wg.tasks (title text);
SELECT immutable.make_versioned('wg.tasks');
INSERT INTO wg.tasks_current (title) VALUES ('a');
GRANT SELECT, DELETE, UPDATE ON wg.ledger, wg.tasks, wg.tasks_heads TO wg_app;
RESET ROLE;

-- app owns a system-versioned table whose history table has a CHECK
-- constraint calling app's function, which tries to empty alice's ledger
SET ROLE wg_app;
CREATE FUNCTION wg.empty_ledger() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM wg.ledger;
    RETURN true;
END $$;
CREATE TABLE wg.mine (id int PRIMARY KEY, v int);
CREATE TABLE wg.mine_history (id int, v int, system_period tstzrange,
    CHECK (wg.empty_ledger()));
SELECT immutable.make_system_versioned('wg.mine', 'mine_history');
INSERT INTO wg.mine VALUES (1, 1);
UPDATE wg.mine SET v = 2;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS ledger_rows FROM wg.ledger;
SELECT count(*) AS history_rows FROM wg.mine_history;

-- the same function catching the refusal cannot smuggle a change either
CREATE OR REPLACE FUNCTION wg.empty_ledger() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        UPDATE wg.ledger SET n = n + 100;
    EXCEPTION WHEN restrict_violation THEN
        RAISE NOTICE 'ledger refused: %', SQLERRM;
    END;
    BEGIN
        UPDATE wg.tasks SET title = 'forged';
    EXCEPTION WHEN restrict_violation THEN
        RAISE NOTICE 'versioned table refused: %', SQLERRM;
    END;
    RETURN true;
END $$;
UPDATE wg.mine SET v = 3;
SELECT n FROM wg.ledger ORDER BY n;
SELECT title FROM wg.tasks;
SELECT id, v FROM wg.mine_history;

-- a DEFAULT of the history table that inserts a forged history row itself
-- takes the one row the extension may write: the real one is refused, the
-- statement fails, nothing is written
CREATE FUNCTION wg.forge() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wg.mine_history (id, v, system_period, note)
        VALUES (1, -1, tstzrange('2000-01-01', '2000-01-02'), 0);
    RETURN 0;
END $$;
CREATE OR REPLACE FUNCTION wg.empty_ledger() RETURNS boolean LANGUAGE sql
    AS 'SELECT true';
ALTER TABLE wg.mine_history ADD COLUMN note int;
ALTER TABLE wg.mine_history ALTER COLUMN note SET DEFAULT wg.forge();
\c -
SET ROLE wg_app;
\set SHOW_CONTEXT never
UPDATE wg.mine SET v = 4;
SELECT id, v FROM wg.mine_history ORDER BY v;
RESET ROLE;

-- app owns a versioned table; its heads table follows an ALTER TABLE by an
-- UPDATE, which fires app's trigger on the heads table: it cannot change
-- alice's ledger or alice's heads table meanwhile
SET ROLE wg_app;
CREATE TABLE wg.notes (body text);
SELECT immutable.make_versioned('wg.notes');
INSERT INTO wg.notes_current (body) VALUES ('n1');
CREATE FUNCTION wg.meddle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        DELETE FROM wg.ledger;
    EXCEPTION WHEN restrict_violation THEN
        RAISE NOTICE 'ledger refused: %', SQLERRM;
    END;
    BEGIN
        UPDATE wg.tasks_heads SET title = 'forged';
    EXCEPTION WHEN restrict_violation THEN
        RAISE NOTICE 'other heads refused: %', SQLERRM;
    END;
    RETURN NEW;
END $$;
CREATE TRIGGER a_meddle BEFORE UPDATE ON wg.notes_heads
    FOR EACH ROW EXECUTE FUNCTION wg.meddle();
ALTER TABLE wg.notes ADD COLUMN tag text DEFAULT 't';
SELECT body, tag FROM wg.notes_current;
RESET ROLE;
SELECT count(*) AS ledger_rows FROM wg.ledger;
SELECT title FROM wg.tasks_current;

-- redact and purge_history still erase what they are asked to
SET ROLE wg_alice;
SELECT immutable.redact(NULL::wg.tasks, entity_id, ARRAY['title'])
  FROM wg.tasks_current;
SELECT title FROM wg.tasks_current;
RESET ROLE;
SET ROLE wg_app;
SELECT immutable.purge_history('wg.mine', 'infinity') AS purged;
SELECT count(*) AS history_rows FROM wg.mine_history;
RESET ROLE;

DROP SCHEMA wg CASCADE;
DROP OWNED BY wg_alice, wg_app;
DROP ROLE wg_alice;
DROP ROLE wg_app;
