# ALTER EXTENSION immutable UPDATE from release 1.0 (README "Upgrading"): a
# database that installed 1.0 and made tables of every kind with 1.0's
# library gets today's library (as a package upgrade gives it), keeps
# working until the update, and after ALTER EXTENSION immutable UPDATE is
# identical to a database where 1.1 was installed fresh and the same tables
# were made by 1.1: the extension's functions (definitions, owners, ACLs,
# comments), event triggers, members, initial privileges, the registry, and
# on the tables the extension's triggers with their arguments, owners,
# columns, constraints and dependencies. The tables keep working after it.
#
# The library of 1.0 comes from IMMUTABLE_RELEASE_1_0, the path that
# tools/release_library.sh 1.0 prints (tools/test.sh sets it); without it
# the test is skipped. The cluster runs from an installation of its own,
# whose lib/immutable.so is first 1.0's and then the installed one.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $old_library = $ENV{IMMUTABLE_RELEASE_1_0};
plan skip_all => 'IMMUTABLE_RELEASE_1_0 is not set (tools/release_library.sh 1.0 builds the library of 1.0)'
  unless defined $old_library && $old_library ne '';
ok(-f $old_library, "the library of 1.0 is at $old_library");

# An installation whose library can be swapped: PostgreSQL finds its lib and
# share directories relative to the programs, so the bin directory is
# copied, lib and share are linked entry by entry, lib/immutable.so last.
sub pg_config
{
    my ($option) = @_;
    my $value = `pg_config $option`;
    die "pg_config $option failed" if $?;
    chomp $value;
    return $value;
}
my %installed = map { $_ => pg_config("--$_") } qw(bindir pkglibdir sharedir);
my @common = split m{/}, $installed{bindir};
for my $dir (values %installed)
{
    my @parts = split m{/}, $dir;
    my $i = 0;
    $i++ while $i < @common && $i < @parts && $common[$i] eq $parts[$i];
    splice @common, $i;
}
my $root = join('/', @common);
my $copy = PostgreSQL::Test::Utils::tempdir('install');
my %mine = map { $_ => $copy . substr($installed{$_}, length $root) } keys %installed;
make_path(dirname($mine{bindir}), $mine{pkglibdir}, $mine{sharedir});
system('cp', '-a', $installed{bindir}, $mine{bindir}) == 0 or die "cannot copy $installed{bindir}";
for my $kind ('pkglibdir', 'sharedir')
{
    opendir(my $dh, $installed{$kind}) or die "cannot read $installed{$kind}: $!";
    for my $entry (grep { !/^\.\.?\z/ && $_ ne 'immutable.so' } readdir $dh)
    {
        symlink("$installed{$kind}/$entry", "$mine{$kind}/$entry") or die "cannot link $entry: $!";
    }
    closedir $dh;
}
sub use_library
{
    my ($library) = @_;
    unlink "$mine{pkglibdir}/immutable.so";
    symlink($library, "$mine{pkglibdir}/immutable.so") or die "cannot link $library: $!";
}

my $node = PostgreSQL::Test::Cluster->new('upgrade', install_path => dirname($mine{bindir}));
$node->init;
use_library($old_library);
$node->start;

