# shellcheck shell=bash
# Key material of the lab's DNS part (sourced by dns.sh).
#
#   keys_ensure_all   create whatever key is still missing: the DNSSEC keys of every signed zone
#                     (and of the parent), the retired KSK the bogus zone's DS points to, and the
#                     MX keys whose public half goes into TLSA records
#   anchor_ds         print the DS records of the parent zone (the resolver's trust anchor)
#
# Keys are only ever created when absent: DS records in the parent, the resolver's trust anchor and
# TLSA records must stay the same across "lab down"/"lab up", or clients caching them would break.
#
# Requires: lab.env and zones.sh sourced, DNS_KASP and DNS_KASP_RETIRED set.

# One algorithm for every zone: ECDSA P-256 (RFC 8624 "MUST" for validators, small signatures).
DNS_KEY_ALGORITHM=ecdsap256sha256

# Succeed if a KASP database already holds a key for ZONE.
kasp_has_key()
{
	local kasp=$1 zone=$2
	[ -n "$(keymgr -D "$kasp" "$zone." list)" ]
}

# Give ZONE one combined signing key (KSK+ZSK) in a KASP database, unless it has one.
# A single key never needs a ZSK roll, so knot (with a manual policy) never changes the DNSKEY set.
kasp_ensure_key()
{
	local kasp=$1 zone=$2
	if ! kasp_has_key "$kasp" "$zone"; then
		keymgr -D "$kasp" "$zone." generate algorithm="$DNS_KEY_ALGORITHM" \
			ksk=yes zsk=yes >/dev/null
	fi
}

# Create a private EC P-256 key file unless present. The PKI part normally creates it first; this
# only lets the DNS part run (and be tested) on its own. The file appears atomically so a reader
# never sees half a key.
ensure_ec_key()
{
	local key=$1 tmp
	[ ! -e "$key" ] || return 0
	mkdir -p "$(dirname "$key")"
	# mktemp creates the file mode 0600, and openssl keeps that mode when it writes into it.
	tmp=$(mktemp "$key.XXXXXX")
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp" 2>/dev/null
	mv "$tmp" "$key"
}

# Create the MX keys a scenario's TLSA records are computed from, and for "stale" records also the
# key the MX really uses (the self-test proves the TLSA record does not match it).
ensure_tlsa_keys()
{
	local mx=$1 kind=$2 host
	[ "$kind" != - ] || return 0
	for host in $(mx_hosts "$mx"); do
		ensure_ec_key "$LAB_STATE/pki/$host.key"
		ensure_ec_key "$(tlsa_key_file "$host" "$kind")"
	done
}

keys_ensure_all()
{
	local domain kind mx tlsa
	mkdir -p "$DNS_KASP" "$DNS_KASP_RETIRED"
	chmod 0700 "$DNS_KASP" "$DNS_KASP_RETIRED"
	kasp_ensure_key "$DNS_KASP" "$LAB_PARENT"
	while IFS=$'\t' read -r domain kind mx _ _ _ tlsa _; do
		case $kind in
		signed)
			kasp_ensure_key "$DNS_KASP" "$domain"
			;;
		bogus)
			# Signed with one key, delegated with the DS of another.
			kasp_ensure_key "$DNS_KASP" "$domain"
			kasp_ensure_key "$DNS_KASP_RETIRED" "$domain"
			;;
		esac
		ensure_tlsa_keys "$mx" "$tlsa"
	done < <(scenario_lines)
}

anchor_ds()
{
	parent_ds "$LAB_PARENT" signed
}
