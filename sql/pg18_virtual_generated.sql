-- Virtual generated columns (new in PostgreSQL 18, and its default kind of
-- generated column) on managed tables, handled like stored ones: the hashes
-- leave them out, versioned tables refuse them, a history row keeps the
-- value the row showed, and their expression cannot change.  Before 18 the
-- file stops after the version check (expected/pg18_virtual_generated_1.out).
SELECT pg_catalog.current_setting('server_version_num')::int >= 180000 AS pg18 \gset
\if :pg18
\else
\echo 'skipped: virtual generated columns are new in PostgreSQL 18'
\quit
\endif
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';

-- append-only, hashed: computed when read, left out of the hashes
CREATE TABLE virt_ao (k int, a int, g int GENERATED ALWAYS AS (a * 2));
SELECT attgenerated FROM pg_attribute WHERE attrelid = 'virt_ao'::regclass AND attname = 'g';
SELECT immutable.make_append_only('virt_ao', hashed => true);
INSERT INTO virt_ao (k, a) VALUES (1, 10), (2, 20);
SELECT k, a, g FROM virt_ao ORDER BY k;
SELECT count(*) AS problems FROM immutable.verify_chain('virt_ao');
-- a new expression would change what every row shows (0A000)
ALTER TABLE virt_ao ALTER COLUMN g SET EXPRESSION AS (a * 100);
\echo :LAST_ERROR_SQLSTATE
SELECT k, a, g FROM virt_ao ORDER BY k;
-- append-only without hashes: one added later is computed for every row
CREATE TABLE virt_ao2 (k int, a int);
SELECT immutable.make_append_only('virt_ao2');
INSERT INTO virt_ao2 VALUES (1, 10);
ALTER TABLE virt_ao2 ADD COLUMN g int GENERATED ALWAYS AS (a * 2) VIRTUAL;
INSERT INTO virt_ao2 (k, a) VALUES (2, 20);
SELECT k, a, g FROM virt_ao2 ORDER BY k;
ALTER TABLE virt_ao2 ALTER COLUMN g SET EXPRESSION AS (a * 100);
\echo :LAST_ERROR_SQLSTATE

-- versioned: refused by make_versioned, and when added later (0A000)
CREATE TABLE virt_v (k int PRIMARY KEY, a int, g int GENERATED ALWAYS AS (a * 2) VIRTUAL);
SELECT immutable.make_versioned('virt_v');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE virt_v DROP COLUMN g;
SELECT immutable.make_versioned('virt_v');
ALTER TABLE virt_v ADD COLUMN g int GENERATED ALWAYS AS (a * 2);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE virt_v ADD COLUMN g int GENERATED ALWAYS AS (a * 2) VIRTUAL;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO virt_v_current (k, a) VALUES (1, 10);
UPDATE virt_v_current SET a = 11 RETURNING k, a, version;

-- system-versioned: the history keeps the value each old row version showed
CREATE TABLE virt_sv (k int PRIMARY KEY, a int, g int GENERATED ALWAYS AS (a * 2));
SELECT immutable.set_system_time('2001-01-01');
SELECT immutable.make_system_versioned('virt_sv');
INSERT INTO virt_sv (k, a) VALUES (1, 10), (2, 20);
SELECT immutable.set_system_time('2002-01-01');
UPDATE virt_sv SET a = a + 1;
-- one added later (the default kind): a plain column of the history table
ALTER TABLE virt_sv ADD COLUMN h text GENERATED ALWAYS AS ('k' || k || ':' || a);
SELECT immutable.set_system_time('2003-01-01');
UPDATE virt_sv SET a = a + 1 WHERE k = 1;
SELECT immutable.set_system_time('2004-01-01');
DELETE FROM virt_sv WHERE k = 2;
SELECT immutable.set_system_time(NULL);
SELECT attname, attgenerated <> '' AS generated FROM pg_attribute
 WHERE attrelid = 'virt_sv_history'::regclass AND attnum > 0 ORDER BY attnum;
SELECT k, a, g, h, system_period FROM virt_sv_history ORDER BY k, system_period;
SELECT k, a, g, h FROM immutable.as_of(NULL::virt_sv, '2002-06-01') ORDER BY k;
SELECT k, a, g, h FROM virt_sv ORDER BY k;
ALTER TABLE virt_sv ALTER COLUMN g SET EXPRESSION AS (a * 100);
\echo :LAST_ERROR_SQLSTATE

-- a partitioned system-versioned table, whose history is written after the
-- change, also when a row moves to another partition
CREATE TABLE virt_part (region text, k int, a int, g int GENERATED ALWAYS AS (a * 2),
                        PRIMARY KEY (region, k)) PARTITION BY LIST (region);
CREATE TABLE virt_part_eu PARTITION OF virt_part FOR VALUES IN ('eu');
CREATE TABLE virt_part_us PARTITION OF virt_part FOR VALUES IN ('us');
SELECT immutable.set_system_time('2001-01-01');
SELECT immutable.make_system_versioned('virt_part');
INSERT INTO virt_part (region, k, a) VALUES ('eu', 1, 10), ('us', 2, 20);
SELECT immutable.set_system_time('2002-01-01');
UPDATE virt_part SET a = a + 1 WHERE k = 1;
UPDATE virt_part SET region = 'eu' WHERE k = 2;
SELECT immutable.set_system_time('2003-01-01');
DELETE FROM virt_part WHERE k = 1;
SELECT immutable.set_system_time(NULL);
SELECT region, k, a, g, system_period FROM virt_part_history ORDER BY k, system_period;

-- temporal_tables' versioning() with a history table of the user's own
CREATE TABLE virt_tt (k int, a int, g int GENERATED ALWAYS AS (a * 2),
                      sys_period tstzrange NOT NULL DEFAULT tstzrange(current_timestamp, null));
CREATE TABLE virt_tt_history (LIKE virt_tt);
CREATE TRIGGER versioning_trigger BEFORE INSERT OR UPDATE OR DELETE ON virt_tt
    FOR EACH ROW EXECUTE PROCEDURE immutable.versioning('sys_period', 'virt_tt_history', true);
SELECT immutable.set_system_time('2001-01-01');
INSERT INTO virt_tt (k, a) VALUES (1, 10);
SELECT immutable.set_system_time('2002-01-01');
UPDATE virt_tt SET a = 11;
SELECT immutable.set_system_time('2003-01-01');
DELETE FROM virt_tt;
SELECT immutable.set_system_time(NULL);
SELECT k, a, g, sys_period FROM virt_tt_history ORDER BY sys_period;

SELECT immutable.make_mutable('virt_ao');
SELECT immutable.make_mutable('virt_ao2');
SELECT immutable.make_mutable('virt_v');
SELECT immutable.make_mutable('virt_sv');
SELECT immutable.make_mutable('virt_part');
DROP TABLE virt_ao, virt_ao2, virt_v, virt_sv, virt_sv_history, virt_part, virt_part_history,
    virt_tt, virt_tt_history;
