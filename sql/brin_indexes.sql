-- BRIN indexes on the tables the extension writes itself (history and heads
-- tables). Since PostgreSQL 17 a BRIN index keeps buffer pins between
-- insertions until the inserter cleans up; the extension's insertions must
-- leave none pinned after a statement (PostgreSQL warns "resource was not
-- closed" otherwise) and every row must stay findable through the index.
-- Since PostgreSQL 16 an update that stays on its page (HOT) still needs
-- entries in BRIN indexes when a column they cover changed.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE EXTENSION IF NOT EXISTS amcheck;

-- a system-versioned table: its history table has a BRIN index on the period
CREATE TABLE brin_sv (k int PRIMARY KEY, note text);
SELECT immutable.make_system_versioned('brin_sv');
SELECT c.relname, a.amname FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
 WHERE i.indrelid = 'brin_sv_history'::regclass AND a.amname = 'brin';
INSERT INTO brin_sv SELECT g, 'v0' FROM generate_series(1, 100) g;
UPDATE brin_sv SET note = 'v1';
BEGIN;
UPDATE brin_sv SET note = 'v2' WHERE k <= 50;
UPDATE brin_sv SET note = 'v3' WHERE k <= 25;
SAVEPOINT s;
UPDATE brin_sv SET note = 'v4' WHERE k <= 10;
ROLLBACK TO s;
UPDATE brin_sv SET note = 'v5' WHERE k <= 5;
COMMIT;
DELETE FROM brin_sv WHERE k > 95;
-- the BRIN index alone (a bitmap scan on the period) finds every history row
SET enable_seqscan = off;
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM brin_sv_history
 WHERE system_period OPERATOR(pg_catalog.&&) tstzrange('-infinity', 'infinity');
SELECT count(*) AS history_rows, count(DISTINCT k) AS keys FROM brin_sv_history
 WHERE system_period OPERATOR(pg_catalog.&&) tstzrange('-infinity', 'infinity');
RESET enable_seqscan;
RESET enable_indexscan;
SELECT count(*) AS history_rows FROM brin_sv_history;

-- a versioned table with a BRIN index on its heads table: each replacement
-- of a head that stays on its page changes a column only BRIN covers
CREATE TABLE brin_v (k int PRIMARY KEY, note text);
SELECT immutable.make_versioned('brin_v');
INSERT INTO brin_v_current (k, note) SELECT g, 'a' || g FROM generate_series(1, 20) g;
CREATE INDEX brin_v_heads_note ON brin_v_heads USING brin (note);
SELECT brin_summarize_new_values('brin_v_heads_note') >= 0 AS summarized;
CREATE TEMP TABLE brin_page_before AS
  SELECT k, (ctid::text::point)[0] AS page FROM brin_v_heads;
UPDATE brin_v_current SET note = 'zz' || k WHERE k <= 3;
BEGIN;
UPDATE brin_v_current SET note = 'zy' || k WHERE k = 4;
UPDATE brin_v_current SET note = 'zx' || k WHERE k = 5;
COMMIT;
-- the heads stayed on their page (HOT) ...
SELECT count(*) AS moved FROM brin_v_heads h JOIN brin_page_before b USING (k)
 WHERE (h.ctid::text::point)[0] <> b.page;
-- ... and the BRIN index still finds the new values, which lie outside the
-- summary it had of the page range
SET enable_seqscan = off;
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) SELECT k FROM brin_v_heads WHERE note > 'z';
SELECT k, note FROM brin_v_heads WHERE note > 'z' ORDER BY k;
RESET enable_seqscan;
RESET enable_indexscan;
SELECT c.relname, bt_index_check(c.oid, true)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
 WHERE i.indrelid IN ('brin_v_heads'::regclass, 'brin_sv_history'::regclass)
   AND a.amname = 'btree' ORDER BY c.relname;

SELECT immutable.make_mutable('brin_v');
SELECT immutable.make_mutable('brin_sv');
DROP TABLE brin_sv, brin_sv_history, brin_v, brin_page_before;
DROP EXTENSION amcheck;
