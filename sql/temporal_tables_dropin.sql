-- temporal_tables drop-in details: a NULL history table argument is
-- reported as temporal_tables reports it; the period value of the old row
-- version is checked before the history table; set_system_time under
-- savepoints: ROLLBACK TO SAVEPOINT brings back the system time in force
-- when the savepoint was set.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE SCHEMA td;
SET search_path = td, public, immutable;

-- versioning('sys_period', null, true): the history table "null"
CREATE TABLE td.nohist (x int, sys_period tstzrange NOT NULL);
CREATE TRIGGER v BEFORE INSERT OR UPDATE OR DELETE ON td.nohist
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', null, true);
INSERT INTO td.nohist (x) VALUES (1);
\set ON_ERROR_STOP 0
BEGIN;
SELECT set_system_time('2030-01-01');
UPDATE td.nohist SET x = 2;
\echo :SQLSTATE
ROLLBACK;

-- the period value first: NULL, empty, ended; then the history columns
CREATE TABLE td.badhist (x int, sys_period tstzrange);
CREATE TABLE td.badhist_history (x text, sys_period tstzrange);
CREATE TRIGGER v BEFORE INSERT OR UPDATE OR DELETE ON td.badhist
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'badhist_history', true);
ALTER TABLE td.badhist DISABLE TRIGGER v;
INSERT INTO td.badhist VALUES (1, NULL), (2, 'empty'), (3, tstzrange('2000-01-01', '2001-01-01'));
ALTER TABLE td.badhist ENABLE TRIGGER v;
UPDATE td.badhist SET x = 10 WHERE x = 1;
\echo :SQLSTATE
UPDATE td.badhist SET x = 20 WHERE x = 2;
\echo :SQLSTATE
DELETE FROM td.badhist WHERE x = 3;
\echo :SQLSTATE
\set ON_ERROR_STOP 1

-- set_system_time and savepoints
CREATE TABLE td.clock (n int, sys_period tstzrange NOT NULL);
CREATE TABLE td.clock_history (LIKE td.clock);
CREATE TRIGGER v BEFORE INSERT OR UPDATE OR DELETE ON td.clock
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'clock_history', true);
BEGIN;
SELECT set_system_time('2001-01-01');
SAVEPOINT a;
SELECT set_system_time('2002-02-02');
ROLLBACK TO SAVEPOINT a;
INSERT INTO td.clock (n) VALUES (1);
SAVEPOINT b;
SAVEPOINT c;
SELECT set_system_time('2003-03-03');
RELEASE SAVEPOINT c;
INSERT INTO td.clock (n) VALUES (2);
ROLLBACK TO SAVEPOINT b;
INSERT INTO td.clock (n) VALUES (3);
SAVEPOINT d;
SELECT set_system_time(NULL);
ROLLBACK TO SAVEPOINT d;
INSERT INTO td.clock (n) VALUES (4);
SAVEPOINT e;
SELECT set_system_time('2004-04-04');
RELEASE SAVEPOINT e;
COMMIT;
-- kept for the session after its commit
INSERT INTO td.clock (n) VALUES (5);
SELECT n, lower(sys_period) FROM td.clock ORDER BY n;
-- a transaction rolled back takes back what it set
BEGIN;
SELECT set_system_time('2005-05-05');
ROLLBACK;
INSERT INTO td.clock (n) VALUES (6);
SELECT n, lower(sys_period) FROM td.clock WHERE n = 6;
SELECT set_system_time(NULL);
RESET search_path;
DROP SCHEMA td CASCADE;