# Tables of every kind, with rows, made the same way in both databases: by
# their owner alice, or by a superuser for alice (whose companions 1.1 gives
# to alice), a partitioned system-versioned table with a partitioned
# history table of its own, and a temporal_tables-style table with its own
# versioning() trigger.
my $make_tables = q{
    GRANT CREATE ON SCHEMA public TO alice;
    GRANT EXECUTE ON FUNCTION immutable.versioning() TO alice;
    SET ROLE alice;
    CREATE TABLE ao (id int PRIMARY KEY, note text);
    SELECT immutable.make_append_only('ao');
    CREATE TABLE ao_hash (id int PRIMARY KEY, account int NOT NULL, amount numeric);
    SELECT immutable.make_append_only('ao_hash', hashed => true, chain_by => 'account');
    CREATE TABLE ver (code text PRIMARY KEY, qty int NOT NULL);
    SELECT immutable.make_versioned('ver', current_view => 'ver_now');
    CREATE TABLE sv (id int PRIMARY KEY, v text);
    SELECT immutable.make_system_versioned('sv');
    CREATE TABLE svp (region text, id int, v int, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
    CREATE TABLE svp_eu PARTITION OF svp FOR VALUES IN ('eu');
    CREATE TABLE svp_us PARTITION OF svp FOR VALUES IN ('us');
    CREATE TABLE svp_log (region text, id int, v int, valid tstzrange) PARTITION BY LIST (region);
    CREATE TABLE svp_log_eu PARTITION OF svp_log FOR VALUES IN ('eu');
    CREATE TABLE svp_log_us PARTITION OF svp_log FOR VALUES IN ('us');
    SELECT immutable.make_system_versioned('svp', history_table => 'svp_log',
                                           period_column => 'valid', adjust => true);
    CREATE TABLE tt (id int PRIMARY KEY, v text,
                     sys_period tstzrange NOT NULL DEFAULT tstzrange(now(), NULL));
    CREATE TABLE tt_history (LIKE tt);
    CREATE TRIGGER versioning_trigger BEFORE INSERT OR UPDATE OR DELETE ON tt
        FOR EACH ROW EXECUTE FUNCTION immutable.versioning('sys_period', 'tt_history', true);
    RESET ROLE;
    CREATE TABLE ver_hash (code text PRIMARY KEY, qty int NOT NULL);
    ALTER TABLE ver_hash OWNER TO alice;
    SELECT immutable.make_versioned('ver_hash', hashed => true);
    CREATE TABLE sv_su (id int PRIMARY KEY, v text NOT NULL);
    ALTER TABLE sv_su OWNER TO alice;
    SELECT immutable.make_system_versioned('sv_su');
    SET ROLE alice;
    INSERT INTO ao VALUES (1, 'a'), (2, 'b');
    INSERT INTO ao_hash VALUES (1, 10, 1.5), (2, 10, 2.5), (3, 20, 3);
    INSERT INTO ver_now (code, qty) VALUES ('x', 1), ('y', 2);
    UPDATE ver_now SET qty = qty + 10 WHERE code = 'x';
    DELETE FROM ver_now WHERE code = 'y';
    INSERT INTO sv VALUES (1, 'a'), (2, 'b');
    INSERT INTO svp VALUES ('eu', 1, 1), ('us', 2, 2);
    INSERT INTO tt (id, v) VALUES (1, 'a');
    RESET ROLE;
    INSERT INTO ver_hash_current (code, qty) VALUES ('x', 1);
    UPDATE ver_hash_current SET qty = 5;
    INSERT INTO sv_su VALUES (1, 'a');
};
# in a later transaction, so that the changes leave history rows
my $change_tables = q{
    SET ROLE alice;
    UPDATE sv SET v = 'a2' WHERE id = 1;
    DELETE FROM sv WHERE id = 2;
    UPDATE svp SET v = 10 WHERE id = 1;
    UPDATE svp SET region = 'eu' WHERE id = 2;
    UPDATE tt SET v = 'a2';
    RESET ROLE;
    UPDATE sv_su SET v = 'b';
};

$node->safe_psql('postgres', 'CREATE ROLE alice; CREATE DATABASE old; CREATE DATABASE fresh');
$node->safe_psql('old', "CREATE EXTENSION immutable VERSION '1.0'");
$node->safe_psql('old', $make_tables);
$node->safe_psql('old', $change_tables);
is($node->safe_psql('old', q{SELECT extversion FROM pg_extension WHERE extname = 'immutable'}),
   '1.0', 'release 1.0 is installed, with its library');

# The package upgrade: today's library, the catalog still 1.0's.
$node->stop;
use_library("$installed{pkglibdir}/immutable.so");
$node->start;

# Until the update the tables work with today's library: 1.0's triggers
# call functions that it still has, with the same behaviour, and the DDL
# guard refuses through 1.0's event trigger guard_triggers.
is($node->safe_psql('old', q{
    SET ROLE alice;
    INSERT INTO ao VALUES (3, 'c');
    INSERT INTO ao_hash VALUES (4, 10, 4), (5, 30, 5);
    UPDATE ver_now SET qty = qty + 1 WHERE code = 'x';
    UPDATE sv SET v = 'a3' WHERE id = 1;
    UPDATE svp SET v = 11 WHERE id = 1;
    SELECT (SELECT count(*) FROM immutable.verify_chain('ao_hash'))
           || ' ' || (SELECT string_agg(version::text, ',' ORDER BY version) FROM ver WHERE code = 'x')
           || ' ' || (SELECT count(*) FROM sv_history) || ' ' || (SELECT count(*) FROM svp_log);
}), '0 1,2,3 3 3', 'before the update: 1.0 tables are written, chained and versioned by the new library');
# The SQLSTATE of the error a statement raises in database db.
sub sqlstate
{
    my ($db, $sql) = @_;
    my ($ret, $out, $err) = $node->psql($db, "\\set VERBOSITY verbose\n$sql");
    return $err =~ /ERROR:  ([0-9A-Z]{5}):/ ? $1 : "no error ($err)";
}
is(sqlstate('old', 'SET ROLE alice; ALTER TABLE ao DISABLE TRIGGER immutable_refuse_change'), '42501',
   'before the update: the DDL guard refuses through guard_triggers, in a session that loads the library with it');
is(sqlstate('old', 'UPDATE ao SET note = NULL'), '23001', 'before the update: append-only rows are not changed');

# The 1.0 install script also runs with today's library (every C function
# it names is still there), and its update is a fresh 1.1 install.
$node->safe_psql('postgres', 'CREATE DATABASE plain10; CREATE DATABASE plain11');
$node->safe_psql('plain10', "CREATE EXTENSION immutable VERSION '1.0'");
$node->safe_psql('plain10', 'ALTER EXTENSION immutable UPDATE');
$node->safe_psql('plain11', 'CREATE EXTENSION immutable');

# A database where 1.1 is installed fresh, its tables made by 1.1.
$node->safe_psql('fresh', 'CREATE EXTENSION immutable');
$node->safe_psql('fresh', $make_tables);
$node->safe_psql('fresh', $change_tables);

$node->safe_psql('old', 'ALTER EXTENSION immutable UPDATE');
is($node->safe_psql('old', q{SELECT extversion FROM pg_extension WHERE extname = 'immutable'}),
   '1.1', 'ALTER EXTENSION immutable UPDATE takes 1.0 to 1.1');

# What the extension owns and what it left on the database's tables, without
# OIDs (toast tables are named by them), ACLs as sorted sets (the order of
# an ACL's items records only the order of the GRANTs), in a stable order.
my $describe = q{
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'immutable')
SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
  FROM pg_depend AS d, ext
 WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
UNION ALL
SELECT 'function ' || p.oid::regprocedure || ' owner ' || p.proowner::regrole
       || ' acl ' || coalesce((SELECT array_agg(a ORDER BY a::text) FROM unnest(p.proacl) AS a)::text, 'default')
       || ' comment ' || coalesce(obj_description(p.oid, 'pg_proc'), '-')
       || ' definition ' || pg_get_functiondef(p.oid)
  FROM pg_proc AS p
 WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
UNION ALL
SELECT 'event trigger ' || e.evtname || ' on ' || e.evtevent || ' owner ' || e.evtowner::regrole
       || ' function ' || e.evtfoid::regprocedure || ' enabled ' || e.evtenabled::text
       || ' tags ' || coalesce(e.evttags::text, 'all')
       || ' comment ' || coalesce(obj_description(e.oid, 'pg_event_trigger'), '-')
  FROM pg_event_trigger AS e
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' kind ' || c.relkind::text || ' owner ' || c.relowner::regrole
       || ' persistence ' || c.relpersistence::text
       || ' acl ' || coalesce((SELECT array_agg(a ORDER BY a::text) FROM unnest(c.relacl) AS a)::text, 'default')
       || ' comment ' || coalesce(obj_description(c.oid, 'pg_class'), '-')
       || coalesce(' view ' || pg_get_viewdef(c.oid), '')
  FROM pg_class AS c
 WHERE c.relnamespace IN ('public'::regnamespace, 'immutable'::regnamespace)
UNION ALL
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' number ' || a.attnum || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
       || coalesce(' acl ' || a.attacl::text, '')
       || coalesce(' comment ' || col_description(a.attrelid, a.attnum), '')
  FROM pg_attribute AS a
  JOIN pg_class AS c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
 WHERE c.relnamespace IN ('public'::regnamespace, 'immutable'::regnamespace)
       AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || co.conrelid::regclass || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
  FROM pg_constraint AS co
 WHERE co.connamespace IN ('public'::regnamespace, 'immutable'::regnamespace)
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indrelid
 WHERE c.relnamespace IN ('public'::regnamespace, 'immutable'::regnamespace)
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text
       || CASE WHEN t.tgparentid <> 0 THEN ' cloned' ELSE '' END
  FROM pg_trigger AS t
 WHERE NOT t.tgisinternal
UNION ALL
SELECT 'registry ' || concat_ws(' ', r.relid, r.kind, r.current_view, r.managed_by, r.heads, r.history,
                                r.period_column, r.adjust, r.hashed, r.chain_by)
  FROM immutable.registry AS r
UNION ALL
SELECT 'init privileges ' || pg_describe_object(ip.classoid, ip.objoid, ip.objsubid) || ' '
       || ip.privtype::text || ' ' || (SELECT array_agg(a ORDER BY a::text) FROM unnest(ip.initprivs) AS a)::text
  FROM pg_init_privs AS ip
 WHERE ip.objoid >= 16384
UNION ALL
SELECT 'depend ' || pg_describe_object(d.classid, d.objid, d.objsubid) || ' on '
       || pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid) || ' ' || d.deptype::text
  FROM pg_depend AS d
 WHERE d.objid >= 16384 AND d.refobjid >= 16384 AND d.deptype <> 'e'
       AND pg_describe_object(d.classid, d.objid, d.objsubid) NOT LIKE '%pg_toast%'
