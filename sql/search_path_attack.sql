-- A schema first on the search_path, before pg_catalog, shadows functions,
-- operators and a collation the extension's SQL could reach unqualified:
-- every function and trigger of the extension works the same, and none of
-- the attacker's code runs (it would raise "attacker code ran").  With an
-- empty search_path every function and trigger works too, for a caller who
-- qualifies its own objects: the extension finds its own by OID or by
-- qualified name.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
CREATE SCHEMA evil;
CREATE FUNCTION evil.trap() RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'attacker code ran'; END $$;
CREATE FUNCTION evil.eq(uuid, uuid) RETURNS boolean LANGUAGE sql AS 'SELECT evil.trap()';
CREATE OPERATOR evil.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = evil.eq);
CREATE FUNCTION evil.eq(int, int) RETURNS boolean LANGUAGE sql AS 'SELECT evil.trap()';
CREATE OPERATOR evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = evil.eq);
CREATE FUNCTION evil.eq(bigint, bigint) RETURNS boolean LANGUAGE sql AS 'SELECT evil.trap()';
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.eq);
CREATE FUNCTION evil.le(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql AS 'SELECT evil.trap()';
CREATE OPERATOR evil.<= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = evil.le);
CREATE FUNCTION evil.contains(tstzrange, timestamptz) RETURNS boolean LANGUAGE sql AS 'SELECT evil.trap()';
CREATE OPERATOR evil.@> (LEFTARG = tstzrange, RIGHTARG = timestamptz, FUNCTION = evil.contains);
CREATE FUNCTION evil.field(jsonb, int) RETURNS text LANGUAGE sql AS 'SELECT evil.trap()::text';
CREATE OPERATOR evil.->> (LEFTARG = jsonb, RIGHTARG = int, FUNCTION = evil.field);
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS 'SELECT evil.trap()::text::timestamptz';
CREATE FUNCTION evil.upper(tstzrange) RETURNS timestamptz LANGUAGE sql AS 'SELECT evil.trap()::text::timestamptz';
CREATE FUNCTION evil.lower(tstzrange) RETURNS timestamptz LANGUAGE sql AS 'SELECT evil.trap()::text::timestamptz';
CREATE FUNCTION evil.tstzrange(timestamptz, timestamptz, text) RETURNS tstzrange LANGUAGE sql AS 'SELECT evil.trap()::int::text::tstzrange';
CREATE FUNCTION evil.encode(bytea, text) RETURNS text LANGUAGE sql AS 'SELECT evil.trap()::text';
CREATE FUNCTION evil.decode(text, text) RETURNS bytea LANGUAGE sql AS 'SELECT evil.trap()::text::bytea';
CREATE FUNCTION evil.jsonb_build_object(VARIADIC text[]) RETURNS jsonb LANGUAGE sql AS 'SELECT evil.trap()::text::jsonb';
CREATE FUNCTION evil.jsonb_array_elements(jsonb) RETURNS SETOF jsonb LANGUAGE sql AS 'SELECT evil.trap()::text::jsonb';
CREATE FUNCTION evil.uuidv7() RETURNS uuid LANGUAGE sql AS 'SELECT evil.trap()::text::uuid';
CREATE COLLATION evil."C" (provider = libc, locale = 'POSIX');
GRANT USAGE ON SCHEMA evil TO PUBLIC;

CREATE TABLE ledger (id int PRIMARY KEY, account int NOT NULL, note text);
CREATE TABLE acct (aid int PRIMARY KEY, owner text, bal int NOT NULL);
CREATE TABLE stock (item int PRIMARY KEY, qty int NOT NULL);
INSERT INTO ledger VALUES (1, 1, 'before');

SET search_path = evil, pg_catalog, public;
-- the traps are armed: unqualified SQL walks into them
SELECT 1 = 1;
SELECT now();
SELECT immutable.make_append_only('public.ledger', hashed => true, chain_by => 'account');
INSERT INTO public.ledger VALUES (2, 1, 'a'), (3, 2, 'b');
SELECT count(*) AS problems FROM immutable.verify_chain('public.ledger');
SELECT immutable.chain_digest('public.ledger') AS digest \gset
SELECT count(*) AS problems FROM immutable.verify_chain('public.ledger', :'digest');

SELECT immutable.make_versioned('public.acct', hashed => true);
INSERT INTO public.acct_current (aid, owner, bal) VALUES (1, 'ann', 10), (2, 'bob', 20);
UPDATE public.acct_current SET bal = bal + 1 WHERE aid OPERATOR(pg_catalog.=) 1;
DELETE FROM public.acct_current WHERE aid OPERATOR(pg_catalog.=) 2;
SELECT entity_id AS ann FROM public.acct WHERE aid OPERATOR(pg_catalog.=) 1 LIMIT 1 \gset
SELECT entity_id AS bob FROM public.acct WHERE aid OPERATOR(pg_catalog.=) 2 LIMIT 1 \gset
SELECT (immutable.update(NULL::public.acct, :'ann', '{"bal": 50}')).version;
SELECT (immutable.undelete(NULL::public.acct, :'bob')).version;
SELECT (immutable.delete(NULL::public.acct, :'bob')).version;
SELECT immutable.status(NULL::public.acct, :'bob'), (immutable.get(NULL::public.acct, :'ann')).bal;
SELECT count(*) AS versions FROM immutable.history(NULL::public.acct, :'ann');
SELECT count(*) AS live FROM immutable.as_of(NULL::public.acct, pg_catalog.now());
SELECT (immutable.as_of(NULL::public.acct, :'ann', pg_catalog.now())).bal;
SELECT immutable.redact(NULL::public.acct, :'ann', ARRAY['owner']);
SELECT count(*) AS problems FROM immutable.verify_chain('public.acct');
SELECT count(*) FROM immutable.all_versions(NULL::public.acct);

