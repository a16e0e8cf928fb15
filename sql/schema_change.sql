-- ALTER TABLE on a versioned table: the heads table and the current view
-- follow, so writes through the view keep every column.
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

-- a column added with a volatile default: each head has its version's value
ALTER TABLE docs ADD COLUMN stamp float8 DEFAULT random();
SELECT count(*) AS heads, count(*) FILTER (WHERE d.stamp IS NOT DISTINCT FROM h.stamp) AS same
  FROM docs_heads h JOIN docs d USING (id);

-- dropping a column would take its values out of every version: refused,
-- also with CASCADE; the owner who means it takes the table out of
-- management first and puts it back
ALTER TABLE docs DROP COLUMN stamp;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE docs DROP COLUMN stamp CASCADE;
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('docs');
ALTER TABLE docs DROP COLUMN stamp;
SELECT immutable.make_versioned('docs');
SELECT attname FROM pg_attribute
 WHERE attrelid = 'docs_heads'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
-- the table now has a dropped column, the heads table does not: rows convert
INSERT INTO docs (entity_id, heading) SELECT entity_id, 'renamed' FROM docs_heads WHERE heading = 'second'
    RETURNING heading, pages, version;
SELECT heading, version FROM immutable.get(NULL::docs, (SELECT entity_id FROM docs_heads WHERE heading = 'renamed'));
SELECT count(*) FROM immutable.as_of(NULL::docs, now());

-- ALTER TABLE on other tables is left alone
CREATE TABLE other (a int);
ALTER TABLE other ADD COLUMN b int;
DROP TABLE other;

SELECT immutable.make_mutable('docs');
DROP TABLE docs;
