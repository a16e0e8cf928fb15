/* immutable--1.0.sql: install script for the immutable extension */

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
'Returns a new RFC 9562 version 7 UUID: 48 bits of Unix time in milliseconds, '
'12 bits of sub-millisecond fraction (method 3 of RFC 9562 section 6.2) and 62 '
'random bits from pg_strong_random. Strictly increasing within a session, also '
'when many are made in one millisecond or the clock steps back. Same as '
'PostgreSQL 18''s uuidv7(). Raises no errors.';

CREATE FUNCTION immutable.uuidv7(shift interval)
RETURNS uuid
AS 'MODULE_PATHNAME', 'immutable_uuidv7_shift'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuidv7(interval) IS
'Returns a new version 7 UUID whose timestamp is the current time plus shift '
'(an interval; months and days are added calendar-wise in the session time '
'zone). Same as PostgreSQL 18''s uuidv7(interval). Raises 22008 '
'(datetime_field_overflow) when the shifted time is before 1970 or past the '
'48-bit millisecond range (year 10889).';

CREATE FUNCTION immutable.uuidv7_at(at timestamptz)
RETURNS uuid
AS 'MODULE_PATHNAME', 'immutable_uuidv7_at'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuidv7_at(timestamptz) IS
'Returns a new version 7 UUID for the given time (backfills and imports): '
'the timestamp is at (milliseconds), the sub-millisecond fraction its '
'microseconds, the rest random. Not ordered against uuidv7() calls. Raises '
'22008 (datetime_field_overflow) for times before 1970, after year 10889, or '
'infinite.';

CREATE FUNCTION immutable.uuid_extract_timestamp(uuid)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'immutable_uuid_extract_timestamp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuid_extract_timestamp(uuid) IS
'Returns the timestamp of a version 1 or version 7 UUID (RFC 9562; '
'millisecond precision for version 7, 100 ns truncated to microseconds for '
'version 1), or NULL for other versions and variants. Same as PostgreSQL '
'18''s uuid_extract_timestamp(uuid). Raises no errors.';

CREATE FUNCTION immutable.uuid_extract_version(uuid)
RETURNS smallint
AS 'MODULE_PATHNAME', 'immutable_uuid_extract_version'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION immutable.uuid_extract_version(uuid) IS
'Returns the version field (bits 48-51) of an RFC 9562 variant UUID, or NULL '
'for other variants. Same as PostgreSQL 18''s uuid_extract_version(uuid). '
'Raises no errors.';

------------------------------------------------------------------------------
-- Registry of managed tables
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

------------------------------------------------------------------------------
-- Trigger functions (attached by the make_* functions, not by users)
------------------------------------------------------------------------------

CREATE FUNCTION immutable.refuse_change()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_refuse_change'
LANGUAGE C;
COMMENT ON FUNCTION immutable.refuse_change() IS
'Trigger function (BEFORE UPDATE OR DELETE FOR EACH ROW, BEFORE TRUNCATE FOR '
'EACH STATEMENT) of append-only and versioned tables, and also BEFORE INSERT '
'of the heads tables of versioned tables: refuses the change '
'with SQLSTATE 23001 (restrict_violation) and the table in the error''s '
'schema and table fields. Raises 39P01 when not called as such a trigger.';
REVOKE ALL ON FUNCTION immutable.refuse_change() FROM PUBLIC;

-- The erasure log is append-only, as the tables it speaks of.
CREATE TRIGGER immutable_refuse_change BEFORE UPDATE OR DELETE ON immutable.erasure_log
    FOR EACH ROW EXECUTE FUNCTION immutable.refuse_change();
CREATE TRIGGER immutable_refuse_truncate BEFORE TRUNCATE ON immutable.erasure_log
    FOR EACH STATEMENT EXECUTE FUNCTION immutable.refuse_change();

