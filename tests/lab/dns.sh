#!/bin/bash
# The lab's DNS part: two knot authoritative servers and one validating unbound resolver, all in
# the lab's network namespace, with zones generated from scenarios.tsv.
#
#   dns.sh up       (re)start everything from freshly generated zones; wait until all answer
#   dns.sh down     stop the daemons (silently succeeds if they are not running)
#   dns.sh rotate   no-op: a rotation changes MX keys and policy bodies, never DNS (that is what
#                   the rotate-* scenarios test)
#   dns.sh tlsa HOST TTL [RDATA...]
#                   replace the TLSA RRset _25._tcp.HOST on every server of HOST's zone by the
#                   records given ("3 1 1 <hex>" each; none removes it), with TTL seconds, through
#                   a knotc transaction (a signed zone is signed again at once); "lab up" restores
#                   the table's records. This is how a test publishes what "mxsentry tlsa" prints.
#
# Addresses (lab.env):
#   $LAB_NS1        knot 1: the signed parent "test." (glue, delegations, DS) and every scenario zone
#   $LAB_NS2        knot 2: the "split" zones only, with a different _mta-sts id
#   $LAB_RESOLVER   unbound, trust anchor = DS of "test.", AD on secure answers, SERVFAIL on bogus
#
# Files:
#   $LAB_RUN/dns/{knot1,knot2,unbound}/   configuration, zone files, pid file, log (rebuilt on "up")
#   $LAB_STATE/dns/kasp/                  DNSSEC keys of the signed zones (kept forever)
#   $LAB_STATE/dns/kasp-retired/          the KSK the bogus zones' DS still names (kept forever)
#   $LAB_STATE/pki/H.key, H.stale.key     MX keys behind TLSA records (created here only if the
#                                         PKI part has not created them yet)
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
. "$LAB_DIR/lab.env"
# shellcheck source=dns/zones.sh
. "$LAB_DIR/dns/zones.sh"
# shellcheck source=dns/keys.sh
. "$LAB_DIR/dns/keys.sh"
# shellcheck source=dns/conf.sh
. "$LAB_DIR/dns/conf.sh"

DNS_RUN=$LAB_RUN/dns
DNS_KASP=$LAB_STATE/dns/kasp
DNS_KASP_RETIRED=$LAB_STATE/dns/kasp-retired

# How long "up" waits for each daemon to answer.
DNS_WAIT_SECONDS=10

# SOA serial of the zones written by this "up" (set by dns_up).
DNS_SERIAL=0

die()
{
	echo "dns: $*" >&2
	exit 1
}

in_ns()
{
	ip netns exec "$LAB_NS" "$@"
}

# Print the pid recorded in PIDFILE if that process is still our daemon, i.e. its command line
# names our configuration file CONF. This keeps a stale pid file from ever making us signal an
# unrelated process that reused the pid, or the same daemon of another lab.
daemon_pid()
{
	local pidfile=$1 conf=$2 pid
	[ -s "$pidfile" ] || return 1
	# knot writes its pid without a trailing newline, which "read" would report as a failure.
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$conf" || return 1
	printf '%s\n' "$pid"
}

# Succeed while PID runs. A daemon that exited but was not reaped yet (its parent is whatever
# adopted it, which in some containers never reaps) counts as gone.
pid_running()
{
	local pid=$1 state rest
	read -r _ _ state rest <"/proc/$pid/stat" 2>/dev/null || return 1
	[ "$state" != Z ]
}

