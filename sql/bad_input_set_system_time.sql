-- Bad input to immutable.set_system_time(at timestamptz): NULL returns to
-- the transaction start time, infinite times are refused with 22008
-- (no period could start there), and it is not executable by PUBLIC.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SELECT immutable.set_system_time(NULL);
\echo :SQLSTATE
SELECT immutable.set_system_time('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.set_system_time('-infinity');
\echo :LAST_ERROR_SQLSTATE
-- microseconds are kept
CREATE TABLE bi_st (id int PRIMARY KEY, v int);
SELECT immutable.make_system_versioned('bi_st');
SELECT immutable.set_system_time('2001-02-03 04:05:06.789012+00');
INSERT INTO bi_st VALUES (1, 1);
SELECT lower(system_period) FROM bi_st;
SELECT immutable.set_system_time(NULL);
-- not executable by a role without the grant (PUBLIC has none)
CREATE ROLE bi_st_other NOLOGIN;
SET ROLE bi_st_other;
SELECT immutable.set_system_time('2001-01-01');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE bi_st_other;
SELECT immutable.make_mutable('bi_st');
DROP TABLE bi_st, bi_st_history;
