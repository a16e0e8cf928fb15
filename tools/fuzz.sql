-- tools/fuzz.sql: the database that tools/fuzz.sh fuzzes, run by a superuser
-- in a fresh database of a throwaway cluster.
--
-- 1. Every kind of managed table, owned by the role fuzzer (sqlsmith and
--    most API transactions run as it), with data written by several
--    transactions so that there are versions, tombstones, heads, history
--    rows and chains: append-only plain, hashed (one chain) and hashed with
--    chain_by; versioned plain, hashed and unlogged, with current views;
--    system-versioned plain, with a named period column, and partitioned
--    with a partitioned history table; a temporal_tables-style table whose
--    trigger immutable.versioning(period, history, adjust) is attached by
--    hand; a table that is not managed.
-- 2. fuzz_gen.statements(seed, chunk, blocks): random transactions of calls
--    of every function of the schema immutable, writes to the managed
--    tables, their views, heads and history tables, and DDL on them, with
--    arguments drawn from the tables themselves (entities, times, columns,
--    digests) and from values the functions must refuse. The text depends
--    on the seed and the catalog only (rows are named by position, not by
--    their random ids), so one seed gives the same statements again.
-- 3. fuzz_gen.problems(): the invariants checked after the run.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TIME ZONE 'UTC';

CREATE EXTENSION immutable;

-- fuzzer owns the tables; fuzz_app is an application role that owns nothing.
CREATE ROLE fuzzer LOGIN;
CREATE ROLE fuzz_app;
GRANT fuzz_app TO fuzzer;
GRANT CREATE ON SCHEMA public TO fuzzer;
GRANT EXECUTE ON FUNCTION immutable.set_system_time(timestamptz) TO fuzzer;
SELECT pg_catalog.format('ALTER DATABASE %I SET statement_timeout = ''10s''',
                         pg_catalog.current_database()) \gexec

SET ROLE fuzzer;

-- append-only
CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                     account int NOT NULL, amount numeric(12,2), note text,
                     at timestamptz DEFAULT now());
SELECT immutable.make_append_only('ledger');
CREATE TABLE ledger_hashed (account int NOT NULL, amount numeric(12,2), note text,
                            payload jsonb, at timestamptz, ratio float8, raw bytea,
                            flag boolean, day date, ref uuid);
SELECT immutable.make_append_only('ledger_hashed', hashed => true);
CREATE TABLE ledger_chained (account int NOT NULL, amount numeric(12,2), note text,
                             flag boolean);
SELECT immutable.make_append_only('ledger_chained', hashed => true, chain_by => 'account');

-- versioned
CREATE TABLE tasks (title text NOT NULL, done boolean NOT NULL DEFAULT false,
                    prio int, due date);
SELECT immutable.make_versioned('tasks');
CREATE TABLE docs (code text, body text, size int, tags jsonb, ratio float8);
SELECT immutable.make_versioned('docs', current_view => 'live_docs', hashed => true);
CREATE UNLOGGED TABLE sessions (token text, hits int);
SELECT immutable.make_versioned('sessions');

-- system-versioned
CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric(12,2));
SELECT immutable.make_system_versioned('accounts');
CREATE TABLE prices (sku text PRIMARY KEY, price numeric, note text);
SELECT immutable.make_system_versioned('prices', history_table => 'prices_log',
                                       period_column => 'valid', adjust => true);
CREATE TABLE orders (region text, id int, qty int, memo text, PRIMARY KEY (region, id))
    PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
CREATE TABLE orders_other PARTITION OF orders DEFAULT;
CREATE TABLE orders_log (region text, id int, qty int, memo text,
                         system_period tstzrange NOT NULL)
    PARTITION BY RANGE (upper(system_period));
CREATE TABLE orders_log_old PARTITION OF orders_log FOR VALUES FROM (MINVALUE) TO ('2030-01-01');
CREATE TABLE orders_log_new PARTITION OF orders_log FOR VALUES FROM ('2030-01-01') TO (MAXVALUE);
SELECT immutable.make_system_versioned('orders', history_table => 'orders_log', adjust => true);

-- temporal_tables style: the trigger attached by hand (versioning() is not
-- executable by PUBLIC, so a superuser attaches it)
CREATE TABLE employees (name text, salary int,
                        sys_period tstzrange NOT NULL DEFAULT tstzrange(current_timestamp, null));
CREATE TABLE employees_history (LIKE employees);

-- not managed: something for the make_* functions to work on
CREATE TABLE notes (id int PRIMARY KEY, body text, at timestamptz);

RESET ROLE;
CREATE TRIGGER versioning_trigger BEFORE INSERT OR UPDATE OR DELETE ON employees
    FOR EACH ROW EXECUTE PROCEDURE immutable.versioning('sys_period', 'employees_history', true);
