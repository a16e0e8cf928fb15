-- ALTER TABLE ... OWNER TO of a managed table gives its heads table,
-- current view, history table and <table>_as_of function to the new owner
-- too: they are the table's (a schema-only restore checks them, as the
-- extension's make_* functions made them); their owner cannot be changed
-- on its own (0A000).
\set SHOW_CONTEXT never
CREATE ROLE oc_alice;
CREATE ROLE oc_bob;
CREATE SCHEMA oc AUTHORIZATION oc_alice;
GRANT USAGE, CREATE ON SCHEMA oc TO oc_bob;
SET ROLE oc_alice;
CREATE TABLE oc.tasks (title text);
SELECT immutable.make_versioned('oc.tasks');
CREATE TABLE oc.acct (id int PRIMARY KEY, balance int);
SELECT immutable.make_system_versioned('oc.acct');
RESET ROLE;

-- the owners of everything the tables have
CREATE FUNCTION oc.owners() RETURNS TABLE (object text, owner name)
LANGUAGE sql AS $$
    SELECT c.oid::regclass::text, pg_get_userbyid(c.relowner) FROM pg_class c
     WHERE c.relnamespace = 'oc'::regnamespace AND c.relkind IN ('r', 'v', 'p')
    UNION ALL
    SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner) FROM pg_proc p
     WHERE p.pronamespace = 'oc'::regnamespace AND p.proname <> 'owners'
    ORDER BY 1
$$;
SELECT * FROM oc.owners();
ALTER TABLE oc.tasks OWNER TO oc_bob;
ALTER TABLE oc.acct OWNER TO oc_bob;
SELECT * FROM oc.owners();

-- a companion's owner follows its table's, and only that
\set ON_ERROR_STOP 0
ALTER TABLE oc.tasks_heads OWNER TO oc_alice;
\echo :SQLSTATE
ALTER VIEW oc.tasks_current OWNER TO oc_alice;
\echo :SQLSTATE
ALTER TABLE oc.acct_history OWNER TO oc_alice;
\echo :SQLSTATE
\set ON_ERROR_STOP 1

-- the tables work for the new owner
SET ROLE oc_bob;
INSERT INTO oc.tasks_current (title) VALUES ('a');
UPDATE oc.tasks_current SET title = 'b';
INSERT INTO oc.acct VALUES (1, 10);
UPDATE oc.acct SET balance = 20;
SELECT title, version FROM oc.tasks ORDER BY version;
SELECT id, balance FROM oc.acct_history;
RESET ROLE;
DROP SCHEMA oc CASCADE;
DROP ROLE oc_alice;
DROP ROLE oc_bob;