CREATE FUNCTION immutable.stamp_version()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_stamp_version'
LANGUAGE C;
COMMENT ON FUNCTION immutable.stamp_version() IS
'Trigger function (BEFORE INSERT FOR EACH ROW) of versioned tables: assigns '
'id (UUIDv7), entity_id, the next gapless version, valid_from (transaction '
'start time), stamps deleted_at on tombstones, and makes the row the '
'entity''s row in the heads table, waiting for a concurrent writer of the '
'same entity first. Raises 40001 when a '
'client-supplied version is not the next one or the entity''s latest version '
'is younger than this transaction, P0002 for an unknown entity_id without '
'version 1, 22023 for a new entity with a version other than 1 or as a '
'tombstone, 55000 for a tombstone of a deleted entity or when a BEFORE '
'INSERT trigger fires after it, 23001 for a change of the natural key, XX001 '
'for an entity without a row in the heads table, 39P01 when misused.';
REVOKE ALL ON FUNCTION immutable.stamp_version() FROM PUBLIC;

CREATE FUNCTION immutable.add_head()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_add_head'
LANGUAGE C;
COMMENT ON FUNCTION immutable.add_head() IS
'Trigger function (AFTER INSERT FOR EACH ROW, for version 1) of versioned '
'tables: inserts the new entity''s row into the table''s heads table. Raises '
'23505 when the heads table has the entity or its natural key already, '
'39P01 when misused.';
REVOKE ALL ON FUNCTION immutable.add_head() FROM PUBLIC;

CREATE FUNCTION immutable.hash_chain()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_hash_chain'
LANGUAGE C;
COMMENT ON FUNCTION immutable.hash_chain() IS
'Trigger function of hash-chained append-only tables, attached by '
'make_append_only(hashed => true) BEFORE INSERT FOR EACH ROW: sets chain_seq '
'to the next number of the row''s chain and hash to SHA-256 of the previous '
'row''s hash (32 zero bytes for the first row) and the row''s canonical '
'encoding (README "Hash chains"), replacing values the writer gave. Waits '
'for a transaction appending to the same chain. Raises 23502 for a NULL '
'chain_by value, 55000 when a BEFORE INSERT trigger fires after it, XX001 '
'when the chain''s last row has no valid hash, 39P01 when not called as a '
'trigger so attached.';
REVOKE ALL ON FUNCTION immutable.hash_chain() FROM PUBLIC;

CREATE FUNCTION immutable.versioning()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_versioning'
LANGUAGE C;
COMMENT ON FUNCTION immutable.versioning() IS
'Trigger function of system-versioned tables (SQL:2011 system versioning, '
'temporal_tables semantics). Attached by make_system_versioned without '
'arguments (BEFORE INSERT OR UPDATE and AFTER UPDATE OR DELETE FOR EACH ROW), '
'or by a temporal_tables user as versioning(period_column, history_table, '
'adjust) BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW. Sets the tstzrange '
'period of new row versions to [system time, infinity) and inserts replaced '
'row versions into the history table with their period ended; a row version '
'written by the same transaction leaves no history row. System time: '
'transaction start time, or set_system_time''s. Raises 22000 when a '
'transaction that started later changed the row (WARNING 01X01 and 1 '
'microsecond later with adjust) or the period is empty or ended, 22004 for a '
'NULL period, 22023 for a wrong number of arguments or adjust value, 42703 for '
'an unknown period column, 42804 for a period column that is not a tstzrange '
'or a history column of another type, XX000 for a history table without the '
'period column, 39P01 when misused. An unqualified history table name is '
'looked up in the table''s schema, not through search_path.';
REVOKE ALL ON FUNCTION immutable.versioning() FROM PUBLIC;

CREATE FUNCTION immutable.set_system_time(at timestamptz)
RETURNS void
AS 'MODULE_PATHNAME', 'immutable_set_system_time'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.set_system_time(timestamptz) IS
'Makes at (microseconds kept) the system time that versioning() gives this '
'session''s changes to system-versioned tables, for backfills; NULL returns to '
'the transaction start time. As temporal_tables'' set_system_time: undone by '
'the rollback of the (sub)transaction that called it, kept for the session '
'when it commits. Not executable by PUBLIC. Raises 22008 for an infinite '
'time.';
REVOKE ALL ON FUNCTION immutable.set_system_time(timestamptz) FROM PUBLIC;