SET ROLE fuzzer;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fuzz_app;

-- data, each statement its own transaction
INSERT INTO ledger (account, amount, note) SELECT g % 5, g * 1.5, 'n' || g FROM generate_series(1, 40) g;
INSERT INTO ledger_hashed
    SELECT g % 3, g, 'h' || g, jsonb_build_object('g', g, 'a', jsonb_build_array(g, null)),
           timestamptz '2026-01-01' + g * interval '1 hour', g / 7.0, decode(md5(g::text), 'hex'),
           g % 2 = 0, date '2026-01-01' + g, immutable.uuidv7_at(timestamptz '2026-01-01' + g * interval '1 day')
      FROM generate_series(1, 40) g;
INSERT INTO ledger_hashed (account, ratio, note) VALUES (9, 'NaN', NULL), (9, '-Infinity', repeat('long ', 2000));
INSERT INTO ledger_chained SELECT g % 4, g, 'c' || g, g % 2 = 0 FROM generate_series(1, 40) g;
INSERT INTO tasks_current (title, prio, due) SELECT 'task ' || g, g % 3, date '2026-01-01' + g FROM generate_series(1, 30) g;
UPDATE tasks_current SET done = true WHERE prio = 1;
UPDATE tasks_current SET prio = prio + 10 WHERE prio = 1 AND title LIKE '%2%';
DELETE FROM tasks_current WHERE prio = 2 AND title LIKE '%1%';
INSERT INTO live_docs (code, body, size, tags, ratio)
    SELECT 'd' || g, repeat('x', g * 100), g, jsonb_build_array(g), g / 3.0 FROM generate_series(1, 30) g;
UPDATE live_docs SET body = body || 'y', size = size + 1 WHERE size % 2 = 0;
DELETE FROM live_docs WHERE size % 5 = 0;
INSERT INTO sessions_current (token, hits) SELECT md5(g::text), g FROM generate_series(1, 10) g;
UPDATE sessions_current SET hits = hits + 1;
INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 30) g;
UPDATE accounts SET balance = balance + 1 WHERE id % 2 = 0;
DELETE FROM accounts WHERE id % 7 = 0;
INSERT INTO prices SELECT 'sku' || g, g, NULL FROM generate_series(1, 20) g;
UPDATE prices SET price = price * 2 WHERE price > 10;
INSERT INTO orders SELECT (ARRAY['eu', 'us', 'asia'])[1 + g % 3], g, g, 'm' || g FROM generate_series(1, 30) g;
UPDATE orders SET qty = qty + 1 WHERE id % 2 = 0;
UPDATE orders SET region = 'eu' WHERE region = 'asia' AND id < 10;
DELETE FROM orders WHERE id % 11 = 0;
-- history that ends after 2030 lands in the other partition
BEGIN;
SELECT immutable.set_system_time('2031-01-01') \g /dev/null
UPDATE orders SET memo = 'future' WHERE id % 4 = 0;
COMMIT;
SELECT immutable.set_system_time(NULL) \g /dev/null
INSERT INTO employees (name, salary) SELECT 'e' || g, g * 100 FROM generate_series(1, 20) g;
UPDATE employees SET salary = salary + 1 WHERE salary > 1000;
DELETE FROM employees WHERE salary < 300;
INSERT INTO notes SELECT g, 'note ' || g, now() FROM generate_series(1, 10) g;
RESET ROLE;

------------------------------------------------------------------------------
-- The generator of the API statements. Its schema is not visible to fuzzer,
-- so sqlsmith does not see it.
------------------------------------------------------------------------------
CREATE SCHEMA fuzz_gen;
REVOKE ALL ON SCHEMA fuzz_gen FROM PUBLIC;

-- A random element of a (non-empty) array.
CREATE FUNCTION fuzz_gen.pick(a anyarray) RETURNS anyelement
LANGUAGE sql VOLATILE AS
$$ SELECT a[pg_catalog.array_lower(a, 1) + pg_catalog.floor(pg_catalog.random() * pg_catalog.cardinality(a))::int] $$;

-- True with probability p.
CREATE FUNCTION fuzz_gen.chance(p float8) RETURNS boolean
LANGUAGE sql VOLATILE AS $$ SELECT pg_catalog.random() < p $$;

-- A random integer in [lo, hi].
CREATE FUNCTION fuzz_gen.between(lo int, hi int) RETURNS int
LANGUAGE sql VOLATILE AS $$ SELECT lo + pg_catalog.floor(pg_catalog.random() * (hi - lo + 1))::int $$;

