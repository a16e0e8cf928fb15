-- Hash chains of append-only tables: make_append_only(hashed => true),
-- the canonical encoding, verify_chain and the tampering it detects.
\set SHOW_CONTEXT never

-- The worked example of README "Hash chains": its hash recomputed here
-- from the documented bytes with the built-in sha256().
CREATE TABLE example (id integer, note text);
SELECT immutable.make_append_only('example', hashed => true);
\d example
INSERT INTO example VALUES (1, 'hi');
-- a writer cannot choose chain_seq or hash; NULL columns are left out
INSERT INTO example (id, note, chain_seq, hash) VALUES (2, NULL, 42, '\xdead');
SELECT id, note, chain_seq, prev_hash, hash FROM example ORDER BY chain_seq;
SELECT e.hash = sha256('\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
         || '\x00000009'::bytea || convert_to('chain_seq', 'UTF8') || '\x01'::bytea
         || '\x00000008'::bytea || int8send(1)
         || '\x00000002'::bytea || convert_to('id', 'UTF8') || '\x01'::bytea
         || '\x00000004'::bytea || int4send(1)
         || '\x00000004'::bytea || convert_to('note', 'UTF8') || '\x02'::bytea
         || sha256(convert_to('hi', 'UTF8'))) AS first_row_as_documented
  FROM example AS e WHERE e.chain_seq = 1;
SELECT e2.hash = sha256(e1.hash
         || '\x00000009'::bytea || convert_to('chain_seq', 'UTF8') || '\x01'::bytea
         || '\x00000008'::bytea || int8send(2)
         || '\x00000002'::bytea || convert_to('id', 'UTF8') || '\x01'::bytea
         || '\x00000004'::bytea || int4send(2)) AS second_row_as_documented,
       e2.prev_hash = e1.hash AS linked
  FROM example AS e1, example AS e2 WHERE e1.chain_seq = 1 AND e2.chain_seq = 2;
SELECT * FROM immutable.verify_chain('example');
SELECT table_name, kind, hashed, chain_by FROM immutable.managed_tables;
-- a row replaced by one whose hash is recomputed as documented: intact in
-- itself, so the break shows at the next row, which does not follow it
CREATE TEMP TABLE example_saved AS SELECT * FROM example;
SET session_replication_role = replica;
UPDATE example SET note = 'ho',
       hash = sha256('\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
         || '\x00000009'::bytea || convert_to('chain_seq', 'UTF8') || '\x01'::bytea
         || '\x00000008'::bytea || int8send(1)
         || '\x00000002'::bytea || convert_to('id', 'UTF8') || '\x01'::bytea
         || '\x00000004'::bytea || int4send(1)
         || '\x00000004'::bytea || convert_to('note', 'UTF8') || '\x02'::bytea
         || sha256(convert_to('ho', 'UTF8')))
 WHERE chain_seq = 1;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('example');
UPDATE example AS e SET note = s.note, hash = s.hash FROM example_saved AS s
 WHERE e.chain_seq = s.chain_seq;
-- the last row replaced the same way: only a digest taken before shows it
SELECT immutable.chain_digest('example') AS example_digest \gset
UPDATE example AS e2 SET id = 7,
       hash = sha256(e2.prev_hash
         || '\x00000009'::bytea || convert_to('chain_seq', 'UTF8') || '\x01'::bytea
         || '\x00000008'::bytea || int8send(2)
         || '\x00000002'::bytea || convert_to('id', 'UTF8') || '\x01'::bytea
         || '\x00000004'::bytea || int4send(7))
 WHERE e2.chain_seq = 2;
SELECT chain_seq, problem FROM immutable.verify_chain('example');
SELECT chain_seq, problem FROM immutable.verify_chain('example', :'example_digest');
UPDATE example AS e SET id = s.id, hash = s.hash FROM example_saved AS s
 WHERE e.chain_seq = s.chain_seq;
RESET session_replication_role;

-- one chain per account; rows there already are linked in physical order
CREATE TABLE ledger (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account text NOT NULL,
    amount  numeric(12,2) NOT NULL,
    booked  timestamptz NOT NULL,
    memo    jsonb
);
INSERT INTO ledger (account, amount, booked, memo) VALUES
    ('alice', 100.00, '2026-01-01 09:00+00', '{"via": "opening"}'),
    ('bob',    50.00, '2026-01-01 09:00+00', NULL);
SELECT immutable.make_append_only('ledger', hashed => true, chain_by => 'account');
INSERT INTO ledger (account, amount, booked, memo)
SELECT CASE WHEN n % 3 = 0 THEN 'bob' ELSE 'alice' END, n * 1.25,
       timestamptz '2026-01-02 00:00+00' + n * interval '1 minute',
       jsonb_build_object('n', n, 'float', n / 3.0::float8)
  FROM generate_series(1, 20) AS n;
SELECT account, count(*), min(chain_seq), max(chain_seq),
       count(DISTINCT hash) AS distinct_hashes
  FROM ledger GROUP BY account ORDER BY account;
