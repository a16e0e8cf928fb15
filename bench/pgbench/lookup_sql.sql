-- B: one entity's version current now, as a hand-written SQL query.
\set n random(:base, :entities - 1)
SELECT * FROM ONLY bench.imm
 WHERE entity_id = bench.eid(:n) AND valid_from <= now()
 ORDER BY version DESC LIMIT 1;