-- What the statements name, taken once (the fuzzing changes no catalog for
-- good: blocks that call make_* functions are rolled back): the managed
-- tables (kind from the registry, 'temporal' for the one whose trigger was
-- attached by hand, 'plain' for notes); every relation of schema public and
-- a few others; the functions to call.
CREATE TABLE fuzz_gen.managed AS
SELECT r.relid, r.kind, r.current_view, r.heads, r.history, r.period_column, r.hashed
  FROM immutable.registry r
UNION ALL
SELECT 'public.employees'::regclass, 'temporal', NULL, NULL, 'public.employees_history'::regclass,
       'sys_period', false
UNION ALL
SELECT 'public.notes'::regclass, 'plain', NULL, NULL, NULL, NULL, false;

CREATE TABLE fuzz_gen.relation_names AS
SELECT pg_catalog.array_agg(c.oid::regclass::text ORDER BY c.relname)
       || ARRAY['immutable.registry', 'immutable.erasure_log', 'immutable.managed_tables',
                'pg_catalog.pg_class'] AS names
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'public'::regnamespace;

CREATE FUNCTION fuzz_gen.relations() RETURNS text[]
LANGUAGE sql STABLE AS $$ SELECT names FROM fuzz_gen.relation_names $$;

CREATE TABLE fuzz_gen.functions AS
SELECT pg_catalog.row_number() OVER (ORDER BY p.oid) AS n,
       pg_catalog.format('%I.%I', p.pronamespace::regnamespace, p.proname) AS fn,
       p.proargtypes::regtype[] AS argtypes, p.proargnames, p.pronargs, p.pronargdefaults, p.proretset
  FROM pg_catalog.pg_proc p
 WHERE (p.pronamespace = 'immutable'::regnamespace
        OR (p.pronamespace = 'public'::regnamespace AND p.proname LIKE '%\_as\_of'))
   AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype);

-- The user columns of a relation: name and type.
CREATE FUNCTION fuzz_gen.columns(rel regclass, OUT name text, OUT typ regtype)
RETURNS SETOF record LANGUAGE sql STABLE AS
$$ SELECT a.attname::text, a.atttypid::regtype FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum $$;

-- A row of rel by position: the expression of one of its values.
CREATE FUNCTION fuzz_gen.nth(col text, rel regclass, orderby text, filter text DEFAULT 'true')
RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT pg_catalog.format('(SELECT %I FROM %s WHERE %s ORDER BY %s LIMIT 1 OFFSET %s)',
                            col, rel, filter, orderby, fuzz_gen.between(0, 35)) $$;

