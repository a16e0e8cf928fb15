-- System-versioned tables (SQL:2011): the period column, the history table,
-- one history row per row and transaction, conflicts, as_of, schema changes,
-- the options of make_system_versioned (a period column of another name, a
-- history table given, adjust). set_system_time makes the periods
-- deterministic.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE TABLE acct (id int PRIMARY KEY, bal int);
INSERT INTO acct VALUES (0, 0);
SELECT immutable.make_system_versioned('acct');
\d acct
\d acct_history
SELECT table_name, kind, history_table, period_column, adjust FROM immutable.managed_tables;
-- existing rows got [the transaction start time, infinity)
SELECT count(*) AS rows, count(*) FILTER (WHERE upper_inf(system_period)) AS open FROM acct;
DELETE FROM acct;
SELECT immutable.set_system_time('2000-01-01');
INSERT INTO acct VALUES (1, 100), (2, 200);

-- INSERT stamps the period whatever the writer gave
SELECT immutable.set_system_time('2001-01-01 00:00:00.000001+00');
INSERT INTO acct VALUES (3, 300, tstzrange('1990-01-01', '1991-01-01'));
SELECT id, system_period FROM acct WHERE id = 3;

-- UPDATE moves the old row version into the history table, ended where
-- the new one starts
SELECT immutable.set_system_time('2001-02-01');
UPDATE acct SET bal = 310 WHERE id = 3;
SELECT id, bal, system_period FROM acct WHERE id = 3;
SELECT id, bal, system_period FROM acct_history WHERE id > 0;

-- one history row per row and transaction, also across subtransactions
SELECT immutable.set_system_time('2001-03-01');
BEGIN;
UPDATE acct SET bal = 320 WHERE id = 3;
SAVEPOINT s;
UPDATE acct SET bal = 330 WHERE id = 3;
RELEASE SAVEPOINT s;
SAVEPOINT t;
UPDATE acct SET bal = 340 WHERE id = 3;
ROLLBACK TO SAVEPOINT t;
COMMIT;
SELECT id, bal, system_period FROM acct_history WHERE id = 3 ORDER BY system_period;
SELECT id, bal, system_period FROM acct WHERE id = 3;

-- a row inserted and changed in one transaction leaves no history
BEGIN;
INSERT INTO acct VALUES (4, 400);
UPDATE acct SET bal = 410 WHERE id = 4;
DELETE FROM acct WHERE id = 4;
COMMIT;
SELECT count(*) AS history_of_4 FROM acct_history WHERE id = 4;

-- DELETE ends the row's period at the system time
SELECT immutable.set_system_time('2001-04-01');
DELETE FROM acct WHERE id = 3;
SELECT id, bal, system_period FROM acct_history WHERE id = 3 ORDER BY system_period;

-- as_of: table and history together (FOR SYSTEM_TIME AS OF)
SELECT id, bal FROM immutable.as_of(NULL::acct, '2001-01-15') WHERE id = 3;
SELECT id, bal FROM immutable.as_of(NULL::acct, '2001-02-01') WHERE id = 3;
SELECT id, bal FROM immutable.as_of(NULL::acct, '2001-03-15') WHERE id = 3;
SELECT count(*) FROM immutable.as_of(NULL::acct, '2001-04-01') WHERE id = 3;
SELECT count(*) FROM immutable.as_of(NULL::acct, '2000-12-31') WHERE id = 3;

-- a row changed by a transaction that started later: 22000
SELECT immutable.set_system_time('2001-05-01');
UPDATE acct SET bal = 101 WHERE id = 1;
SELECT immutable.set_system_time('2001-04-15');
UPDATE acct SET bal = 102 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM acct WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
-- set_system_time is undone with its transaction
BEGIN;
SELECT immutable.set_system_time('1999-01-01');
ROLLBACK;
UPDATE acct SET bal = 103 WHERE id = 2;
SELECT id, bal, system_period FROM acct WHERE id = 2;

