-- B: UPDATE of one entity's current row, plain UPDATE in place.
-- Each client walks its own entities, as in new_version_*.sql.
\set n :base + (:k % :per_client) * :clients + :client_id
UPDATE bench.plain_cur SET payload = payload + 1 WHERE entity_id = bench.eid(:n);
\set k :k + 1
