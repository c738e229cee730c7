# shellcheck shell=bash
# Zone file generation for the lab's DNS part (sourced by dns.sh).
#
# Every record comes from scenarios.tsv; nothing here knows a scenario by its name except the one
# multi-string TXT record (see STS_MULTI_STRING_DOMAIN). Zone files are written with absolute owner
# names only, so each record can be read on its own without tracking $ORIGIN.
#
#   zones_write_all DIR1 DIR2 SERIAL   write test.zone and every scenario zone for knot instance 1
#                                      into DIR1, and the split zones of instance 2 into DIR2
#
# Requires: lab.env sourced, DNS_KASP and DNS_KASP_RETIRED set, and the DNSSEC keys and TLSA key
# files already present (keys.sh).

# One TTL for everything: low, so that a re-generated lab is seen by the resolver within a minute
# even if its cache caps were lifted.
DNS_TTL=60

# RFC 8461 §3.1 lets the STS record span several strings that are joined without spaces; one
# domain carries it that way so that readers who forget to join are caught.
STS_MULTI_STRING_DOMAIN=healthy.test

# The second authoritative server of a "split" zone answers with this id instead of $LAB_STS_ID
# (still 1-32 alphanumerics, so each view alone is valid).
STS_ID_NS2=${LAB_STS_ID}ns2

# The id of the second record of a "dup" zone: valid on its own, different from the first.
STS_ID_DUP=${LAB_STS_ID}dup

# Print the scenario lines of scenarios.tsv (comments and blank lines removed).
scenario_lines()
{
	grep -v -e '^#' -e '^[[:space:]]*$' "$LAB_DIR/scenarios.tsv"
}

# Print the SHA-256 of the DER SubjectPublicKeyInfo of a private key file (TLSA 3 1 1 data).
spki_sha256()
{
	local key=$1 hash
	hash=$(openssl pkey -in "$key" -pubout -outform DER | sha256sum)
	printf '%s\n' "${hash%% *}"
}

# Print the SOA and NS records shared by every zone.
zone_head()
{
	local zone=$1 serial=$2
	shift 2
	local ns
	printf '%s %d SOA ns1.%s. hostmaster.%s. %d 60 60 600 %d\n' \
		"$zone." "$DNS_TTL" "$LAB_PARENT" "$LAB_PARENT" "$serial" "$DNS_TTL"
	for ns in "$@"; do
		printf '%s %d NS %s.\n' "$zone." "$DNS_TTL" "$ns"
	done
}

# Print the name servers of a scenario zone: a "split" zone has a second server, whose answers differ.
zone_nameservers()
{
	local kind=$1
	printf 'ns1.%s\n' "$LAB_PARENT"
	if [ "$kind" = split ]; then
		printf 'ns2.%s\n' "$LAB_PARENT"
	fi
}

# Print the MX and address records of one MX entry PREF/HOST/IPV4[,IPV6]/PROFILE.
zone_mx_entry()
{
	local domain=$1 entry=$2 pref host addrs v4 v6
	IFS=/ read -r pref host addrs _ <<<"$entry"
	IFS=, read -r v4 v6 <<<"$addrs"
	# An MX host outside its own zone would be silently dropped by knot: fail loudly instead.
	if [ "$host" != "$domain" ] && [[ $host != *".$domain" ]]; then
		echo "dns: MX host $host is not inside $domain" >&2
		return 1
	fi
	# PREF "implicit": no MX record at all, the domain itself receives mail (RFC 5321 §5.1).
	if [ "$pref" != implicit ]; then
		printf '%s %d MX %d %s.\n' "$domain." "$DNS_TTL" "$pref" "$host"
	fi
	printf '%s %d A %s\n' "$host." "$DNS_TTL" "$v4"
	if [ -n "$v6" ]; then
		printf '%s %d AAAA %s\n' "$host." "$DNS_TTL" "$v6"
	fi
}