# Stop the daemon started with configuration CONF whose pid is in PIDFILE: TERM, wait up to 5 s,
# then KILL.
stop_daemon()
{
	local pidfile=$1 conf=$2 pid
	pid=$(daemon_pid "$pidfile" "$conf") || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		pid_running "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# Run CMD... every 0.2 s until it succeeds; fail after $DNS_WAIT_SECONDS.
wait_until()
{
	local deadline=$((SECONDS + DNS_WAIT_SECONDS))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# Print the last lines of a daemon's log after a failure, stop what did start (a half-built DNS
# must not pass for a working one), then exit.
fail_with_log()
{
	local log=$1
	shift
	echo "dns: $*; last lines of $log:" >&2
	tail -n 30 "$log" >&2 2>/dev/null || true
	dns_down
	exit 1
}

# Succeed if SERVER answers authoritatively for ZONE with the serial of this "up" (not a daemon
# left over from an earlier run that still holds the address); for a signed zone, only once it is
# signed (knot signs right after loading, and an unsigned answer would fail validation).
zone_served()
{
	local server=$1 zone=$2 signed=$3 out serial
	out=$(in_ns kdig @"$server" +norec +dnssec +time=1 +retry=0 SOA "$zone.")
	grep -q 'status: NOERROR' <<<"$out" || return 1
	grep -qE '^;; Flags:.* aa' <<<"$out" || return 1
	serial=$(awk '$4 == "SOA" { print $7 }' <<<"$out")
	[ "${serial:-0}" -ge "$DNS_SERIAL" ] || return 1
	[ "$signed" = no ] || grep -qE '[[:space:]]RRSIG[[:space:]]+SOA' <<<"$out"
}

# Succeed if every zone of knot instance 1 is served.
ns1_ready()
{
	local domain kind
	zone_served "$LAB_NS1" "$LAB_PARENT" yes || return 1
	while IFS=$'\t' read -r domain kind _; do
		case $kind in
		signed | bogus) zone_served "$LAB_NS1" "$domain" yes || return 1 ;;
		*) zone_served "$LAB_NS1" "$domain" no || return 1 ;;
		esac
	done < <(scenario_lines)
}

ns2_ready()
{
	local domain kind
	while IFS=$'\t' read -r domain kind _; do
		if [ "$kind" = split ]; then
			zone_served "$LAB_NS2" "$domain" no || return 1
		fi
	done < <(scenario_lines)
}

# Succeed once the resolver validates the parent zone from its trust anchor (AD set).
resolver_ready()
{
	local out
	out=$(in_ns kdig @"$LAB_RESOLVER" +time=1 +retry=0 SOA "$LAB_PARENT.")
	grep -q 'status: NOERROR' <<<"$out" && grep -qE '^;; Flags:.* ad' <<<"$out"
}

# Write the configuration and zone files of knot instance N into a clean directory.
knot_prepare()
{
	local instance=$1 address=$2 dir=$DNS_RUN/knot$1
	rm -rf "$dir"
	mkdir -p "$dir/zones" "$dir/db"
	knot_conf "$instance" "$address" "$dir" >"$dir/knot.conf"
	knotc -c "$dir/knot.conf" conf-check >/dev/null ||
		die "invalid knot configuration $dir/knot.conf"
}

knot_start()
{
	local instance=$1 dir=$DNS_RUN/knot$1
	in_ns knotd -c "$dir/knot.conf" -d ||
		fail_with_log "$dir/knot.log" "knot instance $instance did not start"
}

knot_stop()
{
	stop_daemon "$DNS_RUN/knot$1/knot.pid" "$DNS_RUN/knot$1/knot.conf"
}

# Debian's AppArmor profile for /usr/sbin/unbound only allows its files under /etc/unbound and
# /var/lib/unbound. Where that profile is enforced, start the binary through the dynamic loader:
# the profile attaches by executable path, so the lab's resolver (and only it) runs unconfined
# and can read its configuration from the lab's run directory. Prints the loader, or nothing.
unbound_loader()
{
	local profiles=/sys/kernel/security/apparmor/profiles
	[ -r "$profiles" ] && grep -q '^unbound (enforce)' "$profiles" || return 0
	ldd /usr/sbin/unbound | awk '$1 ~ /^\/.*ld-linux/ { print $1; exit }'
}

unbound_start()
{
	local dir=$DNS_RUN/unbound loader
	rm -rf "$dir"
	mkdir -p "$dir"
	unbound_conf "$dir" >"$dir/unbound.conf"
	unbound-checkconf "$dir/unbound.conf" >/dev/null ||
		die "invalid unbound configuration $dir/unbound.conf"
	loader=$(unbound_loader)
	# shellcheck disable=SC2086 # $loader is empty or one path
	in_ns $loader /usr/sbin/unbound -c "$dir/unbound.conf" ||
		fail_with_log "$dir/unbound.log" "unbound did not start"
}

