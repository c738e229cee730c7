#!/bin/bash
# Self-test of the lab's DNS part (TAP on stdout). For every line of scenarios.tsv it asks the
# lab's resolver (and, where the point is a difference between servers, each knot instance
# directly) for what the table promises on the DNS side, so that each scenario has at least one
# assertion that fails if its fault is missing from DNS:
#   - validation: AD on signed zones, no AD on unsigned ones, SERVFAIL on the bogus zone while its
#     data is still there with +cd and at ns1 (so it is the chain of trust that breaks);
#   - delegation: a DS in the parent that matches the child's DNSKEY for signed zones, one that
#     matches none for the bogus zone, a validated absence of DS for unsigned zones;
#   - MX sets (null MX, implicit MX), host addresses, the policy host's address;
#   - _mta-sts TXT count and content (dup, badid, multi-string, ns1/ns2 split), _smtp._tls TXT;
#   - TLSA 3 1 1 equal to the SPKI hash of the right key file (match vs stale).
# Expected values are computed here from the table and the key files, independently of dns.sh.
#
# Usage: selftest-dns.sh   (after "lab up"; exit status 1 if any assertion failed)
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
. "$LAB_DIR/lab.env"
# shellcheck source=tap.sh
. "$LAB_DIR/tap.sh"
# Only for the names the zones are built with (STS_MULTI_STRING_DOMAIN, STS_ID_NS2).
# shellcheck source=dns/zones.sh
. "$LAB_DIR/dns/zones.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Results of the last query (see ask).
Q_STATUS=
Q_FLAGS=
Q_RDATA=

# ask SERVER NAME TYPE [KDIG-OPTION...]: query from inside the namespace and set Q_STATUS (rcode,
# or "TIMEOUT"), Q_FLAGS (" qr rd ra ad " style, padded for matching) and Q_RDATA (the rdata of
# the answer records of TYPE, one a line, sorted; hex in lower case).
ask()
{
	local server=$1 name=$2 type=$3 out
	shift 3
	out=$(ip netns exec "$LAB_NS" kdig @"$server" +time=2 +retry=1 "$@" "$type" "$name" </dev/null 2>&1) ||
		true
	Q_STATUS=$(sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$out")
	Q_STATUS=${Q_STATUS:-TIMEOUT}
	Q_FLAGS=" $(sed -n 's/^;; Flags: \([^;]*\);.*/\1/p' <<<"$out") "
	Q_RDATA=$(rdata_of "$type" <<<"$out" | sort)
	if [ "$type" = TLSA ] || [ "$type" = DS ]; then
		Q_RDATA=$(tr 'A-F' 'a-f' <<<"$Q_RDATA")
	fi
}

# Print the rdata of the records of TYPE in presentation-format input, keeping its own spacing
# (a TXT string may end in a blank). kdig separates fields with a tab, or a space after a long
# owner name, so fields are cut by pattern rather than by one separator.
rdata_of()
{
	awk -v t="$1" '!/^;/ && $4 == t {
		sub(/^[^ \t]+[ \t]+[0-9]+[ \t]+[A-Z]+[ \t]+[A-Z0-9]+[ \t]+/, "")
		print
	}'
}

# Print "yes" if the last answer had the AD flag, else "no".
last_ad()
{
	if [[ $Q_FLAGS == *" ad "* ]]; then echo yes; else echo no; fi
}

# Print the number of records in the last answer.
last_count()
{
	if [ -z "$Q_RDATA" ]; then echo 0; else wc -l <<<"$Q_RDATA"; fi
}

# Join the character-strings of TXT rdata lines: RFC 8461 §3.1 and RFC 8460 §3 both say the
# strings of one record are concatenated without any separator.
txt_join()
{
	sed -E 's/" "//g; s/^"//; s/"$//'
}

# Print the DANE-EE SPKI SHA-256 of a private key file, or a marker if it cannot be read.
key_hash()
{
	local hash
	hash=$(openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | sha256sum) ||
		hash="(unreadable $1)"
	printf '%s\n' "${hash%% *}"
}

# Print the MX entries of column 3, one a line.
mx_entries()
{
	[ "$1" != null ] || return 0
	tr ' ' '\n' <<<"$1"
}