CREATE FUNCTION immutable.write_current_view()
RETURNS trigger
AS 'MODULE_PATHNAME', 'immutable_write_current_view'
LANGUAGE C;
COMMENT ON FUNCTION immutable.write_current_view() IS
'Trigger function (INSTEAD OF INSERT OR UPDATE OR DELETE FOR EACH ROW) of the '
'current view of a versioned table: INSERT appends a new entity, UPDATE the '
'next version of the row''s entity, DELETE a tombstone; returns the row '
'written (the deleted row for DELETE) for RETURNING. Raises 40001 when the '
'row was superseded by a concurrent writer, 39P01 when misused.';
REVOKE ALL ON FUNCTION immutable.write_current_view() FROM PUBLIC;

CREATE FUNCTION immutable.forget_dropped()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'immutable_forget_dropped'
LANGUAGE C;
COMMENT ON FUNCTION immutable.forget_dropped() IS
'Event trigger function (sql_drop): removes dropped tables from the registry '
'and clears the current view of a table whose view was dropped.';
REVOKE ALL ON FUNCTION immutable.forget_dropped() FROM PUBLIC;

CREATE EVENT TRIGGER immutable_forget_dropped ON sql_drop
    EXECUTE FUNCTION immutable.forget_dropped();

CREATE FUNCTION immutable.follow_alter_table()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'immutable_follow_alter_table'
LANGUAGE C;
COMMENT ON FUNCTION immutable.follow_alter_table() IS
'Event trigger function (ddl_command_end, ALTER TABLE): keeps the current view '
'of a versioned table in step with the table: added columns are appended, '
'renamed columns renamed, column defaults copied.';
REVOKE ALL ON FUNCTION immutable.follow_alter_table() FROM PUBLIC;

CREATE FUNCTION immutable.guard_triggers()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'immutable_guard_triggers'
LANGUAGE C;
COMMENT ON FUNCTION immutable.guard_triggers() IS
'Event trigger function (ddl_command_start; ALTER TABLE, DROP TRIGGER, ALTER '
'TRIGGER): refuses with 42501 (insufficient_privilege) when a role that is not '
'superuser disables, drops or renames the extension''s triggers on a managed '
'table or current view. immutable.make_mutable() is the way out.';
REVOKE ALL ON FUNCTION immutable.guard_triggers() FROM PUBLIC;

CREATE EVENT TRIGGER immutable_guard_triggers ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'DROP TRIGGER', 'ALTER TRIGGER')
    EXECUTE FUNCTION immutable.guard_triggers();

CREATE EVENT TRIGGER immutable_follow_alter_table ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION immutable.follow_alter_table();

------------------------------------------------------------------------------
-- Putting tables under management and taking them out again
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
'the chain_by column): columns chain_seq bigint (1, 2, 3 ... per chain) and '
'hash bytea (SHA-256 of the previous row''s hash and the row''s canonical '
'encoding, see README "Hash chains") are added and filled by a trigger; '
'existing rows are linked in physical order. Requires ownership of tbl '
'(42501). Raises 22004 for a NULL tbl or hashed, 42809 for anything but an '
'ordinary table (views, partitions, foreign tables ...), 0A000 for a '
'partitioned table or a column type hash chains cannot encode (arrays, '
'composites, other extensions'' types), 42710 when tbl is already managed, '
'22023 for chain_by without hashed, 42703 for an unknown chain_by column, '
'42P10 for chain_by naming chain_seq or hash, 42804 for chain_seq or hash of '
'another type, 23502 for an existing row with a NULL chain_by value.';

CREATE FUNCTION immutable.make_versioned(tbl regclass, current_view name DEFAULT NULL,
                                         hashed boolean DEFAULT false)
