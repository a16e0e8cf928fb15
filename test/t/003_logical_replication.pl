# Logical replication of every kind of managed table: what the publisher's
# triggers wrote (versions, heads, history rows, hashes) arrives unchanged
# on a subscriber whose tables are managed too; the subscriber's triggers do
# not fire again (the apply worker runs as a replica), so there are no
# double versions and nothing is hashed twice, and the chains verify there.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $schema = q{
    CREATE EXTENSION immutable;
    CREATE TABLE ledger (id int PRIMARY KEY, account int NOT NULL, amount int NOT NULL);
    SELECT immutable.make_append_only('ledger', hashed => true, chain_by => 'account');
    CREATE TABLE acct (aid int PRIMARY KEY, owner text, bal int NOT NULL);
    SELECT immutable.make_versioned('acct', hashed => true);
    CREATE TABLE stock (item int PRIMARY KEY, qty int NOT NULL);
    SELECT immutable.make_system_versioned('stock');
};
# What has to be published: the tables, and the heads and history tables
# their triggers write.
my @tables = qw(ledger acct acct_heads stock stock_history);

my $publisher = PostgreSQL::Test::Cluster->new('publisher');
$publisher->init(allows_streaming => 'logical');
$publisher->start;
my $subscriber = PostgreSQL::Test::Cluster->new('subscriber');
$subscriber->init;
$subscriber->start;
$publisher->safe_psql('postgres', $schema);
$subscriber->safe_psql('postgres', $schema);

# Rows before the subscription (copied by the initial sync) and after it
# (streamed).
my $writes = q{
    INSERT INTO ledger SELECT n + %d, n %% 3, n FROM generate_series(1, 20) AS n;
    INSERT INTO acct_current (aid, owner, bal) SELECT a + %d, 'owner ' || a, 0 FROM generate_series(1, 3) AS a;
    UPDATE acct_current SET bal = bal + 5;
    DELETE FROM acct_current WHERE aid = %d + 3;
    INSERT INTO stock SELECT i + %d, 0 FROM generate_series(1, 3) AS i;
    UPDATE stock SET qty = qty + 1;
    DELETE FROM stock WHERE item = %d + 2;
};
$publisher->safe_psql('postgres', sprintf($writes, 0, 0, 0, 0, 0));
$publisher->safe_psql('postgres', 'CREATE PUBLICATION history FOR TABLE ' . join(', ', @tables));
$subscriber->safe_psql('postgres',
    "CREATE SUBSCRIPTION history CONNECTION '" . $publisher->connstr . " dbname=postgres'"
    . " PUBLICATION history");
$subscriber->wait_for_subscription_sync($publisher, 'history');
$publisher->safe_psql('postgres', sprintf($writes, 100, 100, 100, 100, 100));
$publisher->safe_psql('postgres', q{
    UPDATE acct_current SET owner = 'renamed' WHERE aid = 1;
    SELECT immutable.undelete(NULL::acct, entity_id) FROM acct WHERE aid = 3 AND version = 1;
});
$publisher->wait_for_catchup('history');

for my $table (@tables)
{
    my $query = "COPY (SELECT * FROM $table ORDER BY 1, 2, 3) TO STDOUT";
    is($subscriber->safe_psql('postgres', $query), $publisher->safe_psql('postgres', $query),
       "$table arrives unchanged, row for row");
}
is($subscriber->safe_psql('postgres', q{
    SELECT count(*) FROM acct AS a GROUP BY entity_id ORDER BY 1 DESC LIMIT 1}),
   $publisher->safe_psql('postgres', q{
    SELECT count(*) FROM acct AS a GROUP BY entity_id ORDER BY 1 DESC LIMIT 1}),
   'no double versions on the subscriber');
is($subscriber->safe_psql('postgres', "SELECT count(*) FROM immutable.verify_chain('ledger')"),
   '0', 'the append-only chains verify on the subscriber');
is($subscriber->safe_psql('postgres', "SELECT count(*) FROM immutable.verify_chain('acct')"),
   '0', 'the versioned chains verify on the subscriber');
is($subscriber->safe_psql('postgres', q{
    SELECT count(*) FROM immutable.verify_chain('acct', immutable.chain_digest('acct'))}),
   '0', 'and against their own digest');
is($subscriber->safe_psql('postgres', q{
    SELECT string_agg(aid || ':' || bal, ',' ORDER BY aid)
      FROM immutable.as_of(NULL::acct, now())}),
   $publisher->safe_psql('postgres', q{
    SELECT string_agg(aid || ':' || bal, ',' ORDER BY aid)
      FROM immutable.as_of(NULL::acct, now())}),
   'as_of answers the same on both');

# the subscriber's own tables stay protected
my ($ret, $stdout, $stderr) = $subscriber->psql('postgres', 'UPDATE ledger SET amount = 0');
like($stderr, qr/cannot update row of append-only table/, 'a write on the subscriber is refused');

$subscriber->stop;
$publisher->stop;
done_testing();
