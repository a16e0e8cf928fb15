-- bench/sql/hash_setup.sql: the harness (sql/harness.sql) and the tables the
-- hash-chain benchmarks compare, all ledger-shaped, with the columns (id
-- bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account integer, amount
-- numeric(12,2), booked timestamptz, note text), and all append-only
-- (immutable.make_append_only, whose triggers fire on UPDATE, DELETE and
-- TRUNCATE only, so an INSERT pays nothing for them):
--
--   bench.h_unhashed  append-only, no hash chain: the limit
--   bench.h_chain     hashed => true: one chain for the whole table
--   bench.h_accounts  hashed => true, chain_by => 'account': one chain per
--                     account
--   bench.h_pgcrypto  the PL/pgSQL + pgcrypto trigger users write today
--                     (below): one chain for the whole table
--
-- Each is named after its variant in the report: bench.h_<variant>.  The
-- hashed tables carry what make_append_only(hashed => true) adds (chain_seq,
-- prev_hash, hash and the index on (account, chain_seq) or (chain_seq)),
-- bench.h_pgcrypto its own chain_seq, hash and index on (chain_seq); the
-- ratios to h_unhashed are so the cost of the whole feature: the trigger,
-- the wider rows and the second index.
--
-- And, empty here, filled by hash_verify.sql with verify_rows rows each, the
-- tables whose chains V walks: bench.hv_chain, bench.hv_accounts (chain_by
-- over 1000 accounts) and bench.hv_pgcrypto, made like h_chain, h_accounts
-- and h_pgcrypto; and bench.hv_fixed, bench.hv_fixed_accounts, the same
-- with fixed-length columns only (bigint amount, no note: one SHA-256 a
-- row, where the text note needs a second).

CREATE EXTENSION immutable;
CREATE EXTENSION pgcrypto;   -- digest(), for the hand-written chain
\ir harness.sql

-- How many problems each check found in each table (hash_verify.sql), for
-- the log and the footer: verify_chain for the immutable tables, the SQL
-- verifier of hash_verify.sql for the pgcrypto ones.  Every count should be 0.
CREATE TABLE bench.chain_problems (
    tbl      text NOT NULL,
    rows     bigint NOT NULL,
    problems bigint NOT NULL
);

------------------------------------------------------------------------------
-- The write tables
------------------------------------------------------------------------------

-- The limit: append-only, so that the only difference to the others is
-- the hash chain.
CREATE TABLE bench.h_unhashed (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account integer,
    amount  numeric(12, 2),
    booked  timestamptz,
    note    text
);
SELECT immutable.make_append_only('bench.h_unhashed');

-- immutable: make_append_only adds the chain columns, the chain index and
-- the C trigger (each table its own identity sequence, INCLUDING ALL).
CREATE TABLE bench.h_chain (LIKE bench.h_unhashed INCLUDING ALL);
SELECT immutable.make_append_only('bench.h_chain', hashed => true);
CREATE TABLE bench.h_accounts (LIKE bench.h_unhashed INCLUDING ALL);
SELECT immutable.make_append_only('bench.h_accounts', hashed => true, chain_by => 'account');
CREATE TABLE bench.hv_chain (LIKE bench.h_unhashed INCLUDING ALL);
SELECT immutable.make_append_only('bench.hv_chain', hashed => true);
CREATE TABLE bench.hv_accounts (LIKE bench.h_unhashed INCLUDING ALL);
SELECT immutable.make_append_only('bench.hv_accounts', hashed => true, chain_by => 'account');
CREATE TABLE bench.hv_fixed (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account integer,
    amount  bigint,
    booked  timestamptz
);
SELECT immutable.make_append_only('bench.hv_fixed', hashed => true);
CREATE TABLE bench.hv_fixed_accounts (LIKE bench.hv_fixed INCLUDING ALL);
SELECT immutable.make_append_only('bench.hv_fixed_accounts', hashed => true, chain_by => 'account');

-- The hand-written chain: chain_seq and hash, and a BEFORE INSERT trigger
-- in PL/pgSQL that takes a lock, reads the chain's last row and sets
--
--   NEW.hash = digest(previous hash || row_to_json(NEW) with hash NULL, 'sha256')
--
-- (the previous hash is empty for the first row).  As users write it,
-- with two changes a concurrent writer needs:
-- * It serializes with pg_advisory_xact_lock on the table's oid, not with
--   SELECT ... FOR UPDATE of the last row: FOR UPDATE does not serialize
--   appends (a writer that waited for the row lock still links to the same
--   row, which READ COMMITTED rechecks, not whether it is still the last;
--   the chain forks), and an empty table has no row to lock.  The trigger
--   is VOLATILE, so the SELECT after the lock takes a new snapshot and sees
--   the rows of the writer it waited for.
-- * It finds the last row by ORDER BY chain_seq DESC LIMIT 1, not by id:
--   identity values are drawn before the trigger, outside the lock, so
--   under concurrent writers a higher id can be linked before a lower one,
--   and the row with the highest id is not always the chain's last.
-- The chain index is the one immutable creates for one chain, (chain_seq).
-- row_to_json's text depends on TimeZone and the columns' order, which
-- immutable's encoding does not; one server and one setting here.  One
-- function per table, as users write it (a static query, no EXECUTE).
CREATE TABLE bench.h_pgcrypto (
    LIKE bench.h_unhashed INCLUDING ALL,
    chain_seq bigint,
    hash      bytea
);
CREATE INDEX ON bench.h_pgcrypto (chain_seq);
CREATE TABLE bench.hv_pgcrypto (LIKE bench.h_pgcrypto INCLUDING ALL);

SELECT format($f$
CREATE FUNCTION bench.%1$s_chain() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    last_seq  bigint;
    last_hash bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(TG_RELID::bigint);
    SELECT chain_seq, hash INTO last_seq, last_hash
      FROM bench.%1$s ORDER BY chain_seq DESC LIMIT 1;
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.hash := NULL;
    NEW.hash := digest(coalesce(last_hash, '') || convert_to(row_to_json(NEW)::text, 'UTF8'),
                       'sha256');
    RETURN NEW;
END
$$;
CREATE TRIGGER chain BEFORE INSERT ON bench.%1$s
    FOR EACH ROW EXECUTE FUNCTION bench.%1$s_chain();
SELECT immutable.make_append_only('bench.%1$s');
$f$, t)
  FROM unnest(ARRAY['h_pgcrypto', 'hv_pgcrypto']) AS t
\gexec

-- What the log should show: the tables, their triggers and indexes.
\d bench.h_unhashed
\d bench.h_chain
\d bench.h_accounts
\d bench.h_pgcrypto
\sf bench.h_pgcrypto_chain