# --- checks, one function per concern; each takes the scenario's columns it needs ---------------

# Signed zones validate (AD); unsigned ones are insecure (NOERROR, no AD); a bogus zone fails with
# SERVFAIL although its servers do answer, which proves the chain of trust is what breaks.
check_validation()
{
	local domain=$1 kind=$2
	ask "$LAB_RESOLVER" "$domain" SOA
	case $kind in
	signed)
		tap_is "$domain: SOA via resolver is NOERROR" "$Q_STATUS" NOERROR
		tap_is "$domain: answer is secure (AD)" "$(last_ad)" yes
		;;
	unsigned | split)
		tap_is "$domain: SOA via resolver is NOERROR" "$Q_STATUS" NOERROR
		tap_is "$domain: answer is insecure (no AD)" "$(last_ad)" no
		;;
	bogus)
		tap_is "$domain: SOA via resolver is SERVFAIL" "$Q_STATUS" SERVFAIL
		ask "$LAB_RESOLVER" "$domain" MX
		tap_is "$domain: MX via resolver is SERVFAIL" "$Q_STATUS" SERVFAIL
		ask "$LAB_RESOLVER" "$domain" MX +cd
		tap_like "$domain: MX with +cd still has data" "$Q_STATUS $Q_RDATA" '^NOERROR [0-9]'
		ask "$LAB_NS1" "$domain" MX +norec
		tap_like "$domain: ns1 answers MX authoritatively" "$Q_STATUS$Q_FLAGS$Q_RDATA" \
			'^NOERROR .* aa .*[0-9]'
		;;
	*) tap_result 1 "$domain: unknown zone kind '$kind'" ;;
	esac
}

# Print the SHA-256 DS of the child's KSK as served by ns1 (empty if none).
child_ds()
{
	local domain=$1
	ask "$LAB_NS1" "$domain" DNSKEY +norec
	[ -n "$Q_RDATA" ] || return 0
	awk -v d="$domain." '{ print d, 60, "IN", "DNSKEY", $0 }' <<<"$Q_RDATA" >"$TMP/dnskey"
	ldns-key2ds -n -2 "$TMP/dnskey" | rdata_of DS | tr 'A-F' 'a-f'
}

# The parent publishes a DS matching the child's key (signed), a DS matching none (bogus: a stale
# DS after a botched KSK roll), or a validated absence of DS (unsigned: provably insecure).
check_delegation()
{
	local domain=$1 kind=$2 ds
	ask "$LAB_RESOLVER" "$domain" DS
	ds=$Q_RDATA
	case $kind in
	signed)
		tap_like "$domain: parent has a validated DS" "$Q_STATUS $(last_ad) $ds" '^NOERROR yes [0-9]'
		tap_is "$domain: DS matches the child's DNSKEY" "$ds" "$(child_ds "$domain")"
		;;
	bogus)
		tap_like "$domain: parent has a validated DS" "$Q_STATUS $(last_ad) $ds" '^NOERROR yes [0-9]'
		tap_check "$domain: DS matches none of the child's DNSKEYs" \
			test -n "$ds" -a "$ds" != "$(child_ds "$domain")"
		;;
	*)
		tap_is "$domain: validated absence of DS" "$Q_STATUS $(last_ad) $(last_count)" "NOERROR yes 0"
		;;
	esac
}

# MX set as in the table: RFC 7505 null MX, RFC 5321 §5.1 implicit MX (no MX, an address).
check_mx()
{
	local domain=$1 mx=$2 cd=$3 want='' got
	local pref host addrs v4 v6
	ask "$LAB_RESOLVER" "$domain" MX ${cd:+"$cd"}
	got=$Q_RDATA
	if [ "$mx" = null ]; then
		tap_is "$domain: null MX" "$Q_RDATA" "0 ."
		return 0
	fi
	while IFS=/ read -r pref host addrs _; do
		IFS=, read -r v4 v6 <<<"$addrs"
		if [ "$pref" = implicit ]; then
			tap_is "$domain: no MX record (implicit MX)" "$Q_STATUS $(last_count)" "NOERROR 0"
		else
			want+="$pref $host."$'\n'
		fi
		check_host "$host" "$v4" "$v6" "$cd"
	done < <(mx_entries "$mx")
	if [ -n "$want" ]; then
		tap_is "$domain: MX set" "$got" "$(sort <<<"${want%$'\n'}")"
	fi
}