SELECT immutable.make_system_versioned('public.stock');
INSERT INTO public.stock VALUES (1, 5);
BEGIN;
UPDATE public.stock SET qty = 6;
COMMIT;
DELETE FROM public.stock;
SELECT count(*) AS history FROM public.stock_history;
SELECT count(*) FROM immutable.as_of(NULL::public.stock, '2000-01-01');
SELECT count(*) FROM immutable.from_to(NULL::public.stock, '2000-01-01', 'infinity');
SELECT count(*) FROM immutable.between(NULL::public.stock, '2000-01-01', 'infinity');
SELECT count(*) FROM immutable.contained_in(NULL::public.stock, '2000-01-01', 'infinity');
SELECT count(*) FROM public.stock_as_of('2000-01-01');
SELECT immutable.purge_history('public.stock', 'infinity');
SELECT immutable.uuidv7() IS NOT NULL AS uuid;
ALTER TABLE public.stock ADD COLUMN note text;
ALTER TABLE public.acct ADD COLUMN note text;

-- and with an empty search_path
SET search_path = '';
INSERT INTO public.ledger VALUES (4, 2, 'c');
INSERT INTO public.acct_current (aid, owner, bal) VALUES (3, 'cy', 30);
SELECT count(*) AS problems FROM immutable.verify_chain('public.ledger', immutable.chain_digest('public.ledger'));
SELECT count(*) AS problems FROM immutable.verify_chain('public.acct', immutable.chain_digest('public.acct'));
SELECT immutable.redact(NULL::public.acct, entity_id, ARRAY['owner']) FROM public.acct
 WHERE aid OPERATOR(pg_catalog.=) 3;
SELECT count(*) AS problems FROM immutable.verify_chain('public.acct');
INSERT INTO public.stock VALUES (2, 1);
SELECT immutable.purge_history('public.stock', 'infinity');
CREATE TABLE public.more (k int PRIMARY KEY, v text);
SELECT immutable.make_versioned('public.more', hashed => true);
INSERT INTO public.more_current VALUES (1, 'x');
-- every entity function, the versioning trigger and the current view
SELECT entity_id AS more FROM public.more WHERE k = 1 \gset
INSERT INTO public.more (entity_id, k, v) VALUES (:'more', 1, 'y') RETURNING version;
SELECT version, v FROM immutable.update(NULL::public.more, :'more', '{"v": "z"}');
UPDATE public.more_current SET v = 'w' RETURNING version, v;
SELECT version, deleted_at IS NOT NULL AS tombstone FROM immutable.delete(NULL::public.more, :'more');
SELECT immutable.status(NULL::public.more, :'more'),
       NOT EXISTS (SELECT FROM immutable.get(NULL::public.more, :'more')) AS gone;
SELECT version, v FROM immutable.undelete(NULL::public.more, :'more');
SELECT immutable.status(NULL::public.more, :'more'), (immutable.get(NULL::public.more, :'more')).v,
       immutable.status(NULL::public.more, immutable.uuidv7()) AS unknown;
SELECT string_agg(version::text, ',' ORDER BY version) AS versions
  FROM immutable.history(NULL::public.more, :'more');
SELECT k, v, version FROM immutable.as_of(NULL::public.more, now());
SELECT count(*) FROM immutable.as_of(NULL::public.more, '2000-01-01');
SELECT (immutable.as_of(NULL::public.more, :'more', now())).version;
DELETE FROM public.more_current WHERE k = 1 RETURNING k, v;
SELECT count(*) AS problems FROM immutable.verify_chain('public.more');
SELECT immutable.make_mutable('public.more');
SELECT count(*) AS views FROM pg_class WHERE relname = 'more_current';
DROP TABLE public.more;
-- an append-only table made and released
CREATE TABLE public.notes (body text);
SELECT immutable.make_append_only('public.notes');
INSERT INTO public.notes VALUES ('kept');
UPDATE public.notes SET body = 'changed';
\echo :LAST_ERROR_SQLSTATE
SELECT immutable.make_mutable('public.notes');
UPDATE public.notes SET body = 'changed';
DROP TABLE public.notes;
SET search_path = evil, pg_catalog, public;

SELECT immutable.make_mutable('public.ledger');
SELECT immutable.make_mutable('public.acct');
SELECT immutable.make_mutable('public.stock');
RESET search_path;
DROP TABLE ledger, acct, stock, stock_history;
SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