-- An expression of type uuid: an entity of the focus table when it is
-- versioned, a version row's id, a tombstoned entity, or values that name
-- nothing.
CREATE FUNCTION fuzz_gen.uuid_value(focus regclass, kind text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF kind = 'versioned' AND fuzz_gen.chance(0.75) THEN
        RETURN fuzz_gen.pick(ARRAY[
            fuzz_gen.nth('entity_id', focus, 'id'),
            fuzz_gen.nth('entity_id', focus, 'id', 'version > 1'),
            fuzz_gen.nth('entity_id', focus, 'id', 'deleted_at IS NOT NULL'),
            fuzz_gen.nth('id', focus, 'id DESC')]);
    END IF;
    RETURN fuzz_gen.pick(ARRAY['NULL::uuid', 'immutable.uuidv7()',
        '''00000000-0000-0000-0000-000000000000''::uuid', '''ffffffff-ffff-ffff-ffff-ffffffffffff''::uuid',
        fuzz_gen.nth('entity_id', 'public.tasks', 'id'), fuzz_gen.nth('entity_id', 'public.docs', 'id'),
        fuzz_gen.nth('ref', 'public.ledger_hashed', 'chain_seq')]);
END $$;

-- An expression of type timestamptz.
CREATE FUNCTION fuzz_gen.time_value(focus regclass, kind text, period text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    t text[] := ARRAY['now()', 'NULL::timestamptz', '''infinity''::timestamptz', '''-infinity''::timestamptz',
        '''2000-01-01 00:00+00''::timestamptz', 'now() - interval ''1 hour''', 'now() + interval ''10 years''',
        '''294276-12-31 23:59:59.999999+00''::timestamptz', '''4714-11-24 00:00:00+00 BC''::timestamptz',
        'clock_timestamp()', '''2031-01-01''::timestamptz', '''2030-01-01''::timestamptz'];
BEGIN
    IF kind = 'versioned' AND fuzz_gen.chance(0.4) THEN
        RETURN fuzz_gen.nth('valid_from', focus, 'id');
    ELSIF period IS NOT NULL AND fuzz_gen.chance(0.4) THEN
        RETURN pg_catalog.format('(SELECT %s(%I) FROM %s ORDER BY 1 LIMIT 1 OFFSET %s)',
            fuzz_gen.pick(ARRAY['lower', 'upper']), period, focus, fuzz_gen.between(0, 20));
    END IF;
    RETURN fuzz_gen.pick(t);
END $$;

-- An expression of type jsonb: changes for immutable.update (an object of
-- some columns of the focus table, fixed ones included), digests (real ones,
-- tampered ones, made-up ones) and JSON that is not an object.
CREATE FUNCTION fuzz_gen.jsonb_value(focus regclass) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    obj jsonb := '{}';
    c record;
BEGIN
    IF fuzz_gen.chance(0.5) THEN
        FOR c IN SELECT * FROM fuzz_gen.columns(focus) LOOP
            CONTINUE WHEN fuzz_gen.chance(0.6);
            obj := obj || pg_catalog.jsonb_build_object(c.name, fuzz_gen.pick(ARRAY[
                'null'::jsonb, '1'::jsonb, '"x"'::jsonb, 'true'::jsonb, '[]'::jsonb, '{}'::jsonb,
                '1e308'::jsonb, '"2026-01-01"'::jsonb, '"00000000-0000-0000-0000-000000000000"'::jsonb,
                '"[2020-01-01,)"'::jsonb, '"\\x00"'::jsonb, '-1'::jsonb]));
        END LOOP;
        IF fuzz_gen.chance(0.2) THEN
            obj := obj || '{"no_such_column": 1}';
        END IF;
        RETURN pg_catalog.quote_literal(obj::text) || '::jsonb';
    END IF;
    RETURN fuzz_gen.pick(ARRAY['NULL::jsonb', '''{}''::jsonb', '''[]''::jsonb', '''null''::jsonb', '''1''::jsonb',
        '''"x"''::jsonb',
        pg_catalog.format('immutable.chain_digest(%L)', focus::text),
        pg_catalog.format('jsonb_set(immutable.chain_digest(%L), ''{chains,0,1}'', ''99999999999999999999'')', focus::text),
        pg_catalog.format('jsonb_set(immutable.chain_digest(%L), ''{chains,0}'', ''[null, "x", "zz"]'')', focus::text),
        pg_catalog.format('jsonb_set(immutable.chain_digest(%L), ''{chains,0,0}'', ''"not-a-uuid"'')', focus::text),
        pg_catalog.format('jsonb_set(immutable.chain_digest(%L), ''{chains}'', ''[[1, 2]]'')', focus::text),
        pg_catalog.format('jsonb_set(immutable.chain_digest(%L), ''{table}'', ''"other"'')', focus::text),
        pg_catalog.format('(immutable.chain_digest(%L) - ''version'')', focus::text),
        '''{"version": 1, "table": "ledger_chained", "chains": []}''::jsonb',
        '''{"version": 1, "table": "ledger_chained", "chains": [["1", -1, ""]]}''::jsonb',
        '''{"version": 1, "table": "docs", "chains": [[null, 1, "00"]]}''::jsonb',
        '''{"version": 2}''::jsonb']);
END $$;

-- An expression of type text[]: columns of the focus table (kept ones,
-- hash columns and unknown names included).
CREATE FUNCTION fuzz_gen.columns_value(focus regclass) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    names text[];
BEGIN
    IF fuzz_gen.chance(0.15) THEN
        RETURN fuzz_gen.pick(ARRAY['NULL::text[]', '''{}''::text[]', 'ARRAY[NULL]::text[]',
                                   'ARRAY[''no_such_column'']', 'ARRAY[''a'', NULL]']);
    END IF;
    SELECT pg_catalog.array_agg(pg_catalog.quote_literal(name)) INTO names
      FROM fuzz_gen.columns(focus) WHERE fuzz_gen.chance(0.3);
    IF names IS NULL THEN
        names := ARRAY[pg_catalog.quote_literal((SELECT name FROM fuzz_gen.columns(focus) LIMIT 1))];
    END IF;
    IF fuzz_gen.chance(0.2) THEN
        names := names || names[1];
    END IF;
    RETURN 'ARRAY[' || pg_catalog.array_to_string(names, ', ', 'NULL') || ']::text[]';
END $$;

-- An expression of type name: columns, relation names, names too long.
CREATE FUNCTION fuzz_gen.name_value(focus regclass) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF fuzz_gen.chance(0.4) THEN
        RETURN pg_catalog.quote_literal(fuzz_gen.pick(ARRAY(SELECT name FROM fuzz_gen.columns(focus))));
    END IF;
    RETURN fuzz_gen.pick(ARRAY['NULL::name', '''''', '''system_period''', '''valid''', '''account''',
        '''hash''', '''chain_seq''', '''tasks_current''', '''accounts_history''', '''notes_log''',
        '''fuzz_view''', '''Odd "name"''', pg_catalog.quote_literal(pg_catalog.repeat('n', 70)),
        '''pg_catalog.pg_class''', '''orders_log''', '''employees_history''']);
END $$;

-- An expression of an argument type: rel (anyelement) is a typed NULL of the
-- focus table, of another relation, a whole row or a scalar.
CREATE FUNCTION fuzz_gen.argument(typ regtype, focus regclass, kind text, period text)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    other text := fuzz_gen.pick(fuzz_gen.relations());
BEGIN
    CASE typ
    WHEN 'anyelement'::regtype THEN
        RETURN CASE WHEN fuzz_gen.chance(0.7) THEN 'NULL::' || focus::text
                    ELSE fuzz_gen.pick(ARRAY['NULL::' || other, 'NULL::int', '42', '''x''::text',
                        'ROW(1, 2)', pg_catalog.format('(SELECT t FROM %s t LIMIT 1)', focus),
                        'NULL::immutable.registry', 'NULL::pg_catalog.pg_class'])
               END;
    WHEN 'regclass'::regtype THEN
        RETURN CASE WHEN fuzz_gen.chance(0.7) THEN pg_catalog.quote_literal(focus::text) || '::regclass'
                    ELSE fuzz_gen.pick(ARRAY[pg_catalog.quote_literal(other) || '::regclass',
                        'NULL::regclass', '0::regclass', '4000000000::oid::regclass',
                        '''pg_catalog.pg_class''::regclass', '''public.ledger_id_seq''::regclass',
                        '''public.tasks_pkey''::regclass'])
               END;
    WHEN 'uuid'::regtype THEN
        RETURN fuzz_gen.uuid_value(focus, kind);
    WHEN 'timestamp with time zone'::regtype THEN
        RETURN fuzz_gen.time_value(focus, kind, period);
    WHEN 'jsonb'::regtype THEN
        RETURN fuzz_gen.jsonb_value(focus);
    WHEN 'text[]'::regtype THEN
        RETURN fuzz_gen.columns_value(focus);
    WHEN 'name'::regtype THEN
        RETURN fuzz_gen.name_value(focus);
    WHEN 'boolean'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['true', 'false', 'NULL::boolean']);
    WHEN 'interval'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['interval ''1 day''', 'interval ''-1 day''', 'interval ''100 years''',
            'NULL::interval', 'interval ''-300000 years''', 'interval ''1 microsecond''']);
    WHEN 'uuid[]'::regtype THEN
        RETURN 'ARRAY[' || fuzz_gen.uuid_value(focus, kind) || ']';
    ELSE
        RETURN 'NULL::' || typ::text;
    END CASE;
END $$;

-- One call of a function of schema immutable (or of a table's <t>_as_of):
-- every argument, or without some of those that have defaults, sometimes in
-- named notation.
CREATE FUNCTION fuzz_gen.call(focus regclass, kind text, period text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    f record;
    args text[] := '{}';
    nargs int;
    named boolean := fuzz_gen.chance(0.2);
    i int;
BEGIN
    i := fuzz_gen.between(1, (SELECT pg_catalog.count(*)::int FROM fuzz_gen.functions));
    SELECT * INTO f FROM fuzz_gen.functions WHERE n = i;
    nargs := f.pronargs - fuzz_gen.between(0, f.pronargdefaults);
    FOR i IN 1 .. nargs LOOP
        args := args || (CASE WHEN named AND f.proargnames IS NOT NULL
                              THEN pg_catalog.quote_ident(f.proargnames[i]) || ' => ' ELSE '' END
                         || fuzz_gen.argument(f.argtypes[i - 1], focus, kind, period));
    END LOOP;
    IF f.proretset THEN
        RETURN pg_catalog.format('SELECT * FROM %s(%s) LIMIT 20', f.fn, pg_catalog.array_to_string(args, ', '));
    END IF;
    RETURN pg_catalog.format('SELECT %s(%s)', f.fn, pg_catalog.array_to_string(args, ', '));
END $$;

-- A value for a column of type typ in a write.
CREATE FUNCTION fuzz_gen.column_value(typ regtype, focus regclass, kind text, period text)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF fuzz_gen.chance(0.15) THEN
        RETURN 'NULL';
    END IF;
    CASE typ
    WHEN 'integer'::regtype, 'bigint'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['0', '1', '2', '3', '-1', '7', '42', '2147483647']);
    WHEN 'numeric'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['1.5', '''NaN''', '-0.01', '1e9']);
    WHEN 'double precision'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['1.5', '''NaN''', '''-Infinity''', '-0.0']);
    WHEN 'text'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['''x''', '''''', '''eu''', '''us''', '''asia''', 'repeat(''z'', 5000)',
            '''sku1''', '''task 1''']);
    WHEN 'boolean'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['true', 'false']);
    WHEN 'date'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['''2026-01-01''', '''infinity''', 'current_date']);
    WHEN 'jsonb'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['''{}''', '''[1, {"a": null}]''', '''"s"''']);
    WHEN 'bytea'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['''\x''::bytea', '''\x00''::bytea', 'sha256(''x'')',
            pg_catalog.format('(SELECT hash FROM %s ORDER BY 1 LIMIT 1)', focus)]);
    WHEN 'tstzrange'::regtype THEN
        RETURN fuzz_gen.pick(ARRAY['''empty''', '''[2000-01-01,)''', '''(,)''', '''[2000-01-01,2001-01-01)''',
            'tstzrange(now(), NULL)']);
    ELSE
        RETURN fuzz_gen.argument(typ, focus, kind, period);
    END CASE;
