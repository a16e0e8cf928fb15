-- SQL:2011 FOR SYSTEM_TIME forms over a system-versioned table and a
-- versioned table: as_of, from_to, between, contained_in, all_versions.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
-- a row with versions valid [Jan, Feb), [Feb, Mar), [Mar, infinity)
CREATE TABLE price (item text PRIMARY KEY, amount int);
SELECT immutable.make_system_versioned('price');
SELECT immutable.set_system_time('2001-01-01');
INSERT INTO price VALUES ('tea', 1);
SELECT immutable.set_system_time('2001-02-01');
UPDATE price SET amount = 2;
SELECT immutable.set_system_time('2001-03-01');
UPDATE price SET amount = 3;
SELECT immutable.set_system_time(NULL);

-- the same history as a versioned table
CREATE TABLE offer (item text PRIMARY KEY, amount int);
SELECT immutable.make_versioned('offer');
INSERT INTO offer (entity_id, version, item, amount, valid_from)
VALUES ('11111111-1111-7111-8111-111111111111', 1, 'tea', 1, NULL);
-- valid_from is the transaction start time: give the versions our dates
SELECT immutable.make_mutable('offer');
UPDATE offer SET valid_from = '2001-01-01';
INSERT INTO offer (id, entity_id, version, item, amount, valid_from) VALUES
    (immutable.uuidv7(), '11111111-1111-7111-8111-111111111111', 2, 'tea', 2, '2001-02-01'),
    (immutable.uuidv7(), '11111111-1111-7111-8111-111111111111', 3, 'tea', 3, '2001-03-01');
SELECT immutable.make_versioned('offer');

-- each form, on both tables: the amounts of the versions returned
CREATE FUNCTION amounts(rel anyelement, a timestamptz, b timestamptz, form text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE format('SELECT string_agg(amount::text, '','' ORDER BY amount) FROM immutable.%I($1, $2, $3)', form)
     INTO r USING rel, a, b;
  RETURN coalesce(r, '-');
END $$;
SELECT f AS form, a, b,
       amounts(NULL::price, a, b, f) AS system_versioned,
       amounts(NULL::offer, a, b, f) AS versioned
  FROM (VALUES ('from_to'), ('between'), ('contained_in')) AS forms(f),
       (VALUES (timestamptz '2001-01-15', timestamptz '2001-02-01'),
               ('2001-02-01', '2001-03-01'),
               ('2001-01-01', '2001-03-01'),
               ('2000-01-01', '2001-02-15'),
               ('2001-03-15', '2002-01-01'),
               ('2001-01-01', 'infinity'),
               ('2001-03-01', '2001-02-01')) AS ranges(a, b)
 ORDER BY f, a, b;
SELECT amount FROM immutable.all_versions(NULL::price) ORDER BY amount;
SELECT amount FROM immutable.all_versions(NULL::offer) ORDER BY amount;
SELECT t, (SELECT amount FROM immutable.as_of(NULL::price, t)) AS system_versioned,
          (SELECT amount FROM immutable.as_of(NULL::offer, t)) AS versioned
  FROM unnest(ARRAY[timestamptz '2000-12-31', '2001-01-01', '2001-02-01',
                    '2001-02-28 23:59:59.999999', '2001-03-01', 'infinity']) AS t;

-- a deleted row or entity has no version while deleted
SELECT immutable.set_system_time('2001-04-01');
DELETE FROM price;
SELECT immutable.set_system_time(NULL);
SELECT amounts(NULL::price, '2001-03-15', '2001-05-01', 'from_to') AS deleted_in_april;

-- bad input
SELECT * FROM immutable.from_to(NULL::price, NULL, now());
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.between(NULL::price, now(), NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM immutable.all_versions(NULL::int);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE plain_table (a int);
SELECT * FROM immutable.all_versions(NULL::plain_table);
\echo :LAST_ERROR_SQLSTATE

DROP FUNCTION amounts(anyelement, timestamptz, timestamptz, text);
SELECT immutable.make_mutable('price');
SELECT immutable.make_mutable('offer');
DROP TABLE price, price_history, offer, plain_table;
