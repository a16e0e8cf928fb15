-- bench/sql/load.sql: C, one transaction of :load_rows rows with default
-- settings: make_versioned on a table that already holds them, then one
-- INSERT ... SELECT appending a new version of every entity (every row
-- closes the period of its entity's head, an update whose row lock lives in
-- the tuple, not in the lock table, so max_locks_per_transaction is no
-- limit).  The plain table gets the same INSERT with the version given, for
-- scale.
--
-- psql variables: load_rows.

\set ON_ERROR_STOP on

CREATE TABLE bench.load (payload integer, note text);
INSERT INTO bench.load SELECT n, 'note ' || n FROM generate_series(1, :load_rows) AS n;
VACUUM ANALYZE bench.load;

CALL bench.measure('load_make_versioned', :load_rows, 1, false,
    ARRAY['immutable'],
    ARRAY[$$SELECT immutable.make_versioned('bench.load')$$]);

CREATE TABLE bench.load_plain (LIKE bench.plain INCLUDING DEFAULTS,
                               PRIMARY KEY (id), UNIQUE (entity_id, version));
INSERT INTO bench.load_plain SELECT * FROM bench.load;
VACUUM ANALYZE bench.load, bench.load_plain;

CALL bench.measure('load_new_versions', :load_rows, 1, false,
    ARRAY['plain', 'immutable'],
    ARRAY[
        $$INSERT INTO bench.load_plain (entity_id, version, payload, note)
          SELECT entity_id, version + 1, payload + 1, note
            FROM bench.load_plain$$,
        $$INSERT INTO bench.load (entity_id, payload, note)
          SELECT entity_id, payload + 1, note FROM bench.load$$
    ]);

SELECT count(*) AS versions, count(DISTINCT entity_id) AS entities,
       max(version) AS max_version
  FROM bench.load;

DROP TABLE bench.load, bench.load_plain CASCADE;
