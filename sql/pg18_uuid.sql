-- PostgreSQL 18's built-in uuidv7(), uuidv7(interval),
-- uuid_extract_timestamp(uuid) and uuid_extract_version(uuid) side by side
-- with immutable's functions of the same names: the same results on the
-- same inputs, and UUIDs of one read alike by the other.  Before 18 the
-- file stops after the version check (expected/pg18_uuid_1.out).
SELECT pg_catalog.current_setting('server_version_num')::int >= 180000 AS pg18 \gset
\if :pg18
\else
\echo 'skipped: the built-in uuidv7() is new in PostgreSQL 18'
\quit
\endif
SET TIME ZONE 'UTC';

-- fixed inputs: RFC 9562's examples, nil and max, the other variants, the
-- first and last time of versions 1 and 7, and every version number
CREATE TEMP TABLE uuid_inputs (what text, u uuid);
INSERT INTO uuid_inputs VALUES
    ('nil', '00000000-0000-0000-0000-000000000000'),
    ('max', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
    ('RFC 9562 version 1', 'c232ab00-9414-11ec-b3c8-9f6bdeced846'),
    ('RFC 9562 version 6', '1ec9414c-232a-6b00-b3c8-9f6bdeced846'),
    ('RFC 9562 version 7', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f'),
    ('RFC 9562 version 8', '2489e9ad-2ee2-8e00-8ec9-32d5f69181c0'),
    ('version 1, NCS variant', 'c232ab00-9414-11ec-33c8-9f6bdeced846'),
    ('version 1, Microsoft variant', 'c232ab00-9414-11ec-c3c8-9f6bdeced846'),
    ('version 7, reserved variant', '017f22e2-79b0-7cc3-e8c4-dc0c0c07398f'),
    ('version 1, first tick', '00000000-0000-1000-8000-000000000000'),
    ('version 1, last tick', 'ffffffff-ffff-1fff-bfff-ffffffffffff'),
    ('version 7, first millisecond', '00000000-0000-7000-8000-000000000000'),
    ('version 7, last millisecond', 'ffffffff-ffff-7fff-bfff-ffffffffffff');
INSERT INTO uuid_inputs
SELECT 'version number ' || v, ('017f22e2-79b0-' || to_hex(v) || 'cc3-98c4-dc0c0c07398f')::uuid
  FROM generate_series(0, 15) v;
SELECT what, immutable.uuid_extract_version(u) AS version,
       immutable.uuid_extract_version(u) IS NOT DISTINCT FROM pg_catalog.uuid_extract_version(u)
           AS same_version,
       immutable.uuid_extract_timestamp(u) AS "timestamp",
       immutable.uuid_extract_timestamp(u) IS NOT DISTINCT FROM pg_catalog.uuid_extract_timestamp(u)
           AS same_timestamp
  FROM uuid_inputs;

-- random inputs of every variant and version
SELECT count(*) AS uuids,
       count(DISTINCT immutable.uuid_extract_version(u)) AS versions_seen,
       count(immutable.uuid_extract_timestamp(u)) > 1000 AS many_timestamps,
       count(*) FILTER (WHERE immutable.uuid_extract_version(u)
                        IS DISTINCT FROM pg_catalog.uuid_extract_version(u)) AS versions_differ,
       count(*) FILTER (WHERE immutable.uuid_extract_timestamp(u)
                        IS DISTINCT FROM pg_catalog.uuid_extract_timestamp(u)) AS timestamps_differ
  FROM (SELECT md5(random()::text || g)::uuid AS u FROM generate_series(1, 100000) g) s;

-- UUIDs made by each uuidv7(), read by the other's functions: version 7,
-- RFC 9562 variant, and times of the same moment
CREATE TEMP TABLE made AS
SELECT g, pg_catalog.uuidv7() AS pg, immutable.uuidv7() AS ours FROM generate_series(1, 1000) g;
SELECT count(*) AS pairs,
       bool_and(pg_catalog.uuid_extract_version(ours) = 7 AND immutable.uuid_extract_version(pg) = 7)
           AS both_version_7,
       bool_and(get_byte(uuid_send(ours), 8) >> 6 = 2 AND get_byte(uuid_send(pg), 8) >> 6 = 2)
           AS both_rfc_variant,
       bool_and(pg_catalog.uuid_extract_timestamp(ours) = immutable.uuid_extract_timestamp(ours) AND
                pg_catalog.uuid_extract_timestamp(pg) = immutable.uuid_extract_timestamp(pg))
           AS read_alike,
       bool_and(abs(extract(epoch FROM immutable.uuid_extract_timestamp(ours) -
                                        pg_catalog.uuid_extract_timestamp(pg))) < 1)
           AS same_moment
  FROM made;

-- calls of the two taken in turn: their time fields (48 bits of
-- milliseconds, version, 12 bits of sub-millisecond fraction) never go back,
-- so both put the same fraction of the same clock there
CREATE FUNCTION uuidv7_in_turn(n int) RETURNS TABLE (i int, u uuid) LANGUAGE plpgsql AS $$
BEGIN
    FOR k IN 1..n LOOP
        i := 2 * k - 1;
        u := pg_catalog.uuidv7();
        RETURN NEXT;
        i := 2 * k;
        u := immutable.uuidv7();
        RETURN NEXT;
    END LOOP;
END $$;
SELECT count(*) AS calls, count(*) FILTER (WHERE t < previous) AS went_back
  FROM (SELECT substr(uuid_send(u), 1, 8) AS t,
               lag(substr(uuid_send(u), 1, 8)) OVER (ORDER BY i) AS previous
          FROM uuidv7_in_turn(5000)) s;
DROP FUNCTION uuidv7_in_turn(int);

-- uuidv7(shift): the same time for the same shift, months and days added
-- in the session's time zone (here across a change of daylight saving)
SET TIME ZONE 'Europe/Berlin';
SELECT shift,
       abs(extract(epoch FROM immutable.uuid_extract_timestamp(immutable.uuidv7(shift)) -
                              pg_catalog.uuid_extract_timestamp(pg_catalog.uuidv7(shift)))) < 1
           AS same_time
  FROM unnest(ARRAY['0', '1 day', '-1 day', '1 month', '-6 months', '1 year 2 months 3 days 04:05:06',
                    '-50 years', '8000 years']::interval[]) shift;
SET TIME ZONE 'UTC';

-- the range both accept: from 1970-01-01 to 10889-08-02 05:31:50.655 UTC;
-- outside it (and for infinite shifts) both raise 22008
CREATE FUNCTION uuidv7_outcome(f text, shift interval) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    u uuid;
BEGIN
    EXECUTE format('SELECT %s($1)', f) INTO u USING shift;
    RETURN to_char(pg_catalog.uuid_extract_timestamp(u), 'YYYY-MM-DD');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT what, uuidv7_outcome('immutable.uuidv7', shift) AS immutable,
       uuidv7_outcome('pg_catalog.uuidv7', shift) AS pg_catalog
  FROM (VALUES ('first moment', timestamptz '1970-01-01 00:00:00+00' - now()),
               ('a second before', timestamptz '1970-01-01 00:00:00+00' - now() - interval '1 second'),
               ('a second before the last', timestamptz '10889-08-02 05:31:50.655+00' - now() - interval '1 second'),
               ('a second after the last', timestamptz '10889-08-02 05:31:50.655+00' - now() + interval '1 second'),
               ('-100 years', interval '-100 years'),
               ('9000 years', interval '9000 years'),
               ('infinity', interval 'infinity'),
               ('-infinity', interval '-infinity')) AS t (what, shift);
DROP FUNCTION uuidv7_outcome(text, interval);
