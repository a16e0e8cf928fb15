-- Stored values of a managed table cannot be removed through the objects
-- its columns depend on: ALTER TYPE ... DROP ATTRIBUTE (or ALTER ATTRIBUTE
-- ... TYPE) ... CASCADE of a composite type a managed table stores, also
-- nested or through a domain or an array, is refused before it runs
-- (0A000); a DROP ... CASCADE of a type, domain or function that would drop
-- a column of a managed table (or of its heads or history table) is
-- refused (0A000) and rolled back.  Unmanaged tables are not concerned.
\set SHOW_CONTEXT never
CREATE SCHEMA gd;
CREATE TYPE gd.money2 AS (amount numeric, currency text);
CREATE TYPE gd.wrapper AS (m gd.money2, note text);
CREATE DOMAIN gd.positive AS int CHECK (VALUE > 0);
CREATE TYPE gd.tag AS (label text);
CREATE DOMAIN gd.tagged AS gd.tag;
CREATE FUNCTION gd.double(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1 * 2';

CREATE TABLE gd.ledger (id int, m gd.money2, w gd.wrapper, n gd.positive,
                        tags gd.tag[], t gd.tagged,
                        twice int GENERATED ALWAYS AS (gd.double(id)) STORED);
INSERT INTO gd.ledger (id, m, w, n, tags, t)
VALUES (1, (10.5, 'EUR'), ((2, 'USD'), 'x'), 3, ARRAY[ROW('a')::gd.tag], ROW('b'));
SELECT immutable.make_append_only('gd.ledger');
CREATE TABLE gd.plain (id int, m gd.money2);
INSERT INTO gd.plain VALUES (1, (1, 'GBP'));

\set ON_ERROR_STOP 0
ALTER TYPE gd.money2 DROP ATTRIBUTE currency CASCADE;
\echo :SQLSTATE
ALTER TYPE gd.money2 ALTER ATTRIBUTE amount TYPE float8 CASCADE;
\echo :SQLSTATE
ALTER TYPE gd.tag DROP ATTRIBUTE label CASCADE;
\echo :SQLSTATE
DROP TYPE gd.money2 CASCADE;
\echo :SQLSTATE
DROP DOMAIN gd.positive CASCADE;
\echo :SQLSTATE
DROP TYPE gd.tagged CASCADE;
\echo :SQLSTATE
DROP FUNCTION gd.double(int) CASCADE;
\echo :SQLSTATE
\set ON_ERROR_STOP 1
SELECT * FROM gd.ledger;

-- a system-versioned table and its history table: the same
SELECT immutable.make_mutable('gd.ledger');
CREATE TABLE gd.acct (id int PRIMARY KEY, m gd.money2);
SELECT immutable.make_system_versioned('gd.acct');
INSERT INTO gd.acct VALUES (1, (5, 'CHF'));
UPDATE gd.acct SET m = (6, 'CHF');
\set ON_ERROR_STOP 0
DROP TYPE gd.money2 CASCADE;
\echo :SQLSTATE
\set ON_ERROR_STOP 1
SELECT id, m FROM gd.acct_history;

-- an enum: renaming a value would rename it in every row kept; adding one
-- changes nothing stored
CREATE TYPE gd.state AS ENUM ('open', 'closed');
CREATE TABLE gd.events (id int, s gd.state);
SELECT immutable.make_append_only('gd.events');
INSERT INTO gd.events VALUES (1, 'open');
\set ON_ERROR_STOP 0
ALTER TYPE gd.state RENAME VALUE 'open' TO 'opened';
\echo :SQLSTATE
\set ON_ERROR_STOP 1
ALTER TYPE gd.state ADD VALUE 'archived';
SELECT * FROM gd.events;

-- unmanaged tables: as PostgreSQL does it
SELECT immutable.make_mutable('gd.acct');
ALTER TYPE gd.money2 DROP ATTRIBUTE currency CASCADE;
SELECT * FROM gd.plain;
DROP SCHEMA gd CASCADE;
