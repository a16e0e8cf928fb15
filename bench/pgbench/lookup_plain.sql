-- B: one entity's current row by primary key, plain table.
\set n random(:base, :entities - 1)
SELECT * FROM bench.plain_cur WHERE entity_id = bench.eid(:n);
