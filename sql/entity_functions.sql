-- immutable.update, delete, undelete, get, status, history and as_of on a
-- mixed-case table in a mixed-case schema.
\set SHOW_CONTEXT never
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Task List" ("Title" text, priority int, due date);
SELECT immutable.make_versioned('"My Schema"."Task List"');
INSERT INTO "My Schema"."Task List" (entity_id, version, "Title", priority, due)
    VALUES ('01890000-0000-7000-8000-000000000001', 1, 'plan', 1, '2024-01-15');
\set e '01890000-0000-7000-8000-000000000001'
\set unknown '01890000-0000-7000-8000-0000000000ff'

SELECT "Title", priority, due, version
  FROM immutable.update(NULL::"My Schema"."Task List", :'e', '{"priority": 2, "due": "2024-02-01"}');
SELECT "Title", priority, version
  FROM immutable.update(NULL::"My Schema"."Task List", :'e', '{"Title": "plan well", "due": null}');
SELECT immutable.status(NULL::"My Schema"."Task List", :'e');
SELECT "Title", version FROM immutable.get(NULL::"My Schema"."Task List", :'e');

SELECT "Title", version, deleted_at = now() AS tombstone
  FROM immutable.delete(NULL::"My Schema"."Task List", :'e');
SELECT immutable.status(NULL::"My Schema"."Task List", :'e');
SELECT NOT EXISTS (SELECT FROM immutable.get(NULL::"My Schema"."Task List", :'e')) AS gone;
SELECT "Title", version, deleted_at FROM immutable.undelete(NULL::"My Schema"."Task List", :'e');
SELECT immutable.status(NULL::"My Schema"."Task List", :'e');

SELECT version, "Title", priority, due, deleted_at IS NOT NULL AS tombstone
  FROM immutable.history(NULL::"My Schema"."Task List", :'e');
SELECT count(*) FROM immutable.history(NULL::"My Schema"."Task List", :'unknown');

-- (their refusals of bad input: the sql/bad_input_<function>.sql files)
SELECT version FROM immutable.delete(NULL::"My Schema"."Task List", :'e');

-- the current view of a mixed-case table in a mixed-case schema, and a
-- mixed-case natural key
INSERT INTO "My Schema"."Task List_current" ("Title", priority) VALUES ('via view', 1)
    RETURNING "Title", version;
UPDATE "My Schema"."Task List_current" SET priority = 9 WHERE "Title" = 'via view'
    RETURNING "Title", priority, version;
DELETE FROM "My Schema"."Task List_current" WHERE "Title" = 'via view' RETURNING "Title";
CREATE TABLE "My Schema"."Key Table" ("Key Col" int PRIMARY KEY, "Val" text);
INSERT INTO "My Schema"."Key Table" VALUES (1, 'one');
SELECT immutable.make_versioned('"My Schema"."Key Table"', current_view => 'Key View');
UPDATE "My Schema"."Key View" SET "Val" = 'uno' WHERE "Key Col" = 1 RETURNING "Key Col", "Val", version;
UPDATE "My Schema"."Key View" SET "Key Col" = 2 WHERE "Key Col" = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT "Key Col", "Val", version FROM "My Schema"."Key Table" ORDER BY version;
SELECT immutable.make_mutable('"My Schema"."Key Table"');

-- a dropped column does not disturb the row type the functions return (a
-- column is dropped outside management: make_mutable, then make_* again)
SELECT immutable.make_mutable('"My Schema"."Task List"');
ALTER TABLE "My Schema"."Task List" DROP COLUMN due;
SELECT immutable.make_versioned('"My Schema"."Task List"') IS NOT NULL AS versioned_again;
SELECT "Title", version FROM immutable.undelete(NULL::"My Schema"."Task List", :'e');
SELECT version, "Title" FROM immutable.history(NULL::"My Schema"."Task List", :'e');

SELECT immutable.make_mutable('"My Schema"."Task List"');
DROP SCHEMA "My Schema" CASCADE;
