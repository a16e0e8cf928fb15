-- bench/sql/system_reads.sql: S4-S5, reading a system-versioned table as of
-- a time.
--
--   bench.r_sv     system-versioned by make_system_versioned: :keys rows,
--                  each updated until it has :versions versions, so
--                  bench.r_sv_history holds :keys * (:versions - 1) rows.
--                  Version v of every row was written as of 2020-01-01 +
--                  (v - 1) days (set_system_time), in a transaction of its
--                  own, through the triggers: the history table and its
--                  indexes are what a table updated for months has, rows in
--                  the order they were ended.
--   bench.r_plain  a plain table holding the same current rows, PRIMARY
--                  KEY (id): what reading them costs without history
--
-- Two times are read: :past, the middle of the history (every row's version
-- then is in the history table), and now() (every row's version is the
-- current one).  Whole-table reads compute count(x) of the whole row x, as
-- reads.sql does: every column of every row is produced, nothing is sent.
-- Point lookups look up :rows random keys in one statement, one correlated
-- subquery per key.  immutable.as_of(NULL::t, ts) returns the whole table,
-- so a point lookup is plain SQL over the table and its history table,
-- which is what as_of runs, restricted to one key.
--
-- Parallel query is off: the costs are per row on one core.
--
-- psql variables: keys, versions, rows, reps.

\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;

CREATE TABLE bench.r_sv (id bigint PRIMARY KEY, payload integer, note text);
SELECT immutable.make_system_versioned('bench.r_sv');

-- Version 1 of every row, then versions 2 .. :versions, one UPDATE of every
-- row each, in autocommitted statements of their own.
SELECT immutable.set_system_time('2020-01-01 00:00:00+00');
INSERT INTO bench.r_sv (id, payload, note)
SELECT n, n, 'note ' || n FROM generate_series(1, :keys) AS n;
SELECT format('SELECT immutable.set_system_time(%L)',
              timestamptz '2020-01-01 00:00:00+00' + (v - 1) * interval '1 day'),
       'UPDATE bench.r_sv SET payload = payload + 1'
  FROM generate_series(2, :versions) AS v
\gexec
SELECT immutable.set_system_time(NULL);

-- The current rows packed as the plain table's are: a plain table updated
-- as often would be as bloated, and the comparison is about the history.
VACUUM FULL bench.r_sv;

CREATE TABLE bench.r_plain (LIKE bench.r_sv INCLUDING ALL);
INSERT INTO bench.r_plain SELECT * FROM ONLY bench.r_sv;

-- The keys looked up, at random.
CREATE TABLE bench.r_ids AS
SELECT 1 + floor(random() * :keys)::bigint AS id FROM generate_series(1, :rows);

VACUUM ANALYZE bench.r_sv, bench.r_sv_history, bench.r_plain, bench.r_ids;

SELECT c.relname, c.relpages, c.reltuples::bigint
  FROM pg_class AS c
 WHERE c.relnamespace = 'bench'::regnamespace AND c.relname LIKE 'r\_%'
 ORDER BY c.relname;

-- The middle of the history, as an SQL expression: in version
-- :versions / 2 of every row.
SELECT quote_literal(timestamptz '2020-01-01 00:00:00+00'
                     + (:versions / 2 - 1) * interval '1 day' + interval '12 hours')
       || '::timestamptz' AS past
\gset

-- Which indexes the reads use.  as_of runs its own query, shown by
-- auto_explain (its plans are LOG messages, sent to this log); the point
-- lookups are shown for one key; then the plain SQL whole-table read and
-- the point lookups as measured below.
SET client_min_messages = log;
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SELECT count(x) FROM immutable.as_of(NULL::bench.r_sv, :past) AS x;
SELECT count(x) FROM immutable.as_of(NULL::bench.r_sv, now()) AS x;
SET auto_explain.log_min_duration = -1;
RESET client_min_messages;

EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT t.* FROM ONLY bench.r_sv AS t WHERE t.id = 1 AND t.system_period @> :past
UNION ALL
SELECT h.* FROM ONLY bench.r_sv_history AS h WHERE h.id = 1 AND h.system_period @> :past;

EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT t.* FROM ONLY bench.r_sv AS t WHERE t.id = 1 AND t.system_period @> now()
UNION ALL
SELECT h.* FROM ONLY bench.r_sv_history AS h WHERE h.id = 1 AND h.system_period @> now();

EXPLAIN (ANALYZE, TIMING OFF)
SELECT count(x)
  FROM (SELECT t.* FROM ONLY bench.r_sv AS t WHERE t.system_period @> :past
        UNION ALL
        SELECT h.* FROM ONLY bench.r_sv_history AS h WHERE h.system_period @> :past) AS x;

EXPLAIN (ANALYZE, TIMING OFF)
SELECT count((SELECT x FROM (SELECT t.* FROM ONLY bench.r_sv AS t
                             WHERE t.id = i.id AND t.system_period @> :past
                             UNION ALL
                             SELECT h.* FROM ONLY bench.r_sv_history AS h
                             WHERE h.id = i.id AND h.system_period @> :past) AS x))
  FROM bench.r_ids AS i;

-- {past} in a statement is the middle of the history.
CREATE FUNCTION pg_temp.at_past(past text, stmts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$
    SELECT array_agg(replace(s, '{past}', past) ORDER BY i)
      FROM unnest(stmts) WITH ORDINALITY AS u(s, i)
$$;

-- S4: the whole table as of a time, against a scan of the plain table; the
-- rows counted are :keys in every variant.  as_of_sql is the query as_of
-- runs, as plain SQL with the time a constant, planned as PostgreSQL likes
-- (as_of's own plan may differ; the log shows both).
CALL bench.measure('sv_scan', :keys, :reps, true,
    '{plain,as_of_past,as_of_now,as_of_sql_past}',
    pg_temp.at_past(:'past', ARRAY[
        $$SELECT count(x) FROM bench.r_plain AS x$$,
        $$SELECT count(x) FROM immutable.as_of(NULL::bench.r_sv, {past}) AS x$$,
        $$SELECT count(x) FROM immutable.as_of(NULL::bench.r_sv, now()) AS x$$,
        $$SELECT count(x)
            FROM (SELECT t.* FROM ONLY bench.r_sv AS t
                   WHERE t.system_period @> {past}
                  UNION ALL
                  SELECT h.* FROM ONLY bench.r_sv_history AS h
                   WHERE h.system_period @> {past}) AS x$$
    ]));

-- S5: one key as of a time, :rows times, against a primary-key lookup.
-- Each lookup stands for a query of one key, which PostgreSQL would never
-- JIT-compile; only the :rows lookups of one statement add up to a cost
-- that would (see the EXPLAIN above), so JIT is off here.
SET jit = off;
CALL bench.measure('sv_lookup', :rows, :reps, true,
    '{pk,sql_past,sql_now,fn_past,fn_now}',
    pg_temp.at_past(:'past', ARRAY[
        $$SELECT count((SELECT p FROM bench.r_plain AS p WHERE p.id = i.id))
            FROM bench.r_ids AS i$$,
        $$SELECT count((SELECT x
                          FROM (SELECT t.* FROM ONLY bench.r_sv AS t
                                 WHERE t.id = i.id AND t.system_period @> {past}
                                UNION ALL
                                SELECT h.* FROM ONLY bench.r_sv_history AS h
                                 WHERE h.id = i.id AND h.system_period @> {past}) AS x))
            FROM bench.r_ids AS i$$,
        $$SELECT count((SELECT x
                          FROM (SELECT t.* FROM ONLY bench.r_sv AS t
                                 WHERE t.id = i.id AND t.system_period @> now()
                                UNION ALL
                                SELECT h.* FROM ONLY bench.r_sv_history AS h
                                 WHERE h.id = i.id AND h.system_period @> now()) AS x))
            FROM bench.r_ids AS i$$,
        $$SELECT count((SELECT x FROM bench.r_sv_as_of({past}) AS x WHERE x.id = i.id))
            FROM bench.r_ids AS i$$,
        $$SELECT count((SELECT x FROM bench.r_sv_as_of(now()) AS x WHERE x.id = i.id))
            FROM bench.r_ids AS i$$
    ]));

DROP TABLE bench.r_sv, bench.r_sv_history, bench.r_plain, bench.r_ids CASCADE;
