-- Who verification runs as, and what it may show.  verify_chain and
-- chain_digest run no cast, operator or function a table's owner controls
-- in the caller's context (issue 11 item 5), and refuse callers whom
-- row-level security would hide rows from (item 6).
\set SHOW_CONTEXT never
CREATE ROLE hcp_owner;
CREATE ROLE hcp_auditor;
CREATE ROLE hcp_bypass BYPASSRLS;
CREATE SCHEMA hcp AUTHORIZATION hcp_owner;
GRANT USAGE ON SCHEMA hcp TO PUBLIC;

------------------------------------------------------------------------------
-- item 5: an owner's cast and operators of its own enum
------------------------------------------------------------------------------
SET ROLE hcp_owner;
CREATE TYPE hcp.account AS ENUM ('alice', 'bob');
-- every call of the owner's functions is logged here, as the role it ran as
CREATE TABLE hcp.calls (by_role name, what text);
GRANT INSERT ON hcp.calls TO PUBLIC;
CREATE FUNCTION hcp.account_text(a hcp.account) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hcp.calls VALUES (current_user, 'cast');
    RETURN 'forged ' || pg_catalog.format('%s', a);
END $$;
CREATE CAST (hcp.account AS text) WITH FUNCTION hcp.account_text(hcp.account);
CREATE FUNCTION hcp.account_eq(a hcp.account, b hcp.account) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hcp.calls VALUES (current_user, 'operator');
    RETURN pg_catalog.enum_cmp(a, b) = 0;
END $$;
CREATE OPERATOR hcp.= (FUNCTION = hcp.account_eq, LEFTARG = hcp.account, RIGHTARG = hcp.account);
CREATE FUNCTION hcp.account_lt(a hcp.account, b hcp.account) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hcp.calls VALUES (current_user, 'operator');
    RETURN pg_catalog.enum_cmp(a, b) < 0;
END $$;
CREATE OPERATOR hcp.< (FUNCTION = hcp.account_lt, LEFTARG = hcp.account, RIGHTARG = hcp.account);
-- the cast is real: SQL that casts runs it
SELECT 'alice'::hcp.account::text AS cast_text;
SELECT by_role, what FROM hcp.calls;
TRUNCATE hcp.calls;
CREATE TABLE hcp.ledger (account hcp.account NOT NULL, amount int);
SELECT immutable.make_append_only('hcp.ledger', hashed => true, chain_by => 'account');
INSERT INTO hcp.ledger VALUES ('alice', 1), ('bob', 2), ('alice', 3);
GRANT SELECT ON hcp.ledger TO hcp_auditor;
TRUNCATE hcp.calls;
RESET ROLE;

-- a superuser, with the owner's schema first in its search_path
SET search_path = hcp, public;
SELECT immutable.chain_digest('hcp.ledger') AS digest \gset
SELECT :'digest'::jsonb -> 'chains' -> 0 -> 0 AS first_chain,
       :'digest'::jsonb -> 'chains' -> 1 -> 0 AS second_chain;
-- the digest records each chain's last row, named by the enum's label
SELECT :'digest'::jsonb -> 'chains' =
       (SELECT jsonb_agg(jsonb_build_array(pg_catalog.format('%s', l.account), l.chain_seq,
                                           encode(l.hash, 'hex'))
                         ORDER BY pg_catalog.format('%s', l.account) COLLATE "C")
          FROM hcp.ledger AS l
         WHERE l.chain_seq = (SELECT max(m.chain_seq) FROM hcp.ledger AS m
                               WHERE pg_catalog.enum_cmp(m.account, l.account) = 0))
       AS digest_is_last_rows;
SELECT * FROM immutable.verify_chain('hcp.ledger', :'digest');
SELECT * FROM immutable.verify_chain('hcp.ledger', :'digest', stop_at_first => true);
RESET search_path;
-- another role
SET ROLE hcp_auditor;
SELECT immutable.chain_digest('hcp.ledger') -> 'chains' = :'digest'::jsonb -> 'chains' AS same_chains;
SELECT * FROM immutable.verify_chain('hcp.ledger', :'digest');
RESET ROLE;
-- none of the owner's functions ran, for anyone
SELECT by_role, what FROM hcp.calls;

------------------------------------------------------------------------------
-- item 5 at make time: linking the rows a table has already
------------------------------------------------------------------------------
SET ROLE hcp_owner;
CREATE FUNCTION hcp.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hcp.calls VALUES (current_user, 'trigger');
    NEW.touched := pg_catalog.concat(OLD.touched, '+');
    RETURN NEW;
