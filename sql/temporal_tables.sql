-- temporal_tables compatibility: versioning(period, history, adjust) as a
-- BEFORE trigger, with its behaviour and its messages
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET search_path = public, immutable;
CREATE TABLE employees (name text, salary int, sys_period tstzrange NOT NULL DEFAULT tstzrange(current_timestamp, null));
CREATE TABLE employees_history (LIKE employees);
CREATE TRIGGER versioning_trigger BEFORE INSERT OR UPDATE OR DELETE ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'employees_history', true);
SELECT set_system_time('2001-01-01 10:00:00.123456+00');
INSERT INTO employees VALUES ('ann', 100, tstzrange('1990-01-01', NULL));
SELECT * FROM employees;
SELECT set_system_time('2001-02-01');
UPDATE employees SET salary = 110;
BEGIN;
SELECT set_system_time('2001-03-01');
UPDATE employees SET salary = 120;
UPDATE employees SET salary = 130;
COMMIT;
SELECT set_system_time('2001-04-01');
DELETE FROM employees;
SELECT * FROM employees_history ORDER BY sys_period;
-- adjust: a row written by a transaction that started later
INSERT INTO employees VALUES ('bob', 100);
SELECT set_system_time('2001-03-15');
UPDATE employees SET salary = 200;
SELECT * FROM employees;
-- without adjust: 22000 and temporal_tables' message
DROP TRIGGER versioning_trigger ON employees;
CREATE TRIGGER versioning_trigger BEFORE INSERT OR UPDATE OR DELETE ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'employees_history', false);
SELECT set_system_time('2001-03-10');
UPDATE employees SET salary = 300;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM employees;
\echo :LAST_ERROR_SQLSTATE
-- an invalid adjust value is reported when it is needed
DROP TRIGGER versioning_trigger ON employees;
CREATE TRIGGER versioning_trigger BEFORE INSERT OR UPDATE OR DELETE ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'employees_history', 'maybe');
UPDATE employees SET salary = 300;
\echo :LAST_ERROR_SQLSTATE
SELECT set_system_time(NULL);
DROP TRIGGER versioning_trigger ON employees;

-- columns of the history table's own get their defaults
CREATE TABLE audited (name text, sys_period tstzrange NOT NULL);
CREATE TABLE audited_history (LIKE audited, changed_by text DEFAULT 'auditor', note text);
CREATE TRIGGER versioning_trigger BEFORE INSERT OR UPDATE OR DELETE ON audited
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'audited_history', true);
SELECT set_system_time('2001-01-01');
INSERT INTO audited VALUES ('a');
SELECT set_system_time('2001-02-01');
UPDATE audited SET name = 'b';
SELECT name, changed_by, note, sys_period FROM audited_history;
SELECT set_system_time(NULL);
DROP TABLE audited, audited_history;

-- misuse, each with temporal_tables' message
CREATE TRIGGER t1 AFTER INSERT ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'employees_history', true);
INSERT INTO employees VALUES ('x', 1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON employees;
CREATE TRIGGER t1 BEFORE INSERT ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'employees_history');
INSERT INTO employees VALUES ('x', 1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON employees;
CREATE TRIGGER t1 BEFORE INSERT ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('no_such', 'employees_history', true);
INSERT INTO employees VALUES ('x', 1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON employees;
ALTER TABLE employees ADD COLUMN i int, ADD COLUMN a tstzrange[], ADD COLUMN r tsrange;
CREATE TRIGGER t1 BEFORE INSERT ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('i', 'employees_history', true);
INSERT INTO employees VALUES ('x', 1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON employees;
CREATE TRIGGER t1 BEFORE INSERT ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('a', 'employees_history', true);
INSERT INTO employees VALUES ('x', 1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON employees;
CREATE TRIGGER t1 BEFORE INSERT ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('r', 'employees_history', true);
INSERT INTO employees VALUES ('x', 1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON employees;
ALTER TABLE employees DROP COLUMN i, DROP COLUMN a, DROP COLUMN r;
-- history tables that do not fit
CREATE TABLE no_period_history (name text, salary int);
CREATE TRIGGER t1 BEFORE UPDATE ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'no_period_history', true);
INSERT INTO employees VALUES ('y', 1);
UPDATE employees SET salary = 2 WHERE name = 'y';
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON employees;
CREATE TABLE wrong_type_history (name text, salary text, sys_period tstzrange);
CREATE TRIGGER t1 BEFORE UPDATE ON employees
    FOR EACH ROW EXECUTE PROCEDURE versioning('sys_period', 'wrong_type_history', true);
UPDATE employees SET salary = 2 WHERE name = 'y';
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON employees;
-- an unqualified history table is the table's schema's, not search_path's
CREATE SCHEMA decoy;
CREATE TABLE decoy.employees_history (LIKE employees);
SET search_path = decoy, public, immutable;
CREATE TRIGGER t1 BEFORE UPDATE ON public.employees
    FOR EACH ROW EXECUTE PROCEDURE immutable.versioning('sys_period', 'employees_history', true);
UPDATE public.employees SET salary = 3 WHERE name = 'y';
SELECT count(*) AS decoy_rows FROM decoy.employees_history;
SELECT name, salary FROM public.employees_history WHERE name = 'y';
-- not executable by PUBLIC (checked in pgTAP); direct calls are misuse
SELECT immutable.versioning();
\echo :LAST_ERROR_SQLSTATE
RESET search_path;
DROP TABLE employees, employees_history, no_period_history, wrong_type_history;
DROP SCHEMA decoy CASCADE;