-- the history row is written by the BEFORE trigger, which must fire last:
-- a BEFORE UPDATE or DELETE trigger sorting after it is refused (55000)
CREATE FUNCTION skip_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER zzz_skip BEFORE DELETE ON acct FOR EACH ROW EXECUTE FUNCTION skip_row();
DELETE FROM acct WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER zzz_skip ON acct;
-- one sorting before it that skips the row: no change, no history row
CREATE TRIGGER a_skip BEFORE UPDATE OR DELETE ON acct FOR EACH ROW EXECUTE FUNCTION skip_row();
UPDATE acct SET bal = 0;
DELETE FROM acct;
DROP TRIGGER a_skip ON acct;
SELECT count(*) AS history_rows FROM acct_history WHERE id > 0;

-- the history table takes writes only from the trigger; TRUNCATE is refused
INSERT INTO acct_history SELECT * FROM acct;
\echo :LAST_ERROR_SQLSTATE
UPDATE acct_history SET bal = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM acct_history;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE acct_history;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE acct;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE acct_history;
\echo :LAST_ERROR_SQLSTATE

-- schema changes reach the history table
SELECT immutable.set_system_time('2001-06-01');
ALTER TABLE acct ADD COLUMN note text;
ALTER TABLE acct RENAME COLUMN bal TO balance;
ALTER TABLE acct ALTER COLUMN balance TYPE bigint;
UPDATE acct SET note = 'noted' WHERE id = 2;
-- dropping a column would lose its current values, which have no history
-- row yet: refused
ALTER TABLE acct DROP COLUMN note;
\d acct_history
SELECT id, balance, note, system_period FROM acct_history WHERE id > 0 ORDER BY id, system_period;
SELECT immutable.set_system_time('2001-07-01');
UPDATE acct SET balance = 104 WHERE id = 2;
SELECT id, balance, note FROM acct_history WHERE id = 2 ORDER BY system_period;
SELECT id, balance FROM immutable.as_of(NULL::acct, '2001-06-01') ORDER BY id;
SELECT id, balance FROM immutable.as_of(NULL::acct, '2001-07-01') ORDER BY id;

-- a session calling itself pg_restore gets no special treatment: the
-- history table still follows
SET application_name = 'pg_restore';
ALTER TABLE acct ADD COLUMN restored int;
SELECT count(*) AS history_has_it FROM pg_attribute
 WHERE attrelid = 'acct_history'::regclass AND attname = 'restored';
RESET application_name;

-- a point-in-time query on a large history uses the period index
CREATE TABLE big (k int PRIMARY KEY, v int);
SELECT immutable.make_system_versioned('big');
SELECT immutable.set_system_time('2002-01-01');
INSERT INTO big SELECT g, 0 FROM generate_series(1, 1000) g;
-- 50 transactions, one a day, each updating every row
CREATE PROCEDURE daily_updates() LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..50 LOOP
    PERFORM immutable.set_system_time(timestamptz '2002-01-01' + i * interval '1 day');
    UPDATE big SET v = i;
    COMMIT;
  END LOOP;
