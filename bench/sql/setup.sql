-- bench/sql/setup.sql: the harness (sql/harness.sql: timing procedure, result
-- tables) and the three write tables every write benchmark compares:
--
--   bench.imm      versioned by the extension (C triggers), view imm_current
--   bench.plain    the same columns and indexes, no trigger: the limit
--   bench.plpgsql  the same job done by hand-written PL/pgSQL triggers, as
--                  users write it today, view plpgsql_current
--   bench.plain_cur  a mutable table of current rows (PRIMARY KEY entity_id):
--                  what plain UPDATE and primary-key lookups run against
--
-- psql variables: entities (entities seeded into each write table).
--
-- Every id in every table comes from immutable.uuidv7(), so the ratios
-- measure the versioning machinery and not the choice of UUID generator
-- (which A4 measures on its own).  Seeded entities get the entity_id
-- bench.eid(n), so statements and pgbench scripts can name entity n without
-- a lookup table.

CREATE EXTENSION immutable;
\ir harness.sql

-- Entity n of the seeded data: a UUID made from n (sorts like n).
CREATE FUNCTION bench.eid(n integer) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.lpad(pg_catalog.to_hex(n), 32, '0')::uuid $$;

------------------------------------------------------------------------------
-- The write tables
------------------------------------------------------------------------------

-- Versioned by the extension: make_versioned adds id, entity_id, version,
-- valid_from, deleted_at, their indexes, the triggers, the heads table
-- imm_heads and the view imm_current.
CREATE TABLE bench.imm (payload integer, note text);
SELECT immutable.make_versioned('bench.imm');

-- The limit: same columns, same indexes, nothing computed per row.
CREATE TABLE bench.plain (
    payload    integer,
    note       text,
    id         uuid PRIMARY KEY DEFAULT immutable.uuidv7(),
    entity_id  uuid NOT NULL,
    version    integer NOT NULL,
    valid_from timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    UNIQUE (entity_id, version)
);

-- The current rows of a mutable design: one row per entity, updated in place.
CREATE TABLE bench.plain_cur (LIKE bench.plain INCLUDING DEFAULTS,
                              PRIMARY KEY (entity_id));

-- What a competent user writes today without the extension.
CREATE TABLE bench.plpgsql (
    payload    integer,
    note       text,
    id         uuid PRIMARY KEY,
    entity_id  uuid NOT NULL,
    version    integer NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to   timestamptz NOT NULL DEFAULT 'infinity',
    deleted_at timestamptz,
    UNIQUE (entity_id, version)
) WITH (fillfactor = 90);

-- BEFORE INSERT: new entity when entity_id is NULL, else the next version
-- after the latest one, whose period it closes with an UPDATE (which also
-- makes concurrent writers of one entity queue up).  It has none of the C
-- trigger's checks (client-supplied version, clock order, tombstones,
-- starting again after a concurrent writer), so it is a lower bound for a
-- PL/pgSQL implementation of the same contract.
CREATE FUNCTION bench.plpgsql_stamp_version() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    head integer;
BEGIN
    NEW.id := immutable.uuidv7();
    NEW.valid_from := now();
    NEW.valid_to := 'infinity';
    IF NEW.entity_id IS NULL THEN
        NEW.entity_id := NEW.id;
        NEW.version := 1;
    ELSE
        UPDATE bench.plpgsql AS p SET valid_to = now()
         WHERE p.entity_id = NEW.entity_id AND p.valid_to = 'infinity'
        RETURNING p.version INTO head;
        NEW.version := coalesce(head, 0) + 1;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER stamp_version BEFORE INSERT ON bench.plpgsql
    FOR EACH ROW EXECUTE FUNCTION bench.plpgsql_stamp_version();

-- The same current view as make_versioned creates.
CREATE VIEW bench.plpgsql_current AS
SELECT h.*
  FROM ONLY bench.plpgsql AS h
 WHERE h.valid_to = 'infinity' AND h.deleted_at IS NULL;

-- INSTEAD OF UPDATE: append the next version of OLD's entity; the BEFORE
-- INSERT trigger numbers it.  RETURNING fills NEW for the caller.
CREATE FUNCTION bench.plpgsql_current_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO bench.plpgsql (payload, note, entity_id)
    VALUES (NEW.payload, NEW.note, OLD.entity_id)
    RETURNING * INTO NEW;
    RETURN NEW;
END
$$;

CREATE TRIGGER current_update INSTEAD OF UPDATE ON bench.plpgsql_current
    FOR EACH ROW EXECUTE FUNCTION bench.plpgsql_current_update();

------------------------------------------------------------------------------
-- Seed: entities 0 .. entities-1, version 1 each, in every write table
------------------------------------------------------------------------------

INSERT INTO bench.imm (entity_id, version, payload, note)
SELECT bench.eid(n), 1, n, 'note ' || n
  FROM generate_series(0, :entities - 1) AS n;

INSERT INTO bench.plain (entity_id, version, payload, note)
SELECT bench.eid(n), 1, n, 'note ' || n
  FROM generate_series(0, :entities - 1) AS n;

INSERT INTO bench.plain_cur SELECT * FROM bench.plain;

INSERT INTO bench.plpgsql (entity_id, payload, note)
SELECT bench.eid(n), n, 'note ' || n
  FROM generate_series(0, :entities - 1) AS n;

VACUUM ANALYZE bench.imm, bench.plain, bench.plain_cur, bench.plpgsql;