UNION ALL
SELECT 'schema ' || n.nspname || ' owner ' || n.nspowner::regrole
       || ' acl ' || coalesce((SELECT array_agg(a ORDER BY a::text) FROM unnest(n.nspacl) AS a)::text, 'default')
       || ' comment ' || coalesce(obj_description(n.oid, 'pg_namespace'), '-')
  FROM pg_namespace AS n WHERE n.nspname = 'immutable'
UNION ALL
SELECT 'extension ' || x.extname || ' ' || x.extversion || ' owner ' || x.extowner::regrole
       || ' relocatable ' || x.extrelocatable || ' config ' || x.extconfig::regclass[]::text
       || ' conditions ' || x.extcondition::text
  FROM pg_extension AS x WHERE x.extname = 'immutable'
ORDER BY 1
};
# The lines only one of two descriptions has, for the failure message.
sub difference
{
    my ($updated, $fresh) = @_;
    my %count;
    $count{$_}++ for split /\n/, $updated;
    $count{$_}-- for split /\n/, $fresh;
    return join("\n", (map { "only after the update: $_" } grep { $count{$_} > 0 } sort keys %count),
                (map { "only in the fresh install: $_" } grep { $count{$_} < 0 } sort keys %count));
}
my $updated = $node->safe_psql('old', $describe);
my $fresh = $node->safe_psql('fresh', $describe);
like($fresh, qr/^trigger CREATE TRIGGER immutable_refuse_truncate .* ON public\.svp_log_eu .*$/m,
     'the description shows what 1.1 keeps on tables (a partition\'s TRUNCATE trigger)');
