-- Which row versions the current transaction wrote (they leave no history
-- row when changed again) is not told by xmin alone: an ALTER TABLE that
-- rewrites the table stamps every row with the transaction's xid.  A row
-- version another transaction committed keeps its history after a rewrite
-- in the same transaction; one this transaction wrote still leaves none.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE TABLE item (id int PRIMARY KEY, price int);
SELECT immutable.make_system_versioned('item');
SELECT immutable.set_system_time('2020-01-01');
INSERT INTO item VALUES (1, 10), (2, 20), (3, 30), (4, 40);

-- a rewrite (ALTER COLUMN ... TYPE, a widening the DDL guard allows), then
-- UPDATE and DELETE in the same transaction: the committed row versions go
-- into the history
SELECT immutable.set_system_time('2020-02-01');
BEGIN;
ALTER TABLE item ALTER COLUMN price TYPE bigint;
UPDATE item SET price = 11 WHERE id = 1;
DELETE FROM item WHERE id = 2;
-- changed again in the same transaction: no second history row
UPDATE item SET price = 12 WHERE id = 1;
COMMIT;
SELECT id, price, system_period FROM item_history ORDER BY id, system_period;
SELECT id, price FROM immutable.as_of(NULL::item, '2020-01-15') ORDER BY id;
SELECT id, price, system_period FROM item ORDER BY id;

-- a row version this transaction wrote before the rewrite (UPDATE, INSERT)
-- leaves no history row when changed after it
SELECT immutable.set_system_time('2020-03-01');
BEGIN;
UPDATE item SET price = 31 WHERE id = 3;
INSERT INTO item VALUES (5, 50);
ALTER TABLE item ALTER COLUMN price TYPE numeric;
UPDATE item SET price = 32 WHERE id = 3;
UPDATE item SET price = 51 WHERE id = 5;
DELETE FROM item WHERE id = 5;
COMMIT;
SELECT id, price, system_period FROM item_history WHERE id IN (3, 5) ORDER BY id, system_period;
SELECT id, price, system_period FROM item WHERE id = 3;

-- ADD COLUMN with a volatile default rewrites the table too
SELECT immutable.set_system_time('2020-04-01');
BEGIN;
ALTER TABLE item ADD COLUMN stamp float8 DEFAULT random();
UPDATE item SET price = 41 WHERE id = 4;
COMMIT;
SELECT id, price, system_period FROM item_history WHERE id = 4 ORDER BY system_period;

-- set_system_time moved within the transaction: the row version written at
-- the first system time is still this transaction's after a rewrite
BEGIN;
SELECT immutable.set_system_time('2020-05-01');
UPDATE item SET price = 42 WHERE id = 4;
SELECT immutable.set_system_time('2020-05-02');
SELECT pg_relation_filenode('item') AS filenode \gset
ALTER TABLE item ADD COLUMN stamp2 float8 DEFAULT random();
SELECT pg_relation_filenode('item') <> :filenode AS rewritten;
UPDATE item SET price = 43 WHERE id = 4;
COMMIT;
SELECT id, price, system_period FROM item_history WHERE id = 4 ORDER BY system_period;
SELECT id, price, system_period FROM item WHERE id = 4;

-- subtransactions: a rewrite rolled back to a savepoint leaves xmin telling
-- again; one released counts; a row version written in a subtransaction
-- that rolled back is gone, the committed one it replaced is changed
SELECT immutable.set_system_time('2020-06-01');
BEGIN;
SAVEPOINT a;
ALTER TABLE item ADD COLUMN stamp3 float8 DEFAULT random();
ROLLBACK TO SAVEPOINT a;
UPDATE item SET price = 44 WHERE id = 4;
SAVEPOINT b;
UPDATE item SET price = 33 WHERE id = 3;
ROLLBACK TO SAVEPOINT b;
SAVEPOINT c;
SELECT pg_relation_filenode('item') AS filenode \gset
ALTER TABLE item ADD COLUMN stamp4 float8 DEFAULT random();
SELECT pg_relation_filenode('item') <> :filenode AS rewritten;
RELEASE SAVEPOINT c;
UPDATE item SET price = 45 WHERE id = 4;
UPDATE item SET price = 34 WHERE id = 3;
COMMIT;
SELECT id, price, system_period FROM item_history
 WHERE id IN (3, 4) AND upper(system_period) = '2020-06-01' ORDER BY id;
SELECT id, price, system_period FROM item WHERE id IN (3, 4) ORDER BY id;

