-- A partitioned system-versioned table and a partitioned history table
-- owned by a role that is not superuser: the owner adds partitions (CREATE
-- TABLE ... PARTITION OF, ATTACH PARTITION, as pg_partman's maintenance
-- does), which get the extension's triggers and keep the history.  The
-- trigger function they run acts only as the triggers make_system_versioned
-- attaches; attached anywhere else it refuses (39P01) and writes nothing.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE ROLE sv_owner;
GRANT CREATE ON SCHEMA public TO sv_owner;
GRANT EXECUTE ON FUNCTION immutable.set_system_time(timestamptz) TO sv_owner;
SET ROLE sv_owner;
CREATE TABLE m (region text, id int, v int, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
CREATE TABLE m_eu PARTITION OF m FOR VALUES IN ('eu');
CREATE TABLE m_log (region text, id int, v int, system_period tstzrange NOT NULL)
    PARTITION BY RANGE (upper(system_period));
CREATE TABLE m_log_2030 PARTITION OF m_log FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');
SELECT immutable.make_system_versioned('m', history_table => 'm_log');

-- new partitions of the table, created and attached by the owner
CREATE TABLE m_us PARTITION OF m FOR VALUES IN ('us');
CREATE TABLE m_asia (LIKE m);
ALTER TABLE m ATTACH PARTITION m_asia FOR VALUES IN ('asia');
-- and of the history table
CREATE TABLE m_log_2031 PARTITION OF m_log FOR VALUES FROM ('2031-01-01') TO ('2032-01-01');
CREATE TABLE m_log_2032 (LIKE m_log);
ALTER TABLE m_log ATTACH PARTITION m_log_2032 FOR VALUES FROM ('2032-01-01') TO ('2033-01-01');
SELECT tgrelid::regclass AS partition, tgname, tgfoid::regproc AS function
  FROM pg_trigger
 WHERE tgrelid IN ('m_us'::regclass, 'm_asia'::regclass, 'm_log_2031'::regclass, 'm_log_2032'::regclass)
 ORDER BY 1, 2;

SELECT immutable.set_system_time('2030-06-01');
INSERT INTO m VALUES ('eu', 1, 1), ('us', 1, 1), ('asia', 1, 1);
SELECT immutable.set_system_time('2031-06-01');
UPDATE m SET v = 2;
SELECT immutable.set_system_time('2032-06-01');
DELETE FROM m WHERE region = 'asia';
UPDATE m SET region = 'asia' WHERE region = 'us';
SELECT tableoid::regclass AS partition, region, id, v, system_period
  FROM m_log ORDER BY partition, region, id;
-- the history partitions take rows only from the trigger
INSERT INTO m_log_2032 SELECT * FROM m_log_2031;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM m_log_2031;
\echo :LAST_ERROR_SQLSTATE

-- the trigger function of the extension's triggers, attached by the owner
-- to a table of its own, or under another name to the system-versioned
-- table, refuses to run
CREATE TABLE mine (id int, system_period tstzrange);
CREATE TRIGGER zz_immutable_system_period BEFORE INSERT OR UPDATE OR DELETE ON mine
    FOR EACH ROW EXECUTE FUNCTION immutable.system_versioning();
INSERT INTO mine VALUES (1);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE solo (id int PRIMARY KEY, v int);
SELECT immutable.make_system_versioned('solo');
INSERT INTO solo VALUES (1, 1);
SELECT immutable.set_system_time('2033-01-01');
CREATE TRIGGER a_second_copy BEFORE UPDATE ON solo
    FOR EACH ROW EXECUTE FUNCTION immutable.system_versioning();
UPDATE solo SET v = 2;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER a_second_copy ON solo;
CREATE TRIGGER immutable_write_history AFTER UPDATE OR DELETE ON solo
    FOR EACH ROW EXECUTE FUNCTION immutable.system_versioning();
SELECT immutable.set_system_time('2033-01-02');
UPDATE solo SET v = 3;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS history_rows FROM solo_history;
-- versioning(), which writes into any history table it is given, stays
-- not executable by PUBLIC
CREATE TRIGGER t BEFORE UPDATE ON mine
    FOR EACH ROW EXECUTE FUNCTION immutable.versioning('system_period', 'solo_history', 'false');
\echo :LAST_ERROR_SQLSTATE

SELECT immutable.set_system_time(NULL);
SELECT immutable.make_mutable('m');
SELECT immutable.make_mutable('solo');
DROP TABLE m, m_log, mine, solo, solo_history;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM sv_owner;
REVOKE EXECUTE ON FUNCTION immutable.set_system_time(timestamptz) FROM sv_owner;
DROP ROLE sv_owner;