# Addresses of one MX host (AAAA only where the table gives one).
check_host()
{
	local host=$1 v4=$2 v6=$3 cd=$4
	ask "$LAB_RESOLVER" "$host" A ${cd:+"$cd"}
	tap_is "$host: A" "$Q_RDATA" "$v4"
	if [ -n "$v6" ]; then
		ask "$LAB_RESOLVER" "$host" AAAA ${cd:+"$cd"}
		tap_is "$host: AAAA" "$Q_RDATA" "$v6"
	fi
}

# Policy host address, and the _mta-sts TXT record(s) of column 4.
check_sts()
{
	local domain=$1 kind=$2 policy=$3 cd=$4 joined
	ask "$LAB_RESOLVER" "mta-sts.$domain" A ${cd:+"$cd"}
	if [ "$policy" = - ]; then
		tap_is "mta-sts.$domain: no address (no policy)" "$(last_count)" 0
	else
		tap_is "mta-sts.$domain: A is the policy server" "$Q_RDATA" "$LAB_WEB"
	fi
	ask "$LAB_RESOLVER" "_mta-sts.$domain" TXT ${cd:+"$cd"}
	joined=$(txt_join <<<"$Q_RDATA")
	case $kind in
	-) tap_is "_mta-sts.$domain: no TXT" "$(last_count)" 0 ;;
	ok)
		tap_is "_mta-sts.$domain: one record" "$(last_count)" 1
		tap_is "_mta-sts.$domain: content" "$joined" "v=STSv1; id=$LAB_STS_ID"
		if [ "$domain" = "$STS_MULTI_STRING_DOMAIN" ]; then
			tap_is "_mta-sts.$domain: split into 2 strings" "$Q_RDATA" \
				"\"v=STSv1; \" \"id=$LAB_STS_ID\""
		fi
		;;
	dup)
		tap_is "_mta-sts.$domain: two records" "$(last_count)" 2
		tap_like "_mta-sts.$domain: both STSv1 with different ids" "$joined" \
			"^v=STSv1; id=([A-Za-z0-9]+)"$'\n'"v=STSv1; id=[A-Za-z0-9]+$"
		tap_check "_mta-sts.$domain: ids differ" test "$(sort -u <<<"$joined" | wc -l)" = 2
		;;
	badid)
		tap_is "_mta-sts.$domain: one record" "$(last_count)" 1
		tap_like "_mta-sts.$domain: id has a '-'" "$joined" '^v=STSv1; id=[^;]*-'
		;;
	split) check_sts_split "$domain" ;;
	*) tap_result 1 "$domain: unknown sts_txt kind '$kind'" ;;
	esac
}

# Both servers of a split zone are listed, and they give different _mta-sts ids.
check_sts_split()
{
	local domain=$1 one two server
	for server in "$LAB_NS1" "$LAB_NS2"; do
		ask "$server" "$domain" NS +norec
		tap_is "$domain: NS set at $server" "$Q_RDATA" "$(printf 'ns1.%s.\nns2.%s.' "$LAB_PARENT" "$LAB_PARENT")"
	done
	ask "$LAB_NS1" "_mta-sts.$domain" TXT +norec
	one=$(txt_join <<<"$Q_RDATA")
	ask "$LAB_NS2" "_mta-sts.$domain" TXT +norec
	two=$(txt_join <<<"$Q_RDATA")
	tap_is "_mta-sts.$domain: ns1 id" "$one" "v=STSv1; id=$LAB_STS_ID"
	tap_like "_mta-sts.$domain: ns2 has one valid STSv1 record" "$two" '^v=STSv1; id=[A-Za-z0-9]{1,32}$'
	tap_check "_mta-sts.$domain: ns1 and ns2 differ" test "$one" != "$two"
}

