-- bench/sql/harness.sql: what every benchmark run needs, whatever it
-- measures: the schema bench, the result tables and the timing procedure.
-- Included by setup.sql (run.sh) and system_setup.sql (run_system.sh).

CREATE SCHEMA bench;

-- One row per measured repetition; the report takes medians.
CREATE TABLE bench.timing (
    test    text NOT NULL,
    variant text NOT NULL,
    rep     integer NOT NULL,
    rows    bigint NOT NULL,
    ms      float8 NOT NULL
);

-- One row per pgbench run (filled by the runner).
CREATE TABLE bench.tps (
    test    text NOT NULL,
    variant text NOT NULL,
    round   integer NOT NULL,
    tps     float8 NOT NULL
);

-- Time each statement of stmts (one per variant) reps times, after one
-- warm-up round when warmup is true, and record the times in bench.timing.
--
-- Why this way:
-- * The time is clock_timestamp() around EXECUTE, on the server: it covers
--   executor, triggers and index maintenance of one statement of many rows,
--   and no client round trip or result transfer.  Parse and plan of the
--   statement text are included but are microseconds against the tens of
--   milliseconds a 10k-row statement takes.
-- * Every statement runs in a transaction of its own (COMMIT in a procedure),
--   as an application's would: transaction_timestamp() moves on, so the
--   versioning trigger sees each new version as written after the previous
--   one, and row locks are released.  The COMMIT itself is not timed.
-- * The variants of one round run back to back, in an order rotated each
--   round, so slow drifts (cache, checkpoints, autovacuum, the table growing
--   by one statement per round) fall on all variants alike.
-- * The warm-up round fills the backend's caches (relation cache, the C
--   triggers' kept plans, PL/pgSQL's cached plans) and is not recorded.
-- * {rows} and {rep} in a statement are replaced by rows and the round
--   number (0 = warm-up), so that a plain INSERT can give the next version
--   number explicitly.
CREATE PROCEDURE bench.measure(test text, rows bigint, reps integer,
                               warmup boolean, variants text[], stmts text[])
LANGUAGE plpgsql
AS $$
DECLARE
    n   integer := cardinality(variants);
    sql text;
    t0  timestamptz;
    t1  timestamptz;
    v   integer;
BEGIN
    FOR rep IN CASE WHEN warmup THEN 0 ELSE 1 END .. reps LOOP
        FOR i IN 0 .. n - 1 LOOP
            v := (i + rep) % n + 1;
            sql := replace(replace(stmts[v], '{rows}', rows::text),
                           '{rep}', rep::text);
            t0 := clock_timestamp();
            EXECUTE sql;
            t1 := clock_timestamp();
            IF rep > 0 THEN
                INSERT INTO bench.timing
                VALUES (test, variants[v], rep, rows,
                        1000 * extract(epoch FROM t1 - t0));
            END IF;
            COMMIT;
        END LOOP;
    END LOOP;
END
$$;

-- The statements of one test differ only in the table they write: {table}
-- in stmt is replaced by each variant's table, prefix || variant, in the
-- order of variants.
CREATE FUNCTION bench.each(prefix text, variants text[], stmt text) RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$
    SELECT array_agg(replace(stmt, '{table}', prefix || v) ORDER BY i)
      FROM unnest(variants) WITH ORDINALITY AS u(v, i)
$$;
