#!/usr/bin/perl
# The lab's tarpit MX: accepts TCP connections and never sends a byte, holding each one open until
# the peer closes it. That is what a sender sees from an overloaded or filtered MX that completes
# the handshake but never greets (RFC 5321 §4.5.3.2 lets it wait 5 minutes for the 220).
#
#   tarpit.pl PIDFILE PORT ADDRESS...
#
# Listens on PORT of every ADDRESS (IPv4 or IPv6 literal), then writes its pid to PIDFILE, so
# that the file's presence means "ready". SIGTERM removes PIDFILE and exits. Only perl-base
# modules are used, so nothing needs to be installed or compiled.

use strict;
use warnings;
use IO::Select;
use IO::Socket::IP;

my ($pidfile, $port, @addresses) = @ARGV;
die "usage: $0 PIDFILE PORT ADDRESS...\n" unless defined $port && @addresses;

my $select = IO::Select->new;
my %listening;

for my $address (@addresses) {
	my $socket = IO::Socket::IP->new(
		LocalHost => $address,
		LocalPort => $port,
		Listen    => 128,
		ReuseAddr => 1,
	) or die "tarpit: cannot listen on [$address]:$port: $@\n";
	$listening{fileno $socket} = 1;
	$select->add($socket);
}

$SIG{TERM} = $SIG{INT} = sub { unlink $pidfile; exit 0 };

open my $fh, '>', "$pidfile.new" or die "tarpit: $pidfile.new: $!\n";
print $fh "$$\n";
close $fh or die "tarpit: $pidfile.new: $!\n";
rename "$pidfile.new", $pidfile or die "tarpit: $pidfile: $!\n";

# Whatever the client sends is read and dropped (so its writes never block); the connection is
# closed only once the client has closed its side.
while (1) {
	for my $socket ($select->can_read) {
		if ($listening{fileno $socket}) {
			my $client = $socket->accept or next;
			$select->add($client);
			next;
		}
		my $n = sysread $socket, my $discard, 4096;
		next if $n;
		$select->remove($socket);
		close $socket;
	}
}