unbound_stop()
{
	stop_daemon "$DNS_RUN/unbound/unbound.pid" "$DNS_RUN/unbound/unbound.conf"
}

dns_down()
{
	[ -d "$DNS_RUN" ] || return 0
	unbound_stop
	knot_stop 2
	knot_stop 1
}

dns_up()
{
	in_ns true 2>/dev/null || die "network namespace '$LAB_NS' does not exist (run 'lab up')"
	dns_down
	keys_ensure_all
	knot_prepare 1 "$LAB_NS1"
	knot_prepare 2 "$LAB_NS2"
	# A serial that grows with every "up" makes any cached zone obviously older.
	DNS_SERIAL=$(date +%s)
	zones_write_all "$DNS_RUN/knot1/zones" "$DNS_RUN/knot2/zones" "$DNS_SERIAL"
	knot_start 1
	knot_start 2
	wait_until ns1_ready ||
		fail_with_log "$DNS_RUN/knot1/knot.log" "knot instance 1 does not serve all zones"
	wait_until ns2_ready ||
		fail_with_log "$DNS_RUN/knot2/knot.log" "knot instance 2 does not serve all zones"
	unbound_start
	wait_until resolver_ready ||
		fail_with_log "$DNS_RUN/unbound/unbound.log" "unbound does not validate $LAB_PARENT."
}

# The scenario zone HOST belongs to (the longest scenario domain it is in), and its kind.
zone_of_host()
{
	local host=$1 domain kind best="" best_kind=""
	while IFS=$'\t' read -r domain kind _; do
		if [[ $host == "$domain" || $host == *".$domain" ]] && [ ${#domain} -gt ${#best} ]; then
			best=$domain
			best_kind=$kind
		fi
	done < <(scenario_lines)
	[ -n "$best" ] || return 1
	printf '%s %s\n' "$best" "$best_kind"
}

# Replace the TLSA RRset of one MX host on one knot instance in a single transaction.
knot_set_tlsa()
{
	local instance=$1 zone=$2 owner=$3 ttl=$4 conf=$DNS_RUN/knot$1/knot.conf rdata
	shift 4
	knotc -c "$conf" zone-begin "$zone." >/dev/null
	knotc -c "$conf" zone-unset "$zone." "$owner" TLSA >/dev/null 2>&1 || true
	for rdata in "$@"; do
		# shellcheck disable=SC2086 # the record's fields are separate words for knotc
		knotc -c "$conf" zone-set "$zone." "$owner" "$ttl" TLSA $rdata >/dev/null || {
			knotc -c "$conf" zone-abort "$zone." >/dev/null 2>&1 || true
			die "knot $instance: cannot set $owner TLSA $rdata"
		}
	done
	knotc -c "$conf" zone-commit "$zone." >/dev/null ||
		die "knot $instance: cannot commit the TLSA change of $owner"
}

dns_tlsa()
{
	local host=${1:-} ttl=${2:-} zone kind
	[ -n "$host" ] && [[ $ttl =~ ^[0-9]+$ ]] || die "usage: dns.sh tlsa HOST TTL [RDATA...]"
	shift 2
	host=${host%.}
	read -r zone kind < <(zone_of_host "$host") || die "$host is in no scenario zone"
	knot_set_tlsa 1 "$zone" "_25._tcp.$host." "$ttl" "$@"
	[ "$kind" = split ] && knot_set_tlsa 2 "$zone" "_25._tcp.$host." "$ttl" "$@"
	return 0
}

main()
{
	case ${1:-} in
	up) dns_up ;;
	down) dns_down ;;
	rotate) ;;
	tlsa)
		shift
		dns_tlsa "$@"
		;;
	*)
		echo "usage: $0 up|down|rotate|tlsa HOST TTL [RDATA...]" >&2
		exit 2
		;;
	esac
}

main "$@"
