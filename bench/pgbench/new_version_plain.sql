-- B: the next version of an existing entity, plain table.  The client gives
-- a version number that is new for the entity: :vbase in its first walk over
-- the client's entities, one more in every further walk (run.sh sets :vbase
-- so that every run writes numbers of its own).
-- Each client walks its own entities (:base + k * clients + client_id), so
-- clients never wait for each other's row locks.
\set n :base + (:k % :per_client) * :clients + :client_id
\set v :vbase + :k / :per_client
INSERT INTO bench.plain (entity_id, version, payload, note)
VALUES (bench.eid(:n), :v, :k, 'note');
\set k :k + 1