END $$;
CREATE FUNCTION hcp.positive(n int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hcp.calls VALUES (current_user, 'check');
    RETURN n > 0;
END $$;
CREATE TABLE hcp.old_rows (n int CHECK (hcp.positive(n)), touched text);
CREATE TRIGGER touch BEFORE UPDATE ON hcp.old_rows FOR EACH ROW EXECUTE FUNCTION hcp.touch();
INSERT INTO hcp.old_rows VALUES (1, NULL), (2, NULL);
TRUNCATE hcp.calls;
RESET ROLE;
-- a superuser makes the owner's table hash-chained: the CHECK runs as the
-- owner, the owner's trigger does not run, and the rows are as they were
SELECT immutable.make_append_only('hcp.old_rows', hashed => true);
SELECT by_role, what, count(*) FROM hcp.calls GROUP BY 1, 2 ORDER BY 1, 2;
SELECT n, touched, chain_seq FROM hcp.old_rows ORDER BY chain_seq;
SELECT count(*) AS problems FROM immutable.verify_chain('hcp.old_rows');
-- a trigger enabled ALWAYS fires all the same: the rows it changes would
-- not match their hashes, so the call fails (55000) and changes nothing
SELECT immutable.make_mutable('hcp.old_rows');
ALTER TABLE hcp.old_rows ENABLE ALWAYS TRIGGER touch;
TRUNCATE hcp.calls;
SELECT immutable.make_append_only('hcp.old_rows', hashed => true);
\echo :LAST_ERROR_SQLSTATE
SELECT n, touched, chain_seq FROM hcp.old_rows ORDER BY chain_seq;
SELECT count(*) AS managed FROM immutable.managed_tables WHERE table_name = 'hcp.old_rows'::regclass;

------------------------------------------------------------------------------
-- item 6: row-level security; verification needs a role it does not apply to
------------------------------------------------------------------------------
SET ROLE hcp_owner;
CREATE TABLE hcp.accounts (holder text NOT NULL, amount int);
SELECT immutable.make_append_only('hcp.accounts', hashed => true, chain_by => 'holder');
INSERT INTO hcp.accounts VALUES ('visible', 1), ('secret', 2), ('secret', 3);
ALTER TABLE hcp.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_visible ON hcp.accounts FOR SELECT USING (holder = 'visible');
GRANT SELECT ON hcp.accounts TO hcp_auditor, hcp_bypass;
RESET ROLE;
SELECT immutable.chain_digest('hcp.accounts') AS accounts_digest \gset

SET ROLE hcp_auditor;
SELECT holder, amount FROM hcp.accounts;
-- the chains: neither a report nor a digest of hidden rows
SELECT chain, chain_seq, problem FROM immutable.verify_chain('hcp.accounts');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('hcp.accounts');
\echo :LAST_ERROR_SQLSTATE
-- a forged digest guessing a hidden chain's value is no oracle either
SELECT chain, chain_seq, problem, found FROM immutable.verify_chain('hcp.accounts',
    '{"table": "hcp.accounts", "version": 1, "chains": [["secret", 1, "0000000000000000000000000000000000000000000000000000000000000000"], ["nobody", 1, "0000000000000000000000000000000000000000000000000000000000000000"]]}');
\echo :LAST_ERROR_SQLSTATE
SELECT chain, chain_seq, problem FROM immutable.verify_chain('hcp.accounts', :'accounts_digest');
\echo :LAST_ERROR_SQLSTATE
-- with row_security off, the same refusal
SET row_security = off;
SELECT chain, chain_seq, problem FROM immutable.verify_chain('hcp.accounts');
\echo :LAST_ERROR_SQLSTATE
RESET row_security;
RESET ROLE;

-- roles the policies do not apply to verify every row: a superuser, a role
-- with BYPASSRLS, the owner (unless it forces row security on itself)
SELECT count(*) AS problems FROM immutable.verify_chain('hcp.accounts', :'accounts_digest');
SET ROLE hcp_bypass;
SELECT count(*) AS problems FROM immutable.verify_chain('hcp.accounts', :'accounts_digest');
SELECT immutable.chain_digest('hcp.accounts') -> 'chains' = :'accounts_digest'::jsonb -> 'chains' AS same_chains;
RESET ROLE;
SET ROLE hcp_owner;
SELECT count(*) AS problems FROM immutable.verify_chain('hcp.accounts', :'accounts_digest');
ALTER TABLE hcp.accounts FORCE ROW LEVEL SECURITY;
SELECT count(*) AS problems FROM immutable.verify_chain('hcp.accounts');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('hcp.accounts');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE hcp.accounts NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
RESET ROLE;
-- without row security, SELECT is enough again
SET ROLE hcp_auditor;
SELECT count(*) AS problems FROM immutable.verify_chain('hcp.accounts', :'accounts_digest');
RESET ROLE;

-- a versioned table: the same
SET ROLE hcp_owner;
CREATE TABLE hcp.people (name text, secret boolean NOT NULL);
SELECT immutable.make_versioned('hcp.people', hashed => true);
INSERT INTO hcp.people_current VALUES ('ann', false), ('bob', true);
ALTER TABLE hcp.people ENABLE ROW LEVEL SECURITY;
CREATE POLICY not_secret ON hcp.people FOR SELECT USING (NOT secret);
GRANT SELECT ON hcp.people TO hcp_auditor;
RESET ROLE;
SET ROLE hcp_auditor;
SELECT name FROM hcp.people;
SELECT count(*) FROM immutable.verify_chain('hcp.people');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.chain_digest('hcp.people');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS problems FROM immutable.verify_chain('hcp.people');

DROP SCHEMA hcp CASCADE;
DROP ROLE hcp_owner, hcp_auditor, hcp_bypass;
