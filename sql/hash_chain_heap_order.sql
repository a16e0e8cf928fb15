-- verify_chain reads a table once, in heap order, which is not chain order
-- when rows were moved (concurrent writers, redaction, VACUUM FULL): it
-- reports every problem as a walk of the chain index would, in the same
-- order (by chain, chain_seq, then heap order), and walks the index when
-- what it must keep exceeds maintenance_work_mem, or on duplicates.  (The
-- expected output is what the index walk alone, before the single pass,
-- printed, with the DEBUG1 lines added where the pass gives up.)
\set SHOW_CONTEXT never

CREATE TABLE shuffled (id int, account int NOT NULL, amount numeric, memo text);
SELECT immutable.make_append_only('shuffled', hashed => true, chain_by => 'account');
INSERT INTO shuffled (id, account, amount, memo)
SELECT g, g % 4, g * 10, CASE WHEN g % 5 = 0 THEN NULL ELSE 'memo ' || g END
  FROM generate_series(1, 80) AS g;
SELECT immutable.chain_digest('shuffled') AS digest \gset
SET session_replication_role = replica;
-- rows moved to the end of the heap, their values unchanged: still intact
UPDATE shuffled SET id = id WHERE chain_seq % 3 = 0;
UPDATE shuffled SET id = id WHERE chain_seq % 7 = 1;
SELECT (array_agg(chain_seq ORDER BY ctid))[1:8] AS heap_order_of_account_0
  FROM shuffled WHERE account = 0;
SELECT * FROM immutable.verify_chain('shuffled', :'digest');

-- account 0: a value changed, a row deleted in the middle, rows deleted
-- from the end
UPDATE shuffled SET amount = -1 WHERE account = 0 AND chain_seq = 4;
DELETE FROM shuffled WHERE account = 0 AND chain_seq = 9;
DELETE FROM shuffled WHERE account = 0 AND chain_seq >= 18;
-- account 2: two rows swapping places, a row without chain_seq, a row far
-- past the chain's end
UPDATE shuffled SET chain_seq = CASE chain_seq WHEN 2 THEN 3 ELSE 2 END
 WHERE account = 2 AND chain_seq IN (2, 3);
INSERT INTO shuffled SELECT id + 2000, account, amount, memo, NULL, prev_hash, hash
  FROM shuffled WHERE account = 2 AND chain_seq = 7;
INSERT INTO shuffled SELECT id + 3000, account, amount, memo, 1000, prev_hash, hash
  FROM shuffled WHERE account = 2 AND chain_seq = 8;
-- account 3: the whole chain gone; account 5: a new chain whose first row
-- does not start it
DELETE FROM shuffled WHERE account = 3;
INSERT INTO shuffled SELECT 5000, 5, amount, memo, 1, prev_hash, hash
  FROM shuffled WHERE account = 2 AND chain_seq = 10;
-- (the DEBUG1 line would say if the pass gave up: it does not here)
SET client_min_messages = debug1;
SELECT * FROM immutable.verify_chain('shuffled', :'digest');
SELECT * FROM immutable.verify_chain('shuffled', :'digest', stop_at_first => true);
RESET client_min_messages;
-- account 1: a row copied with another id, then the original updated in
-- place (HOT), after the copy in the heap but first in the index, which
-- the walk follows: the copy is the duplicate; and a row duplicated after
-- its chain_seq was passed.  The pass gives up on duplicates.
INSERT INTO shuffled SELECT id + 1000, account, amount, memo, chain_seq, prev_hash, hash
  FROM shuffled WHERE account = 1 AND chain_seq = 5;
UPDATE shuffled SET id = id WHERE account = 1 AND chain_seq = 5 AND id < 1000;
INSERT INTO shuffled SELECT id, account, amount, memo, chain_seq, prev_hash, hash
  FROM shuffled WHERE account = 1 AND chain_seq = 2;
SET client_min_messages = debug1;
SELECT chain, chain_seq, problem, expected, found FROM immutable.verify_chain('shuffled')
 WHERE chain = '1';
RESET client_min_messages;
RESET session_replication_role;

-- a versioned table: versions moved in the heap, the latest version of an
-- entity removed (its heads row shows it)
CREATE TABLE vacct (aid int PRIMARY KEY, bal numeric NOT NULL);
SELECT immutable.make_versioned('vacct', hashed => true);
INSERT INTO vacct_current SELECT g, 0 FROM generate_series(1, 5) AS g;
UPDATE vacct_current SET bal = bal + 1;
UPDATE vacct_current SET bal = bal + 1 WHERE aid % 2 = 0;
UPDATE vacct_current SET bal = bal + 1;
SET session_replication_role = replica;
UPDATE vacct SET bal = bal WHERE version = 1;
DELETE FROM vacct WHERE aid = 3 AND version = 3;
UPDATE vacct SET bal = 7 WHERE aid = 4 AND version = 2;
RESET session_replication_role;
-- (hashes cover valid_from and ids, which differ at every run: not shown)
SELECT (SELECT v.aid FROM vacct AS v WHERE v.entity_id::text = r.chain AND v.version = 1) AS aid,
       r.chain_seq, r.problem,
       CASE WHEN r.expected ~ '^\\x' THEN '(a hash)' ELSE r.expected END AS expected,
       CASE WHEN r.found ~ '^\\x' THEN '(a hash)' ELSE r.found END AS found
  FROM immutable.verify_chain('vacct') AS r;

-- beyond maintenance_work_mem: one chain of 30000 rows whose first row
-- was moved to the end of the heap, so that every other row waits for it;
-- the pass gives up (the DEBUG1 line) and the index walk reports the same
CREATE TABLE long_chain (id int, amount int);
SELECT immutable.make_append_only('long_chain', hashed => true);
INSERT INTO long_chain SELECT g, g FROM generate_series(1, 30000) AS g;
SET session_replication_role = replica;
UPDATE long_chain SET id = id WHERE chain_seq = 1;
UPDATE long_chain SET amount = 0 WHERE chain_seq = 20000;
RESET session_replication_role;
SET maintenance_work_mem = '1MB';
SET client_min_messages = debug1;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('long_chain');
RESET client_min_messages;
RESET maintenance_work_mem;
SET client_min_messages = debug1;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('long_chain');
RESET client_min_messages;

-- a table whose chains, as ANALYZE counts them, exceed maintenance_work_mem
-- (8000 chains of some 160 bytes) is walked at once
CREATE TABLE many_chains (k int NOT NULL);
SELECT immutable.make_append_only('many_chains', hashed => true, chain_by => 'k');
INSERT INTO many_chains SELECT g FROM generate_series(1, 4000) AS g;
INSERT INTO many_chains SELECT g FROM generate_series(4001, 8000) AS g;
SET session_replication_role = replica;
INSERT INTO many_chains (k, chain_seq, prev_hash, hash)
SELECT k, 2, hash, hash FROM many_chains WHERE k = 8;
RESET session_replication_role;
ANALYZE many_chains;
SET maintenance_work_mem = '1MB';
SET client_min_messages = debug1;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('many_chains');
RESET client_min_messages;
RESET maintenance_work_mem;
SET client_min_messages = debug1;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('many_chains');
RESET client_min_messages;

DROP TABLE shuffled, long_chain, many_chains;
DROP TABLE vacct CASCADE;