# Print the MX records of a scenario and the addresses of its hosts.
zone_mx()
{
	local domain=$1 mx=$2 entry
	# RFC 7505: a single MX 0 "." says the domain accepts no mail.
	if [ "$mx" = null ]; then
		printf '%s %d MX 0 .\n' "$domain." "$DNS_TTL"
		return 0
	fi
	for entry in $mx; do
		zone_mx_entry "$domain" "$entry"
	done
}

# Print the TXT rdata (one record a line) of _mta-sts for a kind of column 4, as served by knot
# instance 1 or 2.
sts_txt_rdata()
{
	local domain=$1 kind=$2 instance=$3
	case $kind in
	-) ;;
	ok)
		if [ "$domain" = "$STS_MULTI_STRING_DOMAIN" ]; then
			printf '"v=STSv1; " "id=%s"\n' "$LAB_STS_ID"
		else
			printf '"v=STSv1; id=%s"\n' "$LAB_STS_ID"
		fi
		;;
	dup)
		# RFC 8461 §3.1: more than one STSv1 record means no policy at all.
		printf '"v=STSv1; id=%s"\n' "$LAB_STS_ID" "$STS_ID_DUP"
		;;
	badid)
		# RFC 8461 §3.1: the id is 1-32 alphanumerics; a date with dashes is not one.
		printf '"v=STSv1; id=2026-11-01"\n'
		;;
	split)
		if [ "$instance" = 1 ]; then
			printf '"v=STSv1; id=%s"\n' "$LAB_STS_ID"
		else
			printf '"v=STSv1; id=%s"\n' "$STS_ID_NS2"
		fi
		;;
	*)
		echo "dns: $domain: unknown sts_txt kind '$kind'" >&2
		return 1
		;;
	esac
}

# Print the _mta-sts TXT records and the policy host's address of a scenario.
zone_sts()
{
	local domain=$1 kind=$2 policy=$3 instance=$4 rdata
	if [ "$policy" != - ]; then
		printf 'mta-sts.%s. %d A %s\n' "$domain" "$DNS_TTL" "$LAB_WEB"
	fi
	sts_txt_rdata "$domain" "$kind" "$instance" | while IFS= read -r rdata; do
		printf '_mta-sts.%s. %d TXT %s\n' "$domain" "$DNS_TTL" "$rdata"
	done
}

# Print the _smtp._tls TXT record of a scenario (RFC 8460 §3).
zone_rpt()
{
	local domain=$1 kind=$2 rua
	case $kind in
	-) return 0 ;;
	ok) rua="mailto:tlsrpt@$domain" ;;
	# No URI scheme: RFC 8460 §3 wants "mailto:" or "https:".
	malformed) rua="tlsrpt@$domain" ;;
	*)
		echo "dns: $domain: unknown rpt_txt kind '$kind'" >&2
		return 1
		;;
	esac
	printf '_smtp._tls.%s. %d TXT "v=TLSRPTv1; rua=%s"\n' "$domain" "$DNS_TTL" "$rua"
}

# Print the key file whose public key the TLSA record of HOST publishes, for a kind of column 7.
tlsa_key_file()
{
	local host=$1 kind=$2
	case $kind in
	match) printf '%s/pki/%s.key\n' "$LAB_STATE" "$host" ;;
	# A key the MX never uses: DANE-EE matching fails although the chain is fine (RFC 7672 §3.1.1).
	stale) printf '%s/pki/%s.stale.key\n' "$LAB_STATE" "$host" ;;
	# The lab intermediate that issues every leaf: a DANE-TA anchor (RFC 7672 §3.1.2).
	ta) printf '%s/pki/intermediate.key\n' "$LAB_STATE" ;;
	*)
		echo "dns: $host: unknown tlsa kind '$kind'" >&2
		return 1
		;;
	esac
}

# Print the MX host names of a scenario's mx column (none for a null MX).
mx_hosts()
{
	local mx=$1 entry pref host rest
	[ "$mx" != null ] || return 0
	for entry in $mx; do
		IFS=/ read -r pref host rest <<<"$entry"
		printf '%s\n' "$host"
	done
}