is($updated, $fresh, 'after the update, the catalog is what a fresh 1.1 install with the same tables has')
  or diag(difference($updated, $fresh));

my $plain10 = $node->safe_psql('plain10', $describe);
is($plain10, $node->safe_psql('plain11', $describe),
   'CREATE EXTENSION immutable VERSION \'1.0\' with today\'s library, then UPDATE: a fresh 1.1 install')
  or diag(difference($plain10, $node->safe_psql('plain11', $describe)));

# pg_dump sees the same schema in both (what a dump would restore)
my @dumps = map {
    my $file = $node->basedir . "/$_.sql";
    $node->command_ok([ 'pg_dump', '--schema-only', '-d', $node->connstr($_), '-f', $file ],
                      "pg_dump --schema-only of $_");
    # less the key of psql's \restrict, new in every dump
    slurp_file($file) =~ s/^\\(?:un)?restrict .*$//mgr;
} ('old', 'fresh');
is($dumps[0], $dumps[1], 'pg_dump --schema-only of the updated and the fresh database is the same')
  or diag(difference(@dumps));

# The tables keep working after the update: writes, history, hash chains,
# time travel, the 1.1 protections, and taking a table out of management.
my $digest = $node->safe_psql('old', q{SELECT immutable.chain_digest('ao_hash')});
is($node->safe_psql('old', q{
    SET ROLE alice;
    INSERT INTO ao VALUES (4, 'd');
    INSERT INTO ao_hash VALUES (6, 30, 6), (7, 40, 7);
    UPDATE ver_now SET qty = 20 WHERE code = 'x';
    INSERT INTO ver_now (code, qty) VALUES ('z', 3);
    SELECT count(*) FROM ver_heads AS h, immutable.update(NULL::ver, h.entity_id, '{"qty": 4}')
     WHERE h.code = 'z';
    UPDATE ver_hash_current SET qty = 6;
    UPDATE sv SET v = 'a4' WHERE id = 1;
    UPDATE svp SET v = 12 WHERE id = 1;
    UPDATE tt SET v = 'a3';
    RESET ROLE;
    UPDATE sv_su SET v = 'c';
    SELECT concat_ws(' ',
        (SELECT count(*) FROM ao),
        (SELECT string_agg(account || ':' || chain_seq, ',' ORDER BY account, chain_seq) FROM ao_hash),
        (SELECT count(*) FROM immutable.verify_chain('ao_hash')),
        (SELECT string_agg(code || '=' || qty, ',' ORDER BY code) FROM ver_now),
        (SELECT string_agg(version::text, ',' ORDER BY version) FROM ver WHERE code = 'x'),
        (SELECT count(*) FROM immutable.verify_chain('ver_hash')),
        (SELECT count(*) FROM sv_history), (SELECT count(*) FROM svp_log),
        (SELECT count(*) FROM tt_history), (SELECT count(*) FROM sv_su_history));
}), "1\n4 10:1,10:2,10:3,20:1,30:1,30:2,40:1 0 x=20,z=4 1,2,3,4 0 4 4 2 2",
   'after the update: rows are appended, chained, versioned and kept in history');
