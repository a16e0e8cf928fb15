-- Shared end of the bad_input_<entity function> tests: shows that no failed
-- call changed anything set up by test/regress/bad_input_entity_setup.sql
-- (no version, no heads row, no history row, no erasure_log row), then
-- drops everything the set-up created so the tests are independent.
------------------------------------------------------------------------------
-- nothing changed by the failed calls
------------------------------------------------------------------------------
SELECT what, schema, name, string_agg(detail, ', ' ORDER BY detail) AS details
  FROM snapshot WHERE what <> 'data' GROUP BY what, schema, name ORDER BY what, schema, name;
(SELECT * FROM snapshot EXCEPT SELECT * FROM before)
UNION ALL
(SELECT * FROM before EXCEPT SELECT * FROM snapshot);

DROP VIEW snapshot;
DROP TABLE before;
RESET search_path;
SET client_min_messages = warning;
SELECT immutable.make_mutable('bi_ent.tasks');
SELECT immutable.make_mutable('bi_ent.unhashed');
SELECT immutable.make_mutable('bi_ent.ao');
SELECT immutable.make_mutable('bi_ent.ao_hashed');
SELECT immutable.make_mutable('bi_ent.sv');
SELECT immutable.make_mutable('"Odd ""Schema"""."tâble 1"');
DROP SCHEMA bi_ent CASCADE;
DROP SCHEMA bi_other CASCADE;
DROP SCHEMA "Odd ""Schema""" CASCADE;
DROP SERVER bi_ent_server;
DROP FOREIGN DATA WRAPPER bi_ent_fdw;
DROP ROLE bi_entity_stranger;
RESET client_min_messages;
