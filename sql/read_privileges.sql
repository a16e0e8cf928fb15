-- The read functions return what a SELECT by the same user would: no rows
-- without the SELECT privilege, none that row security hides.
\set SHOW_CONTEXT never
CREATE TABLE secrets (owner_name text, body text);
SELECT immutable.make_versioned('secrets');
INSERT INTO secrets (entity_id, version, owner_name, body) VALUES
    ('01890000-0000-7000-8000-000000000001', 1, 'alice', 'a1'),
    ('01890000-0000-7000-8000-000000000002', 1, 'bob', 'b1');
CREATE ROLE immutable_reader;

SET ROLE immutable_reader;
SELECT immutable.get(NULL::secrets, '01890000-0000-7000-8000-000000000001');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.as_of(NULL::secrets, '01890000-0000-7000-8000-000000000001', now());
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.status(NULL::secrets, '01890000-0000-7000-8000-000000000001');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

GRANT SELECT ON secrets TO immutable_reader;
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON secrets FOR SELECT USING (owner_name = 'alice');
SET ROLE immutable_reader;
SELECT body FROM immutable.get(NULL::secrets, '01890000-0000-7000-8000-000000000001');
SELECT NOT EXISTS (SELECT FROM immutable.get(NULL::secrets, '01890000-0000-7000-8000-000000000002')) AS hidden;
SELECT immutable.status(NULL::secrets, '01890000-0000-7000-8000-000000000002');
SELECT body FROM immutable.as_of(NULL::secrets, '01890000-0000-7000-8000-000000000001', now());
SELECT body FROM immutable.as_of(NULL::secrets, now()) ORDER BY body;
RESET ROLE;
SELECT body FROM immutable.as_of(NULL::secrets, now()) ORDER BY body;
REVOKE SELECT ON secrets FROM immutable_reader;
SET ROLE immutable_reader;
SELECT count(*) FROM immutable.as_of(NULL::secrets, now());
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- the owner, to whom the policy does not apply, sees both
SELECT body FROM immutable.get(NULL::secrets, '01890000-0000-7000-8000-000000000002');

SELECT immutable.make_mutable('secrets');
DROP TABLE secrets;
DROP ROLE immutable_reader;