END $$;

-- One write to the focus table, its current view, heads or history table.
CREATE FUNCTION fuzz_gen.write(m fuzz_gen.managed) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    target regclass := m.relid;
    c record;
    cols text[] := '{}';
    vals text[] := '{}';
    sets text[] := '{}';
    cond text;
    verb text := fuzz_gen.pick(ARRAY['INSERT', 'INSERT', 'UPDATE', 'UPDATE', 'DELETE', 'MERGE', 'UPSERT']);
BEGIN
    IF m.current_view IS NOT NULL AND fuzz_gen.chance(0.6) THEN
        target := m.current_view;
    ELSIF fuzz_gen.chance(0.15) THEN
        target := coalesce(m.heads, m.history, m.relid);
    END IF;
    FOR c IN SELECT * FROM fuzz_gen.columns(target) LOOP
        CONTINUE WHEN fuzz_gen.chance(0.5);
        cols := cols || pg_catalog.quote_ident(c.name);
        vals := vals || fuzz_gen.column_value(c.typ, m.relid, m.kind, m.period_column);
        sets := sets || (pg_catalog.quote_ident(c.name) || ' = '
                         || fuzz_gen.column_value(c.typ, m.relid, m.kind, m.period_column));
    END LOOP;
    cond := fuzz_gen.pick(ARRAY['true', 'false', 'ctid = ''(0,1)''',
        pg_catalog.format('ctid IN (SELECT ctid FROM %s LIMIT %s)', target, fuzz_gen.between(1, 3))]);
    IF cardinality(cols) = 0 OR verb = 'DELETE' THEN
        IF verb IN ('INSERT', 'UPSERT') THEN
            RETURN pg_catalog.format('INSERT INTO %s DEFAULT VALUES', target);
        END IF;
        RETURN pg_catalog.format('DELETE FROM %s WHERE %s', target, cond);
    END IF;
    CASE verb
    WHEN 'INSERT' THEN
        RETURN pg_catalog.format('INSERT INTO %s (%s) VALUES (%s) RETURNING *', target,
            pg_catalog.array_to_string(cols, ', '), pg_catalog.array_to_string(vals, ', '));
    WHEN 'UPSERT' THEN
        RETURN pg_catalog.format('INSERT INTO %s (%s) SELECT %s FROM %s LIMIT 2 ON CONFLICT DO NOTHING',
            target, pg_catalog.array_to_string(cols, ', '), pg_catalog.array_to_string(cols, ', '), target);
    WHEN 'UPDATE' THEN
        RETURN pg_catalog.format('UPDATE %s SET %s WHERE %s RETURNING *', target,
            pg_catalog.array_to_string(sets, ', '), cond);
    ELSE
        RETURN pg_catalog.format('MERGE INTO %s t USING (SELECT ctid AS c FROM %s LIMIT 3) s ON t.ctid = s.c '
            'WHEN MATCHED AND %s THEN UPDATE SET %s WHEN MATCHED THEN DELETE '
            'WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s)', target, target,
            fuzz_gen.pick(ARRAY['true', 'false']), pg_catalog.array_to_string(sets, ', '),
            pg_catalog.array_to_string(cols, ', '), pg_catalog.array_to_string(vals, ', '));
    END CASE;
