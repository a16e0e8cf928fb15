-- Schema changes of a system-versioned table: <table>_as_of follows every
-- column change (added, retyped, renamed columns); the history table that
-- make_system_versioned creates has NOT NULL on the period alone, so that
-- a column dropped from the table (between make_mutable and
-- make_system_versioned) or a NOT NULL the table drops cannot fail its
-- rows; a change of the history table reaches the cached state of its
-- table.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE TABLE price (id int PRIMARY KEY, amount int NOT NULL, note text NOT NULL);
SELECT immutable.make_system_versioned('price');
SELECT immutable.set_system_time('2020-01-01');
INSERT INTO price VALUES (1, 10, 'first'), (2, 20, 'second');
SELECT immutable.set_system_time('2020-02-01');
UPDATE price SET amount = 11 WHERE id = 1;

-- an added column: as of any moment, old versions have NULL in it
ALTER TABLE price ADD COLUMN currency text DEFAULT 'EUR';
SELECT * FROM price_as_of('2020-01-15') ORDER BY id;
SELECT * FROM price_as_of('2020-02-15') ORDER BY id;

-- a retyped column: the history's values are cast, price_as_of returns the
-- new type
ALTER TABLE price ALTER COLUMN amount TYPE bigint;
SELECT id, amount, pg_typeof(amount) FROM price_as_of('2020-01-15') ORDER BY id;

-- a dropped column (the way the DDL guard leaves: make_mutable, DROP
-- COLUMN, make_system_versioned with the history table): price_as_of
-- leaves it out (and what pg_dump prints of it names no dropped column);
-- the history keeps its values, without the NOT NULL, so the table's rows
-- can still change
SELECT immutable.make_mutable('price');
ALTER TABLE price DROP COLUMN note;
SELECT immutable.make_system_versioned('price', history_table => 'price_history');
SELECT pg_get_function_sqlbody('price_as_of(timestamptz)'::regprocedure) LIKE '%dropped%' AS names_dropped;
SELECT * FROM price_as_of('2020-01-15') ORDER BY id;
SELECT immutable.set_system_time('2020-03-01');
UPDATE price SET amount = 12 WHERE id = 1;
DELETE FROM price WHERE id = 2;
SELECT id, amount, note, currency, system_period FROM price_history ORDER BY id, system_period;
SELECT attname, attnotnull FROM pg_attribute
 WHERE attrelid = 'price_history'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT * FROM price_as_of('2020-02-15') ORDER BY id;

-- a renamed column and a changed default: price_as_of follows
ALTER TABLE price RENAME COLUMN amount TO value;
ALTER TABLE price ALTER COLUMN currency SET DEFAULT 'USD';
SELECT * FROM price_as_of('2020-02-15') ORDER BY id;
-- it is still dropped with the table's system versioning and with the table
SELECT count(*) AS dependents FROM pg_depend
 WHERE classid = 'pg_proc'::regclass AND objid = 'price_as_of(timestamptz)'::regprocedure
   AND refobjid IN ('price'::regclass, 'price_history'::regclass);

-- a NOT NULL the table drops: a NULL the table now takes goes into history
ALTER TABLE price ALTER COLUMN value DROP NOT NULL;
SELECT attname, attnotnull FROM pg_attribute
 WHERE attrelid = 'price_history'::regclass AND attname = 'value';
SELECT immutable.set_system_time('2020-03-02');
UPDATE price SET value = NULL WHERE id = 1;
SELECT immutable.set_system_time('2020-03-03');
UPDATE price SET value = 13 WHERE id = 1;
SELECT id, value, system_period FROM price_history WHERE lower(system_period) >= '2020-03-01' ORDER BY system_period;

-- a user's history table: a column of its own with a default keeps its
-- NOT NULL when the table drops the column of that name
CREATE TABLE audited (id int PRIMARY KEY, who text NOT NULL, v int);
CREATE TABLE audited_log (id int, who text NOT NULL DEFAULT 'nobody', v int,
                          system_period tstzrange NOT NULL);
SELECT immutable.make_system_versioned('audited', history_table => 'audited_log');
INSERT INTO audited VALUES (1, 'ann', 1);
SELECT immutable.make_mutable('audited');
ALTER TABLE audited DROP COLUMN who;
SELECT immutable.make_system_versioned('audited', history_table => 'audited_log');
SELECT immutable.set_system_time('2020-04-01');
UPDATE audited SET v = 2;
SELECT id, who, v FROM audited_log;

-- a column added to the history table after this session cached its table:
-- its NOT NULL and default apply to the next history row
CREATE TABLE cached (id int PRIMARY KEY, v int);
SELECT immutable.make_system_versioned('cached');
SELECT immutable.set_system_time('2020-05-01');
INSERT INTO cached VALUES (1, 1);
ALTER TABLE cached_history ADD COLUMN changed_by text;
ALTER TABLE cached_history ALTER COLUMN changed_by SET NOT NULL;
ALTER TABLE cached_history ALTER COLUMN changed_by SET DEFAULT 'auditor';
SELECT immutable.set_system_time('2020-06-01');
UPDATE cached SET v = 2;
SELECT id, v, changed_by FROM cached_history;

SELECT immutable.set_system_time(NULL);
SELECT immutable.make_mutable(t) FROM unnest(ARRAY['price', 'audited', 'cached']) AS t;
SELECT count(*) AS as_of_functions FROM pg_proc WHERE proname IN ('price_as_of', 'audited_as_of', 'cached_as_of');
DROP TABLE price, price_history, audited, audited_log, cached, cached_history;
