# Hash chains survive pg_dump and restore into a new database: every chain
# verifies there, against the digest taken before the dump too, redacted
# values included, and new rows go on linking to the restored chains.
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
    CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                         account int NOT NULL, amount numeric(12,2), booked timestamptz,
                         memo jsonb, note text);
    SELECT immutable.make_append_only('ledger', hashed => true, chain_by => 'account');
    INSERT INTO ledger (account, amount, booked, memo, note)
    SELECT n % 7, n * 1.5, '2026-01-01'::timestamptz + n * interval '1 minute',
           jsonb_build_object('n', n, 'x', n / 3.0::float8), 'note ' || n
      FROM generate_series(1, 500) AS n;
    CREATE TABLE customer (cid int PRIMARY KEY, email text, score double precision);
    SELECT immutable.make_versioned('customer', hashed => true);
    INSERT INTO customer_current VALUES (1, 'ann@example.com', 0.1), (2, 'bob@example.com', 1e-7);
    UPDATE customer_current SET score = score * 3;
    SELECT immutable.redact(NULL::customer, entity_id, ARRAY['email'])
      FROM customer WHERE cid = 1 AND version = 1;
    CREATE TABLE readings (sensor int NOT NULL, x double precision, y real, area polygon,
                           route path, zone circle);
    SELECT immutable.make_append_only('readings', hashed => true, chain_by => 'sensor');
    INSERT INTO readings VALUES
        (1, 'Infinity'::float8 - 'Infinity'::float8, 'Infinity'::real - 'Infinity'::real,
         NULL, NULL, NULL),
        (1, -'NaN'::float8, -'NaN'::real,
         polygon(path '((0,0),(1,1),(1,0))' + point(-'NaN'::float8, 0)),
         path '[(0,0),(1,1)]' + point(-'NaN'::float8, 0), circle(point(-'NaN'::float8, 0), 1)),
        (2, 'NaN', 'NaN', '((0,0),(1,1),(1,0))', '[(0,0),(1,1)]', '<(0,0),1>'),
        (2, 0.1, 0.1, NULL, NULL, NULL);
    CREATE TABLE notes (body text);
    SELECT immutable.make_append_only('notes');
    INSERT INTO notes VALUES ('kept');
    CREATE TABLE stock (item int PRIMARY KEY, qty int NOT NULL);
    SELECT immutable.make_system_versioned('stock');
    INSERT INTO stock SELECT i, 0 FROM generate_series(1, 5) AS i;
});
$node->safe_psql('postgres', 'UPDATE stock SET qty = qty + 1');
$node->safe_psql('postgres', 'DELETE FROM stock WHERE item = 5');
my $managed = q{SELECT string_agg(table_name || ' ' || kind || ' ' || hashed || ' '
                                  || coalesce(history_table::text, '-') || ' '
                                  || coalesce(heads_table::text, '-'), ', ' ORDER BY table_name::text)
                  FROM immutable.managed_tables};

my $ledger_digest = $node->safe_psql('postgres', "SELECT immutable.chain_digest('ledger')");
my $customer_digest = $node->safe_psql('postgres', "SELECT immutable.chain_digest('customer')");
my $readings_digest = $node->safe_psql('postgres', "SELECT immutable.chain_digest('readings')");
# NaNs of other bits than the 'NaN' a restore reads back (issue 11 item 12):
# a negated one has the sign bit set everywhere, 'Infinity' - 'Infinity'
# on x86 (where the default NaN is negative)
is($node->safe_psql('postgres', q{
    SELECT encode(float8send(x), 'hex') || ' ' || encode(float4send(y), 'hex')
      FROM readings WHERE sensor = 1 AND chain_seq = 2}),
   'fff8000000000000 ffc00000', 'a negated NaN has the sign bit set');
is($node->safe_psql('postgres', "SELECT count(*) FROM immutable.verify_chain('readings')"),
   '0', 'the NaN readings verify before the dump');
is($node->safe_psql('postgres', "SELECT count(*) FROM immutable.verify_chain('ledger')"),
   '0', 'the ledger verifies before the dump');
