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
    RETURN NEW;
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

DROP SCHEMA ocr CASCADE;
DROP ROLE ocr_owner;
