# The COMMENT of every SQL function of the extension written in C agrees
# with the header comment of its C function, the one above the symbol named
# in AS 'MODULE_PATHNAME', '<symbol>', looked for in every src/*.c file
# (README "Development"): the header comment's first paragraph is the
# function's signature, the COMMENT's first sentence is the first sentence
# after it, and both name the same SQLSTATEs.  The functions and their
# COMMENTs are read from the catalog, as CREATE EXTENSION made them.
# Functions in SQL or PL/pgSQL have their COMMENT as the only source
# (test/pgtap/01_api.sql checks that every function has one).  At the end,
# drifted comments on either side are shown to be found.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Find qw(find);
use JSON::PP qw(decode_json);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = dirname(__FILE__) . '/../..';

# A SQLSTATE: five characters of a class PostgreSQL or the SQL standard
# defines, so that numbers such as years are not taken for one.
my $sqlstate = qr/\b(?:0[0-389ABFLPZ]|2[0-8BDF]|3[489BDF]|4[024]|5[34578]|72|F0|HV|P0|XX)[0-9A-Z]{3}\b/;

# The header comments of the SQL-callable C functions under src/: symbol =>
# [ comment text without the leading asterisks, ... ] (more than one entry
# when a symbol is defined twice).
sub read_headers
{
    my %headers;
    my @files;
    find(sub { push @files, $File::Find::name if /\.c\z/ }, "$root/src");
    for my $file (sort @files)
    {
        my $text = slurp_file($file);
        while ($text =~ m{/\*((?:(?!\*/).)*)\*/\s*Datum\s+(\w+)\(PG_FUNCTION_ARGS\)}sg)
        {
            my ($comment, $symbol) = ($1, $2);
            $comment =~ s/^[ \t]*\*//mg;
            push @{ $headers{$symbol} }, $comment;
        }
    }
    return \%headers;
}

sub squeeze
{
    my ($text) = @_;
    $text =~ s/\s+/ /g;
    $text =~ s/^ | $//g;
    return $text;
}

# Up to the first period that ends a sentence: followed by white space or the
# end, and not the last of an ellipsis.
sub first_sentence
{
    my ($text) = @_;
    return $text =~ /^(.*?(?<!\.)\.)(?=\s|\z)/s ? $1 : $text;
}

sub sqlstates
{
    my ($text) = @_;
    my %seen = map { $_ => 1 } $text =~ /($sqlstate)/g;
    return \%seen;
}

# The C functions of the extension, with their symbol and COMMENT, as the
# catalog has them after running $setup (SQL) in the same transaction.
sub c_functions
{
    my ($node, $setup) = @_;
    my $json = $node->safe_psql('postgres', qq{
        BEGIN;
        $setup
        SELECT coalesce(json_agg(json_build_object(
                   'function', p.oid::regprocedure::text, 'name', p.proname,
                   'symbol', p.prosrc,
                   'comment', pg_catalog.obj_description(p.oid, 'pg_proc'))
                   ORDER BY p.oid::regprocedure::text), '[]')
          FROM pg_catalog.pg_proc AS p
          JOIN pg_catalog.pg_depend AS d
            ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
         WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'immutable')
           AND d.deptype = 'e'
           AND p.prolang = (SELECT oid FROM pg_catalog.pg_language WHERE lanname = 'c');
        ROLLBACK;
    });
    return @{ decode_json($json) };
}

# What disagrees between the COMMENT of function $f and its header comment.
sub problems
{
    my ($f, $headers) = @_;
    my $headers_of = $headers->{ $f->{symbol} } // [];
    my @problems;

    return "no COMMENT" unless defined $f->{comment} && $f->{comment} =~ /\S/;
    return "no header comment above Datum $f->{symbol}(PG_FUNCTION_ARGS) in src/*.c"
      if @$headers_of == 0;
    return "$f->{symbol} has " . scalar(@$headers_of) . " header comments in src/*.c"
      if @$headers_of > 1;

    my ($signature, $description) = split /\n[ \t]*\n/, $headers_of->[0], 2;
    $description //= '';
    push @problems, "the header comment of $f->{symbol} does not begin with immutable.$f->{name}("
      unless squeeze($signature) =~ /^immutable\.\Q$f->{name}\E\(/;

    my $comment = squeeze($f->{comment});
    my $header = squeeze($description);
    my ($ours, $theirs) = (first_sentence($comment), first_sentence($header));
    push @problems, "first sentences differ:\n  COMMENT: $ours\n  C:       $theirs"
      if $ours ne $theirs;

    my ($in_comment, $in_header) = (sqlstates($comment), sqlstates($header));
    my @only_comment = grep { !$in_header->{$_} } sort keys %$in_comment;
    my @only_header = grep { !$in_comment->{$_} } sort keys %$in_header;
    push @problems, "SQLSTATEs only in the COMMENT: @only_comment" if @only_comment;
    push @problems, "SQLSTATEs only in the C header comment: @only_header" if @only_header;
    return @problems;
}

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION immutable');

my $headers = read_headers();
my @functions = c_functions($node, '');
cmp_ok(scalar(@functions), '>', 0, 'the extension has functions in C');
for my $f (@functions)
{
    my @problems = problems($f, $headers);
    ok(!@problems, "$f->{function}: its COMMENT agrees with the header comment of $f->{symbol}")
      or diag(join("\n", @problems));
}

# Drift is found: in the COMMENT (a changed first sentence, an added
# SQLSTATE, none at all) and in the C header comment (a SQLSTATE left out,
# no header comment).  The function used is the first with a SQLSTATE.
my ($victim) = grep { %{ sqlstates($_->{comment} // '') } } @functions;
my $target = $victim->{function};
my $quoted = $victim->{comment} =~ s/'/''/gr;
my %drifted = (
    "COMMENT ON FUNCTION $target IS 'Drifted. $quoted';"
      => qr/^first sentences differ/,
    "COMMENT ON FUNCTION $target IS '$quoted Raises 22P02.';"
      => qr/^SQLSTATEs only in the COMMENT: 22P02$/,
    "COMMENT ON FUNCTION $target IS NULL;" => qr/^no COMMENT$/);
for my $setup (sort keys %drifted)
{
    my ($f) = grep { $_->{function} eq $target } c_functions($node, $setup);
    like(join("\n", problems($f, $headers)), $drifted{$setup},
         "drift found after: $setup");
}
my ($code) = sort keys %{ sqlstates($victim->{comment}) };
my %edited = %$headers;
$edited{ $victim->{symbol} } = [ $headers->{ $victim->{symbol} }[0] =~ s/\b$code\b//gr ];
is(join("\n", problems($victim, \%edited)), "SQLSTATEs only in the COMMENT: $code",
   "drift found when the C header comment of $victim->{symbol} leaves out $code");
delete $edited{ $victim->{symbol} };
like(join("\n", problems($victim, \%edited)), qr/^no header comment above Datum \Q$victim->{symbol}\E/,
     "drift found when $victim->{symbol} has no header comment");

done_testing();
