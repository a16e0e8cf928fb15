-- bench/sql/uuid.sql: A4, the cost of one UUID.
--
-- {rows} calls in one statement.  count() of the value keeps every call
-- (the planner cannot drop a volatile call whose result is used) without
-- sending anything to the client.  The variant 'empty' runs the same loop
-- without a call; report.sql subtracts it, so the figure is the function
-- alone.
--
-- The hand-written variant is the PL/pgSQL uuid_generate_v7() that circulates
-- for PostgreSQL 13-17 (timestamp overlaid on gen_random_uuid()), which is
-- what users without the extension or PostgreSQL 18 use.
--
-- psql variables: uuids, reps.

\set ON_ERROR_STOP on

CREATE FUNCTION bench.uuid_generate_v7() RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    -- 48 bits of Unix milliseconds over the first 6 bytes of a v4 UUID,
    -- then the version nibble turned from 4 (0100) into 7 (0111).
    RETURN encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid;
END
$$;

CALL bench.measure('uuid', :uuids, :reps, true,
    ARRAY['empty', 'uuidv7', 'gen_random_uuid', 'plpgsql_uuidv7'],
    ARRAY[
        $$SELECT count(1) FROM generate_series(1, {rows})$$,
        $$SELECT count(immutable.uuidv7()) FROM generate_series(1, {rows})$$,
        $$SELECT count(gen_random_uuid()) FROM generate_series(1, {rows})$$,
        $$SELECT count(bench.uuid_generate_v7()) FROM generate_series(1, {rows})$$
    ]);
