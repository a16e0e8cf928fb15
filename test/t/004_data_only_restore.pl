# A data-only restore into tables that are already managed (made so by the
# same make_* calls): with --disable-triggers the rows arrive as dumped, the
# chains verify against the source's digest, and protection and versioning
# go on; without it the extension's triggers refuse the heads and history
# rows, so such a restore cannot quietly re-stamp history.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $schema = q{
    CREATE EXTENSION immutable;
    CREATE TABLE ledger (id int PRIMARY KEY, account int NOT NULL, note text);
    SELECT immutable.make_append_only('ledger', hashed => true, chain_by => 'account');
    CREATE TABLE acct (aid int PRIMARY KEY, bal int NOT NULL);
    SELECT immutable.make_versioned('acct', hashed => true);
    CREATE TABLE stock (item int PRIMARY KEY, qty int NOT NULL);
    SELECT immutable.make_system_versioned('stock');
};
my @tables = qw(ledger acct acct_heads stock stock_history);

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;
$node->safe_psql('postgres', $schema);
$node->safe_psql('postgres', q{
    INSERT INTO ledger SELECT n, n % 4, 'note ' || n FROM generate_series(1, 100) AS n;
    INSERT INTO acct_current SELECT a, 0 FROM generate_series(1, 5) AS a;
    INSERT INTO stock SELECT i, 0 FROM generate_series(1, 5) AS i;
});
$node->safe_psql('postgres', q{UPDATE acct_current SET bal = bal + 1});
$node->safe_psql('postgres', q{UPDATE stock SET qty = qty + 1});
my $digest = $node->safe_psql('postgres', "SELECT immutable.chain_digest('ledger')");

my $dump = $node->basedir . '/data.dump';
$node->command_ok([ 'pg_dump', '-Fc', '--data-only', (map { ('-t', $_) } @tables),
                    '-d', $node->connstr('postgres'), '-f', $dump ], 'pg_dump --data-only of the tables');

# without --disable-triggers: refused, nothing re-stamped
$node->safe_psql('postgres', 'CREATE DATABASE plain_target');
$node->safe_psql('plain_target', $schema);
my ($stdout, $stderr) = ('', '');
IPC::Run::run([ 'pg_restore', '--data-only', '-d', $node->connstr('plain_target'), $dump ],
              '>', \$stdout, '2>', \$stderr);
like($stderr, qr/cannot insert into (heads|history) table/,
     'without --disable-triggers the restore of heads and history rows is refused');

# with --disable-triggers: as dumped
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->safe_psql('target', $schema);
$node->command_ok([ 'pg_restore', '--data-only', '--disable-triggers', '-d', $node->connstr('target'), $dump ],
                  'pg_restore --data-only --disable-triggers into managed tables');
for my $table (@tables)
{
    my $query = "COPY (SELECT * FROM $table ORDER BY 1, 2, 3) TO STDOUT";
    is($node->safe_psql('target', $query), $node->safe_psql('postgres', $query),
       "$table is restored as dumped");
}
is($node->safe_psql('target', "SELECT count(*) FROM immutable.verify_chain('ledger', '$digest')"),
   '0', 'the ledger verifies against the source\'s digest');
is($node->safe_psql('target', "SELECT count(*) FROM immutable.verify_chain('acct')"),
   '0', 'the versioned chains verify');
is($node->safe_psql('target', q{
    INSERT INTO ledger VALUES (101, 1, 'after');
    UPDATE acct_current SET bal = bal + 1 WHERE aid = 1;
    UPDATE stock SET qty = qty + 1 WHERE item = 1;
    SELECT (SELECT chain_seq FROM ledger WHERE id = 101) || ' ' ||
           (SELECT max(version) FROM acct WHERE aid = 1) || ' ' ||
           (SELECT count(*) FROM stock_history WHERE item = 1) || ' ' ||
           (SELECT count(*) FROM immutable.verify_chain('ledger')) || ' ' ||
           (SELECT count(*) FROM immutable.verify_chain('acct'))}),
   '26 3 2 0 0', 'appends, versions and history go on from the restored rows');
my ($ret, $out, $err) = $node->psql('target', 'DELETE FROM ledger');
like($err, qr/cannot delete row of append-only table/, 'and the restored tables are protected');

$node->stop;
done_testing();
