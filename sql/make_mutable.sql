-- make_mutable, the registry, dropped tables and DROP EXTENSION.
\set SHOW_CONTEXT never
CREATE TABLE items (name text);
SELECT immutable.make_versioned('items');
INSERT INTO items_current (name) VALUES ('one'), ('two');
SELECT table_name, kind, current_view, managed_by = current_user AS by_me FROM immutable.managed_tables;

-- dropping the current view clears it from the registry
DROP VIEW items_current;
SELECT table_name, kind, current_view FROM immutable.managed_tables;
-- make_mutable keeps every row and column and the constraints
SELECT immutable.make_mutable('items');
SELECT count(*) FROM immutable.managed_tables;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'items'::regclass;
SELECT name, version FROM items ORDER BY name;
UPDATE items SET name = upper(name);
SELECT name FROM items ORDER BY name;

-- a dropped table leaves the registry
SELECT immutable.make_append_only('items');
DROP TABLE items;
SELECT count(*) FROM immutable.managed_tables;

-- the registry is dumped with the database
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'immutable';

-- DROP EXTENSION keeps user data: triggers go, rows, columns and views stay
CREATE TABLE kept (name text);
SELECT immutable.make_versioned('kept');
INSERT INTO kept_current (name) VALUES ('stays');
DROP EXTENSION immutable;
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION immutable CASCADE;
SELECT name, version FROM kept;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'kept'::regclass;
SELECT name FROM kept_current;
DROP TABLE kept CASCADE;
-- a schema someone else created first makes installation fail
CREATE SCHEMA immutable;
CREATE EXTENSION immutable;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA immutable;
CREATE EXTENSION immutable;
SELECT count(*) FROM immutable.managed_tables;
