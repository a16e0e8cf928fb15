-- B: one entity's version current now, via immutable.as_of.
\set n random(:base, :entities - 1)
SELECT * FROM immutable.as_of(NULL::bench.imm, bench.eid(:n), now());
