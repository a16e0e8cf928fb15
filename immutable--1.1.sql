/* immutable--1.1.sql: install script for the immutable extension */

\echo Use "CREATE EXTENSION immutable" to load this file. \quit

-- The schema is created here, not by the control file, so that installing into
-- a schema that someone else created beforehand fails instead of succeeding.
CREATE SCHEMA immutable;
COMMENT ON SCHEMA immutable IS 'objects of the immutable extension';
GRANT USAGE ON SCHEMA immutable TO PUBLIC;

------------------------------------------------------------------------------
-- UUIDv7 (RFC 9562), with the names and results of PostgreSQL 18's built-ins
------------------------------------------------------------------------------

CREATE FUNCTION immutable.uuidv7()
RETURNS uuid
AS 'MODULE_PATHNAME', 'immutable_uuidv7'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuidv7() IS
'Returns a new version 7 UUID for the current time: 48 bits of Unix time in '
'milliseconds, 12 bits of sub-millisecond fraction (units of 1/4096 ms), 62 '
'random bits. Strictly increasing within a session, also when many are made '
'in one millisecond or the clock steps back. Same as PostgreSQL 18''s '
'uuidv7() (RFC 9562 sections 5.7 and 6.2, method 3). Raises XX000 '
'(internal_error) only if pg_strong_random fails.';

CREATE FUNCTION immutable.uuidv7(shift interval)
RETURNS uuid
AS 'MODULE_PATHNAME', 'immutable_uuidv7_shift'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuidv7(interval) IS
'Returns a new version 7 UUID whose time is the current time plus shift, '
'added as timestamptz + interval does (months and days calendar-wise in the '
'session time zone, the rest in microseconds). Same as PostgreSQL 18''s '
'uuidv7(interval). Raises 22008 (datetime_field_overflow) when the shifted '
'time is not finite, before 1970 or past the 48-bit millisecond range (year '
'10889), where PostgreSQL 18 wraps silently; XX000 only if pg_strong_random '
'fails.';

CREATE FUNCTION immutable.uuidv7_at(at timestamptz)
RETURNS uuid
AS 'MODULE_PATHNAME', 'immutable_uuidv7_at'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuidv7_at(timestamptz) IS
'Returns a new version 7 UUID for the given time: unix_ts_ms is at in whole '
'milliseconds, the 12-bit fraction comes from its microseconds within the '
'millisecond (floor(us * 4096 / 1000), so distinct microseconds sort in '
'order), the remaining 62 bits are random. For backfills and imports; not '
'ordered against uuidv7() calls. Semantics: RFC 9562 sections 5.7 and 6.2, '
'method 3; PostgreSQL 18 has no counterpart. Raises 22008 '
'(datetime_field_overflow) for infinite times, times before 1970 and times '
'after year 10889; XX000 only if pg_strong_random fails.';

CREATE FUNCTION immutable.uuid_extract_timestamp(uuid)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'immutable_uuid_extract_timestamp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuid_extract_timestamp(uuid) IS
'Returns the time stored in an RFC 9562 variant UUID of version 1 (60-bit '
'count of 100 ns since 1582-10-15, truncated to microseconds) or version 7 '
'(48-bit Unix milliseconds); NULL for any other version or variant. Same as '
'PostgreSQL 18''s uuid_extract_timestamp(uuid). Raises no errors.';

CREATE FUNCTION immutable.uuid_extract_version(uuid)
RETURNS smallint
AS 'MODULE_PATHNAME', 'immutable_uuid_extract_version'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuid_extract_version(uuid) IS
'Returns the 4-bit version field (0..15) of an RFC 9562 variant UUID, NULL '
'for other variants. The version field is bits 48-51. Same as PostgreSQL '
'18''s uuid_extract_version(uuid). Raises no errors.';

------------------------------------------------------------------------------
-- Registry and management: the registry of managed tables, its view, and
-- make_mutable, which takes a table of any kind out of management
------------------------------------------------------------------------------

