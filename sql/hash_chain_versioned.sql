-- Hash chains of versioned tables: make_versioned(hashed => true) links the
-- versions of every entity in version order (chain = entity_id, chain_seq =
-- version), tombstones and undeletes included.
\set SHOW_CONTEXT never
CREATE TABLE acct (aid int PRIMARY KEY, owner text, bal numeric NOT NULL);
INSERT INTO acct VALUES (1, 'ann', 100), (2, 'bob', 50);
SELECT immutable.make_versioned('acct', hashed => true);
\d acct
SELECT table_name, kind, hashed, chain_by FROM immutable.managed_tables;
-- the rows there already are version 1 of their entities: first of a chain
SELECT aid, version, prev_hash = '\x0000000000000000000000000000000000000000000000000000000000000000' AS starts_chain,
       length(hash) AS hash_bytes
  FROM acct ORDER BY aid;
UPDATE acct_current SET bal = bal + 10 WHERE aid = 1;
UPDATE acct_current SET bal = bal + 10 WHERE aid = 1;
DELETE FROM acct_current WHERE aid = 2;
SELECT (immutable.undelete(NULL::acct, entity_id)).version FROM acct WHERE aid = 2 AND version = 1;
BEGIN;
UPDATE acct_current SET owner = 'ann b.' WHERE aid = 1;
UPDATE acct_current SET bal = 0 WHERE aid = 1;
COMMIT;
-- every version follows the one before it; the heads row is the latest
SELECT a.aid, a.version, a.deleted_at IS NOT NULL AS tombstone,
       a.prev_hash = p.hash AS follows_previous
  FROM acct AS a LEFT JOIN acct AS p ON p.entity_id = a.entity_id AND p.version = a.version - 1
 WHERE a.version > 1 ORDER BY a.aid, a.version;
SELECT h.aid, h.version, h.hash = a.hash AS head_is_latest
  FROM acct_heads AS h JOIN acct AS a USING (entity_id, version) ORDER BY h.aid;
SELECT * FROM immutable.verify_chain('acct');

-- a digest holds every entity's latest version
SELECT immutable.chain_digest('acct') AS digest \gset
SELECT jsonb_array_length(:'digest'::jsonb -> 'chains') AS entities,
       (SELECT array_agg(c ->> 1 ORDER BY c ->> 1) FROM jsonb_array_elements(:'digest'::jsonb -> 'chains') AS c) AS versions;

-- tampering with one version shows at that version of that entity
SET session_replication_role = replica;
CREATE TEMP TABLE saved AS SELECT * FROM acct;
UPDATE acct SET bal = 1000000 WHERE aid = 1 AND version = 3;
SELECT chain = (SELECT entity_id::text FROM acct WHERE aid = 1 AND version = 1) AS is_ann,
       chain_seq, problem
  FROM immutable.verify_chain('acct');
UPDATE acct AS a SET bal = s.bal FROM saved AS s WHERE a.id = s.id;
DELETE FROM acct WHERE aid = 1 AND version = 2;
SELECT chain_seq, problem, expected, found FROM immutable.verify_chain('acct');
INSERT INTO acct SELECT * FROM saved WHERE aid = 1 AND version = 2;
-- the latest version of an entity removed: its heads row shows it, and
-- the digest
DELETE FROM acct WHERE aid = 2 AND version = 3;
SELECT chain_seq, problem, expected, found FROM immutable.verify_chain('acct');
SELECT chain_seq, problem FROM immutable.verify_chain('acct', :'digest');
INSERT INTO acct SELECT * FROM saved WHERE aid = 2 AND version = 3;
RESET session_replication_role;
SELECT count(*) AS problems FROM immutable.verify_chain('acct', :'digest');

-- (refusals of bad input: sql/bad_input_make_versioned.sql,
-- sql/bad_input_verify_chain.sql)
SELECT immutable.make_mutable('acct');
DROP TABLE acct;
