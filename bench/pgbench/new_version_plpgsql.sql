-- B: the next version of an existing entity, hand-written PL/pgSQL trigger.
-- Each client walks its own entities (:base + k * clients + client_id), so
-- clients never wait for each other's row locks.
\set n :base + (:k % :per_client) * :clients + :client_id
INSERT INTO bench.plpgsql (entity_id, payload, note)
VALUES (bench.eid(:n), :k, 'note');
\set k :k + 1