END $$;

-- One DDL command on the focus table, its view, heads or history table or a
-- partition: what the DDL guard and the follow-up event triggers must
-- refuse or follow. Blocks with DDL are rolled back.
CREATE FUNCTION fuzz_gen.ddl(m fuzz_gen.managed) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    target regclass := m.relid;
    col text;
    parts text[];
BEGIN
    IF fuzz_gen.chance(0.3) THEN
        target := coalesce(fuzz_gen.pick(ARRAY[m.heads, m.history, m.current_view]), m.relid);
    END IF;
    SELECT pg_catalog.array_agg(i.inhrelid::regclass::text) INTO parts
      FROM pg_catalog.pg_inherits i WHERE i.inhparent = target;
    col := pg_catalog.quote_ident(coalesce(fuzz_gen.pick(ARRAY(SELECT name FROM fuzz_gen.columns(target))), 'x'));
    RETURN pg_catalog.format(fuzz_gen.pick(ARRAY[
        'ALTER TABLE %1$s ADD COLUMN fz_added %3$s',
        'ALTER TABLE %1$s ADD COLUMN fz_added int DEFAULT 7 NOT NULL',
        'ALTER TABLE %1$s ADD COLUMN fz_added timestamptz GENERATED ALWAYS AS (NULL::timestamptz) STORED',
        'ALTER TABLE %1$s DROP COLUMN %2$s',
        'ALTER TABLE %1$s DROP COLUMN %2$s CASCADE',
        'ALTER TABLE %1$s ALTER COLUMN %2$s TYPE %3$s',
        'ALTER TABLE %1$s ALTER COLUMN %2$s TYPE text',
        'ALTER TABLE %1$s ALTER COLUMN %2$s TYPE %3$s USING NULL',
        'ALTER TABLE %1$s ALTER COLUMN %2$s SET DEFAULT NULL',
        'ALTER TABLE %1$s ALTER COLUMN %2$s DROP NOT NULL',
        'ALTER TABLE %1$s ALTER COLUMN %2$s SET NOT NULL',
        'ALTER TABLE %1$s ALTER COLUMN %2$s SET STORAGE EXTERNAL',
        'ALTER TABLE %1$s RENAME COLUMN %2$s TO fz_renamed',
        'ALTER TABLE %1$s RENAME TO fz_renamed',
        'ALTER TABLE %1$s ADD CONSTRAINT fz_check CHECK (%2$s IS NOT NULL)',
        'ALTER TABLE %1$s ADD PRIMARY KEY (%2$s)',
        'ALTER TABLE %1$s ADD UNIQUE (%2$s)',
        'ALTER TABLE %1$s SET UNLOGGED',
        'ALTER TABLE %1$s SET LOGGED',
        'ALTER TABLE %1$s DISABLE TRIGGER USER',
        'ALTER TABLE %1$s DISABLE TRIGGER ALL',
        'ALTER TABLE %1$s ENABLE REPLICA TRIGGER immutable_refuse_change',
        'ALTER TABLE %1$s REPLICA IDENTITY FULL',
        'ALTER TABLE %1$s OWNER TO fuzz_app',
        'ALTER TABLE %1$s SET SCHEMA immutable',
        'ALTER TABLE %1$s SET (fillfactor = 50)',
        'ALTER TABLE %1$s DETACH PARTITION %4$s',
        'ALTER TABLE %1$s DETACH PARTITION %4$s CONCURRENTLY',
        'CREATE TABLE fz_part PARTITION OF %1$s FOR VALUES IN (''fz'')',
        'CREATE TABLE fz_part (LIKE %1$s)',
        'CREATE INDEX ON %1$s (%2$s)',
        'CREATE TRIGGER fz_trigger BEFORE UPDATE OR DELETE ON %1$s FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()',
        'DROP TRIGGER immutable_refuse_change ON %1$s',
        'DROP TRIGGER zz_immutable_system_period ON %1$s',
        'ALTER TRIGGER immutable_refuse_change ON %1$s RENAME TO fz',
        'TRUNCATE %1$s',
        'TRUNCATE %4$s',
        'TRUNCATE %1$s CASCADE',
        'DROP TABLE %1$s',
        'DROP TABLE %4$s',
        'DROP TABLE %1$s CASCADE',
        'DROP VIEW %1$s',
        'CREATE OR REPLACE VIEW %1$s AS SELECT 1 AS one',
        'COMMENT ON TABLE %1$s IS ''fuzz''',
        'ALTER EXTENSION immutable DROP TABLE %1$s',
        'LOCK TABLE %1$s IN ACCESS EXCLUSIVE MODE']),
        target, col,
        fuzz_gen.pick(ARRAY['int', 'bigint', 'text', 'varchar(3)', 'numeric(3,1)', 'jsonb', 'uuid',
                            'timestamptz', 'timestamp', 'tstzrange', 'bytea', 'boolean']),
        coalesce(fuzz_gen.pick(parts), 'public.orders_eu'));
