# A restore that leaves out the registry's rows (pg_dump --schema-only, in
# custom and plain format, and a custom dump restored without its data
# section) restores every kind of managed table fully managed: the tables
# are in the registry with their companions and options again, writes are
# versioned, recorded in history and hashed, and changes are refused; never
# a table with the extension's triggers that the registry does not know.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION immutable;
    CREATE TABLE ledger (id int PRIMARY KEY, account int NOT NULL, note text);
    SELECT immutable.make_append_only('ledger', hashed => true, chain_by => 'account');
    CREATE TABLE notes (body text);
    SELECT immutable.make_append_only('notes');
    CREATE TABLE acct (aid int PRIMARY KEY, bal int NOT NULL);
    SELECT immutable.make_versioned('acct', current_view => 'live_accounts', hashed => true);
    CREATE TABLE stock (item int PRIMARY KEY, qty int NOT NULL);
    SELECT immutable.make_system_versioned('stock', history_table => 'stock_log',
                                           period_column => 'valid', adjust => true);
    CREATE TABLE part (region text, id int, v int, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
    CREATE TABLE part_eu PARTITION OF part FOR VALUES IN ('eu');
    SELECT immutable.make_system_versioned('part');
    INSERT INTO ledger VALUES (1, 1, 'a');
    INSERT INTO live_accounts (aid, bal) VALUES (1, 10);
    INSERT INTO stock VALUES (1, 5);
});
my $registry = q{
    SELECT table_name::text, kind, current_view::text, heads_table::text, history_table::text,
           period_column, adjust, hashed, chain_by
      FROM immutable.managed_tables ORDER BY 1
};
my $expected = $node->safe_psql('postgres', $registry);

my $custom = $node->basedir . '/schema.dump';
my $plain = $node->basedir . '/schema.sql';
my $full = $node->basedir . '/full.dump';
$node->command_ok([ 'pg_dump', '-Fc', '--schema-only', '-d', $node->connstr('postgres'), '-f', $custom ],
                  'pg_dump --schema-only, custom format');
$node->command_ok([ 'pg_dump', '--schema-only', '-d', $node->connstr('postgres'), '-f', $plain ],
                  'pg_dump --schema-only, plain format');
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('postgres'), '-f', $full ],
                  'pg_dump of everything, custom format');

my %restores = (
    custom => [ 'pg_restore', '--exit-on-error', '-d', undef, $custom ],
    plain => [ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-q', '-d', undef, '-f', $plain ],
    sections => [ 'pg_restore', '--exit-on-error', '--section=pre-data', '--section=post-data',
                  '-d', undef, $full ],
);
for my $how (sort keys %restores)
{
    my $db = "restored_$how";
    $node->safe_psql('postgres', "CREATE DATABASE $db");
    my @command = map { defined $_ ? $_ : $node->connstr($db) } @{ $restores{$how} };
    $node->command_ok(\@command, "$how: restored");

    is($node->safe_psql($db, $registry), $expected,
       "$how: every table is registered again, with its companions and options");

    # writes are managed
    is($node->safe_psql($db, q{
        INSERT INTO ledger VALUES (2, 1, 'b'), (3, 1, 'c');
        SELECT count(*) FROM immutable.verify_chain('ledger');
    }), '0', "$how: new ledger rows are chained");
    is($node->safe_psql($db, q{
        INSERT INTO live_accounts (aid, bal) VALUES (1, 10);
        UPDATE live_accounts SET bal = 11 WHERE aid = 1;
        SELECT string_agg(version::text, ',' ORDER BY version) FROM acct;
    }), '1,2', "$how: the versioned table versions through its current view");
    is($node->safe_psql($db, q{
        INSERT INTO stock VALUES (1, 5);
        SELECT immutable.set_system_time(now() + interval '1 hour');
    } ) . $node->safe_psql($db, q{
        UPDATE stock SET qty = 6;
        SELECT count(*) FROM stock_log;
    }), '1', "$how: the system-versioned table writes history");
    is($node->safe_psql($db, q{
        INSERT INTO part VALUES ('eu', 1, 1);
    } ) . $node->safe_psql($db, q{
        UPDATE part SET v = 2;
        SELECT count(*) FROM part_history;
    }), '1', "$how: the partitioned system-versioned table writes history");

    # changes are refused
    $node->safe_psql($db, q{INSERT INTO notes VALUES ('kept')});
    for my $write ('DELETE FROM notes', 'UPDATE ledger SET note = NULL',
                   'TRUNCATE part_eu', 'ALTER TABLE notes DROP COLUMN body',
                   'DROP TRIGGER immutable_refuse_change ON notes')
    {
        my ($ret, $out, $err) = $node->psql($db, $write);
        like($err, qr/cannot /, "$how: refused: $write");
    }
}

# A table whose trigger names a heads table that is not there: the restore
# says so instead of registering half of it.
$node->safe_psql('postgres', 'CREATE DATABASE broken');
my $sql = slurp_file($plain);
$sql =~ s/CREATE TABLE public\.acct_heads \(/CREATE TABLE public.not_acct_heads (/;
my ($ret, $out, $err) = $node->psql('broken', $sql, on_error_stop => 0);
like($err, qr/cannot restore the registration of table "acct": its heads table "acct_heads" is missing/,
     'a registration whose heads table is missing is refused, with the reason');

done_testing();
