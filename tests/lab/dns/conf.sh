# shellcheck shell=bash
# Configuration files of the lab's DNS daemons (sourced by dns.sh).
#
#   knot_conf INSTANCE ADDRESS DIR    print the knot configuration of instance 1 or 2, whose
#                                     zone files are DIR/zones/*.zone
#   unbound_conf DIR                  print the configuration of the validating resolver
#
# Requires: lab.env, zones.sh and keys.sh sourced, DNS_KASP set.

# Print the knot "server", "log", "database", "policy" and "template" sections.
knot_conf_common()
{
	local address=$1 dir=$2
	cat <<EOF
server:
    rundir: "$dir"
    listen: $address@53

log:
  - target: "$dir/knot.log"
    any: info

database:
    # Wiped on every "up": a journal or timer database left from an earlier run would make knot
    # serve or re-sign old contents instead of the freshly generated zone files.
    storage: "$dir/db"
    # Kept: the DNSSEC keys, so that DS records and the resolver's trust anchor stay valid.
    kasp-db: "$DNS_KASP"

policy:
  - id: lab
    # Keys come from keymgr before the first start and never roll: the parent's DS must not move.
    manual: on
    single-type-signing: on
    algorithm: $DNS_KEY_ALGORITHM
    nsec3: off
    dnskey-ttl: $DNS_TTL
    zone-max-ttl: $DNS_TTL

template:
  - id: default
    storage: "$dir/zones"
    file: "%s.zone"
    # Serve the zone files as generated: never write back, never remember earlier contents.
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
  - id: signed
    storage: "$dir/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    dnssec-signing: on
    dnssec-policy: lab

zone:
EOF
}

# Print the zone list of knot instance 1: the parent and every scenario zone, signed as the table
# says ("bogus" zones are signed; only their DS in the parent is wrong).
knot_zones_ns1()
{
	local domain kind
	printf '  - domain: %s.\n    template: signed\n' "$LAB_PARENT"
	while IFS=$'\t' read -r domain kind _; do
		case $kind in
		signed | bogus) printf '  - domain: %s.\n    template: signed\n' "$domain" ;;
		*) printf '  - domain: %s.\n' "$domain" ;;
		esac
	done < <(scenario_lines)
}

# Print the zone list of knot instance 2: only the zones whose two servers disagree.
knot_zones_ns2()
{
	local domain kind
	while IFS=$'\t' read -r domain kind _; do
		if [ "$kind" = split ]; then
			printf '  - domain: %s.\n' "$domain"
		fi
	done < <(scenario_lines)
}

knot_conf()
{
	local instance=$1 address=$2 dir=$3
	knot_conf_common "$address" "$dir"
	"knot_zones_ns$instance"
}

unbound_conf()
{
	local dir=$1 ds
	cat <<EOF
server:
    interface: $LAB_RESOLVER
    port: 53
    do-ip6: no
    num-threads: 1
    # Everything (configuration, pid file, log) lives in the lab's run directory.
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    logfile: "$dir/unbound.log"
    use-syslog: no
    verbosity: 1
    val-log-level: 2
    # The name servers are on 127.0.0.0/8 inside the namespace; unbound skips those by default.
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    # .test is one of unbound's built-in blocked local zones (RFC 6761).
    local-zone: "$LAB_PARENT." nodefault
    # "lab rotate" and a restarted lab must be seen within seconds.
    cache-max-ttl: 5
    cache-max-negative-ttl: 5
    val-bogus-ttl: 5
    prefetch: no
    serve-expired: no
    # No RFC 8145 key-tag queries: the servers would only log them as unknown names.
    trust-anchor-signaling: no
EOF
	# One anchor at the parent: its signed NSEC chain proves that children without DS are
	# insecure, and its DS records build the chain to the signed ones.
	while IFS= read -r ds; do
		printf '    trust-anchor: "%s"\n' "$ds"
	done < <(anchor_ds)
	cat <<EOF

stub-zone:
    name: "$LAB_PARENT."
    stub-addr: $LAB_NS1

remote-control:
    control-enable: no
EOF
}