END $$;

-- The chunk-th blocks random transactions for seed, each preceded by a psql \echo of its
-- number so that the block a failure happened in can be found.
CREATE FUNCTION fuzz_gen.statements(seed int, chunk int, blocks int) RETURNS SETOF text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    m fuzz_gen.managed;
    b int;
    s int;
    stmt text;
    dangerous boolean;
BEGIN
    PERFORM pg_catalog.setseed(pg_catalog.hashtext(seed || ':' || chunk)::float8 / 2147483648);
    FOR b IN chunk * blocks + 1 .. (chunk + 1) * blocks LOOP
        RETURN NEXT pg_catalog.format('\echo block %s', b);
        RETURN NEXT 'BEGIN;';
        -- the statements run as superuser; most blocks as the owner
        RETURN NEXT CASE WHEN fuzz_gen.chance(0.75) THEN 'SET LOCAL ROLE fuzzer;'
                         WHEN fuzz_gen.chance(0.6) THEN 'SET LOCAL ROLE fuzz_app;'
                         ELSE '-- as superuser' END;
        IF fuzz_gen.chance(0.25) THEN
            RETURN NEXT 'SELECT immutable.set_system_time('
                || fuzz_gen.time_value(NULL, NULL, NULL) || ');';
        END IF;
        dangerous := false;
        FOR s IN 1 .. fuzz_gen.between(1, 6) LOOP
            SELECT * INTO m FROM fuzz_gen.managed ORDER BY pg_catalog.random() LIMIT 1;
            IF fuzz_gen.chance(0.45) THEN
                stmt := fuzz_gen.call(m.relid, m.kind, m.period_column);
                dangerous := dangerous OR stmt ~ 'make_';
            ELSIF fuzz_gen.chance(0.15) THEN
                stmt := fuzz_gen.ddl(m);
                dangerous := true;
            ELSIF fuzz_gen.chance(0.1) THEN
                stmt := fuzz_gen.pick(ARRAY['SAVEPOINT s', 'ROLLBACK TO SAVEPOINT s', 'RELEASE SAVEPOINT s']);
            ELSE
                stmt := fuzz_gen.write(m);
            END IF;
            RETURN NEXT stmt || ';';
        END LOOP;
        RETURN NEXT CASE WHEN NOT dangerous AND fuzz_gen.chance(0.25) THEN 'COMMIT;' ELSE 'ROLLBACK;' END;
    END LOOP;
