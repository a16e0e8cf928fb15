-- B: UPDATE of one entity's current row through the hand-written view
-- (the PL/pgSQL triggers append a version).
-- Each client walks its own entities, as in new_version_*.sql.
\set n :base + (:k % :per_client) * :clients + :client_id
UPDATE bench.plpgsql_current SET payload = payload + 1 WHERE entity_id = bench.eid(:n);
\set k :k + 1
