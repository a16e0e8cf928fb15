-- bench/sql/system_setup.sql: the harness (sql/harness.sql) and the five
-- write tables the system-versioning benchmarks compare, all with the
-- columns (id bigint PRIMARY KEY, payload integer, note text) and a period:
--
--   bench.sv_plain      the period column, no history: the limit
--   bench.sv_immutable  system-versioned by immutable.make_system_versioned
--                       (C triggers), history bench.sv_immutable_history
--   bench.sv_immutable_lean
--                       the same, but its history table
--                       bench.sv_immutable_lean_history keeps only the BRIN
--                       index on the period, without the btree key index:
--                       measured in the UPDATE and DELETE statements only
--                       (S2, S3), to show what of immutable's cost there is
--                       that index and what the trigger
--   bench.sv_plpgsql    the PL/pgSQL history trigger users copy from blog
--                       posts, history bench.sv_plpgsql_history
--   bench.sv_periods    system-versioned by the periods extension (C
--                       triggers), history bench.sv_periods_history; its
--                       period is two timestamptz columns, system_time_start
--                       and system_time_end, as periods requires, instead of
--                       the tstzrange
--
-- Each table is named after its variant in the report: bench.sv_<variant>.
--
-- Every history table but bench.sv_immutable_lean_history gets the indexes
-- make_system_versioned gives its own (whichever they are; today a btree on
-- the primary key column, for one row's history, and one on the period, for
-- as of a time).  Writes then pay for the same index maintenance
-- everywhere, and the ratios compare the trigger machinery.
--
-- psql variables: entities (rows seeded into each write table, ids 1 ..
-- entities).  The benchmarks add rows with ids of their own: A from
-- 100000001 up (system_writes.sql), pgbench from 1000000000 up (run_system.sh).

CREATE EXTENSION immutable;
CREATE EXTENSION periods CASCADE;   -- and btree_gist, which periods requires
\ir harness.sql

------------------------------------------------------------------------------
-- The write tables
------------------------------------------------------------------------------

-- The limit: the period column with the default make_system_versioned
-- gives one it adds, nothing computed per row beyond it, no history.
CREATE TABLE bench.sv_plain (
    id            bigint PRIMARY KEY,
    payload       integer,
    note          text,
    system_period tstzrange NOT NULL DEFAULT tstzrange(now(), NULL)
);

-- immutable: make_system_versioned keeps the period column, attaches the
-- triggers and creates the history table with its indexes.
CREATE TABLE bench.sv_immutable (LIKE bench.sv_plain INCLUDING ALL);
SELECT immutable.make_system_versioned('bench.sv_immutable');

-- immutable without the key index on the history: made the same way, then
-- every btree index of its history table dropped (today the one on the key
-- and the period's ends), found in pg_index rather than by name, so the
-- BRIN index on the period is all that is left to maintain.
CREATE TABLE bench.sv_immutable_lean (LIKE bench.sv_plain INCLUDING ALL);
SELECT immutable.make_system_versioned('bench.sv_immutable_lean');
SELECT format('DROP INDEX %s', i.indexrelid::regclass)
  FROM pg_index AS i
  JOIN pg_class AS c ON c.oid = i.indexrelid
  JOIN pg_am AS a ON a.oid = c.relam
 WHERE i.indrelid = 'bench.sv_immutable_lean_history'::regclass
   AND a.amname = 'btree'
\gexec

-- The blog-post trigger: one PL/pgSQL function BEFORE INSERT OR UPDATE OR
-- DELETE, which stamps the new row's period and copies the old row into the
-- history table with its period ended now, with a static INSERT.  It has
-- none of the C trigger's checks (a row changed twice in one transaction
-- gets an empty period instead of no history row, a row written by a later
-- transaction gets a reversed period, which tstzrange refuses), so it is a
-- lower bound for a PL/pgSQL implementation of the same contract.
CREATE TABLE bench.sv_plpgsql (LIKE bench.sv_plain INCLUDING ALL);
CREATE TABLE bench.sv_plpgsql_history (LIKE bench.sv_plain);

CREATE FUNCTION bench.sv_plpgsql_versioning() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO bench.sv_plpgsql_history (id, payload, note, system_period)
        VALUES (OLD.id, OLD.payload, OLD.note,
                tstzrange(lower(OLD.system_period), now()));
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.system_period := tstzrange(now(), NULL);
    RETURN NEW;
END
$$;

CREATE TRIGGER versioning BEFORE INSERT OR UPDATE OR DELETE ON bench.sv_plpgsql
    FOR EACH ROW EXECUTE FUNCTION bench.sv_plpgsql_versioning();

-- periods: add_system_time_period adds the two period columns, their CHECK
-- constraints and the triggers; add_system_versioning creates the history
-- table (without indexes: "be sure to index it properly", it says), the
-- view sv_periods_with_history and the sv_periods__as_of() functions.
CREATE TABLE bench.sv_periods (
    id      bigint PRIMARY KEY,
    payload integer,
    note    text
);
SELECT periods.add_system_time_period('bench.sv_periods');
SELECT periods.add_system_versioning('bench.sv_periods');

-- The indexes of bench.sv_immutable_history on the other two history
-- tables; for periods, on the range its two columns make.
SELECT regexp_replace(pg_get_indexdef(i.indexrelid),
                      '^CREATE INDEX \S+ ON bench\.sv_immutable_history ',
                      'CREATE INDEX ON bench.sv_plpgsql_history '),
       regexp_replace(regexp_replace(pg_get_indexdef(i.indexrelid),
                                     '^CREATE INDEX \S+ ON bench\.sv_immutable_history ',
                                     'CREATE INDEX ON bench.sv_periods_history '),
                      '\msystem_period\M',
                      '(tstzrange(system_time_start, system_time_end))', 'g')
  FROM pg_index AS i
 WHERE i.indrelid = 'bench.sv_immutable_history'::regclass
\gexec

------------------------------------------------------------------------------
-- Seed: ids 1 .. entities in every write table, through the triggers
------------------------------------------------------------------------------

INSERT INTO bench.sv_plain (id, payload, note)
SELECT n, n, 'note ' || n FROM generate_series(1, :entities) AS n;
INSERT INTO bench.sv_immutable (id, payload, note)
SELECT n, n, 'note ' || n FROM generate_series(1, :entities) AS n;
INSERT INTO bench.sv_immutable_lean (id, payload, note)
SELECT n, n, 'note ' || n FROM generate_series(1, :entities) AS n;
INSERT INTO bench.sv_plpgsql (id, payload, note)
SELECT n, n, 'note ' || n FROM generate_series(1, :entities) AS n;
INSERT INTO bench.sv_periods (id, payload, note)
SELECT n, n, 'note ' || n FROM generate_series(1, :entities) AS n;

VACUUM ANALYZE bench.sv_plain, bench.sv_immutable, bench.sv_immutable_lean,
    bench.sv_plpgsql, bench.sv_periods;

-- What the log should show: the tables, their triggers and indexes.
\d bench.sv_immutable
\d bench.sv_immutable_history
\d bench.sv_immutable_lean
\d bench.sv_immutable_lean_history
\d bench.sv_plpgsql
\d bench.sv_plpgsql_history
\d bench.sv_periods
\d bench.sv_periods_history