is($node->safe_psql('old', qq{SELECT count(*) FROM immutable.verify_chain('ao_hash', '$digest')}),
   '0', 'after the update: the chain verifies against a digest taken before new rows');
is($node->safe_psql('old', q{
    SELECT (SELECT string_agg(v, ',' ORDER BY id) FROM immutable.as_of(NULL::sv, '-infinity'::timestamptz))
           IS NULL
           AND (SELECT string_agg(v, ',' ORDER BY id) FROM immutable.as_of(NULL::sv, 'infinity'))
               = 'a4'
           AND (SELECT count(*) FROM immutable.all_versions(NULL::sv)) = 5
           AND (SELECT qty FROM immutable.as_of(NULL::ver, (SELECT entity_id FROM ver_heads
                                                              WHERE code = 'x'), 'infinity')) = 20
           AND (SELECT count(*) FROM sv_as_of('infinity')) = 1;
}), 't', 'after the update: as_of, all_versions and <table>_as_of read the history');
# what 1.1 refuses, each in a new session (TRUNCATE of a partition fires no
# event trigger: only its own TRUNCATE trigger, new in 1.1, refuses it)
my %refused = (
    'UPDATE ao SET note = NULL' => '23001',
    'DELETE FROM ver' => '23001',
    'TRUNCATE sv' => '23001',
    'TRUNCATE svp_eu' => '23001',
    'TRUNCATE ONLY svp_log_us' => '23001',
    'DELETE FROM sv_history' => '23001',
    'ALTER TABLE ao DROP COLUMN note' => '0A000',
    'SET ROLE alice; DROP TRIGGER zz_immutable_system_period ON svp' => '42501');
for my $statement (sort keys %refused)
{
    is(sqlstate('old', $statement), $refused{$statement}, "after the update: refused: $statement");
}
$node->safe_psql('old', q{
    SET ROLE alice;
    SELECT immutable.make_mutable('ao');
    UPDATE ao SET note = 'changed' WHERE id = 1;
    SELECT immutable.make_mutable('svp');
    TRUNCATE svp_eu;
});
is($node->safe_psql('old', q{
    SELECT count(*) || ' ' || (SELECT note FROM ao WHERE id = 1) || ' ' || (SELECT count(*) FROM svp)
      FROM immutable.registry;
}), '5 changed 0', 'after the update: make_mutable takes tables out of management, with their partitions');

$node->stop;
done_testing();
