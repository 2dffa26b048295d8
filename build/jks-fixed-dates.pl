#!/usr/bin/perl
# Makes a JKS keystore of trusted certificates reproducible: keytool stamps each entry with the
# time it was added, so two builds of the same certificates differ. Sets every entry's date to
# EPOCH (seconds) and recomputes the keystore's integrity digest with its password.
#
#   jks-fixed-dates.pl KEYSTORE EPOCH [PASSWORD]      (Debian's Java cacerts: changeit)
use strict;
use warnings;
use Digest::SHA qw(sha1);
use Encode qw(encode);

my ($file, $epoch, $password) = @ARGV;
die "usage: $0 KEYSTORE EPOCH [PASSWORD]\n" unless defined $epoch;
$password //= 'changeit';

open my $in, '<:raw', $file or die "$file: $!\n";
my $keystore = do { local $/; <$in> };
close $in;

my $body = substr($keystore, 0, length($keystore) - 20);
my ($magic, $version, $count) = unpack('N N N', $body);
die "$file: not a JKS keystore (version 2)\n" unless $magic == 0xFEEDFEED && $version == 2;
my $pos = 12;
for (1 .. $count) {
    my $tag = unpack('N', substr($body, $pos, 4));
    die "$file: holds a private key; only trusted certificates are handled\n" unless $tag == 2;
    $pos += 4;
    $pos += 2 + unpack('n', substr($body, $pos, 2));          # alias
    substr($body, $pos, 8) = pack('Q>', $epoch * 1000);       # date added, in milliseconds
    $pos += 8;
    $pos += 2 + unpack('n', substr($body, $pos, 2));          # certificate type
    $pos += 4 + unpack('N', substr($body, $pos, 4));          # certificate
}
die "$file: unexpected length\n" unless $pos == length $body;

open my $out, '>:raw', $file or die "$file: $!\n";
print $out $body, sha1(encode('UTF-16BE', $password) . 'Mighty Aphrodite' . $body);
close $out;