is($node->safe_psql('postgres', "SELECT count(*) FROM immutable.verify_chain('customer')"),
   '0', 'the redacted customers verify before the dump');

my $dump = $node->basedir . '/chains.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('postgres'), '-f', $dump ],
                  'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $dump ], 'pg_restore');

is($node->safe_psql('restored', $managed), $node->safe_psql('postgres', $managed),
   'managed_tables is restored');
for my $table ('notes', 'stock', 'stock_history', 'customer_heads')
{
    is($node->safe_psql('restored', "COPY (SELECT * FROM $table AS t ORDER BY t::text) TO STDOUT"),
       $node->safe_psql('postgres', "COPY (SELECT * FROM $table AS t ORDER BY t::text) TO STDOUT"),
       "$table is restored byte for byte");
}
for my $write ('UPDATE notes SET body = NULL', 'DELETE FROM customer',
               'TRUNCATE ledger', 'DELETE FROM stock_history')
{
    my ($ret, $out, $err) = $node->psql('restored', $write);
    like($err, qr/cannot (update|delete|truncate)/, "protected after the restore: $write");
}
my %digests = (ledger => $ledger_digest, customer => $customer_digest,
               readings => $readings_digest);
for my $table ('ledger', 'customer', 'readings')
{
    my $digest = $digests{$table};
    is($node->safe_psql('restored', "SELECT count(*) FROM immutable.verify_chain('$table')"),
       '0', "$table verifies after the restore");
    is($node->safe_psql('restored',
           "SELECT count(*) FROM immutable.verify_chain('$table', '$digest')"),
       '0', "$table verifies against the digest taken before the dump");
    is($node->safe_psql('restored', "COPY (SELECT * FROM $table AS t ORDER BY t::text) TO STDOUT"),
       $node->safe_psql('postgres', "COPY (SELECT * FROM $table AS t ORDER BY t::text) TO STDOUT"),
       "$table is restored byte for byte");
}

is($node->safe_psql('restored', q{
    UPDATE customer_current SET score = 1 WHERE cid = 2;
    UPDATE stock SET qty = 10 WHERE item = 1;
    SELECT (SELECT max(version) FROM customer WHERE cid = 2) || ' ' ||
           (SELECT count(*) FROM stock_history WHERE item = 1)}),
   '3 2', 'versioning and system versioning go on after the restore');

# Other session settings, and new rows on the restored chains.
is($node->safe_psql('restored', q{
    SET DateStyle = 'German'; SET TimeZone = 'Asia/Kathmandu'; SET extra_float_digits = 0;
    SET bytea_output = 'escape'; SET search_path = pg_temp; SET IntervalStyle = 'iso_8601';
    INSERT INTO public.ledger (account, amount, booked, note) VALUES (3, 1, now(), 'after');
    SELECT count(*) FROM immutable.verify_chain('public.ledger');
}), '0', 'rows appended after the restore, under other settings, link to the restored chains');
is($node->safe_psql('restored', q{
    SELECT max(chain_seq) FROM ledger WHERE account = 3}),
   $node->safe_psql('postgres', q{SELECT max(chain_seq) + 1 FROM ledger WHERE account = 3}),
   'the restored chain goes on at the next chain_seq');

# A plain dump restored with psql.
my $plain = $node->basedir . '/chains.sql';
$node->command_ok([ 'pg_dump', '-d', $node->connstr('postgres'), '-f', $plain ], 'pg_dump plain');
$node->safe_psql('postgres', 'CREATE DATABASE plain_restored');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
                    $node->connstr('plain_restored'), '-f', $plain ], 'psql restores the plain dump');
is($node->safe_psql('plain_restored',
       "SELECT count(*) FROM immutable.verify_chain('ledger', '$ledger_digest')"),
   '0', 'the ledger verifies after a plain dump restored with psql');
is($node->safe_psql('plain_restored',
       "SELECT count(*) FROM immutable.verify_chain('readings', '$readings_digest')"),
   '0', 'the NaN readings verify after a plain dump restored with psql');

$node->stop;
done_testing();
