-- 05_application_role.sql: an application role with INSERT, UPDATE, DELETE
-- and SELECT on every managed table, but owning none, can write what the
-- design lets it write and nothing else: it cannot rewrite history, switch
-- the protection off or forge the columns the extension assigns (version,
-- hash, period). Every refusal has its SQLSTATE. That it cannot call
-- make_mutable, redact, purge_history or set_system_time is shown in the
-- bad_input_*.sql files of those functions (ownership or EXECUTE decides,
-- the grants on tables do not), that it cannot write the registry by
-- 01_api.sql (PUBLIC may only read it).
--
-- The roles exist only inside this file's transaction (rolled back at the
-- end).

BEGIN;

SELECT plan(21);

CREATE ROLE immutable_tap_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE SCHEMA tap_app;
GRANT USAGE ON SCHEMA tap_app TO immutable_tap_app;

CREATE TABLE tap_app.ledger (account int NOT NULL, amount int NOT NULL);
SELECT immutable.make_append_only('tap_app.ledger', hashed => true, chain_by => 'account');
CREATE TABLE tap_app.acct (aid int PRIMARY KEY, owner text, bal int NOT NULL);
SELECT immutable.make_versioned('tap_app.acct', hashed => true);
CREATE TABLE tap_app.stock (item int PRIMARY KEY, qty int NOT NULL);
SELECT immutable.make_system_versioned('tap_app.stock');
INSERT INTO tap_app.ledger VALUES (1, 10);
INSERT INTO tap_app.acct_current (aid, owner, bal) VALUES (1, 'ann', 10);
INSERT INTO tap_app.stock VALUES (1, 5);
-- A history row to attempt to delete (the file is one transaction, whose
-- own changes leave none).
SET session_replication_role = replica;
INSERT INTO tap_app.stock_history VALUES (1, 4, tstzrange('2000-01-01', '2001-01-01'));
RESET session_replication_role;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA tap_app TO immutable_tap_app;

SET ROLE immutable_tap_app;

-- What the design lets it do.
SELECT lives_ok($$INSERT INTO tap_app.ledger VALUES (1, 20)$$,
    'the application appends to the hash-chained ledger');
SELECT lives_ok($$UPDATE tap_app.acct_current SET bal = 11 WHERE aid = 1$$,
    'the application appends a version through the current view');
SELECT lives_ok($$UPDATE tap_app.stock SET qty = 6$$,
    'the application updates the system-versioned table');

-- Rewriting history.
SELECT throws_ok($$UPDATE tap_app.ledger SET amount = 0$$, '23001', NULL,
    'UPDATE of the append-only ledger raises 23001');
SELECT throws_ok($$DELETE FROM tap_app.ledger$$, '23001', NULL,
    'DELETE from the append-only ledger raises 23001');
SELECT throws_ok($$TRUNCATE tap_app.ledger$$, '23001', NULL,
    'TRUNCATE of the append-only ledger raises 23001');
SELECT throws_ok($$UPDATE tap_app.acct SET bal = 0$$, '23001', NULL,
    'UPDATE of the versioned table itself raises 23001');
SELECT throws_ok($$DELETE FROM tap_app.acct$$, '23001', NULL,
    'DELETE from the versioned table raises 23001');
SELECT throws_ok($$UPDATE tap_app.acct_heads SET bal = 0$$, '23001', NULL,
    'UPDATE of the heads table raises 23001');
SELECT throws_ok($$INSERT INTO tap_app.stock_history SELECT * FROM tap_app.stock$$, '23001', NULL,
    'INSERT into the history table raises 23001');
SELECT throws_ok($$DELETE FROM tap_app.stock_history$$, '23001', NULL,
    'DELETE from the history table raises 23001');
SELECT throws_ok($$TRUNCATE tap_app.stock$$, '23001', NULL,
    'TRUNCATE of the system-versioned table raises 23001');

-- Switching the protection off.
SELECT throws_ok($$ALTER TABLE tap_app.ledger DISABLE TRIGGER immutable_refuse_change$$, '42501', NULL,
    'the application cannot disable a trigger of the ledger');
SELECT throws_ok($$DROP TRIGGER zz_immutable_hash_chain ON tap_app.ledger$$, '42501', NULL,
    'the application cannot drop the hash-chain trigger');

-- Forging what the extension assigns: the values it gives are replaced or refused.
SELECT lives_ok($$INSERT INTO tap_app.ledger (account, amount, chain_seq, prev_hash, hash)
                  VALUES (1, 30, 99, '\x00', '\x00')$$,
    'a ledger row with a forged chain_seq and hash is taken ...');
SELECT is((SELECT count(*)::int FROM immutable.verify_chain('tap_app.ledger')), 0,
    '... with the values the trigger assigned: the chain verifies');
SELECT is((SELECT max(chain_seq)::int FROM tap_app.ledger WHERE account = 1), 3,
    'the forged chain_seq was replaced by the next one');
SELECT throws_ok($$INSERT INTO tap_app.acct (entity_id, version, aid, owner, bal)
                   SELECT entity_id, 9, aid, owner, 0 FROM tap_app.acct_heads$$, '40001', NULL,
    'a forged version number raises 40001');
SELECT lives_ok($$INSERT INTO tap_app.stock VALUES (2, 1, tstzrange('1990-01-01', '1991-01-01'))$$,
    'a row with a forged period is taken ...');
SELECT is((SELECT upper_inf(system_period) AND lower(system_period) > '2000-01-01' FROM tap_app.stock WHERE item = 2),
    true, '... with the period the trigger assigned');
SELECT is((SELECT count(*)::int FROM immutable.verify_chain('tap_app.acct')), 0,
    'the versioned chains verify after all of it');

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
