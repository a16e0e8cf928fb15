-- B: UPDATE of one row of {table} by primary key.  Each client walks its
-- own seeded rows (1 + k * :clients + c), so clients never wait for each
-- other's row locks: a versioning trigger that waited would find the row's
-- period started by a transaction later than its own.
\set id 1 + (:k % :per_client) * :clients + :client_id
UPDATE {table} SET payload = payload + 1 WHERE id = :id;
\set k :k + 1
