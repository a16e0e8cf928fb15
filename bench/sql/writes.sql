-- bench/sql/writes.sql: A1-A3, server-side cost per written row.
--
-- Each statement writes {rows} rows, so the per-row trigger work dominates
-- and a client round trip is amortized away; report.sql divides the median
-- statement time by {rows}.  The statements of one test differ only where
-- the variants differ: the plain table is told id, entity_id and version
-- (what a client that already knows them would send), the other two work
-- them out per row.
--
-- psql variables: rows, reps.

\set ON_ERROR_STOP on

-- One core per statement: the costs are per row, and the read-only split of
-- A3 must run the plan the UPDATE runs (which never goes parallel).
SET max_parallel_workers_per_gather = 0;

-- The entities A2 and A3 write to: seeded entities 0 .. rows-1, in a table
-- with statistics, so the planner knows how many rows the statements touch.
CREATE TABLE bench.batch AS
SELECT bench.eid(n) AS entity_id, n FROM generate_series(0, :rows - 1) AS n;
ALTER TABLE bench.batch ADD PRIMARY KEY (entity_id);
ANALYZE bench.batch;

-- A1: {rows} new entities (entity_id NULL: version 1 of a new entity).
-- The plain table gets one uuidv7() per row as id and entity_id, as the
-- triggers do.
CALL bench.measure('insert_new', :rows, :reps, true,
    ARRAY['plain', 'immutable', 'plpgsql'],
    ARRAY[
        $$INSERT INTO bench.plain (id, entity_id, version, payload, note)
          SELECT u, u, 1, g, 'note'
            FROM (SELECT immutable.uuidv7() AS u, g
                    FROM generate_series(1, {rows}) AS g) AS s$$,
        $$INSERT INTO bench.imm (payload, note)
          SELECT g, 'note' FROM generate_series(1, {rows}) AS g$$,
        $$INSERT INTO bench.plpgsql (payload, note)
          SELECT g, 'note' FROM generate_series(1, {rows}) AS g$$
    ]);

-- A2: one new version of each entity of bench.batch, in every round.  The
-- plain table is given the version number: 1 was seeded, round 0 (the
-- warm-up) writes 2, round r writes r + 2.
CALL bench.measure('insert_version', :rows, :reps, true,
    ARRAY['plain', 'immutable', 'plpgsql'],
    ARRAY[
        $$INSERT INTO bench.plain (entity_id, version, payload, note)
          SELECT entity_id, {rep} + 2, n, 'note' FROM bench.batch$$,
        $$INSERT INTO bench.imm (entity_id, payload, note)
          SELECT entity_id, n, 'note' FROM bench.batch$$,
        $$INSERT INTO bench.plpgsql (entity_id, payload, note)
          SELECT entity_id, n, 'note' FROM bench.batch$$
    ]);

-- Fresh statistics, so the view UPDATEs below are planned for the tables'
-- real size (A1 and A2 have grown them).
VACUUM ANALYZE bench.imm, bench.plain, bench.plain_cur, bench.plpgsql;

-- A3: UPDATE the current rows of the entities of bench.batch: through the
-- current view, each row appends a version; the plain table updates in
-- place.  By now A2 has given these entities 7 versions, and every round
-- adds one, so the view has about 10 versions per entity to look through.
CALL bench.measure('update_view', :rows, :reps, true,
    ARRAY['plain', 'immutable', 'plpgsql'],
    ARRAY[
        $$UPDATE bench.plain_cur SET payload = payload + 1
           WHERE entity_id IN (SELECT entity_id FROM bench.batch)$$,
        $$UPDATE bench.imm_current SET payload = payload + 1
           WHERE entity_id IN (SELECT entity_id FROM bench.batch)$$,
        $$UPDATE bench.plpgsql_current SET payload = payload + 1
           WHERE entity_id IN (SELECT entity_id FROM bench.batch)$$
    ]);

-- A3 split: the read half of the UPDATEs above, finding the current rows
-- of the batch (the heads table for immutable, valid_to = 'infinity' among
-- each entity's versions for PL/pgSQL).  The
-- difference to A3 is the cost of the triggers.
CALL bench.measure('update_view_read', :rows, :reps, true,
    ARRAY['plain', 'immutable', 'plpgsql'],
    ARRAY[
        $$SELECT count(c) FROM bench.plain_cur AS c
           WHERE entity_id IN (SELECT entity_id FROM bench.batch)$$,
        $$SELECT count(c) FROM bench.imm_current AS c
           WHERE entity_id IN (SELECT entity_id FROM bench.batch)$$,
        $$SELECT count(c) FROM bench.plpgsql_current AS c
           WHERE entity_id IN (SELECT entity_id FROM bench.batch)$$
    ]);

VACUUM ANALYZE bench.imm, bench.plain, bench.plain_cur, bench.plpgsql;
