-- Constraints of a user's history table.  An exclusion constraint on (key
-- WITH =, period WITH &&) checks the history (one row has no two versions
-- at one moment): it is accepted by make_system_versioned, as when added
-- later, and checked for every history row.  A unique index or another
-- exclusion constraint would refuse a row's second history row: refused,
-- with a hint naming the command that removes it.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE EXTENSION btree_gist;
CREATE TABLE acct (id int PRIMARY KEY, bal int);
CREATE TABLE acct_log (id int, bal int, system_period tstzrange NOT NULL,
                       EXCLUDE USING gist (id WITH =, system_period WITH &&));
SELECT immutable.make_system_versioned('acct', history_table => 'acct_log');
SELECT immutable.set_system_time('2020-01-01');
INSERT INTO acct VALUES (1, 10), (2, 20);
SELECT immutable.set_system_time('2020-02-01');
UPDATE acct SET bal = bal + 1;
SELECT immutable.set_system_time('2020-03-01');
DELETE FROM acct WHERE id = 1;
SELECT id, bal, system_period FROM acct_log ORDER BY id, system_period;
-- a backfill into the past would give id 1 two versions on 2020-01-16
SELECT immutable.set_system_time('2020-01-15');
INSERT INTO acct VALUES (1, 30);
SELECT immutable.set_system_time('2020-01-20');
UPDATE acct SET bal = 31 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS history_rows FROM acct_log;

-- the same constraint added after make_system_versioned is checked too
CREATE TABLE late (id int PRIMARY KEY, v int);
SELECT immutable.make_system_versioned('late');
ALTER TABLE late_history ADD EXCLUDE USING gist (id WITH =, system_period WITH &&);
SELECT immutable.set_system_time('2020-01-01');
INSERT INTO late VALUES (1, 1);
SELECT immutable.set_system_time('2020-02-01');
DELETE FROM late;
SELECT immutable.set_system_time('2020-01-15');
INSERT INTO late VALUES (1, 2);
SELECT immutable.set_system_time('2020-01-20');
DELETE FROM late;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS history_rows FROM late_history;

-- refused: a unique constraint, a unique index, an exclusion constraint
-- without the period, or with the period under another operator
CREATE TABLE u (id int PRIMARY KEY, v int);
CREATE TABLE u_log (id int, v int, system_period tstzrange NOT NULL, UNIQUE (id));
SELECT immutable.make_system_versioned('u', history_table => 'u_log');
ALTER TABLE u_log DROP CONSTRAINT u_log_id_key;
CREATE UNIQUE INDEX u_log_v ON u_log (v, system_period);
SELECT immutable.make_system_versioned('u', history_table => 'u_log');
DROP INDEX u_log_v;
ALTER TABLE u_log ADD CONSTRAINT u_log_id_excl EXCLUDE USING gist (id WITH =);
SELECT immutable.make_system_versioned('u', history_table => 'u_log');
ALTER TABLE u_log DROP CONSTRAINT u_log_id_excl;
ALTER TABLE u_log ADD CONSTRAINT u_log_same EXCLUDE USING gist (id WITH =, system_period WITH =);
SELECT immutable.make_system_versioned('u', history_table => 'u_log');
ALTER TABLE u_log DROP CONSTRAINT u_log_same;
SELECT immutable.make_system_versioned('u', history_table => 'u_log');

SELECT immutable.set_system_time(NULL);
SELECT immutable.make_mutable(t) FROM unnest(ARRAY['acct', 'late', 'u']) AS t;
DROP TABLE acct, acct_log, late, late_history, u, u_log;
DROP EXTENSION btree_gist;
