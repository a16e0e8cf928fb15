-- Replacing a head on a full page of the heads table cannot stay on the page
-- (no HOT update): the new tuple gets index entries of its own, and every
-- index still matches the table (amcheck).
\set SHOW_CONTEXT never
CREATE EXTENSION IF NOT EXISTS amcheck;
CREATE TABLE wide (k int PRIMARY KEY, pad text);
INSERT INTO wide SELECT g, repeat('x', 1500) FROM generate_series(1, 40) g;
SELECT immutable.make_versioned('wide');
SELECT reloptions FROM pg_class WHERE relname = 'wide_heads';
-- an expression index with a predicate on the heads table, for queries of
-- the current rows, is maintained through an executor state
CREATE INDEX wide_heads_pad ON wide_heads (left(pad, 3)) WHERE k > 0;
CREATE TEMP TABLE page_before AS SELECT k, (ctid::text::point)[0] AS page FROM wide_heads;
UPDATE wide_current SET pad = repeat('y', 1500);
UPDATE wide_current SET pad = repeat('z', 1500) WHERE k <= 10;
SELECT count(*) AS versions, (SELECT count(*) FROM wide_heads) AS heads FROM wide;
-- most heads moved to another page: those updates were not HOT
SELECT count(*) > 20 AS most_moved FROM wide_heads h JOIN page_before b USING (k)
 WHERE (h.ctid::text::point)[0] <> b.page;
SET enable_seqscan = off;
SELECT count(*) FROM wide_current;
SELECT count(*) FROM wide_current WHERE left(pad, 3) = 'zzz' AND k > 0;
SELECT version FROM wide_current WHERE k = 5;
RESET enable_seqscan;
SELECT c.relname, bt_index_check(c.oid, true)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('wide'::regclass, 'wide_heads'::regclass) ORDER BY c.relname;
SELECT immutable.make_mutable('wide');
DROP TABLE wide, page_before;
