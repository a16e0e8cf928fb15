-- Point-in-time reads: as_of for the whole table and for one entity.
\set SHOW_CONTEXT never
CREATE TABLE prices (sku text NOT NULL, cents int NOT NULL);
SELECT immutable.make_versioned('prices');
SELECT now() AS t0 \gset
INSERT INTO prices (entity_id, version, sku, cents) VALUES
    ('01890000-0000-7000-8000-00000000000a', 1, 'apple', 100),
    ('01890000-0000-7000-8000-00000000000b', 1, 'pear', 200);
SELECT now() AS t1 \gset
INSERT INTO prices (entity_id, sku, cents) VALUES ('01890000-0000-7000-8000-00000000000a', 'apple', 110);
INSERT INTO prices (sku, cents) VALUES ('plum', 300);
SELECT now() AS t2 \gset
SELECT sku FROM immutable.delete(NULL::prices, '01890000-0000-7000-8000-00000000000b');
SELECT now() AS t3 \gset
SELECT sku FROM immutable.undelete(NULL::prices, '01890000-0000-7000-8000-00000000000b');
INSERT INTO prices (entity_id, sku, cents) VALUES ('01890000-0000-7000-8000-00000000000b', 'pear', 250);

SELECT sku, cents, version FROM immutable.as_of(NULL::prices, :'t0') ORDER BY sku;
SELECT sku, cents, version FROM immutable.as_of(NULL::prices, :'t1') ORDER BY sku;
SELECT sku, cents, version FROM immutable.as_of(NULL::prices, :'t2') ORDER BY sku;
SELECT sku, cents, version FROM immutable.as_of(NULL::prices, :'t3') ORDER BY sku;
SELECT sku, cents, version FROM immutable.as_of(NULL::prices, now()) ORDER BY sku;
-- the present as_of equals the current view (whose id is the entity's)
SELECT count(*) FROM (
    SELECT entity_id, sku, cents, version, valid_from FROM immutable.as_of(NULL::prices, now())
    EXCEPT SELECT entity_id, sku, cents, version, valid_from FROM prices_current) d;

SELECT cents, version FROM immutable.as_of(NULL::prices, '01890000-0000-7000-8000-00000000000a', :'t1');
SELECT cents, version FROM immutable.as_of(NULL::prices, '01890000-0000-7000-8000-00000000000a', :'t2');
SELECT NOT EXISTS (SELECT FROM immutable.as_of(NULL::prices, '01890000-0000-7000-8000-00000000000a', :'t0')) AS not_yet;
SELECT NOT EXISTS (SELECT FROM immutable.as_of(NULL::prices, '01890000-0000-7000-8000-00000000000b', :'t3')) AS deleted_then;
SELECT cents FROM immutable.as_of(NULL::prices, '01890000-0000-7000-8000-00000000000b', now());

-- as_of in the select list and joined laterally
SELECT (immutable.as_of(NULL::prices, :'t2')).sku ORDER BY 1;
-- (no row for an entity that did not exist yet: LEFT JOIN keeps the entity)
SELECT p.sku, o.cents AS was FROM prices_current p
       LEFT JOIN LATERAL immutable.as_of(NULL::prices, p.entity_id, :'t1') o ON true ORDER BY 1;
SELECT p.sku, o.cents AS was FROM prices_current p,
       LATERAL immutable.as_of(NULL::prices, p.entity_id, :'t1') o ORDER BY 1;

-- the read functions are parallel safe: in a parallel worker, and in the
-- leader of a parallel plan, they read the registry with the active snapshot
SELECT current_setting('server_version_num')::int >= 160000 AS pg16 \gset
\if :pg16
SET debug_parallel_query = on;
\else
SET force_parallel_mode = on;
\endif
SELECT sku, cents FROM immutable.as_of(NULL::prices, :'t2') ORDER BY sku;
SELECT count(*) FROM immutable.history(NULL::prices, '01890000-0000-7000-8000-00000000000a');
SELECT cents FROM immutable.get(NULL::prices, '01890000-0000-7000-8000-00000000000a');
SELECT immutable.status(NULL::prices, '01890000-0000-7000-8000-00000000000b');
RESET ALL;

SELECT immutable.make_mutable('prices');
DROP TABLE prices;