END $$;

-- What no statement of any role may break, one row per problem: every hash
-- chain verifies; the versions of every entity of a versioned table are
-- 1, 2, 3 ... and its heads table holds exactly the last version of each
-- entity; every table is still managed.
CREATE FUNCTION fuzz_gen.problems() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    m record;
    n bigint;
    cols text;
BEGIN
    FOR m IN SELECT * FROM fuzz_gen.managed WHERE kind NOT IN ('temporal', 'plain') ORDER BY relid::text LOOP
        IF NOT EXISTS (SELECT FROM immutable.registry r WHERE r.relid = m.relid) THEN
            RETURN NEXT pg_catalog.format('%s is no longer managed', m.relid);
            CONTINUE;
        END IF;
        IF m.hashed THEN
            RETURN QUERY
                SELECT pg_catalog.format('%s: chain %s, chain_seq %s: %s', m.relid, v.chain, v.chain_seq, v.problem)
                  FROM immutable.verify_chain(m.relid) v;
        END IF;
        CONTINUE WHEN m.kind <> 'versioned';
        EXECUTE pg_catalog.format(
            'SELECT count(*) FROM (SELECT entity_id FROM %s GROUP BY entity_id
              HAVING min(version) <> 1 OR max(version) <> count(*)
                  OR count(DISTINCT version) <> count(*)) x', m.relid) INTO n;
        IF n > 0 THEN
            RETURN NEXT pg_catalog.format('%s: the versions of %s entities are not 1, 2, 3 ...', m.relid, n);
        END IF;
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(name), ', ') INTO cols FROM fuzz_gen.columns(m.heads);
        EXECUTE pg_catalog.format(
            'SELECT count(*) FROM ((SELECT %1$s FROM (SELECT DISTINCT ON (entity_id) * FROM %2$s
                                                    ORDER BY entity_id, version DESC) l
                                    EXCEPT ALL SELECT %1$s FROM %3$s)
                                   UNION ALL
                                   (SELECT %1$s FROM %3$s
                                    EXCEPT ALL SELECT %1$s FROM (SELECT DISTINCT ON (entity_id) * FROM %2$s
                                                                 ORDER BY entity_id, version DESC) l)) x',
            cols, m.relid, m.heads) INTO n;
        IF n > 0 THEN
            RETURN NEXT pg_catalog.format('%s: %s rows differ between %s and the last versions', m.relid, n, m.heads);
        END IF;
    END LOOP;
END $$;
