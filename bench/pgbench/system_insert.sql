-- B: one new row in {table} (run_system.sh puts each variant's table in
-- place of {table}).  Client c inserts ids :ibase + k * :clients + c, a range
-- of its own in every round, which the DELETE run of the round deletes.
\set id :ibase + :k * :clients + :client_id
INSERT INTO {table} (id, payload, note) VALUES (:id, :k, 'note');
\set k :k + 1