END $$;
CALL daily_updates();
DROP PROCEDURE daily_updates();
SELECT immutable.set_system_time(NULL);
VACUUM ANALYZE big_history;
SELECT count(*) AS history_rows FROM big_history;
-- as the time-travel functions run it (see QueryReturnRows): the BRIN
-- index narrows the 50,000 history rows to the block ranges of the moment
SELECT pg_relation_size('big_history') / 8192 AS history_pages;
-- (the plan with its row counts, without what PostgreSQL 18 adds: two
-- decimals on row counts, the count of index searches, buffers)
CREATE FUNCTION explain_rows(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ' || query
    LOOP
        CONTINUE WHEN line ~ '^\s*Index Searches: ';
        RETURN NEXT regexp_replace(line, 'rows=(\d+)\.00 ', 'rows=\1 ', 'g');
    END LOOP;
END $$;
SET enable_seqscan = off;
SELECT explain_rows($$SELECT FROM ONLY big_history AS h
 WHERE h.system_period @> timestamptz '2002-01-20'$$);
RESET enable_seqscan;
DROP FUNCTION explain_rows(text);
SELECT count(*), min(v), max(v) FROM immutable.as_of(NULL::big, '2002-01-20 12:00');

-- big_as_of(at), the inlinable function make_system_versioned made: a
-- condition on it reaches the indexes of the table and of the history
-- (primary key, end and start of the period: one descent for one row)
\df big_as_of
SELECT v FROM big_as_of('2002-01-20 12:00') WHERE k = 42;
SELECT count(*), min(v), max(v) FROM big_as_of('2002-01-20 12:00');
EXPLAIN (COSTS OFF) SELECT v FROM big_as_of('2002-01-20 12:00') WHERE k = 42;
-- it follows a rename of the table and goes with the table
ALTER TABLE big RENAME TO bigger;
SELECT v FROM big_as_of('2002-02-10 12:00') WHERE k = 42;
ALTER TABLE bigger RENAME TO big;

-- make_mutable keeps the history table and its rows
SELECT immutable.make_mutable('acct');
SELECT count(*) AS history_rows FROM acct_history WHERE id > 0;
INSERT INTO acct_history SELECT * FROM acct;
SELECT immutable.make_mutable('big');
SELECT count(*) AS as_of_functions FROM pg_proc WHERE proname IN ('acct_as_of', 'big_as_of');
SELECT immutable.make_system_versioned('big', history_table => 'big_history');
DROP TABLE big;
SELECT count(*) AS as_of_functions FROM pg_proc WHERE proname = 'big_as_of';
DROP TABLE acct, acct_history, big_history;

-- a period column of another name, added with its mixed-case name; a
-- mixed-case column renamed: the history table follows
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Odd Table" ("Key" int PRIMARY KEY, "Value" text);
SELECT immutable.make_system_versioned('"My Schema"."Odd Table"', period_column => 'Valid Period');
INSERT INTO "My Schema"."Odd Table" VALUES (1, 'a');
UPDATE "My Schema"."Odd Table" SET "Value" = 'b';
ALTER TABLE "My Schema"."Odd Table" RENAME COLUMN "Value" TO "New Value";
SELECT "Key", "New Value" FROM "My Schema"."Odd Table_history";
SELECT count(*) FROM immutable.all_versions(NULL::"My Schema"."Odd Table");
SELECT immutable.make_mutable('"My Schema"."Odd Table"');
DROP SCHEMA "My Schema" CASCADE;
-- a history table given with more columns than the table, and adjust; a
-- table without a primary key (its history table gets the period index
-- only)
CREATE TABLE adjusted (id int PRIMARY KEY, p int, sp tstzrange);
INSERT INTO adjusted VALUES (1, 1, tstzrange('2000-01-01', NULL));
CREATE TABLE adjusted_log (LIKE adjusted, changed_by text);
SELECT immutable.make_system_versioned('adjusted', 'adjusted_log', 'sp', adjust => true);
CREATE TABLE nokey (v int);
SELECT immutable.make_system_versioned('nokey');
SELECT indexdef FROM pg_indexes WHERE tablename = 'nokey_history';
-- with adjust, a conflict is resolved 1 microsecond after the other start
SELECT immutable.set_system_time('2001-05-01');
UPDATE adjusted SET p = 2;
SELECT immutable.set_system_time('2001-04-01');
UPDATE adjusted SET p = 3;
SELECT p, sp FROM adjusted;
SELECT p, sp, changed_by FROM adjusted_log ORDER BY sp;
SELECT immutable.set_system_time(NULL);
SELECT immutable.make_mutable('adjusted');
SELECT immutable.make_mutable('nokey');
DROP TABLE adjusted, adjusted_log, nokey, nokey_history;
