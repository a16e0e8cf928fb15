-- Converting a table that has rows and a primary key, as pgbench_accounts.
\set SHOW_CONTEXT never
CREATE TABLE accounts (aid int PRIMARY KEY, bid int, abalance int NOT NULL DEFAULT 0, filler char(20));
CREATE INDEX ON accounts (bid);
INSERT INTO accounts (aid, bid) SELECT g, g % 10 FROM generate_series(1, 10000) g;
SELECT immutable.make_versioned('accounts');
\d accounts
-- every row is version 1 of its own entity
SELECT count(*), count(DISTINCT entity_id), count(DISTINCT id), min(version), max(version),
       bool_and(entity_id = id) AS first_versions,
       count(DISTINCT valid_from) AS one_time
  FROM accounts;
SELECT count(*) FROM accounts_current;

-- the old key stays unique per version and identifies the entity
UPDATE accounts_current SET abalance = abalance + 10 WHERE aid = 42 RETURNING aid, abalance, version;
UPDATE accounts_current SET abalance = abalance - 3 WHERE aid = 42 RETURNING aid, abalance, version;
SELECT aid, abalance, version FROM accounts WHERE aid = 42 ORDER BY version;
INSERT INTO accounts_current (aid, bid) VALUES (42, 1);
\echo :LAST_ERROR_SQLSTATE
UPDATE accounts_current SET aid = 43 WHERE aid = 42;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO accounts_current (aid, bid) VALUES (10001, 1) RETURNING aid, version;
SELECT count(*), count(DISTINCT aid) FROM accounts_current;
EXPLAIN (COSTS OFF) SELECT abalance FROM accounts_current WHERE aid = 42;

-- converting again after make_mutable keeps the rows and the versions
SELECT immutable.make_mutable('accounts');
SELECT immutable.make_versioned('accounts');
SELECT count(*), max(version) FROM accounts;
SELECT abalance FROM accounts_current WHERE aid = 42;
SELECT immutable.make_mutable('accounts');
DROP TABLE accounts;

-- a table that references others can be converted (one that other tables
-- reference cannot: sql/bad_input_make_versioned.sql)
CREATE TABLE branches (bid int PRIMARY KEY);
CREATE TABLE tellers (tid int PRIMARY KEY, bid int REFERENCES branches);
SELECT immutable.make_versioned('tellers');
SELECT immutable.make_mutable('tellers');
DROP TABLE tellers, branches;

-- other unique indexes cannot be kept unless they include version
-- (sql/bad_input_make_versioned.sql): without them the table converts
CREATE TABLE users (uid int PRIMARY KEY, email text UNIQUE);
ALTER TABLE users DROP CONSTRAINT users_email_key;
SELECT immutable.make_versioned('users');
\d users
SELECT immutable.make_mutable('users');
DROP TABLE users;

-- present fixed columns of the right types are kept (wrong types are
-- refused: sql/bad_input_make_versioned.sql)
CREATE TABLE shaped (id uuid PRIMARY KEY, entity_id uuid, version int, body text);
INSERT INTO shaped (id, body) VALUES ('01890000-0000-7000-8000-0000000000aa', 'x');
SELECT immutable.make_versioned('shaped');
SELECT id, entity_id, version, body FROM shaped;
SELECT immutable.make_mutable('shaped');
DROP TABLE shaped;