CREATE TABLE immutable.registry (
    relid         pg_catalog.regclass PRIMARY KEY,
    kind          pg_catalog.text NOT NULL
                  CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['append_only', 'versioned',
                                                                'system_versioned'])),
    current_view  pg_catalog.regclass,
    managed_since pg_catalog.timestamptz NOT NULL,
    managed_by    pg_catalog.name NOT NULL,
    heads         pg_catalog.regclass UNIQUE
                  CHECK ((heads IS NOT NULL) OPERATOR(pg_catalog.=)
                         (kind OPERATOR(pg_catalog.=) 'versioned')),
    history       pg_catalog.regclass UNIQUE,
    period_column pg_catalog.name,
    adjust        pg_catalog.bool,
    hashed        pg_catalog.bool NOT NULL DEFAULT false
                  CHECK (NOT hashed OR kind OPERATOR(pg_catalog.=) ANY (ARRAY['append_only', 'versioned'])),
    chain_by      pg_catalog.name CHECK (chain_by IS NULL OR (hashed AND kind OPERATOR(pg_catalog.=) 'append_only')),
    CHECK ((history IS NOT NULL AND period_column IS NOT NULL AND adjust IS NOT NULL)
           OPERATOR(pg_catalog.=) (kind OPERATOR(pg_catalog.=) 'system_versioned'))
);
COMMENT ON TABLE immutable.registry IS
'One row per table managed by the immutable extension; written only by the '
'make_* functions and make_mutable, dumped by pg_dump.';
SELECT pg_catalog.pg_extension_config_dump('immutable.registry', '');
REVOKE ALL ON immutable.registry FROM PUBLIC;
GRANT SELECT ON immutable.registry TO PUBLIC;

CREATE VIEW immutable.managed_tables AS
SELECT r.relid AS table_name,
       r.kind,
       r.current_view,
       r.managed_since,
       r.managed_by,
       r.heads AS heads_table,
       r.history AS history_table,
       r.period_column,
       r.adjust,
       r.hashed,
       r.chain_by
  FROM immutable.registry AS r;
COMMENT ON VIEW immutable.managed_tables IS
'Every table managed by the immutable extension: its kind (append_only, '
'versioned or system_versioned), the current view and heads table of a '
'versioned table, the history table, period column and adjust option of a '
'system-versioned table, whether rows are hash-chained and by which column, '
'and when and by whom it was put under management.';
GRANT SELECT ON immutable.managed_tables TO PUBLIC;

