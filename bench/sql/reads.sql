-- bench/sql/reads.sql: A5, reading current rows and the past, for one data
-- shape: :entities entities with :versions versions each.
--
--   bench.r_imm    versioned; every version of every entity, versions
--                  written in transactions of their own (distinct valid_from)
--   bench.r_plain  a plain table holding the same current rows, PRIMARY KEY
--                  (entity_id): what the same data costs to read without
--                  history
--
-- Whole-table reads compute count(x) of the whole row x: every column of
-- every row is produced, as SELECT * would, but nothing is sent to the
-- client, whose transfer would hide the difference.  Single-entity reads
-- look up :rows random entities in one statement, one lookup per row
-- (a function call or a correlated subquery, never a join the planner could
-- turn into one scan).  The hand-written variants are the same queries as
-- plain SQL: the part of the cost that comes from calling a C function
-- rather than from the query itself.  The data has no tombstones, so the
-- hand-written single-entity lookup needs no deleted_at test.
--
-- Parallel query is off: the costs are per row on one core.
--
-- psql variables: entities, versions, rows, reps.

\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;

CREATE TABLE bench.r_imm (payload integer, note text);
SELECT immutable.make_versioned('bench.r_imm');

INSERT INTO bench.r_imm (payload, note)
SELECT n, 'note ' || n FROM generate_series(1, :entities) AS n;

-- Versions 2 .. :versions, one autocommitted statement each.
SELECT format($$INSERT INTO bench.r_imm (entity_id, payload, note)
               SELECT entity_id, payload + %s, note
                 FROM bench.r_imm WHERE version = 1$$, v)
  FROM generate_series(2, :versions) AS v
\gexec

CREATE TABLE bench.r_plain (LIKE bench.r_imm, PRIMARY KEY (entity_id));
INSERT INTO bench.r_plain SELECT * FROM bench.r_imm_current;

-- The entities looked up, in random order.
CREATE TABLE bench.r_ids AS
SELECT entity_id FROM bench.r_plain ORDER BY random() LIMIT :rows;

VACUUM ANALYZE bench.r_imm, bench.r_plain, bench.r_ids;

-- Whole table: the current view and as_of(now()) against a scan of the
-- plain table; the rows counted are the current rows (:entities).
CALL bench.measure('scan_v' || :versions, :entities, :reps, true,
    ARRAY['plain', 'view', 'as_of', 'as_of_sql'],
    ARRAY[
        $$SELECT count(x) FROM bench.r_plain AS x$$,
        $$SELECT count(x) FROM bench.r_imm_current AS x$$,
        $$SELECT count(x) FROM immutable.as_of(NULL::bench.r_imm, now()) AS x$$,
        $$SELECT count(x) FROM ONLY bench.r_imm AS x
           WHERE x.valid_from <= now() AND x.deleted_at IS NULL
             AND NOT EXISTS (SELECT FROM ONLY bench.r_imm AS n
                              WHERE n.entity_id = x.entity_id
                                AND n.version = x.version + 1
                                AND n.valid_from <= now())$$
    ]);

-- One entity at a time: as_of(t, e, now()) against a primary-key lookup.
CALL bench.measure('lookup_v' || :versions, :rows, :reps, true,
    ARRAY['pk', 'as_of', 'as_of_sql'],
    ARRAY[
        $$SELECT count((SELECT p FROM bench.r_plain AS p
                         WHERE p.entity_id = i.entity_id))
            FROM bench.r_ids AS i$$,
        $$SELECT count(immutable.as_of(NULL::bench.r_imm, i.entity_id, now()))
            FROM bench.r_ids AS i$$,
        $$SELECT count((SELECT h FROM ONLY bench.r_imm AS h
                         WHERE h.entity_id = i.entity_id
                           AND h.valid_from <= now()
                         ORDER BY h.version DESC LIMIT 1))
            FROM bench.r_ids AS i$$
    ]);

DROP TABLE bench.r_imm, bench.r_plain, bench.r_ids CASCADE;
