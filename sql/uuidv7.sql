--
-- uuidv7: RFC 9562 version 7 UUIDs, uuid_extract_timestamp and
-- uuid_extract_version, with PostgreSQL 18's semantics.  Only properties are
-- checked that do not depend on the wall clock.
--
\set VERBOSITY terse
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- version 7, RFC 9562 variant (binary 10), for every form
SELECT immutable.uuid_extract_version(u) AS version,
       get_byte(uuid_send(u), 8) >> 6 AS variant,
       substr(u::text, 15, 1) AS version_digit
FROM (VALUES (immutable.uuidv7()),
             (immutable.uuidv7(interval '-1 day')),
             (immutable.uuidv7_at('2024-05-06 07:08:09.123456+00'))) AS v(u);

-- 100k made in one statement are strictly increasing and distinct
WITH g AS MATERIALIZED (
	SELECT i, immutable.uuidv7() AS u FROM generate_series(1, 100000) AS i
), d AS (
	SELECT u, lag(u) OVER (ORDER BY i) AS prev FROM g
)
SELECT count(*) AS n,
       count(DISTINCT u) AS n_distinct,
       count(*) FILTER (WHERE u <= prev) AS not_increasing,
       bool_and(immutable.uuid_extract_version(u) = 7) AS all_v7
FROM d;

-- the timestamp is the current time, to the millisecond
SELECT abs(extract(epoch FROM immutable.uuid_extract_timestamp(immutable.uuidv7())
                              - clock_timestamp())) < 1 AS now_within_1s;

-- uuidv7(shift) moves the timestamp by the interval
SELECT abs(extract(epoch FROM immutable.uuid_extract_timestamp(immutable.uuidv7(interval '-1 day'))
                              - (clock_timestamp() - interval '1 day'))) < 1 AS minus_1_day,
       abs(extract(epoch FROM immutable.uuid_extract_timestamp(immutable.uuidv7(interval '1 month'))
                              - (clock_timestamp() + interval '1 month'))) < 1 AS plus_1_month,
       abs(extract(epoch FROM immutable.uuid_extract_timestamp(immutable.uuidv7(interval '0'))
                              - clock_timestamp())) < 1 AS zero_shift;
SELECT immutable.uuidv7(interval '-1 day') < immutable.uuidv7() AS past_sorts_first,
       immutable.uuidv7(interval '1 hour') > immutable.uuidv7() AS future_sorts_last;

-- neither a shift nor uuidv7_at moves the clock of later uuidv7() calls
SELECT immutable.uuidv7(interval '1 year') IS NOT NULL AS shifted,
       immutable.uuidv7_at('3000-01-01 00:00:00+00') IS NOT NULL AS at_future;
SELECT abs(extract(epoch FROM immutable.uuid_extract_timestamp(immutable.uuidv7())
                              - clock_timestamp())) < 1 AS still_now;

-- uuidv7_at: time to the millisecond, sub-millisecond fraction from the
-- microseconds (456 us = 1867/4096 ms = 0x74b), the rest random
SELECT substr(u::text, 1, 18) AS time_version_fraction,
       immutable.uuid_extract_timestamp(u) AS extracted
FROM (SELECT immutable.uuidv7_at('2024-05-06 07:08:09.123456+00') AS u) AS s;
SELECT immutable.uuid_extract_timestamp(immutable.uuidv7_at(t)) = date_trunc('milliseconds', t)
       AS round_trip
FROM (VALUES (timestamptz '2001-02-03 04:05:06.789012+00'),
             ('1999-12-31 23:59:59.999999+00'),
             ('2038-01-19 03:14:08+00')) AS v(t);

-- every microsecond of a millisecond has its own fraction, in order
SELECT count(*) AS n,
       count(DISTINCT substr(u::text, 1, 18)) AS n_fractions,
       count(*) FILTER (WHERE substr(u::text, 1, 18) <= substr(prev::text, 1, 18)) AS not_increasing
FROM (SELECT u, lag(u) OVER (ORDER BY us) AS prev
      FROM (SELECT us, immutable.uuidv7_at(timestamptz '2024-05-06 07:08:09.123+00'
                                            + us * interval '1 microsecond') AS u
            FROM generate_series(0, 999) AS us) AS g) AS d;
SELECT immutable.uuidv7_at('2024-05-06 07:08:09.123001+00')
       < immutable.uuidv7_at('2024-05-06 07:08:09.123002+00') AS us_ordered,
       immutable.uuidv7_at('2024-05-06 07:08:09.123999+00')
       < immutable.uuidv7_at('2024-05-06 07:08:09.124+00') AS ms_ordered;

-- two UUIDs for the same time differ in their random bits only
SELECT a <> b AS distinct_uuids,
       substr(a::text, 1, 18) = substr(b::text, 1, 18) AS same_time_bits
FROM (SELECT immutable.uuidv7_at('2024-05-06 07:08:09.123456+00') AS a,
             immutable.uuidv7_at('2024-05-06 07:08:09.123456+00') AS b) AS s;

-- the limits of the 48-bit millisecond field
SELECT substr(immutable.uuidv7_at('1970-01-01 00:00:00+00')::text, 1, 18) AS first,
       substr(immutable.uuidv7_at('10889-08-02 05:31:50.655999+00')::text, 1, 18) AS last;
SELECT immutable.uuid_extract_timestamp(immutable.uuidv7_at('10889-08-02 05:31:50.655999+00'))
       AS last_time;

-- known values: the test vectors of RFC 9562 appendix A, and other variants
SELECT label, u,
       immutable.uuid_extract_version(u) AS version,
       immutable.uuid_extract_timestamp(u) AS ts
FROM (VALUES ('v1 (A.1)', uuid 'c232ab00-9414-11ec-b3c8-9f6bdeced846'),
             ('v4 (A.3)', '919108f7-52d1-4320-9bac-f847db4148a8'),
             ('v6 (A.5)', '1ec9414c-232a-6b00-b3c8-9f6bdeced846'),
             ('v7 (A.6)', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f'),
             ('v7 ms 0', '00000000-0000-7000-8000-000000000000'),
             ('v7 ms max', 'ffffffff-ffff-7fff-bfff-ffffffffffff'),
             ('v1 epoch', '00000000-0000-1000-8000-000000000000'),
             ('v7 NCS variant', '017f22e2-79b0-7cc3-18c4-dc0c0c07398f'),
             ('v7 Microsoft variant', '017f22e2-79b0-7cc3-c8c4-dc0c0c07398f'),
             ('v1 reserved variant', 'c232ab00-9414-11ec-e3c8-9f6bdeced846'),
             ('nil', '00000000-0000-0000-0000-000000000000'),
             ('max', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
             ('version 15', '00000000-0000-f000-8000-000000000000')) AS v(label, u);

-- (NULLs and times a version 7 UUID cannot hold: sql/bad_input_uuidv7.sql)
