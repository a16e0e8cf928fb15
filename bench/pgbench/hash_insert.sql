-- B: one new row in {table} (run_hash.sh puts each variant's table in place
-- of {table}).  Client c books to account c: on bench.h_accounts every
-- client appends to a chain of its own and never waits for another; on
-- bench.h_chain and bench.h_pgcrypto all clients append to the table's one
-- chain and take turns.
INSERT INTO {table} (account, amount, booked, note) VALUES (:client_id, :k, now(), 'note');
\set k :k + 1
