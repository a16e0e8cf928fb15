-- Erasure: redact (GDPR, one entity of a versioned table) keeps a hash
-- chain verifiable; purge_history (a system-versioned table's history
-- before a time); both recorded in the append-only immutable.erasure_log.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE TABLE customer (cid int PRIMARY KEY, email text, name varchar(40), score int,
                       note jsonb, nick text NOT NULL DEFAULT 'x');
SELECT immutable.make_versioned('customer', hashed => true);
INSERT INTO customer_current (cid, email, name, score, note)
VALUES (1, 'ann@example.com', 'Ann', 5, '{"city": "Oslo"}'),
       (2, 'bob@example.com', 'Bob', 7, NULL);
UPDATE customer_current SET score = 6 WHERE cid = 1;
UPDATE customer_current SET email = 'ann@example.org' WHERE cid = 1;
SELECT entity_id AS ann FROM customer WHERE cid = 1 AND version = 1 \gset
SELECT count(*) AS problems FROM immutable.verify_chain('customer');

-- ann asks to be forgotten: email, name and note are erased in all three
-- versions and in the current row; the chain still verifies
SELECT immutable.redact(NULL::customer, :'ann', ARRAY['email', 'name', 'note']) AS versions;
SELECT cid, version, email, name, score, note FROM customer ORDER BY cid, version;
SELECT cid, email, name, score FROM customer_current ORDER BY cid;
SELECT count(*) AS problems FROM immutable.verify_chain('customer');
SELECT action, entity_id = :'ann' AS is_ann, column_name, length(digest) AS digest_bytes,
       logged_by = session_user AS by_me
  FROM immutable.erasure_log ORDER BY row_id, column_name;
-- the digest of an erased value is what the hash had for it
SELECT l.digest = sha256(convert_to('ann@example.com', 'UTF8')) AS first_email
  FROM immutable.erasure_log AS l JOIN customer AS c ON c.id = l.row_id
 WHERE c.version = 1 AND l.column_name = 'email';
-- later versions and a second redaction go on verifying
UPDATE customer_current SET score = 9 WHERE cid = 1;
SELECT immutable.redact(NULL::customer, :'ann', ARRAY['email']) AS nothing_left;
SELECT count(*) AS problems FROM immutable.verify_chain('customer');
-- changing a redacted row is still found
SET session_replication_role = replica;
UPDATE customer SET score = 100 WHERE cid = 1 AND version = 2;
SELECT chain_seq, problem FROM immutable.verify_chain('customer');
UPDATE customer SET score = 6 WHERE cid = 1 AND version = 2;
RESET session_replication_role;

-- the log is append-only for everyone
UPDATE immutable.erasure_log SET column_name = 'x';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM immutable.erasure_log;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE immutable.erasure_log;
\echo :LAST_ERROR_SQLSTATE

-- (refusals of bad input: sql/bad_input_redact.sql,
-- sql/bad_input_purge_history.sql)

-- a versioned table without hashes: any column can be redacted, no digest
CREATE TABLE contact (k int PRIMARY KEY, phone int, address text);
SELECT immutable.make_versioned('contact');
INSERT INTO contact_current VALUES (1, 555, 'Main St');
SELECT entity_id AS contact FROM contact \gset
SELECT immutable.redact(NULL::contact, :'contact', ARRAY['phone', 'address']);
SELECT phone, address FROM contact;
SELECT column_name, digest IS NULL AS no_digest FROM immutable.erasure_log
 WHERE relid = 'contact'::regclass ORDER BY column_name;

-- purge_history: history ended by a time goes, the rest stays
CREATE TABLE price (item int PRIMARY KEY, amount int);
SELECT immutable.make_system_versioned('price');
SELECT immutable.set_system_time('2020-01-01');
INSERT INTO price VALUES (1, 10), (2, 20);
SELECT immutable.set_system_time('2021-01-01');
UPDATE price SET amount = amount + 1;
SELECT immutable.set_system_time('2022-01-01');
UPDATE price SET amount = amount + 1;
SELECT immutable.set_system_time(NULL);
SELECT immutable.purge_history('price', '2021-01-01') AS purged;
SELECT item, amount, system_period FROM price_history ORDER BY item;
SELECT action, relid, before, rows FROM immutable.erasure_log WHERE action = 'purge';
DELETE FROM price_history;
\echo :LAST_ERROR_SQLSTATE

SELECT immutable.make_mutable('customer');
SELECT immutable.make_mutable('contact');
SELECT immutable.make_mutable('price');
DROP TABLE customer, contact, price, price_history;