SELECT * FROM immutable.verify_chain('ledger');

-- the same hashes under other session settings
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Pacific/Chatham';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -3;
SET bytea_output = 'escape';
SET search_path = pg_temp, public;
SET client_encoding = 'LATIN1';
SELECT count(*) AS problems FROM immutable.verify_chain('ledger');
INSERT INTO ledger (account, amount, booked, memo)
VALUES ('alice', 0.1, '2026-03-01 12:00:00.123456+00', '{"x": 0.1, "y": "caf\u00e9"}');
RESET ALL;
SELECT count(*) AS problems FROM immutable.verify_chain('ledger');

-- every NaN hashes the same, whatever its bits: negating 'NaN' (or
-- computing one, 'Infinity' - 'Infinity' on x86) sets the sign bit, which
-- the text form, and so a dump and restore, loses (issue 11 item 12)
CREATE TABLE nans (f8 double precision, f4 real, pa path, pg polygon, c circle);
SELECT immutable.make_append_only('nans', hashed => true);
INSERT INTO nans
SELECT -'NaN'::float8, -'NaN'::real, path '[(0,0),(1,1)]' + point(-'NaN'::float8, 0),
       polygon(path '((0,0),(1,1),(1,0))' + point(-'NaN'::float8, 0)),
       circle(point(-'NaN'::float8, 0), 1);
INSERT INTO nans VALUES (0.5, 0.5, '[(0,0),(1,1)]', '((0,0),(1,1),(1,0))', '<(0,0),1>');
SELECT float8send(f8) AS f8_bits, float4send(f4) AS f4_bits,
       path_send(pa) = path_send(pa::text::path) AS pa_same,
       poly_send(pg) = poly_send(pg::text::polygon) AS pg_same,
       circle_send(c) = circle_send(c::text::circle) AS c_same
  FROM nans ORDER BY chain_seq;
-- every value through its text, as a dump and restore does
SET session_replication_role = replica;
UPDATE nans SET f8 = f8::text::float8, f4 = f4::text::real, pa = pa::text::path,
       pg = pg::text::polygon, c = c::text::circle;
RESET session_replication_role;
SELECT float8send(f8) AS f8_bits, float4send(f4) AS f4_bits FROM nans ORDER BY chain_seq;
SELECT chain_seq, problem FROM immutable.verify_chain('nans');
DROP TABLE nans;
-- as documented: a NaN enters as 7ff8000000000000 (real: 7fc00000)
CREATE TABLE nan_doc (f8 double precision, f4 real, c circle);
SELECT immutable.make_append_only('nan_doc', hashed => true);
INSERT INTO nan_doc VALUES (-'NaN'::float8, -'NaN'::real, circle(point(-'NaN'::float8, 0), 1));
SELECT n.hash = sha256('\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
         || '\x00000001'::bytea || convert_to('c', 'UTF8') || '\x01'::bytea
         || '\x00000018'::bytea || '\x7ff800000000000000000000000000003ff0000000000000'::bytea
         || '\x00000009'::bytea || convert_to('chain_seq', 'UTF8') || '\x01'::bytea
         || '\x00000008'::bytea || int8send(1)
         || '\x00000002'::bytea || convert_to('f4', 'UTF8') || '\x01'::bytea
         || '\x00000004'::bytea || '\x7fc00000'::bytea
         || '\x00000002'::bytea || convert_to('f8', 'UTF8') || '\x01'::bytea
         || '\x00000008'::bytea || '\x7ff8000000000000'::bytea) AS nan_as_documented
  FROM nan_doc AS n;
DROP TABLE nan_doc;

-- tampering, as a superuser going around the triggers; after each case
-- the rows are put back from a copy
CREATE TEMP TABLE saved AS SELECT * FROM ledger;
CREATE FUNCTION pg_temp.restore() RETURNS void LANGUAGE sql AS $$
    DELETE FROM ledger;
    INSERT INTO ledger OVERRIDING SYSTEM VALUE SELECT * FROM saved;
$$;
SET session_replication_role = replica;
-- a changed value: reported at its row only
UPDATE ledger SET amount = amount + 1 WHERE account = 'alice' AND chain_seq = 3;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ledger');
SELECT pg_temp.restore();
-- a changed hash: reported at its row only
UPDATE ledger SET hash = sha256('forged') WHERE account = 'alice' AND chain_seq = 5;
SELECT chain, chain_seq, problem, found = '\x' || encode(sha256('forged'), 'hex') AS found_is_forged
  FROM immutable.verify_chain('ledger');
-- stop_at_first raises XX001
SELECT * FROM immutable.verify_chain('ledger', stop_at_first => true);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.restore();
-- a row deleted in the middle of a chain
DELETE FROM ledger WHERE account = 'alice' AND chain_seq = 8;
SELECT chain, chain_seq, problem, expected, found FROM immutable.verify_chain('ledger');
SELECT pg_temp.restore();
-- two rows swapping places in their chain
UPDATE ledger SET chain_seq = CASE chain_seq WHEN 2 THEN 3 ELSE 2 END
 WHERE account = 'bob' AND chain_seq IN (2, 3);
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ledger');
SELECT pg_temp.restore();
-- a row moved to the end of another chain: changed there, missing in its own
UPDATE ledger SET account = 'bob', chain_seq = (SELECT max(chain_seq) + 1 FROM saved WHERE account = 'bob')
 WHERE account = 'alice' AND chain_seq = 2;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ledger');
