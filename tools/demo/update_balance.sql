-- pgbench script of tools/demo.sh: one balance change through the current view.
--
-- The account comes from a small hot set (:hot, set by pgbench -D) so that
-- clients really collide on the same account; the loser gets SQLSTATE 40001
-- and pgbench --max-tries runs the whole transaction again.
--
-- The ledger row is written in the same transaction as the new version, so it
-- exists if and only if the update committed. now() is the transaction start
-- time, the same clock the extension uses for valid_from, so the ledger also
-- says which updates an as_of() at a given moment must contain.
\set aid random(1, :hot)
\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts_current SET abalance = abalance + :delta WHERE aid = :aid;
INSERT INTO demo_ledger (aid, delta, at) VALUES (:aid, :delta, now());
END;
