-- Bad input to the UUID functions: uuidv7(), uuidv7(shift interval),
-- uuidv7_at(at timestamptz), uuid_extract_timestamp(uuid),
-- uuid_extract_version(uuid).  STRICT: NULL in, NULL out; times a version 7
-- UUID cannot hold (before 1970, after 10889, infinite) fail with 22008;
-- UUIDs of other versions or variants give NULL, as PostgreSQL 18's do.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SELECT immutable.uuidv7(NULL) IS NULL AS null_shift,
       immutable.uuidv7_at(NULL) IS NULL AS null_at,
       immutable.uuid_extract_timestamp(NULL) IS NULL AS null_ts,
       immutable.uuid_extract_version(NULL) IS NULL AS null_version;
SELECT immutable.uuidv7(interval '-100 years');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7(interval '9000 years');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7_at('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7_at('-infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7_at('1969-12-31 23:59:59.999+00');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7_at('10890-01-01 00:00:00+00');
\echo :LAST_ERROR_SQLSTATE
-- one microsecond before the first millisecond, the millisecond after the
-- last one, the ends of timestamptz, a shift past them
SELECT immutable.uuidv7_at('1969-12-31 23:59:59.999999+00');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7_at('10889-08-02 05:31:50.656+00');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7_at('294276-12-31 23:59:59.999999+00');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7_at('4713-11-24 00:00:00+00 BC');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.uuidv7(interval '300000 years');
\echo :LAST_ERROR_SQLSTATE
-- the edges are accepted
SELECT immutable.uuid_extract_timestamp(immutable.uuidv7_at('1970-01-01 00:00:00+00')) AS first_ms;
-- other versions and variants: NULL timestamp, version only for RFC 9562's variant
SELECT immutable.uuid_extract_timestamp('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11') AS v4_ts,
       immutable.uuid_extract_version('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11') AS v4_version,
       immutable.uuid_extract_version('a0eebc99-9c0b-4ef8-cb6d-6bb9bd380a11') AS other_variant,
       immutable.uuid_extract_version('00000000-0000-0000-0000-000000000000') AS nil;