SELECT pg_temp.restore();
-- a duplicated row
INSERT INTO ledger OVERRIDING SYSTEM VALUE
SELECT id + 1000, account, amount, booked, memo, chain_seq, hash
  FROM ledger WHERE account = 'bob' AND chain_seq = 4;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ledger');
SELECT pg_temp.restore();
-- a forged row appended with a wrong hash
INSERT INTO ledger (account, amount, booked, chain_seq, prev_hash, hash)
SELECT 'bob', 1000000, now(), chain_seq + 1, hash, sha256('made up')
  FROM ledger WHERE account = 'bob' ORDER BY chain_seq DESC LIMIT 1;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('ledger');
SELECT pg_temp.restore();
RESET session_replication_role;
SELECT count(*) AS problems FROM immutable.verify_chain('ledger');

-- a digest of the chains' last rows, kept outside the database: rows
-- appended later are accepted, rows deleted from the end of a chain or a
-- whole chain are found
SELECT immutable.chain_digest('ledger') AS digest \gset
SELECT jsonb_array_length(:'digest'::jsonb -> 'chains') AS chains,
       :'digest'::jsonb -> 'chains' -> 0 -> 0 AS first_chain,
       :'digest'::jsonb -> 'chains' -> 0 -> 1 AS its_last_seq;
INSERT INTO ledger (account, amount, booked) VALUES ('alice', 5, now()), ('carol', 7, now());
SELECT * FROM immutable.verify_chain('ledger', :'digest');
SET session_replication_role = replica;
DELETE FROM ledger WHERE account = 'alice' AND chain_seq >= 15;
DELETE FROM ledger WHERE account = 'bob';
SELECT chain, chain_seq, problem, expected, found FROM immutable.verify_chain('ledger', :'digest');
SELECT count(*) AS problems_without_digest FROM immutable.verify_chain('ledger');
SELECT pg_temp.restore();
RESET session_replication_role;
SELECT count(*) AS problems FROM immutable.verify_chain('ledger', :'digest');
SELECT immutable.chain_digest('example') -> 'chains' AS one_chain;
-- values equal under "=" are one chain, though their text differs: the
-- digest names it by its first row's text, as verify_chain does
CREATE TABLE scaled (k numeric NOT NULL, n int);
SELECT immutable.make_append_only('scaled', hashed => true, chain_by => 'k');
INSERT INTO scaled VALUES (1.0, 1), (2, 2), (1.00, 3);
SELECT chain -> 0 AS chain, chain -> 1 AS chain_seq
  FROM jsonb_array_elements(immutable.chain_digest('scaled') -> 'chains') AS chain;
SELECT * FROM immutable.verify_chain('scaled', immutable.chain_digest('scaled'));
DROP TABLE scaled;

-- the chain goes on where it was, and stays append-only
INSERT INTO ledger (account, amount, booked) VALUES ('alice', 1, now()) RETURNING chain_seq;
UPDATE ledger SET amount = 0;
\echo :LAST_ERROR_SQLSTATE

-- schema changes: a nullable column without a default keeps every hash;
-- what old rows' hashes would not survive is refused (0A000)
ALTER TABLE ledger ADD COLUMN note text;
INSERT INTO ledger (account, amount, booked, note) VALUES ('bob', 2, now(), 'noted');
SELECT count(*) AS problems FROM immutable.verify_chain('ledger');
ALTER TABLE ledger ADD COLUMN fee int DEFAULT 0;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ledger DROP COLUMN memo;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ledger RENAME COLUMN memo TO remark;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ledger ALTER COLUMN amount TYPE numeric(14,2);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ledger ADD COLUMN tags text[];
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ledger ADD COLUMN source regclass;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ledger ALTER COLUMN note SET DEFAULT 'none', ADD CONSTRAINT positive CHECK (amount > 0);
INSERT INTO ledger (account, amount, booked) VALUES ('bob', 3, now()) RETURNING note, chain_seq;
SELECT count(*) AS problems FROM immutable.verify_chain('ledger');

-- a row without a chain_by value has no chain (refusals of bad input to
-- make_append_only, verify_chain and chain_digest: their
-- sql/bad_input_<function>.sql files)
INSERT INTO ledger (account, amount, booked) VALUES (NULL, 1, now());
\echo :LAST_ERROR_SQLSTATE

-- make_mutable takes the trigger away and keeps the columns
SELECT immutable.make_mutable('example');
INSERT INTO example VALUES (3, 'unhashed');
SELECT id, chain_seq, hash IS NULL AS no_hash FROM example WHERE id = 3;
DROP TABLE example, ledger;
