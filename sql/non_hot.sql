-- Closing a version's period on a full page cannot stay on the page (no HOT
-- update): the new tuple gets index entries of its own, and every index still
-- matches the table (amcheck).
\set SHOW_CONTEXT never
CREATE EXTENSION IF NOT EXISTS amcheck;
CREATE TABLE wide (k int PRIMARY KEY, pad text) WITH (fillfactor = 100);
CREATE INDEX wide_pad ON wide (left(pad, 3)) WHERE k > 0;
INSERT INTO wide SELECT g, repeat('x', 1500) FROM generate_series(1, 40) g;
SELECT immutable.make_versioned('wide');
SELECT reloptions FROM pg_class WHERE relname = 'wide';
UPDATE wide_current SET pad = repeat('y', 1500);
UPDATE wide_current SET pad = repeat('z', 1500) WHERE k <= 10;
SELECT count(*) AS rows, count(*) FILTER (WHERE valid_to = 'infinity') AS open FROM wide;
SET enable_seqscan = off;
SELECT count(*) FROM wide_current;
SELECT count(*) FROM wide WHERE k = 5;
RESET enable_seqscan;
SELECT c.relname, bt_index_check(c.oid, true)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'wide'::regclass ORDER BY c.relname;
SELECT immutable.make_mutable('wide');
DROP TABLE wide;