RETURNS regclass
AS 'MODULE_PATHNAME', 'immutable_make_versioned'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.make_versioned(regclass, name, boolean) IS
'Makes tbl a versioned table (every version of every entity in one table): '
'adds id, entity_id, version, valid_from and deleted_at where absent, turns '
'existing rows into version 1 of their own entity, keeps an existing primary '
'key unique per version, creates the heads table <table>_heads (the latest '
'version of every entity) and the current view current_view (default '
'<table>_current), both in the table''s schema; the view accepts INSERT, '
'UPDATE and DELETE. With hashed, the versions of every entity form a SHA-256 '
'hash chain in version order: columns prev_hash and hash bytea are added and '
'filled (README "Hash chains"). Returns the current view. Requires ownership '
'(42501). Raises 22004 for NULL tbl or hashed, 42809 for a wrong relation '
'kind, 0A000 for a partitioned table or (hashed) a column type hash chains '
'cannot encode, 42710 when already managed, 42P07 when the view or heads '
'table name is taken, 42622 when a default name is too long, 42804 for a '
'column of the wrong type, '
'42611 for a generated or identity fixed column, 55000 when other tables '
'reference tbl by foreign key or it has unique indexes that cannot be kept.';

CREATE FUNCTION immutable.make_system_versioned(tbl regclass,
                                                history_table name DEFAULT NULL,
                                                period_column name DEFAULT 'system_period',
                                                adjust boolean DEFAULT false)
RETURNS regclass
AS 'MODULE_PATHNAME', 'immutable_make_system_versioned'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.make_system_versioned(regclass, name, name, boolean) IS
'Makes tbl a system-versioned table (SQL:2011): adds the tstzrange column '
'period_column when absent (existing rows: [transaction start time, '
'infinity)), creates the history table history_table (default '
'<table>_history, in tbl''s schema; same columns, a BRIN index on the period '
'and a btree index on the primary key columns and the period''s end and start) '
'or checks the one that exists '
'under that name (every column of tbl with the same type; more allowed; no '
'unique index), creates the inlinable function <table>_as_of(timestamptz), '
'attaches immutable.versioning(), refuses TRUNCATE of tbl and '
'every write to the history table but the trigger''s (23001). Returns the '
'history table. Requires ownership of both (42501). Raises 22004 for NULL '
'arguments or periods, 42809 for a wrong relation kind, 0A000 for a '
'partitioned table, 42710 when tbl or the history table is managed, 42804 for '
'a period column that is not a tstzrange or a history column of another type, '
'42611 for a generated period column or a generated history column of the '
'table''s, 22000 for empty or ended periods, 42703 '
'for a column missing from the history table, 55000 for a history table with '
'a unique index, 42622 for a history table name that is too long, 42723 when '
'<table>_as_of(timestamptz) exists already.';

