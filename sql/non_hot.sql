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

-- the same with plain indexes only, which get their entries directly
CREATE TABLE narrow (k int PRIMARY KEY, pad text) WITH (fillfactor = 100);
CREATE INDEX narrow_k ON narrow (k, pad);
INSERT INTO narrow SELECT g, repeat('x', 1500) FROM generate_series(1, 40) g;
SELECT immutable.make_versioned('narrow');
CREATE TEMP TABLE page_before AS SELECT k, (ctid::text::point)[0] AS page FROM narrow;
UPDATE narrow_current SET pad = repeat('y', 1500);
SELECT count(*) AS rows, count(*) FILTER (WHERE valid_to = 'infinity') AS open FROM narrow;
-- every closed version moved to another page: none of the updates was HOT
SELECT count(*) AS moved FROM narrow n JOIN page_before b USING (k)
 WHERE n.valid_to <> 'infinity' AND (n.ctid::text::point)[0] <> b.page;
SET enable_seqscan = off;
SELECT count(*) FROM narrow_current WHERE k BETWEEN 1 AND 40;
RESET enable_seqscan;
SELECT c.relname, bt_index_check(c.oid, true)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'narrow'::regclass ORDER BY c.relname;
SELECT immutable.make_mutable('narrow');
DROP TABLE narrow;