CREATE FUNCTION immutable.make_mutable(tbl regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'immutable_make_mutable'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.make_mutable(regclass) IS
'Takes tbl out of management: drops the extension''s triggers on tbl (and on '
'the history table of a system-versioned table), the current view and heads '
'table of a versioned table, and removes tbl from the registry; rows, '
'columns, constraints and history tables stay. Requires ownership (42501). '
'Raises 22004 for NULL, 42P01 when tbl does not exist, 55000 when tbl is not '
'managed, 2BP01 when a view depends on the current view.';

------------------------------------------------------------------------------
-- Write guard: the trigger function that refuses UPDATE, DELETE and
-- TRUNCATE of managed tables and writes to their companions
------------------------------------------------------------------------------

CREATE FUNCTION immutable.refuse_change()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_refuse_change'
LANGUAGE C;
COMMENT ON FUNCTION immutable.refuse_change() IS
'Trigger function that refuses every change of the table it is attached to '
'with 23001 (restrict_violation), except the extension''s own writes. '
'Attached BEFORE UPDATE OR DELETE FOR EACH ROW and BEFORE TRUNCATE FOR EACH '
'STATEMENT to managed tables and every partition of system-versioned and '
'history tables, and also BEFORE INSERT to heads and history tables; MERGE''s '
'update and delete actions fire the same row triggers. The error names the '
'table in its schema and table fields. The arguments of a managed table''s '
'TRUNCATE trigger carry its registration for dumps '
'(immutable.restore_registration); the function ignores them. Raises 39P01 '
'when not called as such a trigger.';
-- Executable by PUBLIC: a partition of a partitioned history table gets a
-- clone of its refusing trigger, for which PostgreSQL checks EXECUTE by the
-- role that creates or attaches the partition; attached to a table of the
-- user's own, it only refuses writes to that table.
GRANT EXECUTE ON FUNCTION immutable.refuse_change() TO PUBLIC;

------------------------------------------------------------------------------
-- Append-only tables and hash chains
------------------------------------------------------------------------------

CREATE FUNCTION immutable.make_append_only(tbl regclass, hashed boolean DEFAULT false,
                                           chain_by name DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'immutable_make_append_only'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.make_append_only(regclass, boolean, name) IS
'Makes tbl append-only: from now on UPDATE, DELETE, TRUNCATE and MERGE''s '
'update and delete actions fail with 23001 for every role. With hashed, every '
'row is linked into a SHA-256 hash chain (one per table, or one per value of '
'the chain_by column): columns chain_seq bigint (1, 2, 3 ... per chain), '
'prev_hash bytea (the previous row''s hash) and hash bytea (SHA-256 of '
'prev_hash and the row''s canonical encoding, see README "Hash chains") are '
'added and filled by a trigger; existing rows are linked in physical order. '
'Requires ownership of tbl (42501). Raises 22004 for a NULL tbl or hashed, '
'42P01 when tbl does not exist, 42809 for anything but an ordinary table '
'(views, partitions, foreign tables ...), 0A000 for a partitioned table or a '
'column type hash chains cannot encode (arrays, composites, other '
'extensions'' types), 42710 when tbl is already managed, 22023 for chain_by '
'without hashed, 42703 for an unknown chain_by column, 42P10 for chain_by '
'naming chain_seq, prev_hash or hash, 42804 for chain_seq, prev_hash or hash '
'of another type, 23502 for an existing row with a NULL chain_by value.';

CREATE FUNCTION immutable.hash_chain()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_hash_chain'
LANGUAGE C;
COMMENT ON FUNCTION immutable.hash_chain() IS
'Trigger function (BEFORE INSERT FOR EACH ROW) of hash-chained append-only '
'tables: appends the row to its chain (the table''s, or its chain_by '
'value''s). Attached by make_append_only(hashed => true), named to fire after '
'the table''s other BEFORE INSERT triggers. Sets chain_seq to the chain''s '
'next number, prev_hash to the previous row''s hash (32 zero bytes for the '
'first row) and hash to SHA-256 of prev_hash and the row''s canonical '
'encoding (README "Hash chains"), replacing values the writer gave. Waits for '
'a transaction appending to the same chain. Raises 23502 for a NULL chain_by '
'value, 55000 when a BEFORE INSERT trigger fires after it, XX001 when the '
'chain''s last row has no valid hash, 39P01 when not called as a trigger so '
'attached.';
REVOKE ALL ON FUNCTION immutable.hash_chain() FROM PUBLIC;

CREATE FUNCTION immutable.verify_chain(tbl regclass, digest jsonb DEFAULT NULL,
                                       stop_at_first boolean DEFAULT false)
RETURNS TABLE (chain text, chain_seq bigint, problem text, expected text, found text)
AS 'MODULE_PATHNAME', 'immutable_verify_chain'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION immutable.verify_chain(regclass, jsonb, boolean) IS
'Checks every hash chain of tbl in chain_seq order, under the caller''s '
'snapshot, recomputing each row''s SHA-256 hash, and returns one row per '
'problem, none when every chain is intact. Semantics: README "Hash chains". '
'Columns: chain (the chain_by value as text, NULL for the table''s one '
'chain), chain_seq of the row, problem ("row does not match its hash": a '
'changed value or hash, expected and found are the hashes in hex; "row does '
'not follow the previous row"; "rows are missing before this row": expected '
'and found are chain_seq numbers; "row duplicates the previous row''s '
'chain_seq"; "row has no valid hash or prev_hash"; on a versioned table "the '
'heads row is not the last version"). With digest, a value chain_digest '
'returned earlier, also reports rows it recorded as the last of their chain '
'that are now missing (rows deleted from the end) or different, and chains '
'missing altogether; rows appended since are accepted. With stop_at_first the '
'first problem raises XX001 instead. Raises 22004 for a NULL tbl or '
'stop_at_first, 55000 when tbl is not hash-chained, 42501 without SELECT on '
'tbl or when row-level security of tbl applies to the caller, 22023 for a '
'digest chain_digest did not make or one of another table.';

CREATE FUNCTION immutable.chain_digest(tbl regclass)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'immutable_chain_digest'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION immutable.chain_digest(regclass) IS
'Returns the last row of every hash chain of tbl under the caller''s '
'snapshot, to keep outside the database and pass to verify_chain(tbl, digest) '
'later, which then detects rows deleted from the end of a chain. The result: '
'{"version": 1, "table": schema-qualified name, "chains": [[chain_by value as '
'text (null for the table''s one chain), chain_seq, hash as hex], ...]}, '
'chains in byte order of their value''s text. Its size grows with the number '
'of chains (one per entity of a versioned table), not of rows. Raises 22004 '
'for NULL, 55000 when tbl is not hash-chained, 42501 without SELECT on tbl or '
'when row-level security of tbl applies to the caller.';

------------------------------------------------------------------------------
-- Erasure (GDPR redaction of versioned tables, purging of history tables)
-- and its log
------------------------------------------------------------------------------

CREATE TABLE immutable.erasure_log (
    logged_at   pg_catalog.timestamptz NOT NULL,
    logged_by   pg_catalog.name NOT NULL,
    relid       pg_catalog.regclass NOT NULL,
    action      pg_catalog.text NOT NULL
                CHECK (action OPERATOR(pg_catalog.=) ANY (ARRAY['redact', 'purge'])),
    entity_id   pg_catalog.uuid,
    row_id      pg_catalog.uuid,
    column_name pg_catalog.name,
    digest      pg_catalog.bytea,
    before      pg_catalog.timestamptz,
    rows        pg_catalog.int8,
    CHECK ((entity_id IS NOT NULL AND row_id IS NOT NULL AND column_name IS NOT NULL)
           OPERATOR(pg_catalog.=) (action OPERATOR(pg_catalog.=) 'redact')),
    CHECK ((before IS NOT NULL AND rows IS NOT NULL)
           OPERATOR(pg_catalog.=) (action OPERATOR(pg_catalog.=) 'purge'))
);
CREATE INDEX ON immutable.erasure_log (relid, row_id);
COMMENT ON TABLE immutable.erasure_log IS
'Every erasure made by immutable.redact (one row per erased value: entity, '
'version row, column, and on a hash-chained table the SHA-256 digest that '
'stands for the value in the row''s hash) and immutable.purge_history (one '
'row per call: before, rows deleted), with when and by whom. Append-only, '
'written only by those functions, readable by the extension''s owner, dumped '
'by pg_dump.';
SELECT pg_catalog.pg_extension_config_dump('immutable.erasure_log', '');
REVOKE ALL ON immutable.erasure_log FROM PUBLIC;

-- The erasure log is append-only, as the tables it speaks of.
CREATE TRIGGER immutable_refuse_change BEFORE UPDATE OR DELETE ON immutable.erasure_log
    FOR EACH ROW EXECUTE FUNCTION immutable.refuse_change();
CREATE TRIGGER immutable_refuse_truncate BEFORE TRUNCATE ON immutable.erasure_log
    FOR EACH STATEMENT EXECUTE FUNCTION immutable.refuse_change();

CREATE FUNCTION immutable.redact(rel anyelement, entity_id uuid, columns text[])
RETURNS integer
AS 'MODULE_PATHNAME', 'immutable_redact'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.redact(anyelement, uuid, text[]) IS
'Erases (sets to NULL) the values of columns in every version of one entity '
'of a versioned table, and in its heads row, for the GDPR''s right to '
'erasure; returns the number of versions that had a value to erase. rel is a '
'typed NULL naming the table (NULL::tasks), entity_id the entity. Each erased '
'value is recorded in immutable.erasure_log with when, by whom, the version '
'row and, on a hash-chained table, the SHA-256 digest that stands for it in '
'the row''s hash, so verify_chain still passes. Only the table''s owner may '
'call it. Raises 22004 for NULL arguments, 42809 when rel is not a table row, '
'42P01 when the table was dropped, 55000 when the table is not versioned or '
'its heads table was changed by hand, 42501 when not the owner, 2202E for '
'columns of more than one dimension, 42703 for an unknown column, 22023 for '
'no column or one the extension keeps (id, entity_id, version, valid_from, '
'deleted_at, prev_hash, hash), 0A000 on a hash-chained table for a column '
'whose values enter the hash as bytes (only text, varchar, char, bytea, json, '
'jsonb and xml can be redacted there), P0002 for an unknown entity, 23502 for '
'a NOT NULL column, 40001 under REPEATABLE READ or SERIALIZABLE when a '
'version was appended after the transaction''s snapshot.';

CREATE FUNCTION immutable.purge_history(tbl regclass, before timestamptz)
RETURNS bigint
AS 'MODULE_PATHNAME', 'immutable_purge_history'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.purge_history(regclass, timestamptz) IS
'Deletes the rows of a system-versioned table''s history table whose period '
'ended at or before before (no longer current at any moment from before on), '
'as MariaDB''s DELETE HISTORY ... BEFORE SYSTEM_TIME does; returns how many. '
'Recorded in immutable.erasure_log with when, by whom, the table, before and '
'the row count. Only the table''s owner may call it. Raises 22004 for NULL '
'arguments, 55000 when tbl is not system-versioned, 42501 when not the owner.';

------------------------------------------------------------------------------
-- Versioned tables: the table, its triggers, its heads table and current view
------------------------------------------------------------------------------

CREATE FUNCTION immutable.make_versioned(tbl regclass, current_view name DEFAULT NULL,
                                         hashed boolean DEFAULT false)
RETURNS regclass
AS 'MODULE_PATHNAME', 'immutable_make_versioned'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.make_versioned(regclass, name, boolean) IS
'Makes tbl a versioned table: every version of every entity in one table, '
'with a heads table of the latest versions and a current view that accepts '
'INSERT, UPDATE and DELETE. Adds id, entity_id, version, valid_from and '
'deleted_at where absent, turns existing rows into version 1 of their own '
'entity, keeps an existing primary key unique per version, and creates the '
'heads table <table>_heads and the current view current_view (default '
'<table>_current), both in the table''s schema. With hashed, the versions of '
'every entity form a SHA-256 hash chain in version order: columns prev_hash '
'and hash bytea are added and filled (README "Hash chains"). Returns the '
'current view. Requires ownership (42501). Raises 22004 for NULL tbl or '
'hashed, 42P01 when tbl does not exist, 42809 for a wrong relation kind, '
'0A000 for a partitioned table or (hashed) a column type hash chains cannot '
'encode, 42710 when already managed, 42P07 when the view or heads table name '
'is taken, 42622 when a default name is too long, 42804 for a column of the '
'wrong type, 42611 for a generated or identity fixed column, 55000 when other '
'tables reference tbl by foreign key or it has unique indexes that cannot be '
'kept.';

CREATE FUNCTION immutable.stamp_version()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_stamp_version'
LANGUAGE C;
COMMENT ON FUNCTION immutable.stamp_version() IS
'Trigger function (BEFORE INSERT FOR EACH ROW) of versioned tables: assigns '
'id (UUIDv7), entity_id, the next gapless version, valid_from (transaction '
'start time), stamps deleted_at on tombstones, and makes the row the '
'entity''s row in the heads table, waiting for a concurrent writer of the '
'same entity first. Named to fire after the table''s other BEFORE INSERT '
'triggers. Raises, naming the table: 40001 when a client-supplied version is '
'not the next one, when the entity''s latest version is younger than this '
'transaction, or (REPEATABLE READ) when it was changed by a transaction the '
'snapshot cannot see; P0002 for an unknown entity_id without version 1; 22023 '
'for a new entity with a version other than 1 or as a tombstone; 55000 for a '
'tombstone of a deleted entity, when a BEFORE INSERT trigger fires after it, '
'or for a later version while the table has a unique index that does not end '
'in version (other than the primary key on id); 23001 for a change of the '
'natural key; XX001 for an entity without a row in the heads table; 39P01 '
'when misused.';
REVOKE ALL ON FUNCTION immutable.stamp_version() FROM PUBLIC;

CREATE FUNCTION immutable.add_head()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_add_head'
LANGUAGE C;
COMMENT ON FUNCTION immutable.add_head() IS
'Trigger function (AFTER INSERT FOR EACH ROW, for version 1) of versioned '
'tables: inserts the new entity''s row into the table''s heads table. Raises '
'23505 when the heads table has the entity or its natural key already, 39P01 '
'when misused.';
REVOKE ALL ON FUNCTION immutable.add_head() FROM PUBLIC;

CREATE FUNCTION immutable.write_current_view()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_write_current_view'
LANGUAGE C;
COMMENT ON FUNCTION immutable.write_current_view() IS
'Trigger function (INSTEAD OF INSERT OR UPDATE OR DELETE FOR EACH ROW) of the '
'current view of a versioned table: writes to the view append versions to the '
'table. INSERT appends the row (a new entity when entity_id is NULL), UPDATE '
'the next version of the row''s entity, DELETE a tombstone; returns the row '
'written (the deleted row for DELETE) for RETURNING, NULL when a BEFORE '
'INSERT trigger of the table cancelled it. Raises the errors of '
'stamp_version(), notably 40001 when the row was superseded by a concurrent '
'writer; 55000 when the view is no longer the current view of a versioned '
'table or no longer shows a column of the table under its name and type; '
'39P01 when misused.';
REVOKE ALL ON FUNCTION immutable.write_current_view() FROM PUBLIC;

------------------------------------------------------------------------------
-- Entities of versioned tables. rel is a typed NULL naming the table, as in
-- jsonb_populate_record(NULL::t, ...): immutable.get(NULL::tasks, id).
------------------------------------------------------------------------------

CREATE FUNCTION immutable.update(rel anyelement, entity_id uuid, changes jsonb)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_update'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.update(anyelement, uuid, jsonb) IS
'Appends the next version of a live entity: its current version with the keys '
'of changes applied as jsonb_populate_record applies them. rel is a typed '
'NULL naming the versioned table (NULL::tasks); changes is a JSON object of '
'column names and values. Returns the new version. Raises 22004 for a NULL '
'entity_id or changes, 42809 when rel is not a table row, 42P01 when the '
'table was dropped, 42703 for an unknown column, 22023 for changes that are '
'not an object or name a column the extension keeps (id, entity_id, version, '
'valid_from, deleted_at, prev_hash, hash), P0002 for an unknown entity, 55000 '
'when the table is not versioned or its heads table was changed by hand, the '
'entity is deleted or a BEFORE INSERT trigger cancelled the version, 40001 '
'when a concurrent writer got there first.';

CREATE FUNCTION immutable.delete(rel anyelement, entity_id uuid)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.delete(anyelement, uuid) IS
'Appends and returns a tombstone: the current version with deleted_at set to '
'the transaction start time. Raises 22004 for a NULL entity_id, 42809 when '
'rel is not a table row, 42P01 when the table was dropped, P0002 for an '
'unknown entity, 55000 when the table is not versioned or its heads table was '
'changed by hand, the entity is already deleted or a BEFORE INSERT trigger '
'cancelled the tombstone, 40001 when a concurrent writer got there first.';

CREATE FUNCTION immutable.undelete(rel anyelement, entity_id uuid)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_undelete'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.undelete(anyelement, uuid) IS
'Appends and returns a live version with the values the entity had before its '
'tombstone. Raises 22004 for a NULL entity_id, 42809 when rel is not a table '
'row, 42P01 when the table was dropped, P0002 for an unknown entity, 55000 '
'when the table is not versioned or its heads table was changed by hand, the '
'entity is not deleted or a BEFORE INSERT trigger cancelled the version, '
'40001 when a concurrent writer got there first.';

CREATE FUNCTION immutable.get(rel anyelement, entity_id uuid)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_get'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.get(anyelement, uuid) IS
'Returns the current version of a live entity, NULL for a deleted or unknown '
'one. The function status() tells which. Raises 22004 for a NULL entity_id, '
'42809 when rel is not a table row, 42P01 when the table was dropped, 55000 '
'when the table is not versioned or its heads table was changed by hand.';

CREATE FUNCTION immutable.status(rel anyelement, entity_id uuid)
RETURNS text
AS 'MODULE_PATHNAME', 'immutable_status'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.status(anyelement, uuid) IS
'Returns ''live'', ''deleted'' or ''not_found'' for entity entity_id of the '
'versioned table rel. Raises 22004 for a NULL entity_id, 42809 when rel is '
'not a table row, 42P01 when the table was dropped, 55000 when the table is '
'not versioned or its heads table was changed by hand.';

------------------------------------------------------------------------------
-- System-versioned tables (SQL:2011) and temporal_tables compatibility
------------------------------------------------------------------------------

CREATE FUNCTION immutable.make_system_versioned(tbl regclass,
                                                history_table name DEFAULT NULL,
                                                period_column name DEFAULT 'system_period',
                                                adjust boolean DEFAULT false)
RETURNS regclass
AS 'MODULE_PATHNAME', 'immutable_make_system_versioned'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.make_system_versioned(regclass, name, name, boolean) IS
'Makes tbl a system-versioned table (SQL:2011; temporal_tables'' semantics): '
'every UPDATE and DELETE keeps the replaced row version, with its period, in '
'a history table. Adds the tstzrange column period_column when absent '
'(existing rows: [transaction start time, infinity)), creates the history '
'table history_table (default <table>_history, in tbl''s schema; same '
'columns, a BRIN index on the period and a btree index on the primary key '
'columns and the period''s end and start) or checks the one that exists under '
'that name (every column of tbl with the same type; more allowed; no unique '
'index, no exclusion constraint but one with (period WITH &&)), creates the '
'inlinable function <table>_as_of(timestamptz), attaches '
'immutable.system_versioning(), refuses TRUNCATE of tbl and every write to '
'the history table but the trigger''s (23001). Partitioned tables and history '
'tables are accepted. Returns the history table. Requires ownership of both '
'(42501). Raises 22004 for NULL arguments or periods, 42P01 when tbl does not '
'exist, 42809 for a relation that is not a table, 42710 when tbl or the '
'history table is managed, 42804 for a period column that is not a tstzrange '
'or a history column of another type, 42611 for a generated period column or '
'a generated history column of the table''s, 22000 for empty or ended '
'periods, 42703 for a column missing from the history table, 55000 for a '
'history table with a unique index or another exclusion constraint, 42622 for '
'a history table name that is too long, 42723 when <table>_as_of(timestamptz) '
'exists already.';

CREATE FUNCTION immutable.system_versioning()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_system_versioning'
LANGUAGE C;
COMMENT ON FUNCTION immutable.system_versioning() IS
'Trigger function of system-versioned tables, attached by '
'make_system_versioned (SQL:2011 system versioning, temporal_tables'' '
'semantics): sets the period of new row versions to [system time, infinity) '
'and inserts replaced row versions into the history table with their period '
'ended, as versioning() does. Attached as zz_immutable_system_period (BEFORE '
'INSERT OR UPDATE OR DELETE FOR EACH ROW; on a partitioned table BEFORE '
'INSERT OR UPDATE, and immutable_write_history AFTER UPDATE OR DELETE FOR '
'EACH ROW); a row version written by the same transaction leaves no history '
'row. Executable by PUBLIC, so that the owner of a partitioned table can '
'create and attach partitions (which get clones of the triggers); fired by '
'any other trigger it raises 39P01 and writes nothing. Raises the errors of '
'versioning().';

CREATE FUNCTION immutable.set_system_time(at timestamptz)
RETURNS void
AS 'MODULE_PATHNAME', 'immutable_set_system_time'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.set_system_time(timestamptz) IS
'Makes at (microseconds kept) the system time of this session''s changes to '
'system-versioned tables, for backfills; NULL returns to the transaction '
'start time. As temporal_tables'' set_system_time: undone by the rollback of '
'the (sub)transaction that called it, kept for the session when it commits. '
'Not executable by PUBLIC. Raises 22008 for an infinite time.';
REVOKE ALL ON FUNCTION immutable.set_system_time(timestamptz) FROM PUBLIC;

CREATE FUNCTION immutable.versioning()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_versioning'
LANGUAGE C;
COMMENT ON FUNCTION immutable.versioning() IS
'Trigger function of temporal_tables (SQL:2011 system versioning, '
'temporal_tables'' semantics), attached by a temporal_tables user as '
'versioning(period_column, history_table, adjust) BEFORE INSERT OR UPDATE OR '
'DELETE FOR EACH ROW. Sets the tstzrange period (microseconds) of new row '
'versions to [system time, infinity) and inserts replaced row versions into '
'the history table with their period ended; a row version written by the same '
'transaction leaves no history row. System time: transaction start time, or '
'set_system_time''s. Without arguments on a system-versioned table it is '
'system_versioning(). Not executable by PUBLIC: it writes into the history '
'table it is given. An unqualified history table name is looked up in the '
'table''s schema, not through search_path. Raises 22000 when a transaction '
'that started later changed the row (WARNING 01X01 and 1 microsecond later '
'with adjust) or the period is empty or ended, 22004 for a NULL period, 22023 '
'for a wrong number of arguments or adjust value, 42703 for an unknown period '
'column, 42804 for a period column that is not a tstzrange or a history '
'column of another type, XX000 for a history table without the period column, '
'39P01 when misused.';
REVOKE ALL ON FUNCTION immutable.versioning() FROM PUBLIC;

------------------------------------------------------------------------------
-- Time travel: history of an entity, AS OF, and the SQL:2011 FOR SYSTEM_TIME
-- forms, over versioned and system-versioned tables
------------------------------------------------------------------------------

CREATE FUNCTION immutable.history(rel anyelement, entity_id uuid)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_history'
LANGUAGE C STABLE PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION immutable.history(anyelement, uuid) IS
'Returns every version of one entity, tombstones included, in version order; '
'no rows for an unknown entity. Raises 22004 for a NULL entity_id, 42809 when '
'rel is not a table row, 42P01 when the table was dropped, 55000 when the '
'table is not versioned or its heads table was changed by hand.';

CREATE FUNCTION immutable.as_of(rel anyelement, at timestamptz)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_as_of'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.as_of(anyelement, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME AS OF at: the rows of a versioned or '
'system-versioned table as they were at time at. Versioned table: the version '
'of every entity that was current at time at (the latest with valid_from <= '
'at), leaving out entities that were deleted or did not exist yet. '
'System-versioned table: the rows of the table and its history table whose '
'period contains at. Raises 22004 for a NULL at, 42809 when rel is not a row '
'of a table, 42P01 when the table was dropped, 55000 when the table is '
'neither versioned nor system-versioned or its heads table was changed by '
'hand.';

CREATE FUNCTION immutable.as_of(rel anyelement, entity_id uuid, at timestamptz)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_as_of_entity'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.as_of(anyelement, uuid, timestamptz) IS
'Returns the version of one entity that was current at time at, or NULL when '
'the entity did not exist yet or was deleted then. Raises 22004 for a NULL '
'entity_id or at, 42809 when rel is not a table row, 42P01 when the table was '
'dropped, 55000 when the table is not versioned or its heads table was '
'changed by hand.';

CREATE FUNCTION immutable.from_to(rel anyelement, start timestamptz, "end" timestamptz)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_from_to'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.from_to(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME FROM start TO end: every row version whose period '
'overlaps [start, end), of a system-versioned table (table and history) or a '
'versioned table (versions, not tombstones). A version of a versioned table '
'ends where the next one starts. Nothing when start is after end. Raises '
'22004 for NULL start or end, 42809 when rel is not a row of a table, 55000 '
'when the table is neither versioned nor system-versioned.';

CREATE FUNCTION immutable.between(rel anyelement, start timestamptz, "end" timestamptz)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_between'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.between(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME BETWEEN start AND end: as from_to, with end '
'included (period overlaps [start, end]). Nothing when start is after end. '
'Raises 22004 for NULL start or end, 42809 when rel is not a row of a table, '
'55000 when the table is neither versioned nor system-versioned.';

CREATE FUNCTION immutable.contained_in(rel anyelement, start timestamptz, "end" timestamptz)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_contained_in'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.contained_in(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME CONTAINED IN (start, end): every row version whose '
'whole period lies within [start, end] (so no current row, unless end is '
'infinity). Nothing when start is after end. Raises 22004 for NULL start or '
'end, 42809 when rel is not a row of a table, 55000 when the table is neither '
'versioned nor system-versioned.';

CREATE FUNCTION immutable.all_versions(rel anyelement)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_all_versions'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.all_versions(anyelement) IS
'SQL:2011 FOR SYSTEM_TIME ALL: every row version, current and past, of a '
'system-versioned table (table and history) or a versioned table (every '
'version but tombstones, including versions whose period is empty). Raises '
'42809 when rel is not a row of a table, 55000 when the table is neither '
'versioned nor system-versioned.';

------------------------------------------------------------------------------
-- DDL guard and event triggers. Created last, so that none of them fires
-- on the statements of this script.
------------------------------------------------------------------------------

CREATE FUNCTION immutable.guard_ddl()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'immutable_guard_ddl'
LANGUAGE C;
COMMENT ON FUNCTION immutable.guard_ddl() IS
'Event trigger function (ddl_command_start, every command): refuses DDL that '
'would rewrite, remove, detach or unprotect what managed tables keep. Raises '
'0A000 for a type change that does not keep every value exactly or of a '
'column the extension keeps, DROP COLUMN of append-only, versioned and '
'history tables, column changes of heads and history tables, SET '
'LOGGED/UNLOGGED, DETACH PARTITION; 55000 for dropping a partition of a '
'system-versioned or history table; 42501 for dropping, renaming or making '
'extension-dependent the extension''s triggers, or disabling them as a role '
'that is not superuser; 23001 for TRUNCATE; 39P01 when not called as an event '
'trigger. Once the library is loaded, a ProcessUtility hook makes the same '
'checks. immutable.make_mutable() is the way out.';
REVOKE ALL ON FUNCTION immutable.guard_ddl() FROM PUBLIC;

CREATE EVENT TRIGGER immutable_guard_ddl ON ddl_command_start
    EXECUTE FUNCTION immutable.guard_ddl();

CREATE FUNCTION immutable.forget_dropped()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'immutable_forget_dropped'
LANGUAGE C;
COMMENT ON FUNCTION immutable.forget_dropped() IS
'Event trigger function (sql_drop): removes dropped tables from the registry '
'and clears the current view of a table whose view was dropped. A dropped '
'versioned table takes its current view and heads table with it. Raises 55000 '
'when the extension''s triggers are dropped from a table that stays managed '
'or a heads or history table is dropped alone, 0A000 when a DROP ... CASCADE '
'took a column of a managed table that stays, 39P01 when not called as an '
'event trigger.';
REVOKE ALL ON FUNCTION immutable.forget_dropped() FROM PUBLIC;

CREATE EVENT TRIGGER immutable_forget_dropped ON sql_drop
    EXECUTE FUNCTION immutable.forget_dropped();

CREATE FUNCTION immutable.follow_alter_table()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'immutable_follow_alter_table'
LANGUAGE C;
COMMENT ON FUNCTION immutable.follow_alter_table() IS
'Event trigger function (ddl_command_end, ALTER TABLE): keeps the heads table '
'and current view of a versioned table, and the history table of a '
'system-versioned table, in step with the table''s columns and defaults. '
'After columns are added, renamed, retyped or dropped or defaults changed, '
'the heads table and current view are brought up to date, so that the view '
'shows and writes every column, and the history table follows. What may not '
'change was refused before the command ran, by the DDL guard. Does nothing '
'while an extension is being created. Raises 39P01 when not called as an '
'event trigger.';
REVOKE ALL ON FUNCTION immutable.follow_alter_table() FROM PUBLIC;

CREATE EVENT TRIGGER immutable_follow_alter_table ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION immutable.follow_alter_table();

CREATE FUNCTION immutable.protect_partitions()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'immutable_protect_partitions'
LANGUAGE C;
COMMENT ON FUNCTION immutable.protect_partitions() IS
'Event trigger function (ddl_command_end; CREATE TABLE, ALTER TABLE): gives a '
'partition created in or attached to a system-versioned or history table, at '
'any level, the trigger that refuses TRUNCATE (23001), as TRUNCATE fires only '
'the triggers of the tables it names. Raises 39P01 when not called as an '
'event trigger.';
REVOKE ALL ON FUNCTION immutable.protect_partitions() FROM PUBLIC;

CREATE EVENT TRIGGER immutable_protect_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION immutable.protect_partitions();

CREATE FUNCTION immutable.restore_registration()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'immutable_restore_registration'
LANGUAGE C;
COMMENT ON FUNCTION immutable.restore_registration() IS
'Event trigger function (ddl_command_end, CREATE TRIGGER): when a restore '
'creates a managed table''s TRUNCATE trigger, whose arguments carry the '
'table''s registration, and the registry has no row for the table (a dump '
'without the registry''s rows, such as pg_dump --schema-only), registers the '
'table from them. Raises 55000 when a heads or history table it names is '
'missing, 22023 for arguments no make_* function wrote, 39P01 when not called '
'as an event trigger.';
REVOKE ALL ON FUNCTION immutable.restore_registration() FROM PUBLIC;

CREATE EVENT TRIGGER immutable_restore_registration ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER')
    EXECUTE FUNCTION immutable.restore_registration();
