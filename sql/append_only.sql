-- Append-only tables: INSERT works, every change and removal is refused with
-- SQLSTATE 23001 and the table in the error's structured fields.
\set SHOW_CONTEXT never
CREATE TABLE ledger (account int NOT NULL, amount numeric NOT NULL);
INSERT INTO ledger VALUES (1, 10), (2, 20);
SELECT immutable.make_append_only('ledger');
SELECT table_name, kind, current_view FROM immutable.managed_tables;

INSERT INTO ledger VALUES (1, -5);
COPY ledger FROM STDIN;
3	30
\.
SELECT account, amount FROM ledger ORDER BY account, amount;

UPDATE ledger SET amount = 0 WHERE account = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ledger WHERE account = 2;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ledger;
\echo :LAST_ERROR_SQLSTATE
-- an UPDATE or DELETE that touches no row changes nothing and succeeds
UPDATE ledger SET amount = 0 WHERE account = 99;
DELETE FROM ledger WHERE false;

-- MERGE: the insert action works, update and delete actions are refused
MERGE INTO ledger l USING (VALUES (4, 40)) v(account, amount)
    ON l.account = v.account
    WHEN MATCHED THEN UPDATE SET amount = v.amount
    WHEN NOT MATCHED THEN INSERT VALUES (v.account, v.amount);
MERGE INTO ledger l USING (VALUES (4, 41)) v(account, amount)
    ON l.account = v.account
    WHEN MATCHED THEN UPDATE SET amount = v.amount;
\echo :LAST_ERROR_SQLSTATE
MERGE INTO ledger l USING (VALUES (4)) v(account)
    ON l.account = v.account
    WHEN MATCHED THEN DELETE;
\echo :LAST_ERROR_SQLSTATE

-- INSERT ... ON CONFLICT DO NOTHING and writable CTEs that only insert work
CREATE UNIQUE INDEX ON ledger (account, amount);
INSERT INTO ledger VALUES (4, 40) ON CONFLICT DO NOTHING;
WITH w AS (INSERT INTO ledger VALUES (5, 50) RETURNING *) SELECT account FROM w;
INSERT INTO ledger VALUES (4, 40) ON CONFLICT (account, amount) DO UPDATE SET amount = 0;
\echo :LAST_ERROR_SQLSTATE

-- the structured fields of the error name the table
DO $$
DECLARE
    state text; schema text; tab text;
BEGIN
    UPDATE ledger SET amount = 1;
EXCEPTION WHEN restrict_violation THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
        schema = SCHEMA_NAME, tab = TABLE_NAME;
    RAISE NOTICE 'sqlstate %, schema %, table %', state, schema, tab;
END
$$;

-- superusers and owners alike: this session is a superuser and the owner
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
SELECT count(*) FROM ledger;

-- the trigger function refuses to be called in other ways: directly, or
-- fired by a trigger of another timing than the extension's
SELECT immutable.refuse_change();
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE misuse (x int);
INSERT INTO misuse VALUES (1);
CREATE TRIGGER misuse AFTER DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION immutable.refuse_change();
DELETE FROM misuse;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM misuse;
DROP TABLE misuse;

SELECT immutable.make_mutable('ledger');
UPDATE ledger SET amount = amount * 2 WHERE account = 5;
SELECT account, amount FROM ledger WHERE account = 5;
DROP TABLE ledger;
