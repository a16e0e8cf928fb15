-- A relcache invalidation of a versioned table in the middle of a write (an
-- ANALYZE, here run by a trigger) makes the versioning trigger rebuild the
-- extension's cache entry while the kept plan that inserts is executing;
-- every write still lands as the right version.
\set SHOW_CONTEXT never
CREATE TABLE inval (n int);
SELECT immutable.make_versioned('inval');
INSERT INTO inval (entity_id, version, n) VALUES ('01890000-0000-7000-8000-000000000001', 1, 0);
CREATE FUNCTION analyze_inval() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN ANALYZE inval; RETURN NEW; END $$;
CREATE TRIGGER a_analyze BEFORE INSERT ON inval FOR EACH ROW EXECUTE FUNCTION analyze_inval();
SELECT n, version FROM immutable.update(NULL::inval, '01890000-0000-7000-8000-000000000001', '{"n": 1}');
SELECT n, version FROM immutable.update(NULL::inval, '01890000-0000-7000-8000-000000000001', '{"n": 2}');
UPDATE inval_current SET n = n + 1 RETURNING n, version;
SELECT version FROM immutable.delete(NULL::inval, '01890000-0000-7000-8000-000000000001');
SELECT n, version FROM immutable.history(NULL::inval, '01890000-0000-7000-8000-000000000001');
DROP TRIGGER a_analyze ON inval;
DROP FUNCTION analyze_inval();
SELECT immutable.make_mutable('inval');
DROP TABLE inval;