# The _smtp._tls TXT record of column 6.
check_rpt()
{
	local domain=$1 kind=$2 cd=$3 joined
	ask "$LAB_RESOLVER" "_smtp._tls.$domain" TXT ${cd:+"$cd"}
	joined=$(txt_join <<<"$Q_RDATA")
	case $kind in
	-) tap_is "_smtp._tls.$domain: no TXT" "$(last_count)" 0 ;;
	ok) tap_is "_smtp._tls.$domain: content" "$joined" "v=TLSRPTv1; rua=mailto:tlsrpt@$domain" ;;
	malformed) tap_is "_smtp._tls.$domain: rua without scheme" "$joined" "v=TLSRPTv1; rua=tlsrpt@$domain" ;;
	*) tap_result 1 "$domain: unknown rpt_txt kind '$kind'" ;;
	esac
}

# TLSA of every MX host: absent, the SPKI hash of the MX key (match), or of a key the MX never
# uses (stale); in signed zones the answer must carry AD, or DANE is not in force (RFC 7672 §2.2).
check_tlsa()
{
	local domain=$1 mx=$2 kind=$3 zone=$4 cd=$5 pref host rest used stale
	while IFS=/ read -r pref host rest; do
		ask "$LAB_RESOLVER" "_25._tcp.$host" TLSA ${cd:+"$cd"}
		case $kind in
		-) tap_is "_25._tcp.$host: no TLSA" "$(last_count)" 0 ;;
		match)
			used=$(key_hash "$LAB_STATE/pki/$host.key")
			tap_is "_25._tcp.$host: TLSA matches $host.key" "$Q_RDATA" "3 1 1 $used"
			;;
		stale)
			used=$(key_hash "$LAB_STATE/pki/$host.key")
			stale=$(key_hash "$LAB_STATE/pki/$host.stale.key")
			tap_is "_25._tcp.$host: TLSA matches $host.stale.key" "$Q_RDATA" "3 1 1 $stale"
			# Only meaningful if the MX's own key is there to compare with.
			tap_like "$host.key is readable" "$used" '^[0-9a-f]{64}$'
			tap_check "_25._tcp.$host: TLSA does not match $host.key" \
				test "$Q_RDATA" != "3 1 1 $used"
			;;
		ta)
			used=$(key_hash "$LAB_STATE/pki/intermediate.key")
			tap_is "_25._tcp.$host: TLSA 2 1 1 of the lab intermediate" "$Q_RDATA" \
				"2 1 1 $used"
			;;
		*) tap_result 1 "$domain: unknown tlsa kind '$kind'" ;;
		esac
		if [ "$kind" != - ] && [ "$zone" != bogus ]; then
			tap_is "_25._tcp.$host: AD as the zone is $zone" "$(last_ad)" \
				"$([ "$zone" = signed ] && echo yes || echo no)"
		fi
	done < <(mx_entries "$mx")
}

check_scenario()
{
	local domain=$1 zone=$2 mx=$3 sts=$4 policy=$5 rpt=$6 tlsa=$7 cd=
	# The bogus zone's data is only reachable with checking disabled.
	[ "$zone" != bogus ] || cd=+cd
	check_validation "$domain" "$zone"
	check_delegation "$domain" "$zone"
	check_mx "$domain" "$mx" "$cd"
	check_sts "$domain" "$sts" "$policy" "$cd"
	check_rpt "$domain" "$rpt" "$cd"
	check_tlsa "$domain" "$mx" "$tlsa" "$zone" "$cd"
}

main()
{
	local domain zone mx sts policy rpt tlsa
	ask "$LAB_RESOLVER" "$LAB_PARENT." SOA
	# Without a resolver every query would wait for its timeout: stop at once instead.
	if [ "$Q_STATUS" = TIMEOUT ]; then
		echo "Bail out! resolver $LAB_RESOLVER in namespace $LAB_NS does not answer"
		exit 1
	fi
	tap_is "$LAB_PARENT.: resolver validates the parent from its trust anchor" \
		"$Q_STATUS $(last_ad)" "NOERROR yes"
	while IFS=$'\t' read -r domain zone mx sts policy rpt tlsa _; do
		check_scenario "$domain" "$zone" "$mx" "$sts" "$policy" "$rpt" "$tlsa"
	done < <(scenario_lines)
	tap_done
}

main "$@"
