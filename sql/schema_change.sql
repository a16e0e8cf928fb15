-- ALTER TABLE on a versioned table: the current view follows, so writes
-- through it keep every column.
\set SHOW_CONTEXT never
CREATE TABLE docs (title text);
SELECT immutable.make_versioned('docs');
INSERT INTO docs_current (title) VALUES ('draft');

ALTER TABLE docs ADD COLUMN pages int DEFAULT 1;
SELECT title, pages, version FROM docs_current;
UPDATE docs_current SET pages = pages + 1 RETURNING title, pages, version;
INSERT INTO docs_current (title) VALUES ('second') RETURNING title, pages;

ALTER TABLE docs RENAME COLUMN title TO heading;
ALTER TABLE docs ALTER COLUMN pages SET DEFAULT 10;
INSERT INTO docs_current (heading) VALUES ('third') RETURNING heading, pages;
UPDATE docs_current SET heading = heading || '!' WHERE heading = 'draft' RETURNING heading, pages, version;
ALTER TABLE docs ALTER COLUMN pages DROP DEFAULT;
INSERT INTO docs_current (heading) VALUES ('fourth') RETURNING heading, pages;
SELECT attname FROM pg_attribute WHERE attrelid = 'docs_current'::regclass ORDER BY attnum;
SELECT heading, pages, version FROM docs ORDER BY heading, version;

-- a column the view shows cannot change type behind its back
ALTER TABLE docs ALTER COLUMN pages TYPE bigint;
\echo :LAST_ERROR_SQLSTATE

-- ALTER TABLE on other tables is left alone
CREATE TABLE other (a int);
ALTER TABLE other ADD COLUMN b int;
DROP TABLE other;

SELECT immutable.make_mutable('docs');
DROP TABLE docs;
