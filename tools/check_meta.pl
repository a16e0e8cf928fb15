#!/usr/bin/perl
# tools/check_meta.pl: check META.json, the PGXN metadata of the release.
#
#   perl tools/check_meta.pl      # from anywhere; reads the repository's files
#
# 1. It is JSON and follows PGXN Meta Spec 1.0.0 (https://pgxn.org/meta/spec.txt):
#    the required keys (name, version, abstract, maintainer, license,
#    provides, meta-spec) with values of the right form, and the optional
#    keys used here (prereqs, tags, resources, ...) well formed; no other
#    keys but custom x_ ones.
# 2. It describes this tree: its version is immutable.control's
#    default_version (1.1 as 1.1.0), the extension immutable is provided by
#    immutable--<default_version>.sql, which exists, and debian/changelog's
#    newest entry is that version too.
# Prints each problem, then "META.json: ok (<name> <version>)" or
# "META.json: N problems"; exit status 0 iff there is none.

use strict;
use warnings;
use File::Basename qw(dirname);
use JSON::PP;

my $root = dirname(dirname(__FILE__));
my @problems;

sub problem { push @problems, "META.json: " . join("", @_) }

sub slurp {
    my ($file) = @_;
    open my $fh, '<', "$root/$file" or return undef;
    local $/;
    return scalar <$fh>;
}

my $version = qr/(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?/;
my $semver = qr/^$version$/;
my $range = qr/^((==|!=|[<>]=?)\s*)?$version(\s*,\s*((==|!=|[<>]=?)\s*)?$version)*$/;
my $term = qr/^[^\/\\\s[:cntrl:]]{2,}$/;
my $tag = qr/^[^\/\\[:cntrl:]]{2,255}$/;
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1
  artistic_2 bsd freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1
  lgpl_3_0 mit mozilla_1_0 mozilla_1_1 openssl perl_5 postgresql qpl_1_0
  ssleay sun zlib open_source restricted unrestricted unknown);

sub is_string { defined $_[0] && !ref $_[0] && length $_[0] }

# Keys of a hash beyond those allowed (custom x_ keys are always allowed).
sub unknown_keys {
    my ($hash, @allowed) = @_;
    my %ok = map { $_ => 1 } @allowed;
    return grep { !$ok{$_} && !/^x_/i } sort keys %$hash;
}

