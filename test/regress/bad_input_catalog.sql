-- The catalog part of the snapshot the bad_input_make_*.sql files take
-- before their failing calls and compare after them: the relations,
-- triggers and columns of schema :'bi_schema', of bi_other and of
-- "Odd ""Schema""", and the triggers and columns of the catalog and
-- extension tables those files try to manage.  Defines the temporary view
-- catalog_snapshot (what, schema, name, detail); each file adds its own
-- rows.  Included with \ir from the repository root, where pg_regress runs.
CREATE TEMP VIEW catalog_snapshot AS
    SELECT 'relation' AS what, n.nspname AS schema, c.relname AS name, c.relkind::text AS detail
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN (:'bi_schema', 'bi_other', 'Odd "Schema"')
    UNION ALL
    SELECT 'trigger', n.nspname, c.relname, tg.tgname
      FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT tg.tgisinternal
       AND (n.nspname IN (:'bi_schema', 'bi_other', 'Odd "Schema"')
        OR c.oid IN ('pg_class'::regclass, 'immutable.registry'::regclass,
                     'information_schema.sql_features'::regclass))
    UNION ALL
    SELECT 'column', table_schema, table_name,
           column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-')
      FROM information_schema.columns
     WHERE table_schema IN (:'bi_schema', 'bi_other', 'Odd "Schema"')
        OR (table_schema, table_name) = ('information_schema', 'sql_features');
