/* immutable--1.0--1.1.sql: update script of the immutable extension from 1.0 to 1.1 */

\echo Use "ALTER EXTENSION immutable UPDATE TO '1.1'" to load this file. \quit

-- Run by ALTER EXTENSION immutable UPDATE, by a superuser (superuser = true
-- in immutable.control), in one transaction. It makes a database that
-- installed 1.0 what a fresh 1.1 install would be, with the tables that 1.0
-- put under management as 1.1's make_* functions would have left them
-- (test/t/007_upgrade.pl compares the two; README "Upgrading"). The DDL
-- guard and the follow_alter_table event trigger do nothing while an
-- extension script runs (creating_extension), so the statements on managed
-- tables below are not refused; forget_dropped still refuses to drop the
-- extension's triggers from a managed table, so they are replaced (CREATE OR
-- REPLACE TRIGGER), never dropped. The new event triggers are created last.
-- The DO block needs PL/pgSQL, which every database has unless it was
-- dropped.

------------------------------------------------------------------------------
-- The DDL guard replaces guard_triggers (1.0's event trigger for ALTER TABLE,
-- DROP TRIGGER and ALTER TRIGGER); guard_ddl is created at the end.
------------------------------------------------------------------------------

DROP EVENT TRIGGER immutable_guard_triggers;
DROP FUNCTION immutable.guard_triggers();

------------------------------------------------------------------------------
-- refuse_change is executable by PUBLIC: a partition of a partitioned
-- history table gets a clone of its refusing trigger, for which PostgreSQL
-- checks EXECUTE by the role that creates or attaches the partition.
------------------------------------------------------------------------------

GRANT EXECUTE ON FUNCTION immutable.refuse_change() TO PUBLIC;