CREATE FUNCTION immutable.make_mutable(tbl regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'immutable_make_mutable'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.make_mutable(regclass) IS
'Takes tbl out of management: drops the extension''s triggers (also those of '
'the history table of a system-versioned table), the current view and the '
'heads table of a versioned table, keeps every row, column and constraint of '
'tbl and the history table with its rows. Requires ownership '
'(42501). Raises 22004 for NULL and 55000 when tbl is not managed.';

------------------------------------------------------------------------------
-- Entities of versioned tables. rel is a typed NULL naming the table, as in
-- jsonb_populate_record(NULL::t, ...): immutable.get(NULL::tasks, id).
------------------------------------------------------------------------------

CREATE FUNCTION immutable.update(rel anyelement, entity_id uuid, changes jsonb)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_update'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.update(anyelement, uuid, jsonb) IS
'Appends the next version of entity entity_id of the versioned table named '
'by rel: the current version with the keys of changes (a JSON object of '
'column names and values, converted as jsonb_populate_record does) applied. '
'Returns the new version. Raises 22004 for NULL arguments, 42703 for an '
'unknown column, 22023 for id, entity_id, version, valid_from, deleted_at, '
'P0002 for an unknown entity, 55000 for a deleted one, 40001 when a '
'concurrent writer got there first.';

CREATE FUNCTION immutable.delete(rel anyelement, entity_id uuid)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.delete(anyelement, uuid) IS
'Appends a tombstone for entity entity_id (a copy of its current version '
'with deleted_at set to the transaction start time) and returns it. Raises '
'22004 for NULL arguments, P0002 for an unknown entity, 55000 when it is '
'already deleted, 40001 when a concurrent writer got there first.';

CREATE FUNCTION immutable.undelete(rel anyelement, entity_id uuid)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_undelete'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.undelete(anyelement, uuid) IS
'Appends a live version of a deleted entity (the values it had before its '
'tombstone) and returns it. Raises 22004 for NULL arguments, P0002 for an '
'unknown entity, 55000 when it is not deleted, 40001 when a concurrent writer '
'got there first.';

CREATE FUNCTION immutable.get(rel anyelement, entity_id uuid)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_get'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.get(anyelement, uuid) IS
'Returns the current version of entity entity_id, or NULL when it is deleted '
'or unknown (status() tells which). Raises 22004 for a NULL entity_id, 55000 '
'when the table is not versioned.';

CREATE FUNCTION immutable.status(rel anyelement, entity_id uuid)
RETURNS text
AS 'MODULE_PATHNAME', 'immutable_status'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.status(anyelement, uuid) IS
'Returns ''live'', ''deleted'' or ''not_found'' for entity entity_id. Raises '
'22004 for a NULL entity_id, 55000 when the table is not versioned.';

CREATE FUNCTION immutable.history(rel anyelement, entity_id uuid)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_history'
LANGUAGE C STABLE PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION immutable.history(anyelement, uuid) IS
'Returns every version of entity entity_id, tombstones included, oldest '
'first; no rows for an unknown entity. Raises 22004 for a NULL entity_id, '
'55000 when the table is not versioned.';

CREATE FUNCTION immutable.verify_chain(tbl regclass, digest jsonb DEFAULT NULL,
                                       stop_at_first boolean DEFAULT false)
RETURNS TABLE (chain text, chain_seq bigint, problem text, expected text, found text)
AS 'MODULE_PATHNAME', 'immutable_verify_chain'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION immutable.verify_chain(regclass, jsonb, boolean) IS
'Checks every hash chain of the hash-chained table tbl, in chain_seq order '
'under the caller''s snapshot, recomputing each row''s SHA-256 hash (README '
'"Hash chains"). Returns one row per problem, no rows when every chain is '
'intact: chain (the chain_by value as text, NULL for the table''s one chain), '
'chain_seq of the row, problem ("row does not match its hash": a changed '
'value or hash, expected and found are the hashes in hex; "row does not '
'follow the previous row"; "rows are missing before this row": expected and '
'found are chain_seq numbers; "row duplicates the previous row''s chain_seq"; '
'"row has no valid hash or prev_hash"; on a versioned table "the heads row '
'is not the last version"). With digest, a value chain_digest '
'returned earlier, also reports rows it recorded as the last of their chain '
'that are now missing (rows deleted from the end) or different, and chains '
'missing altogether; rows appended since are accepted. With stop_at_first '
'the first problem raises XX001 instead. Raises 22004 for a NULL tbl or '
'stop_at_first, 55000 when tbl is not hash-chained, 42501 without SELECT on '
'tbl, 22023 for a digest chain_digest did not make.';

CREATE FUNCTION immutable.chain_digest(tbl regclass)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'immutable_chain_digest'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION immutable.chain_digest(regclass) IS
'Returns the last row of every hash chain of tbl under the caller''s '
'snapshot, to keep outside the database and pass to verify_chain(tbl, '
'digest) later, which then detects rows deleted from the end of a chain: '
'{"version": 1, "table": name, "chains": [[chain_by value as text or null, '
'chain_seq, hash in hex], ...]}. Its size grows with the number of chains '
'(one per entity of a versioned table), not rows. Raises 22004 for NULL, '
'55000 when tbl is not hash-chained, 42501 without SELECT on tbl.';

CREATE FUNCTION immutable.redact(rel anyelement, entity_id uuid, columns text[])
RETURNS integer
AS 'MODULE_PATHNAME', 'immutable_redact'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.redact(anyelement, uuid, text[]) IS
'GDPR erasure: sets columns to NULL in every version of entity entity_id of '
'the versioned table rel (a typed NULL, as NULL::tasks) and in its heads row; '
'returns the number of versions that had a value to erase. Each erased value '
'is recorded in immutable.erasure_log with when, by whom, the version row '
'and, on a hash-chained table, the SHA-256 digest that stands for it in the '
'row''s hash, so verify_chain still passes. Only the table''s owner may call '
'it. Raises 22004 for NULL arguments, 42809 when rel is not a table row, '
'55000 when the table is not versioned, 42501 when not the owner, 42703 for '
'an unknown column, 22023 for no column or one the extension keeps (id, '
'entity_id, version, valid_from, deleted_at, prev_hash, hash), 0A000 on a '
'hash-chained table for a column whose values enter the hash as bytes (only '
'text, varchar, char, bytea, json, jsonb and xml can be redacted there), '
'P0002 for an unknown entity, 23502 for a NOT NULL column.';

CREATE FUNCTION immutable.purge_history(tbl regclass, before timestamptz)
RETURNS bigint
AS 'MODULE_PATHNAME', 'immutable_purge_history'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION immutable.purge_history(regclass, timestamptz) IS
'Deletes the rows of the system-versioned table tbl''s history table whose '
'period ended at or before before (MariaDB''s DELETE HISTORY ... BEFORE '
'SYSTEM_TIME); returns how many. Recorded in immutable.erasure_log with when, '
'by whom, before and the row count. Only the table''s owner may call it. '
'Raises 22004 for NULL arguments, 55000 when tbl is not system-versioned, '
'42501 when not the owner.';

CREATE FUNCTION immutable.as_of(rel anyelement, at timestamptz)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_as_of'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.as_of(anyelement, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME AS OF at. Versioned table: the version of every '
'entity that was current at time at (the latest with valid_from <= at), '
'leaving out entities that were deleted or did not exist yet. '
'System-versioned table: the rows of the table and its history table whose '
'period contains at. Raises 22004 for a NULL at, 42809 when rel is not a row '
'of a table, 55000 when the table is neither versioned nor system-versioned.';

CREATE FUNCTION immutable.from_to(rel anyelement, start timestamptz, "end" timestamptz)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_from_to'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.from_to(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME FROM start TO end: every row version whose period '
'[start of the version, its end) overlaps [start, end), of a system-versioned '
'table (table and history table) or a versioned table (versions, not '
'tombstones; a version ends where the next one starts). Nothing when start is '
'after end. Raises 22004 for NULL start or end, 42809 when rel is not a row of '
'a table, 55000 when the table is neither versioned nor system-versioned.';

CREATE FUNCTION immutable.between(rel anyelement, start timestamptz, "end" timestamptz)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_between'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.between(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME BETWEEN start AND end: as from_to, with end included '
'(the period overlaps [start, end]). Nothing when start is after end. Raises '
'22004 for NULL start or end, 42809 when rel is not a row of a table, 55000 '
'when the table is neither versioned nor system-versioned.';

CREATE FUNCTION immutable.contained_in(rel anyelement, start timestamptz, "end" timestamptz)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_contained_in'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.contained_in(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME CONTAINED IN (start, end): every row version whose '
'whole period lies within [start, end], so no current row unless end is '
'infinity. Nothing when start is after end. Raises 22004 for NULL start or '
'end, 42809 when rel is not a row of a table, 55000 when the table is neither '
'versioned nor system-versioned.';

CREATE FUNCTION immutable.all_versions(rel anyelement)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'immutable_all_versions'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.all_versions(anyelement) IS
'SQL:2011 FOR SYSTEM_TIME ALL: every row version, current and past, of a '
'system-versioned table (table and history table) or a versioned table (every '
'version but tombstones). Raises 42809 when rel is not a row of a table, 55000 '
'when the table is neither versioned nor system-versioned.';

CREATE FUNCTION immutable.as_of(rel anyelement, entity_id uuid, at timestamptz)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'immutable_as_of_entity'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION immutable.as_of(anyelement, uuid, timestamptz) IS
'Returns the version of entity entity_id that was current at time at, or '
'NULL when it did not exist yet or was deleted then. Raises 22004 for NULL '
'arguments, 55000 when the table is not versioned.';
