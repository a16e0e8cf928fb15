-- RETURNING old and new (new in PostgreSQL 18) through the current view of
-- a versioned table, on a system-versioned table and on an append-only
-- table: old is the row as the statement read it, new the version the
-- statement appended (NULL after a DELETE, whose tombstone is a version of
-- its own), as on any table.  Before 18 the file stops after the version
-- check (expected/pg18_returning_1.out).
SELECT pg_catalog.current_setting('server_version_num')::int >= 180000 AS pg18 \gset
\if :pg18
\else
\echo 'skipped: RETURNING old and new is new in PostgreSQL 18'
\quit
\endif
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';

-- the current view of a versioned table
CREATE TABLE ret_notes (body text NOT NULL, stars int DEFAULT 3);
SELECT immutable.make_versioned('ret_notes', current_view => 'ret_live');
INSERT INTO ret_live (body) VALUES ('a'), ('b')
    RETURNING old.body AS old_body, old.version AS old_version, new.body, new.stars, new.version,
              new.deleted_at;
UPDATE ret_live SET stars = stars + 1 WHERE body = 'a'
    RETURNING old.stars AS old_stars, new.stars AS new_stars, old.version AS old_version,
              new.version AS new_version, old.entity_id = new.entity_id AS same_entity,
              old.id = new.id AS same_id, new.valid_from = now() AS stamped;
UPDATE ret_live SET body = 'b2' WHERE body = 'b'
    RETURNING WITH (OLD AS o, NEW AS n) o.body AS old_body, n.body AS new_body, n.version;
DELETE FROM ret_live WHERE body = 'b2'
    RETURNING old.body, old.version, new.body AS new_body, new.version AS new_version;
MERGE INTO ret_live l
USING (VALUES ('a', 9), ('c', 1)) AS v (body, stars) ON l.body = v.body
WHEN MATCHED THEN UPDATE SET stars = v.stars
WHEN NOT MATCHED THEN INSERT (body, stars) VALUES (v.body, v.stars)
RETURNING merge_action() AS action, old.stars AS old_stars, old.version AS old_version,
          new.body, new.stars, new.version;
MERGE INTO ret_live l
USING (VALUES ('c')) AS v (body) ON l.body = v.body
WHEN MATCHED THEN DELETE
RETURNING merge_action() AS action, old.body, old.version, new.body AS new_body;
-- what was appended: every RETURNING above reported a version of these
SELECT body, stars, version, deleted_at IS NOT NULL AS tombstone
  FROM ret_notes ORDER BY body, version;

-- a system-versioned table: the old period and the new one
CREATE TABLE ret_acct (id int PRIMARY KEY, bal int);
SELECT immutable.set_system_time('2001-01-01');
SELECT immutable.make_system_versioned('ret_acct');
INSERT INTO ret_acct VALUES (1, 10) RETURNING old.bal AS old_bal, new.bal, new.system_period;
SELECT immutable.set_system_time('2002-01-01');
UPDATE ret_acct SET bal = 20
    RETURNING old.bal AS old_bal, new.bal AS new_bal, old.system_period AS old_period,
              new.system_period AS new_period;
SELECT immutable.set_system_time('2003-01-01');
DELETE FROM ret_acct RETURNING old.bal, old.system_period, new.bal AS new_bal;
SELECT immutable.set_system_time(NULL);
SELECT bal, system_period FROM ret_acct_history ORDER BY system_period;

-- an append-only table: inserts report no old row; changes stay refused
CREATE TABLE ret_ao (k int PRIMARY KEY);
SELECT immutable.make_append_only('ret_ao');
INSERT INTO ret_ao VALUES (1) RETURNING old.k AS old_k, new.k;
INSERT INTO ret_ao VALUES (1) ON CONFLICT (k) DO UPDATE SET k = 2 RETURNING old.k AS old_k, new.k;
\echo :LAST_ERROR_SQLSTATE
UPDATE ret_ao SET k = 2 RETURNING old.k, new.k;
\echo :LAST_ERROR_SQLSTATE
SELECT k FROM ret_ao;

SELECT immutable.make_mutable('ret_notes');
SELECT immutable.make_mutable('ret_acct');
SELECT immutable.make_mutable('ret_ao');
DROP TABLE ret_notes, ret_acct, ret_acct_history, ret_ao;