-- adjust: a row version a transaction that started later committed gets a
-- successor 1 microsecond after its start; that successor is this
-- transaction's, also after a rewrite
CREATE TABLE loose (id int PRIMARY KEY, v int);
SELECT immutable.make_system_versioned('loose', adjust => true);
SELECT immutable.set_system_time('2020-07-02');
INSERT INTO loose VALUES (1, 1);
BEGIN;
SELECT immutable.set_system_time('2020-07-01');
UPDATE loose SET v = 2;
ALTER TABLE loose ALTER COLUMN v TYPE bigint;
UPDATE loose SET v = 3;
COMMIT;
SELECT id, v, system_period FROM loose_history;
SELECT id, v, system_period FROM loose;

-- make_system_versioned in the transaction: the rows it gave a period to
-- are changed without history and without a conflict (they became
-- system-versioned at the system time), and keep their start
CREATE TABLE conv (id int PRIMARY KEY, v int);
INSERT INTO conv VALUES (1, 1), (2, 2);
SELECT immutable.set_system_time('2020-08-01');
BEGIN;
SELECT immutable.make_system_versioned('conv');
UPDATE conv SET v = 10 WHERE id = 1;
DELETE FROM conv WHERE id = 2;
COMMIT;
SELECT count(*) AS history_rows FROM conv_history;
SELECT id, v, system_period FROM conv;
SELECT immutable.set_system_time('2020-09-01');
UPDATE conv SET v = 11;
SELECT id, v, system_period FROM conv_history;
-- and with a rewrite after the conversion, in the same transaction
CREATE TABLE conv2 (id int PRIMARY KEY, v int);
INSERT INTO conv2 VALUES (1, 1);
BEGIN;
SELECT immutable.make_system_versioned('conv2');
ALTER TABLE conv2 ALTER COLUMN v TYPE bigint;
UPDATE conv2 SET v = 2;
COMMIT;
SELECT count(*) AS history_rows FROM conv2_history;
-- a table whose period column exists already keeps the periods it has:
-- a change in the same transaction records them
CREATE TABLE conv3 (id int PRIMARY KEY, v int, system_period tstzrange);
INSERT INTO conv3 VALUES (1, 1, tstzrange('2019-01-01', NULL));
BEGIN;
SELECT immutable.make_system_versioned('conv3');
ALTER TABLE conv3 ALTER COLUMN v TYPE bigint;
UPDATE conv3 SET v = 2;
COMMIT;
SELECT id, v, system_period FROM conv3_history;

-- a partitioned table: the ALTER rewrites every partition
CREATE TABLE part (region text, id int, v int, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
CREATE TABLE part_eu PARTITION OF part FOR VALUES IN ('eu');
CREATE TABLE part_us PARTITION OF part FOR VALUES IN ('us');
SELECT immutable.make_system_versioned('part');
SELECT immutable.set_system_time('2020-10-01');
INSERT INTO part VALUES ('eu', 1, 1), ('us', 1, 1), ('us', 2, 2);
SELECT immutable.set_system_time('2020-11-01');
BEGIN;
ALTER TABLE part ALTER COLUMN v TYPE bigint;
UPDATE part SET v = 2 WHERE region = 'eu';
UPDATE part SET region = 'eu', id = 3 WHERE id = 2;
DELETE FROM part WHERE region = 'us';
UPDATE part SET v = 3 WHERE region = 'eu' AND id = 1;
COMMIT;
SELECT region, id, v, system_period FROM part_history ORDER BY region, id;
SELECT region, id, v, system_period FROM part ORDER BY region, id;

-- temporal_tables' versioning(): the same rule
CREATE TABLE emp (name text, salary int, sys_period tstzrange NOT NULL);
CREATE TABLE emp_history (LIKE emp);
CREATE TRIGGER versioning_trigger BEFORE INSERT OR UPDATE OR DELETE ON emp
    FOR EACH ROW EXECUTE FUNCTION immutable.versioning('sys_period', 'emp_history', false);
SELECT immutable.set_system_time('2020-12-01');
INSERT INTO emp VALUES ('ann', 100), ('bob', 200);
SELECT immutable.set_system_time('2021-01-01');
BEGIN;
INSERT INTO emp VALUES ('cid', 300);
ALTER TABLE emp ADD COLUMN stamp float8 DEFAULT random();
UPDATE emp SET salary = salary + 1;
DELETE FROM emp WHERE name = 'bob';
UPDATE emp SET salary = salary + 1 WHERE name = 'ann';
COMMIT;
SELECT name, salary, sys_period FROM emp_history ORDER BY name, sys_period;
SELECT name, salary, sys_period FROM emp ORDER BY name;

SELECT immutable.set_system_time(NULL);
SELECT immutable.make_mutable(t) FROM unnest(ARRAY['item', 'loose', 'conv', 'conv2', 'conv3', 'part']) AS t;
DROP TABLE item, item_history, loose, loose_history, conv, conv_history, conv2, conv2_history,
    conv3, conv3_history, part, part_history, emp, emp_history;