my $text = slurp('META.json');
my $meta = eval { JSON::PP->new->decode($text // die "cannot read META.json\n") };
if (!$meta || ref $meta ne 'HASH') {
    print "META.json: not a JSON object: ", ($@ || "\n");
    exit 1;
}

# 1. the spec
for my $key (qw(name version abstract maintainer license provides meta-spec)) {
    problem("required key \"$key\" missing") unless exists $meta->{$key};
}
problem("unknown key \"$_\"") for unknown_keys($meta, qw(name version abstract
  maintainer license provides meta-spec description generated_by tags
  no_index prereqs release_status resources));
problem("meta-spec version must be 1.0.x")
  unless ref $meta->{'meta-spec'} eq 'HASH'
  && ($meta->{'meta-spec'}{version} // '') =~ /^1\.0\.\d+$/;
problem("name must be a term") unless ($meta->{name} // '') =~ $term;
problem("version must be a semantic version") unless ($meta->{version} // '') =~ $semver;
problem("abstract must be a non-empty string") unless is_string($meta->{abstract});
my $maintainer = $meta->{maintainer};
problem("maintainer must be a string or a list of strings")
  unless is_string($maintainer)
  || (ref $maintainer eq 'ARRAY' && @$maintainer && !grep { !is_string($_) } @$maintainer);
my $license = $meta->{license};
problem("license must be a license name of the spec, a list of them, or names mapped to URLs")
  unless (is_string($license) && $licenses{$license})
  || (ref $license eq 'ARRAY' && @$license && !grep { !$licenses{$_ // ''} } @$license)
  || (ref $license eq 'HASH' && %$license && !grep { !is_string($_) } values %$license);
if (ref $meta->{provides} ne 'HASH' || !%{ $meta->{provides} }) {
    problem("provides must name at least one extension");
} else {
    for my $ext (sort keys %{ $meta->{provides} }) {
        my $p = $meta->{provides}{$ext};
        if (ref $p ne 'HASH') {
            problem("provides.$ext must be an object");
            next;
        }
        problem("provides.$ext.file missing") unless is_string($p->{file});
        problem("provides.$ext.version must be a semantic version")
          unless ($p->{version} // '') =~ $semver;
        problem("provides.$ext: unknown key \"$_\"")
          for unknown_keys($p, qw(file version abstract docfile));
        problem("provides.$ext.docfile $p->{docfile} does not exist")
          if defined $p->{docfile} && !-f "$root/$p->{docfile}";
    }
}
if (exists $meta->{prereqs}) {
    my $prereqs = $meta->{prereqs};
    if (ref $prereqs ne 'HASH') {
        problem("prereqs must be an object");
    } else {
        problem("prereqs: unknown phase \"$_\"")
          for unknown_keys($prereqs, qw(configure build test runtime develop));
        for my $phase (grep { !/^x_/i } sort keys %$prereqs) {
            my $rels = $prereqs->{$phase};
            next if ref $rels eq 'HASH'
              && !unknown_keys($rels, qw(requires recommends suggests conflicts))
              && !grep {
                  my $r = $rels->{$_};
                  ref $r ne 'HASH' || grep { !("$_" eq '0' || $_ =~ $range) } values %$r
              } grep { !/^x_/i } keys %$rels;
            problem("prereqs.$phase must map requires/recommends/suggests/conflicts to extensions and version ranges");
        }
    }
}
problem("tags must be a list of strings of 2 to 255 characters without slashes")
  if exists $meta->{tags}
  && !(ref $meta->{tags} eq 'ARRAY' && @{ $meta->{tags} }
    && !grep { !(is_string($_) && $_ =~ $tag) } @{ $meta->{tags} });
problem("resources must hold homepage, bugtracker or repository")
  if exists $meta->{resources}
  && !(ref $meta->{resources} eq 'HASH' && %{ $meta->{resources} }
    && !unknown_keys($meta->{resources}, qw(homepage bugtracker repository)));

# 2. this tree
my ($default_version) = (slurp('immutable.control') // '') =~ /^\s*default_version\s*=\s*'([^']+)'/m;
my ($changelog_version) = (slurp('debian/changelog') // '') =~ /^\S+ \(([^)-]+)(-[^)]*)?\)/;
if (!defined $default_version) {
    problem("immutable.control has no default_version");
} else {
    my $expected = $default_version =~ /^\d+\.\d+$/ ? "$default_version.0" : $default_version;
    my $script = "immutable--$default_version.sql";
    my $p = ref $meta->{provides} eq 'HASH' ? $meta->{provides}{immutable} : undef;
    problem("version is ", $meta->{version} // 'missing',
        ", immutable.control's default_version $default_version")
      unless ($meta->{version} // '') eq $expected;
    if (ref $p ne 'HASH') {
        problem("provides no extension \"immutable\"");
    } else {
        problem("provides.immutable.version is ", $p->{version} // 'missing', ", not $expected")
          unless ($p->{version} // '') eq $expected;
        problem("provides.immutable.file is ", $p->{file} // 'missing', ", not $script")
          unless ($p->{file} // '') eq $script;
    }
    problem("$script does not exist") unless -f "$root/$script";
    problem("debian/changelog is at ", $changelog_version // 'no version',
        ", immutable.control's default_version $default_version")
      unless ($changelog_version // '') eq $default_version;
}

print "$_\n" for @problems;
if (@problems) {
    printf "META.json: %d problem%s\n", scalar @problems, @problems == 1 ? '' : 's';
    exit 1;
}
print "META.json: ok ($meta->{name} $meta->{version})\n";
exit 0;
