-- Code a table's owner controls (a trigger, a CHECK constraint) never runs
-- with the rights of another role calling the extension's functions on the
-- table, a superuser included: it runs as the owner, in a security-restricted
-- operation.
\set SHOW_CONTEXT never
CREATE ROLE ocr_owner;
CREATE SCHEMA ocr AUTHORIZATION ocr_owner;
SET ROLE ocr_owner;
CREATE TABLE ocr.calls (what text, who name);
CREATE FUNCTION ocr.record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ocr.calls VALUES (TG_NAME, current_user);
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE FUNCTION ocr.check_row(int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ocr.calls VALUES ('check', current_user);
    RETURN true;
END $$;
CREATE TABLE ocr.tasks (title text, n int CHECK (ocr.check_row(n)));
INSERT INTO ocr.tasks VALUES ('a', 1), ('b', 2);
CREATE TRIGGER a_record BEFORE UPDATE ON ocr.tasks FOR EACH ROW EXECUTE FUNCTION ocr.record();
TRUNCATE ocr.calls;
RESET ROLE;

-- a superuser converts the owner's table: its existing rows are updated as
-- the owner
SELECT immutable.make_versioned('ocr.tasks');
SELECT what, who, count(*) FROM ocr.calls GROUP BY what, who ORDER BY what, who;
SELECT title, version FROM ocr.tasks_current ORDER BY title;
-- what make_versioned created next to the table is the owner's
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
 WHERE c.relname IN ('tasks_heads', 'tasks_current') ORDER BY 1;

-- a superuser redacts an entity of the owner's table: the erasing UPDATE
-- fires the owner's trigger as the owner; so does purge_history's DELETE
TRUNCATE ocr.calls;
CREATE TRIGGER a_record_heads BEFORE UPDATE ON ocr.tasks_heads
    FOR EACH ROW EXECUTE FUNCTION ocr.record();
SELECT immutable.redact(NULL::ocr.tasks, entity_id, ARRAY['title'])
  FROM ocr.tasks_current WHERE title = 'a';
CREATE TABLE ocr.acct (id int PRIMARY KEY, v int);
ALTER TABLE ocr.acct OWNER TO ocr_owner;
SELECT immutable.make_system_versioned('ocr.acct');
INSERT INTO ocr.acct VALUES (1, 1);
UPDATE ocr.acct SET v = 2;
CREATE TRIGGER a_record_history BEFORE DELETE ON ocr.acct_history
    FOR EACH ROW EXECUTE FUNCTION ocr.record();
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
 WHERE c.relname = 'acct_history';
SELECT p.proname, pg_get_userbyid(p.proowner) AS owner FROM pg_proc p WHERE p.proname = 'acct_as_of';
SELECT immutable.purge_history('ocr.acct', 'infinity');
SELECT what, who, count(*) FROM ocr.calls GROUP BY what, who ORDER BY what, who;

DROP SCHEMA ocr CASCADE;
DROP ROLE ocr_owner;
