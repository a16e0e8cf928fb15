-- The DDL guard: no utility command of a table's owner rewrites, removes,
-- detaches or unprotects what a managed table keeps.  A table-driven part
-- runs every ALTER TABLE (and TRUNCATE, DROP) form that can touch stored
-- values against every kind of managed table and its heads, history and
-- partition tables, and shows for each: refused (with its SQLSTATE), or
-- every stored value kept; then every table still works.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE ROLE dg_alice;
SELECT format('GRANT CREATE ON DATABASE %I TO dg_alice', current_database()) \gexec
CREATE SCHEMA dg AUTHORIZATION dg_alice;
-- the values of a relation's first ncols columns (by position), every row
CREATE FUNCTION dg.snapshot(rel regclass, ncols int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format($q$
        SELECT md5(coalesce(string_agg(r, E'\n' ORDER BY r), ''))
          FROM (SELECT (SELECT string_agg(coalesce(e.value, 'NULL'), '|' ORDER BY e.n)
                          FROM json_each_text(row_to_json(t)) WITH ORDINALITY AS e(key, value, n)
                         WHERE e.n <= %s) AS r
                  FROM %s AS t) AS s$q$, ncols, rel)
      INTO result;
    RETURN result;
END $$;
GRANT EXECUTE ON FUNCTION dg.snapshot(regclass, int) TO PUBLIC;

SET ROLE dg_alice;
CREATE TABLE dg.ledger (id int, amount numeric(10,2), memo varchar(10));
INSERT INTO dg.ledger VALUES (1, 1.25, 'a'), (2, 2.50, 'b');
SELECT immutable.make_append_only('dg.ledger');
CREATE TABLE dg.chained (id int, amount numeric(10,2), memo varchar(10));
INSERT INTO dg.chained VALUES (1, 1.25, 'a');
SELECT immutable.make_append_only('dg.chained', hashed => true);
CREATE TABLE dg.tasks (id2 int, amount numeric(10,2), memo varchar(10));
SELECT immutable.make_versioned('dg.tasks');
INSERT INTO dg.tasks_current (id2, amount, memo) VALUES (1, 1.25, 'a'), (2, 2.50, 'b');
UPDATE dg.tasks_current SET amount = amount + 1 WHERE id2 = 1;
CREATE TABLE dg.acct (id int PRIMARY KEY, amount numeric(10,2), memo varchar(10));
SELECT immutable.make_system_versioned('dg.acct');
INSERT INTO dg.acct VALUES (1, 1.25, 'a'), (2, 2.50, 'b');
UPDATE dg.acct SET amount = amount + 1;
CREATE TABLE dg.part (region text, id int, amount numeric(10,2), memo varchar(10),
                      PRIMARY KEY (region, id)) PARTITION BY LIST (region);
CREATE TABLE dg.part_eu PARTITION OF dg.part FOR VALUES IN ('eu');
CREATE TABLE dg.part_us PARTITION OF dg.part FOR VALUES IN ('us');
CREATE TABLE dg.part_log (region text, id int, amount numeric(10,2), memo varchar(10),
                          system_period tstzrange NOT NULL)
    PARTITION BY RANGE (upper(system_period));
CREATE TABLE dg.part_log_old PARTITION OF dg.part_log FOR VALUES FROM (MINVALUE) TO ('2100-01-01');
CREATE TABLE dg.part_log_new PARTITION OF dg.part_log FOR VALUES FROM ('2100-01-01') TO ('2200-01-01');
SELECT immutable.make_system_versioned('dg.part', history_table => 'part_log');
INSERT INTO dg.part VALUES ('eu', 1, 1.25, 'a'), ('us', 1, 2.50, 'b');
UPDATE dg.part SET amount = amount + 1 WHERE region = 'eu';
UPDATE dg.part SET amount = amount + 1;
RESET ROLE;

-- the relations and commands of the table; %I is the relation
CREATE TABLE dg.targets (rel regclass, ncols int);
INSERT INTO dg.targets VALUES
    ('dg.ledger', 3), ('dg.chained', 6), ('dg.tasks', 8), ('dg.tasks_heads', 8),
    ('dg.acct', 4), ('dg.acct_history', 4),
    ('dg.part', 5), ('dg.part_eu', 5), ('dg.part_log', 5), ('dg.part_log_old', 5);
CREATE TABLE dg.commands (n int, command text);
INSERT INTO dg.commands VALUES
    (1, 'ALTER TABLE %s ALTER COLUMN amount TYPE numeric(10,1)'),
    (2, 'ALTER TABLE %s ALTER COLUMN amount TYPE numeric(12,2)'),
    (3, 'ALTER TABLE %s ALTER COLUMN amount TYPE text USING ''forged'''),
    (4, 'ALTER TABLE %s ALTER COLUMN amount TYPE numeric(12,2) USING amount * 2'),
    (5, 'ALTER TABLE %s ALTER COLUMN amount TYPE numeric(12,2) USING amount::numeric(12,2)'),
    (6, 'ALTER TABLE %s ALTER COLUMN memo TYPE varchar(20)'),
    (7, 'ALTER TABLE %s ALTER COLUMN memo TYPE varchar(1)'),
    (8, 'ALTER TABLE %s ALTER COLUMN memo TYPE text'),
    (9, 'ALTER TABLE %s ALTER COLUMN memo TYPE char(10)'),
    (10, 'ALTER TABLE %s ALTER COLUMN memo SET DATA TYPE varchar(10) COLLATE "C"'),
    (11, 'ALTER TABLE %s DROP COLUMN memo'),
    (12, 'ALTER TABLE %s DROP COLUMN memo CASCADE'),
    (13, 'ALTER TABLE %s ADD COLUMN extra int DEFAULT 7'),
    (14, 'ALTER TABLE %s RENAME COLUMN memo TO note'),
    (15, 'ALTER TABLE %s SET UNLOGGED'),
    (16, 'ALTER TABLE %s SET LOGGED'),
    (17, 'TRUNCATE %s'),
    (18, 'TRUNCATE %s CASCADE'),
    (19, 'ALTER TABLE %s ALTER COLUMN amount SET DEFAULT 0'),
    (22, 'ALTER TABLE %s ALTER COLUMN id TYPE bigint'),
    (23, 'ALTER TABLE %s ALTER COLUMN version TYPE bigint'),
    (24, 'ALTER TABLE %s ALTER COLUMN valid_from TYPE text'),
    (25, 'ALTER TABLE %s DROP COLUMN valid_from'),
    (26, 'ALTER TABLE %s RENAME COLUMN entity_id TO eid'),
    (27, 'ALTER TABLE %s ALTER COLUMN system_period TYPE text'),
    (28, 'ALTER TABLE %s DROP COLUMN system_period'),
    (29, 'ALTER TABLE %s RENAME COLUMN system_period TO p'),
    (30, 'ALTER TABLE %s ALTER COLUMN hash TYPE text'),
    (31, 'ALTER TABLE %s RENAME COLUMN chain_seq TO s'),
    (32, 'ALTER TABLE %s DETACH PARTITION dg.part_us'),
    (33, 'ALTER TABLE %s DETACH PARTITION dg.part_log_new'),
    (34, 'DROP TABLE %s'),
    (35, 'ALTER TABLE %s ALTER COLUMN amount TYPE float8');
GRANT SELECT ON dg.targets, dg.commands TO dg_alice;

-- run one command as the owner in a subtransaction; report what it did to
-- every stored value of every relation
CREATE FUNCTION dg.try(command text, rel regclass) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    before text[];
    after text[];
    outcome text;
BEGIN
    SELECT array_agg(dg.snapshot(t.rel, t.ncols) ORDER BY t.rel::text) INTO before FROM dg.targets t;
    BEGIN
        EXECUTE format(command, rel);
        SELECT array_agg(dg.snapshot(t.rel, t.ncols) ORDER BY t.rel::text) INTO after FROM dg.targets t;
        outcome := CASE WHEN after = before THEN 'kept' ELSE 'CHANGED' END;
        RAISE EXCEPTION USING ERRCODE = 'ZZ999';	-- undo it: the next command sees the same tables
    EXCEPTION
        WHEN SQLSTATE 'ZZ999' THEN NULL;
        WHEN undefined_column OR undefined_table OR undefined_object OR wrong_object_type
            OR invalid_object_definition THEN
            -- the relation has no such column or partition, or is not
            -- partitioned (42P17 before PostgreSQL 18, 42809 since)
            outcome := 'n/a ' || SQLSTATE;
        WHEN OTHERS THEN
            outcome := 'refused ' || SQLSTATE;
    END;
    RETURN outcome;
END $$;
GRANT EXECUTE ON FUNCTION dg.try(text, regclass) TO PUBLIC;

SET ROLE dg_alice;
CREATE TEMP TABLE outcomes AS
SELECT c.n, c.command, t.rel, dg.try(c.command, t.rel) AS outcome
  FROM dg.commands c CROSS JOIN dg.targets t
 -- dropping a whole managed table is allowed (the way out); its parts alone are not
 WHERE c.n <> 34 OR t.rel::text NOT IN ('dg.ledger', 'dg.chained', 'dg.tasks', 'dg.acct', 'dg.part');
SELECT n, rel, outcome FROM outcomes WHERE outcome NOT LIKE 'n/a%' ORDER BY n, rel::text;
-- nothing changed any stored value
SELECT count(*) AS changed FROM outcomes WHERE outcome = 'CHANGED';

-- every kind still works
INSERT INTO dg.ledger VALUES (3, 3.00, 'c');
INSERT INTO dg.chained VALUES (2, 2.00, 'b');
SELECT count(*) AS tampered FROM immutable.verify_chain('dg.chained');
UPDATE dg.tasks_current SET amount = 9 WHERE id2 = 2 RETURNING id2, amount, version;
UPDATE dg.acct SET amount = 9 WHERE id = 2;
UPDATE dg.part SET amount = 9 WHERE region = 'us';
SELECT count(*) AS history_rows FROM dg.acct_history;
SELECT count(*) AS history_rows FROM dg.part_log;

-- the refusals, with their messages
ALTER TABLE dg.ledger ALTER COLUMN amount TYPE text USING 'forged';
ALTER TABLE dg.tasks ALTER COLUMN valid_from TYPE text;
ALTER TABLE dg.acct_history DROP COLUMN memo;
ALTER TABLE dg.tasks_heads ADD COLUMN extra int;
ALTER TABLE dg.acct SET UNLOGGED;
ALTER TABLE dg.part DETACH PARTITION dg.part_us;
DROP TABLE dg.part_log_old;
TRUNCATE dg.part_eu;
ALTER TABLE dg.tasks RENAME COLUMN version TO v;
-- exact conversions pass, and the history table follows
ALTER TABLE dg.acct ALTER COLUMN memo TYPE varchar(20);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'dg.acct_history'::regclass AND attname = 'memo';

-- the extension's triggers: not removed by making them depend on another
-- extension, whoever asks; a removal by any other way than make_mutable or
-- DROP TABLE is undone
CREATE EXTENSION hstore SCHEMA dg;
ALTER TRIGGER immutable_refuse_change ON dg.ledger DEPENDS ON EXTENSION hstore;
RESET ROLE;
ALTER TRIGGER immutable_refuse_change ON dg.ledger DEPENDS ON EXTENSION hstore;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER immutable_refuse_change ON dg.ledger;
\echo :LAST_ERROR_SQLSTATE
-- the dependency recorded behind the guard's back (as a dump made before
-- this version could carry it): dropping the extension is refused
INSERT INTO pg_depend (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
SELECT 'pg_trigger'::regclass, t.oid, 0, 'pg_extension'::regclass, e.oid, 0, 'x'
  FROM pg_trigger t, pg_extension e
 WHERE t.tgrelid = 'dg.ledger'::regclass AND t.tgname = 'immutable_refuse_change'
   AND e.extname = 'hstore';
SET ROLE dg_alice;
DROP EXTENSION hstore;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'dg.ledger'::regclass ORDER BY tgname;
DELETE FROM dg.ledger;
RESET ROLE;
DELETE FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hstore')
  AND classid = 'pg_trigger'::regclass;

-- nor replaced under their name by the owner's own
SET ROLE dg_alice;
CREATE FUNCTION dg.noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE OR REPLACE TRIGGER zz_immutable_system_period BEFORE INSERT OR UPDATE OR DELETE
    ON dg.acct FOR EACH ROW EXECUTE FUNCTION dg.noop();
CREATE OR REPLACE TRIGGER immutable_refuse_change BEFORE UPDATE OR DELETE
    ON dg.ledger FOR EACH ROW EXECUTE FUNCTION dg.noop();
UPDATE dg.acct SET amount = 10 WHERE id = 1;
SELECT count(*) AS history_rows FROM dg.acct_history;
RESET ROLE;

-- a session that calls itself pg_restore is not trusted with anything
SET ROLE dg_alice;
SET application_name = 'pg_restore';
DROP TABLE dg.acct_history CASCADE;
ALTER TABLE dg.chained ALTER COLUMN amount TYPE numeric(12,2);
ALTER TABLE dg.ledger DISABLE TRIGGER ALL;
RESET application_name;
SELECT count(*) AS history_rows FROM dg.acct_history;

-- partitions created or attached later get the TRUNCATE trigger too (as
-- superuser: the trigger functions are not PUBLIC)
RESET ROLE;
CREATE TABLE dg.part_asia PARTITION OF dg.part FOR VALUES IN ('asia');
CREATE TABLE dg.part_ap (LIKE dg.part);
ALTER TABLE dg.part ATTACH PARTITION dg.part_ap FOR VALUES IN ('ap');
INSERT INTO dg.part VALUES ('asia', 1, 1, 'x'), ('ap', 1, 1, 'y');
-- a table with rows cannot join them: its periods, made up, would show in
-- the past (a history partition's rows would be forged history)
CREATE TABLE dg.part_forged (LIKE dg.part);
INSERT INTO dg.part_forged VALUES ('forged', 1, 1, 'z', '[2001-01-01,)');
ALTER TABLE dg.part ATTACH PARTITION dg.part_forged FOR VALUES IN ('forged');
CREATE TABLE dg.part_log_forged (LIKE dg.part_log);
INSERT INTO dg.part_log_forged VALUES ('eu', 1, 1, 'z', '[2001-01-01,2300-02-01)');
ALTER TABLE dg.part_log ATTACH PARTITION dg.part_log_forged FOR VALUES FROM ('2300-01-01') TO ('2400-01-01');
DROP TABLE dg.part_forged, dg.part_log_forged;
-- nor when row-level security hides the rows from their owner
SET ROLE dg_alice;
CREATE TABLE dg.part_hidden (LIKE dg.part);
INSERT INTO dg.part_hidden VALUES ('hidden', 1, 1, 'z', '[2001-01-01,)');
ALTER TABLE dg.part_hidden ENABLE ROW LEVEL SECURITY;
ALTER TABLE dg.part_hidden FORCE ROW LEVEL SECURITY;
CREATE POLICY hide ON dg.part_hidden USING (false);
ALTER TABLE dg.part ATTACH PARTITION dg.part_hidden FOR VALUES IN ('hidden');
SELECT count(*) AS hidden_rows FROM dg.part_hidden;
DROP TABLE dg.part_hidden;
RESET ROLE;
SELECT count(*) AS as_of_2001 FROM immutable.as_of(NULL::dg.part, '2001-06-01');
SELECT tgrelid::regclass AS partition FROM pg_trigger
 WHERE tgname = 'immutable_refuse_truncate' AND tgrelid::regclass::text LIKE 'dg.part%'
 ORDER BY 1;
-- TRUNCATE as the first command of a session, before anything loaded the
-- library (no DDL guard yet): each partition's own trigger refuses it
\c -
TRUNCATE dg.part_eu;
\c -
TRUNCATE dg.part_log_old;
\c -
TRUNCATE dg.part_asia;
\c -
TRUNCATE dg.part_ap;
\c -
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SELECT count(*) AS rows_kept FROM dg.part;
SET ROLE dg_alice;

-- make_mutable stays the way out for the owner
SELECT immutable.make_mutable('dg.ledger');
ALTER TABLE dg.ledger DROP COLUMN memo;
SELECT immutable.make_mutable('dg.part');
SELECT count(*) AS truncate_triggers_left FROM pg_trigger
 WHERE tgname = 'immutable_refuse_truncate' AND tgrelid::regclass::text LIKE 'dg.part%';
RESET ROLE;

DROP SCHEMA dg CASCADE;
SELECT format('REVOKE CREATE ON DATABASE %I FROM dg_alice', current_database()) \gexec
DROP ROLE dg_alice;
