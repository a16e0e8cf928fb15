# A crash in the middle of writes to every kind of managed table: the
# server is stopped with "immediate" (no checkpoint, as a power cut) while
# pgbench clients write, and restarted.  Every transaction pgbench saw
# commit is there, versions are gapless, the history has one row per
# committed change, every hash chain verifies, and writing goes on.
use strict;
use warnings;
use File::Path qw(make_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', "fsync = on\nsynchronous_commit = on\n");
$node->start;

$node->safe_psql('postgres', q{
    CREATE EXTENSION immutable;
    -- append-only, one hash chain per account
    CREATE TABLE ledger (account int NOT NULL, amount int NOT NULL, client int NOT NULL);
    SELECT immutable.make_append_only('ledger', hashed => true, chain_by => 'account');
    -- versioned and hashed: every committed transfer is a new version
    CREATE TABLE acct (aid int PRIMARY KEY, bal int NOT NULL);
    SELECT immutable.make_versioned('acct', hashed => true);
    INSERT INTO acct_current SELECT a, 0 FROM generate_series(1, 10) AS a;
    -- system-versioned: every committed update leaves one history row
    CREATE TABLE stock (item int PRIMARY KEY, qty int NOT NULL);
    SELECT immutable.make_system_versioned('stock', adjust => true);
    INSERT INTO stock SELECT i, 0 FROM generate_series(1, 10) AS i;
});

# One transaction writes all three kinds once.
my $script = $node->basedir . '/write.sql';
PostgreSQL::Test::Utils::append_to_file($script, q{
\set a random(1, 10)
BEGIN;
INSERT INTO ledger VALUES (:a, 1, :client_id);
UPDATE acct_current SET bal = bal + 1 WHERE aid = :a;
UPDATE stock SET qty = qty + 1 WHERE item = :a;
END;
});
my $logdir = $node->basedir . '/pgbench';
make_path($logdir);

my ($out, $err) = ('', '');
my $pgbench = IPC::Run::start(
    [ 'pgbench', '-n', '-c', '4', '-j', '4', '-T', '60', '--max-tries', '100',
      '-l', "--log-prefix=$logdir/tx", '-f', $script, '-d', $node->connstr('postgres') ],
    '>', \$out, '2>', \$err);
# let the clients commit for a while, then cut the power
sleep 4;
$node->stop('immediate');
$pgbench->finish;

# pgbench writes one log line per transaction it saw commit
my $committed = 0;
for my $log (glob("$logdir/tx*"))
{
    open my $fh, '<', $log or die "$log: $!";
    $committed++ while <$fh>;
    close $fh;
}
ok($committed > 0, "pgbench saw $committed transactions commit before the crash");

$node->start;
my ($ledger, $versions, $history, $qty) = split /\|/, $node->safe_psql('postgres', q{
    SELECT (SELECT count(*) FROM ledger),
           (SELECT count(*) - 10 FROM acct),
           (SELECT count(*) FROM stock_history),
           (SELECT sum(qty) FROM stock)});
cmp_ok($ledger, '>=', $committed, 'every transaction pgbench saw commit is there');
cmp_ok($ledger, '<=', $committed + 4, 'and at most one more per client, committed as the power went');
is($versions, $ledger, 'one new version per committed transaction');
is($history, $ledger, 'one history row per committed change');
is($qty, $ledger, 'the current rows hold every committed change');
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM acct AS a
     WHERE a.version > 1
       AND NOT EXISTS (SELECT FROM acct AS p WHERE p.entity_id = a.entity_id AND p.version = a.version - 1)}),
   '0', 'versions are gapless');
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM acct_heads AS h
     WHERE h.version <> (SELECT max(a.version) FROM acct AS a WHERE a.entity_id = h.entity_id)}),
   '0', 'every heads row is its entity\'s latest version');
is($node->safe_psql('postgres', "SELECT count(*) FROM immutable.verify_chain('ledger')"),
   '0', 'the append-only hash chains verify');
is($node->safe_psql('postgres', "SELECT count(*) FROM immutable.verify_chain('acct')"),
   '0', 'the versioned hash chains verify');

# and writing goes on
$node->command_ok(
    [ 'pgbench', '-n', '-c', '2', '-t', '50', '--max-tries', '100', '-f', $script,
      '-d', $node->connstr('postgres') ],
    'pgbench writes again after the restart');
is($node->safe_psql('postgres', q{
    SELECT (SELECT count(*) FROM ledger) = (SELECT count(*) FROM stock_history)
       AND (SELECT count(*) FROM ledger) = (SELECT count(*) - 10 FROM acct)
       AND (SELECT count(*) FROM immutable.verify_chain('ledger')) = 0
       AND (SELECT count(*) FROM immutable.verify_chain('acct')) = 0}),
   't', 'the invariants hold after more writes');

$node->stop;
done_testing();
