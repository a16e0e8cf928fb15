-- A partitioned table made system-versioned: every partition, also one
-- attached or created later and one whose columns are in another order,
-- keeps its history; the history table may itself be partitioned by time.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE TABLE m (region text, id int, v int, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
CREATE TABLE m_eu PARTITION OF m FOR VALUES IN ('eu');
-- history partitioned by the end of the period
CREATE TABLE m_log (region text, id int, v int, system_period tstzrange NOT NULL)
    PARTITION BY RANGE (upper(system_period));
CREATE TABLE m_log_2030 PARTITION OF m_log FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');
CREATE TABLE m_log_2031 PARTITION OF m_log FOR VALUES FROM ('2031-01-01') TO ('2032-01-01');
SELECT immutable.set_system_time('2029-12-01');
INSERT INTO m VALUES ('eu', 1, 10);
SELECT immutable.make_system_versioned('m', history_table => 'm_log');
SELECT immutable.set_system_time('2030-01-01');
INSERT INTO m VALUES ('eu', 2, 20);
-- a partition attached later, its columns in another order
CREATE TABLE m_us (id int, junk int, v int, region text, system_period tstzrange NOT NULL,
                   PRIMARY KEY (region, id));
ALTER TABLE m_us DROP COLUMN junk;
ALTER TABLE m ATTACH PARTITION m_us FOR VALUES IN ('us');
-- and one created later
CREATE TABLE m_asia PARTITION OF m FOR VALUES IN ('asia');
INSERT INTO m VALUES ('us', 1, 30), ('asia', 1, 40);
SELECT immutable.set_system_time('2030-06-01');
UPDATE m SET v = v + 1;
SELECT immutable.set_system_time('2031-02-01');
-- a row moving to another partition: its old version goes into history
UPDATE m SET region = 'asia', id = 2 WHERE region = 'us';
DELETE FROM m WHERE region = 'eu' AND id = 2;
SELECT immutable.set_system_time(NULL);
SELECT region, id, v, system_period FROM m ORDER BY region, id;
SELECT tableoid::regclass AS partition, region, id, v, system_period
  FROM m_log ORDER BY region, id, system_period;
SELECT region, id, v FROM immutable.as_of(NULL::m, '2030-03-01') ORDER BY region, id;
SELECT region, id, v FROM immutable.as_of(NULL::m, '2031-03-01') ORDER BY region, id;
SELECT count(*) FROM immutable.all_versions(NULL::m);
-- the history partitions take rows only from the trigger
INSERT INTO m_log_2030 SELECT * FROM m_log_2030 LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE m_log SET v = 0;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE m;
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('m');
SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('m_asia'::regclass, 'm_us'::regclass, 'm_log_2030'::regclass);
DROP TABLE m, m_log;

-- a system-versioned table attached to a partitioned table that is not:
-- a row moving out of it leaves one history row, not two
CREATE TABLE p (region text, id int, v int, system_period tstzrange) PARTITION BY LIST (region);
CREATE TABLE p_eu (region text, id int, v int);
SELECT immutable.make_system_versioned('p_eu');
ALTER TABLE p ATTACH PARTITION p_eu FOR VALUES IN ('eu');
CREATE TABLE p_us PARTITION OF p FOR VALUES IN ('us');
SELECT immutable.set_system_time('2030-01-01');
INSERT INTO p VALUES ('eu', 1, 10);
SELECT immutable.set_system_time('2030-02-01');
UPDATE p SET region = 'us';
SELECT immutable.set_system_time(NULL);
SELECT region, id, v, system_period FROM p_eu_history;
SELECT tableoid::regclass AS partition, region, id, v FROM p;
DROP TABLE p, p_eu_history;

-- the DELETE of a row that a vacuumed slot now holds, in another
-- transaction with the same command id as an earlier UPDATE of the slot's
-- old row, is recorded: only a row movement's own DELETE is skipped
CREATE TABLE r (id int PRIMARY KEY, v int);
SELECT immutable.make_system_versioned('r');
SELECT immutable.set_system_time('2030-01-01');
INSERT INTO r VALUES (1, 1);
SELECT immutable.set_system_time('2030-01-02');
UPDATE r SET v = 2;
SELECT immutable.set_system_time('2030-01-03');
DELETE FROM r;
VACUUM r;
INSERT INTO r VALUES (2, 2);
SELECT ctid AS reused_slot FROM r;
SELECT immutable.set_system_time('2030-01-04');
DELETE FROM r;
SELECT immutable.set_system_time(NULL);
SELECT id, v, system_period FROM r_history ORDER BY system_period;
SELECT immutable.make_mutable('r');
DROP TABLE r, r_history;
