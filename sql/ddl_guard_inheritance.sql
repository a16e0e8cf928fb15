-- The DDL guard follows an ALTER TABLE or RENAME through inheritance: a
-- column change of a parent (without ONLY) that PostgreSQL passes on to a
-- managed child or partition is refused (0A000), as the child's heads
-- table, current view or history table would not follow it and its rows
-- would lose values.  Adding a column the child already has (PostgreSQL
-- merges it) and changes made with ONLY go through.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE SCHEMA gi;

-- an append-only child: DROP COLUMN through the parent
CREATE TABLE gi.p (a int, b int);
CREATE TABLE gi.c () INHERITS (gi.p);
SELECT immutable.make_append_only('gi.c');
INSERT INTO gi.c VALUES (1, 2);
\set ON_ERROR_STOP 0
ALTER TABLE gi.p DROP COLUMN b;
\echo :SQLSTATE
SELECT * FROM gi.c;

-- a hash-chained child: retype, rename, add with default through the parent
CREATE TABLE gi.hp (a int, b varchar(5));
CREATE TABLE gi.hc () INHERITS (gi.hp);
SELECT immutable.make_append_only('gi.hc', hashed => true);
INSERT INTO gi.hc VALUES (1, 'x');
ALTER TABLE gi.hp ALTER COLUMN b TYPE varchar(10);
\echo :SQLSTATE
ALTER TABLE gi.hp RENAME COLUMN b TO bb;
\echo :SQLSTATE
ALTER TABLE gi.hp ADD COLUMN z int DEFAULT 5;
\echo :SQLSTATE
SELECT chain, chain_seq, problem FROM immutable.verify_chain('gi.hc');

-- a versioned child: ADD COLUMN and SET DEFAULT through the parent
CREATE TABLE gi.vp (title text);
CREATE TABLE gi.vc () INHERITS (gi.vp);
SELECT immutable.make_versioned('gi.vc');
INSERT INTO gi.vc (title) VALUES ('t');
ALTER TABLE gi.vp ADD COLUMN extra int;
\echo :SQLSTATE
ALTER TABLE gi.vp ALTER COLUMN title SET DEFAULT 'untitled';
\echo :SQLSTATE
-- with ONLY, the parent alone changes
ALTER TABLE ONLY gi.vp ALTER COLUMN title SET DEFAULT 'untitled';
\echo :SQLSTATE
SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'gi.vc'::regclass;
-- the column added to the child first, then to the parent: merged
ALTER TABLE gi.vc ADD COLUMN extra int;
ALTER TABLE gi.vp ADD COLUMN extra int;
\echo :SQLSTATE
INSERT INTO gi.vc_current (title, extra) VALUES ('u', 7);
SELECT title, extra, version FROM gi.vc_current ORDER BY title;

-- a system-versioned table as a partition of an unmanaged partitioned table
CREATE TABLE gi.sp (id int, title text, system_period tstzrange NOT NULL) PARTITION BY LIST (id);
CREATE TABLE gi.s1 (id int, title text);
SELECT immutable.make_system_versioned('gi.s1');
ALTER TABLE gi.sp ATTACH PARTITION gi.s1 FOR VALUES IN (1);
INSERT INTO gi.sp (id, title) VALUES (1, 'a');
ALTER TABLE gi.sp ADD COLUMN extra int;
\echo :SQLSTATE
ALTER TABLE gi.sp ALTER COLUMN title TYPE varchar(20);
\echo :SQLSTATE
UPDATE gi.sp SET title = 'b';
SELECT id, title FROM gi.s1_history;

-- a partition of a managed partitioned table follows its table: allowed
CREATE TABLE gi.mp (id int, title text) PARTITION BY LIST (id);
CREATE TABLE gi.mp1 PARTITION OF gi.mp FOR VALUES IN (1);
SELECT immutable.make_system_versioned('gi.mp');
ALTER TABLE gi.mp ADD COLUMN extra int;
\echo :SQLSTATE
INSERT INTO gi.mp (id, title, extra) VALUES (1, 'a', 1);
UPDATE gi.mp SET extra = 2;
SELECT id, title, extra FROM gi.mp_history;

-- a managed parent with an unmanaged child: ALTER TABLE of the parent is
-- checked as before (nothing to refuse for a new nullable column)
CREATE TABLE gi.ap (a int);
SELECT immutable.make_append_only('gi.ap');
CREATE TABLE gi.ac () INHERITS (gi.ap);
ALTER TABLE gi.ap ADD COLUMN b int;
\echo :SQLSTATE
\set ON_ERROR_STOP 1
\d gi.ac
DROP SCHEMA gi CASCADE;