------------------------------------------------------------------------------
-- system_versioning: the trigger function make_system_versioned attaches
-- (1.0 attached versioning() without arguments; versioning() is now only
-- temporal_tables' trigger and not executable by PUBLIC)
------------------------------------------------------------------------------

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

------------------------------------------------------------------------------
-- Comments that changed: every COMMENT of a C function starts with the first
-- sentence of its C header comment and names the same SQLSTATEs
------------------------------------------------------------------------------

COMMENT ON FUNCTION immutable.uuidv7() IS
'Returns a new version 7 UUID for the current time: 48 bits of Unix time in '
'milliseconds, 12 bits of sub-millisecond fraction (units of 1/4096 ms), 62 '
'random bits. Strictly increasing within a session, also when many are made '
'in one millisecond or the clock steps back. Same as PostgreSQL 18''s '
'uuidv7() (RFC 9562 sections 5.7 and 6.2, method 3). Raises XX000 '
'(internal_error) only if pg_strong_random fails.';
COMMENT ON FUNCTION immutable.uuidv7(interval) IS
'Returns a new version 7 UUID whose time is the current time plus shift, '
'added as timestamptz + interval does (months and days calendar-wise in the '
'session time zone, the rest in microseconds). Same as PostgreSQL 18''s '
'uuidv7(interval). Raises 22008 (datetime_field_overflow) when the shifted '
'time is not finite, before 1970 or past the 48-bit millisecond range (year '
'10889), where PostgreSQL 18 wraps silently; XX000 only if pg_strong_random '
'fails.';
COMMENT ON FUNCTION immutable.uuidv7_at(timestamptz) IS
'Returns a new version 7 UUID for the given time: unix_ts_ms is at in whole '
'milliseconds, the 12-bit fraction comes from its microseconds within the '
'millisecond (floor(us * 4096 / 1000), so distinct microseconds sort in '
'order), the remaining 62 bits are random. For backfills and imports; not '
'ordered against uuidv7() calls. Semantics: RFC 9562 sections 5.7 and 6.2, '
'method 3; PostgreSQL 18 has no counterpart. Raises 22008 '
'(datetime_field_overflow) for infinite times, times before 1970 and times '
'after year 10889; XX000 only if pg_strong_random fails.';
COMMENT ON FUNCTION immutable.uuid_extract_timestamp(uuid) IS
'Returns the time stored in an RFC 9562 variant UUID of version 1 (60-bit '
'count of 100 ns since 1582-10-15, truncated to microseconds) or version 7 '
'(48-bit Unix milliseconds); NULL for any other version or variant. Same as '
'PostgreSQL 18''s uuid_extract_timestamp(uuid). Raises no errors.';
COMMENT ON FUNCTION immutable.uuid_extract_version(uuid) IS
'Returns the 4-bit version field (0..15) of an RFC 9562 variant UUID, NULL '
'for other variants. The version field is bits 48-51. Same as PostgreSQL '
'18''s uuid_extract_version(uuid). Raises no errors.';
COMMENT ON FUNCTION immutable.make_mutable(regclass) IS
'Takes tbl out of management: drops the extension''s triggers on tbl (and on '
'the history table of a system-versioned table), the current view and heads '
'table of a versioned table, and removes tbl from the registry; rows, '
'columns, constraints and history tables stay. Requires ownership (42501). '
'Raises 22004 for NULL, 42P01 when tbl does not exist, 55000 when tbl is not '
'managed, 2BP01 when a view depends on the current view.';
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
COMMENT ON FUNCTION immutable.purge_history(regclass, timestamptz) IS
'Deletes the rows of a system-versioned table''s history table whose period '
'ended at or before before (no longer current at any moment from before on), '
'as MariaDB''s DELETE HISTORY ... BEFORE SYSTEM_TIME does; returns how many. '
'Recorded in immutable.erasure_log with when, by whom, the table, before and '
'the row count. Only the table''s owner may call it. Raises 22004 for NULL '
'arguments, 55000 when tbl is not system-versioned, 42501 when not the owner.';
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
COMMENT ON FUNCTION immutable.delete(anyelement, uuid) IS
'Appends and returns a tombstone: the current version with deleted_at set to '
'the transaction start time. Raises 22004 for a NULL entity_id, 42809 when '
'rel is not a table row, 42P01 when the table was dropped, P0002 for an '
'unknown entity, 55000 when the table is not versioned or its heads table was '
'changed by hand, the entity is already deleted or a BEFORE INSERT trigger '
'cancelled the tombstone, 40001 when a concurrent writer got there first.';
COMMENT ON FUNCTION immutable.undelete(anyelement, uuid) IS
'Appends and returns a live version with the values the entity had before its '
'tombstone. Raises 22004 for a NULL entity_id, 42809 when rel is not a table '
'row, 42P01 when the table was dropped, P0002 for an unknown entity, 55000 '
'when the table is not versioned or its heads table was changed by hand, the '
'entity is not deleted or a BEFORE INSERT trigger cancelled the version, '
'40001 when a concurrent writer got there first.';
COMMENT ON FUNCTION immutable.get(anyelement, uuid) IS
'Returns the current version of a live entity, NULL for a deleted or unknown '
'one. The function status() tells which. Raises 22004 for a NULL entity_id, '
'42809 when rel is not a table row, 42P01 when the table was dropped, 55000 '
'when the table is not versioned or its heads table was changed by hand.';
COMMENT ON FUNCTION immutable.status(anyelement, uuid) IS
'Returns ''live'', ''deleted'' or ''not_found'' for entity entity_id of the '
'versioned table rel. Raises 22004 for a NULL entity_id, 42809 when rel is '
'not a table row, 42P01 when the table was dropped, 55000 when the table is '
'not versioned or its heads table was changed by hand.';
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
COMMENT ON FUNCTION immutable.set_system_time(timestamptz) IS
'Makes at (microseconds kept) the system time of this session''s changes to '
'system-versioned tables, for backfills; NULL returns to the transaction '
'start time. As temporal_tables'' set_system_time: undone by the rollback of '
'the (sub)transaction that called it, kept for the session when it commits. '
'Not executable by PUBLIC. Raises 22008 for an infinite time.';
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
COMMENT ON FUNCTION immutable.history(anyelement, uuid) IS
'Returns every version of one entity, tombstones included, in version order; '
'no rows for an unknown entity. Raises 22004 for a NULL entity_id, 42809 when '
'rel is not a table row, 42P01 when the table was dropped, 55000 when the '
'table is not versioned or its heads table was changed by hand.';
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
COMMENT ON FUNCTION immutable.as_of(anyelement, uuid, timestamptz) IS
'Returns the version of one entity that was current at time at, or NULL when '
'the entity did not exist yet or was deleted then. Raises 22004 for a NULL '
'entity_id or at, 42809 when rel is not a table row, 42P01 when the table was '
'dropped, 55000 when the table is not versioned or its heads table was '
'changed by hand.';
COMMENT ON FUNCTION immutable.from_to(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME FROM start TO end: every row version whose period '
'overlaps [start, end), of a system-versioned table (table and history) or a '
'versioned table (versions, not tombstones). A version of a versioned table '
'ends where the next one starts. Nothing when start is after end. Raises '
'22004 for NULL start or end, 42809 when rel is not a row of a table, 55000 '
'when the table is neither versioned nor system-versioned.';
COMMENT ON FUNCTION immutable.between(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME BETWEEN start AND end: as from_to, with end '
'included (period overlaps [start, end]). Nothing when start is after end. '
'Raises 22004 for NULL start or end, 42809 when rel is not a row of a table, '
'55000 when the table is neither versioned nor system-versioned.';
COMMENT ON FUNCTION immutable.contained_in(anyelement, timestamptz, timestamptz) IS
'SQL:2011 FOR SYSTEM_TIME CONTAINED IN (start, end): every row version whose '
'whole period lies within [start, end] (so no current row, unless end is '
'infinity). Nothing when start is after end. Raises 22004 for NULL start or '
'end, 42809 when rel is not a row of a table, 55000 when the table is neither '
'versioned nor system-versioned.';
COMMENT ON FUNCTION immutable.all_versions(anyelement) IS
'SQL:2011 FOR SYSTEM_TIME ALL: every row version, current and past, of a '
'system-versioned table (table and history) or a versioned table (every '
'version but tombstones, including versions whose period is empty). Raises '
'42809 when rel is not a row of a table, 55000 when the table is neither '
'versioned nor system-versioned.';
COMMENT ON FUNCTION immutable.forget_dropped() IS
'Event trigger function (sql_drop): removes dropped tables from the registry '
'and clears the current view of a table whose view was dropped. A dropped '
'versioned table takes its current view and heads table with it. Raises 55000 '
'when the extension''s triggers are dropped from a table that stays managed '
'or a heads or history table is dropped alone, 0A000 when a DROP ... CASCADE '
'took a column of a managed table that stays, 39P01 when not called as an '
'event trigger.';
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

------------------------------------------------------------------------------
-- Managed tables: what 1.1's make_* functions leave on a table and 1.0's did
-- not. The statements are those of src/ddl.c, src/system_versioned.c and
-- src/versioned.c, made for every table in the registry.
------------------------------------------------------------------------------

DO $upgrade$
DECLARE
    managed record;
    root pg_catalog.regclass;
    part pg_catalog.text;
    companion pg_catalog.text;
    nullable pg_catalog.text;
    arguments pg_catalog.text;
BEGIN
    FOR managed IN
        SELECT r.*, pg_catalog.format('%I.%I', n.nspname, c.relname) AS qualified,
               c.relkind, c.relowner,
               pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)) AS owner,
               pg_catalog.format('%s.%s', hc.relnamespace::pg_catalog.regnamespace, pg_catalog.quote_ident(hc.relname)) AS heads_qualified,
               hc.relname AS heads_name, hc.relowner AS heads_owner,
               pg_catalog.format('%s.%s', v.relnamespace::pg_catalog.regnamespace, pg_catalog.quote_ident(v.relname)) AS view_qualified,
               v.relname AS view_name, v.relowner AS view_owner,
               pg_catalog.format('%s.%s', h.relnamespace::pg_catalog.regnamespace, pg_catalog.quote_ident(h.relname)) AS history_qualified,
               h.relname AS history_name, h.relowner AS history_owner,
               pg_catalog.obj_description(r.history, 'pg_class') OPERATOR(pg_catalog.~)
                   '^history of system-versioned table .*, written by the immutable extension$'
                   AS history_created
          FROM immutable.registry AS r
          JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) r.relid
          JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
          LEFT JOIN pg_catalog.pg_class AS hc ON hc.oid OPERATOR(pg_catalog.=) r.heads
          LEFT JOIN pg_catalog.pg_class AS v ON v.oid OPERATOR(pg_catalog.=) r.current_view
          LEFT JOIN pg_catalog.pg_class AS h ON h.oid OPERATOR(pg_catalog.=) r.history
         ORDER BY c.relname, n.nspname
    LOOP
        -- The registration travels in the arguments of the table's TRUNCATE
        -- trigger, for a restore without the registry's rows
        -- (RegistryTriggerArguments, DdlRecordRegistration).
        arguments := CASE managed.kind
            WHEN 'append_only' THEN
                pg_catalog.format('%L, %L, %L', 'append_only',
                                  CASE WHEN managed.hashed THEN 't' ELSE 'f' END,
                                  COALESCE(managed.chain_by, ''))
            WHEN 'versioned' THEN
                pg_catalog.format('%L, %L, %L, %L', 'versioned', managed.heads_name,
                                  COALESCE(managed.view_name, ''),
                                  CASE WHEN managed.hashed THEN 't' ELSE 'f' END)
            ELSE
                pg_catalog.format('%L, %L, %L, %L', 'system_versioned', managed.history_name,
                                  managed.period_column,
                                  CASE WHEN managed.adjust THEN 't' ELSE 'f' END)
            END;
        EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER immutable_refuse_truncate BEFORE TRUNCATE'
                                  ' ON %s FOR EACH STATEMENT EXECUTE FUNCTION immutable.refuse_change(%s)',
                                  managed.qualified, arguments);

        -- Companions that make_* created belong to the table's owner, also
        -- when a superuser called it (DdlGiveToTableOwner).
        IF managed.kind OPERATOR(pg_catalog.=) 'versioned' THEN
            IF managed.heads_owner OPERATOR(pg_catalog.<>) managed.relowner THEN
                EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %s', managed.heads_qualified,
                                          managed.owner);
            END IF;
            IF managed.view_owner OPERATOR(pg_catalog.<>) managed.relowner THEN
                EXECUTE pg_catalog.format('ALTER VIEW %s OWNER TO %s', managed.view_qualified,
                                          managed.owner);
            END IF;
        END IF;

        IF managed.kind OPERATOR(pg_catalog.=) 'system_versioned' THEN
            -- make_system_versioned's triggers call system_versioning()
            -- (attach_versioning_triggers); on a partitioned table the
            -- partitions' clones follow.
            EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER zz_immutable_system_period BEFORE'
                                      ' INSERT OR UPDATE%s ON %s FOR EACH ROW'
                                      ' EXECUTE FUNCTION immutable.system_versioning()',
                                      CASE WHEN managed.relkind OPERATOR(pg_catalog.=) 'p' THEN ''
                                           ELSE ' OR DELETE' END,
                                      managed.qualified);
            IF managed.relkind OPERATOR(pg_catalog.=) 'p' THEN
                EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER immutable_write_history AFTER'
                                          ' UPDATE OR DELETE ON %s FOR EACH ROW'
                                          ' EXECUTE FUNCTION immutable.system_versioning()',
                                          managed.qualified);
            END IF;

            -- Every partition of the table and of its history table, at any
            -- level, refuses TRUNCATE (DdlProtectPartitions).
            FOREACH root IN ARRAY ARRAY[managed.relid, managed.history] LOOP
                FOR part IN
                    SELECT pg_catalog.format('%I.%I', pn.nspname, pc.relname)
                      FROM pg_catalog.pg_partition_tree(root) AS t
                      JOIN pg_catalog.pg_class AS pc ON pc.oid OPERATOR(pg_catalog.=) t.relid
                      JOIN pg_catalog.pg_namespace AS pn ON pn.oid OPERATOR(pg_catalog.=) pc.relnamespace
                     WHERE t.relid OPERATOR(pg_catalog.<>) root
                       AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger AS g
                                        WHERE g.tgrelid OPERATOR(pg_catalog.=) t.relid
                                          AND g.tgname OPERATOR(pg_catalog.=) 'immutable_refuse_truncate')
                     ORDER BY t.level, pc.relname
                LOOP
                    EXECUTE pg_catalog.format('CREATE TRIGGER immutable_refuse_truncate BEFORE TRUNCATE'
                                              ' ON %s FOR EACH STATEMENT'
                                              ' EXECUTE FUNCTION immutable.refuse_change()',
                                              part);
                END LOOP;
            END LOOP;

            -- A history table that make_system_versioned created has NOT NULL
            -- on the period alone, and is the table's owner's
            -- (history_create, history_nullable_statement). Its comment
            -- tells it from a history table the user gave.
            IF managed.history_created THEN
                SELECT pg_catalog.string_agg(pg_catalog.format('ALTER COLUMN %I DROP NOT NULL', a.attname),
                                             ', ' ORDER BY a.attnum)
                  INTO nullable
                  FROM pg_catalog.pg_attribute AS a
                 WHERE a.attrelid OPERATOR(pg_catalog.=) managed.history
                   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND a.attnotnull
                   AND a.attname OPERATOR(pg_catalog.<>) managed.period_column;
                IF nullable IS NOT NULL THEN
                    EXECUTE pg_catalog.format('ALTER TABLE %s %s', managed.history_qualified, nullable);
                END IF;
                IF managed.history_owner OPERATOR(pg_catalog.<>) managed.relowner THEN
                    EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %s', managed.history_qualified,
                                              managed.owner);
                END IF;
            END IF;

            -- <table>_as_of(timestamptz), dropped with the table
            -- (as_of_dependencies), is the table's owner's too.
            FOR companion IN
                SELECT pg_catalog.format('%I.%I(%s)', pn.nspname, p.proname,
                                         pg_catalog.pg_get_function_identity_arguments(p.oid))
                  FROM pg_catalog.pg_depend AS d
                  JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) d.objid
                  JOIN pg_catalog.pg_namespace AS pn ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace
                 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                   AND d.refobjid OPERATOR(pg_catalog.=) managed.relid
                   AND d.deptype OPERATOR(pg_catalog.=) 'a'
                   AND p.proowner OPERATOR(pg_catalog.<>) managed.relowner
            LOOP
                EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO %s', companion, managed.owner);
            END LOOP;
        END IF;
    END LOOP;
END
$upgrade$;

------------------------------------------------------------------------------
-- DDL guard and event triggers, created last, so that none of them fires on
-- the statements of this script
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
