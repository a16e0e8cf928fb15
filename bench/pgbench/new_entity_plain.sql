-- B: a new entity, plain table (the client gives id, entity_id, version).
INSERT INTO bench.plain (id, entity_id, version, payload, note)
SELECT u, u, 1, :client_id, 'note' FROM immutable.uuidv7() AS u;