# Print an SPKI SHA-256 TLSA record for every MX host of a scenario: DANE-EE (3 1 1) of a host
# key, or DANE-TA (2 1 1) of the issuing intermediate for kind "ta".
zone_tlsa()
{
	local mx=$1 kind=$2 host key hash usage=3
	[ "$kind" != - ] || return 0
	[ "$kind" != ta ] || usage=2
	for host in $(mx_hosts "$mx"); do
		key=$(tlsa_key_file "$host" "$kind")
		hash=$(spki_sha256 "$key")
		printf '_25._tcp.%s. %d TLSA %d 1 1 %s\n' "$host" "$DNS_TTL" "$usage" "$hash"
	done
}

# Print a whole scenario zone as served by knot instance 1 or 2.
zone_scenario()
{
	local instance=$1 serial=$2 domain=$3 kind=$4 mx=$5 sts=$6 policy=$7 rpt=$8 tlsa=$9
	case $kind in
	signed | unsigned | bogus | split) ;;
	*)
		echo "dns: $domain: unknown zone kind '$kind'" >&2
		return 1
		;;
	esac
	# shellcheck disable=SC2046 # one name server per word
	zone_head "$domain" "$serial" $(zone_nameservers "$kind")
	zone_mx "$domain" "$mx"
	zone_sts "$domain" "$sts" "$policy" "$instance"
	zone_rpt "$domain" "$rpt"
	zone_tlsa "$mx" "$tlsa"
}

# Print the DS records (SHA-256 only) the parent publishes for a scenario zone of a given kind.
parent_ds()
{
	local domain=$1 kind=$2 kasp
	case $kind in
	signed) kasp=$DNS_KASP ;;
	# The DS of a KSK the child no longer has (a botched roll): validators must call it bogus.
	bogus) kasp=$DNS_KASP_RETIRED ;;
	*) return 0 ;;
	esac
	keymgr -D "$kasp" "$domain." ds | awk -v ttl="$DNS_TTL" '$5 == 2 { print $1, ttl, $2, $3, $4, $5, $6 }'
}

# Print the parent zone: name server glue, the alert relay's address, then one delegation (and DS
# if any) per scenario.
zone_parent()
{
	local serial=$1 domain kind ns
	zone_head "$LAB_PARENT" "$serial" "ns1.$LAB_PARENT"
	printf 'ns1.%s. %d A %s\n' "$LAB_PARENT" "$DNS_TTL" "$LAB_NS1"
	printf 'ns2.%s. %d A %s\n' "$LAB_PARENT" "$DNS_TTL" "$LAB_NS2"
	# The alert relay (alerts.sh), by name so that the agent can verify its certificate. lab.test
	# is no zone of its own: the name lives in the parent, like the name servers' addresses.
	printf '%s. %d A %s\n' "$LAB_RELAY_NAME" "$DNS_TTL" "$LAB_RELAY"
	while IFS=$'\t' read -r domain kind _; do
		for ns in $(zone_nameservers "$kind"); do
			printf '%s. %d NS %s.\n' "$domain" "$DNS_TTL" "$ns"
		done
		parent_ds "$domain" "$kind"
	done < <(scenario_lines)
}

# Write every zone file: the parent and all scenario zones for instance 1, the split zones for
# instance 2.
zones_write_all()
{
	local dir1=$1 dir2=$2 serial=$3 domain kind mx sts policy rpt tlsa
	zone_parent "$serial" >"$dir1/$LAB_PARENT.zone"
	while IFS=$'\t' read -r domain kind mx sts policy rpt tlsa _; do
		zone_scenario 1 "$serial" "$domain" "$kind" "$mx" "$sts" "$policy" "$rpt" "$tlsa" \
			>"$dir1/$domain.zone"
		if [ "$kind" = split ]; then
			zone_scenario 2 "$serial" "$domain" "$kind" "$mx" "$sts" "$policy" "$rpt" "$tlsa" \
				>"$dir2/$domain.zone"
		fi
	done < <(scenario_lines)
}
