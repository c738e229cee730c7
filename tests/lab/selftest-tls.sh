#!/bin/bash
# Self-test of the lab's MX listeners and MTA-STS policy hosts (TAP on stdout, via tap.sh).
#
# For every MX address and every policy host of scenarios.tsv it checks, by address and never by
# DNS, that the server shows exactly the fault its scenario promises: each scenario has at least
# one assertion that fails if its fault is missing (and the healthy ones assert being healthy).
# States before and after "lab rotate" both pass; the rotated items say which one they saw.
#
# All probes run in parallel first (each writes a file under a temporary directory), then the
# assertions read those files in table order, so the TAP numbering stays stable.

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
source "$LAB_DIR/lab.env"
# shellcheck source=tap.sh
source "$LAB_DIR/tap.sh"
# shellcheck source=pki/scenarios.sh
source "$LAB_DIR/pki/scenarios.sh"

# Every probe must originate inside the lab namespace: re-run this script there.
if [ "$(ip netns identify $$ 2>/dev/null)" != "$LAB_NS" ]; then
	exec ip netns exec "$LAB_NS" bash "${BASH_SOURCE[0]}" "$@"
fi

ROOT=$LAB_RUN/pki/root.pem
KEYS=$LAB_STATE/pki
CERTS=$LAB_RUN/pki
POLICY_PATH=.well-known/mta-sts.txt
# Must match web.sh.
REDIRECT_TO=https://mta-sts.healthy.test/$POLICY_PATH
CRLF_DOMAIN=healthy.test
# What the tls10 profile needs from a client: TLS 1.1 and OpenSSL 3's SHA-1 handshake signatures.
LEGACY=(-tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')
# An RSA-only client: it offers no ECDSA signature algorithm, so a dual-stack server must answer
# with its RSA certificate.
RSA_ONLY=(-sigalgs 'rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pkcs1_sha256')
# How long the tarpit must stay silent.
SILENCE_SECONDS=2

NOW=$(date -u +%s)
PROBES=$(mktemp -d)
trap 'rm -rf "$PROBES"' EXIT

endpoint()
{
	case $1 in
	*:*) printf '[%s]:25' "$1" ;;
	*) printf '%s:25' "$1" ;;
	esac
}

# ---- probes (run in the background; each writes $PROBES/NAME) ----

# STARTTLS session verifying HOST against the lab root; SNI is HOST, or none when SNI is "-".
#   probe_tls NAME ADDRESS HOST SNI [s_client args...]
probe_tls()
{
	local name=$1 address=$2 host=$3
	local -a sni=(-servername "$host")
	[ "$4" = - ] && sni=(-noservername)
	shift 4
	timeout 8 openssl s_client -starttls smtp -connect "$(endpoint "$address")" \
		"${sni[@]}" -verify_hostname "$host" -CAfile "$ROOT" "$@" \
		</dev/null >"$PROBES/$name" 2>&1 || true
	summarize_tls "$PROBES/$name"
}

# Banner and EHLO reply, in plain text.
# shellcheck disable=SC2016 # the inner script expands its own arguments
probe_ehlo()
{
	local name=$1 address=$2
	timeout 6 bash -c '
		exec 3<>"/dev/tcp/$1/25" || exit 1
		IFS= read -r -t 3 line <&3 && printf "%s\n" "$line"
		printf "EHLO selftest.lab.test\r\n" >&3
		while IFS= read -r -t 3 line <&3; do
			printf "%s\n" "$line"
			[[ $line == 250\ * ]] && break
		done
		printf "QUIT\r\n" >&3
	' _ "$address" >"$PROBES/$name" 2>&1 || true
}

# Connects, then counts the bytes that arrive within SILENCE_SECONDS.
# shellcheck disable=SC2016 # the inner script expands its own arguments
probe_silence()
{
	local name=$1 address=$2
	timeout $((SILENCE_SECONDS + 3)) bash -c '
		exec 3<>"/dev/tcp/$1/25" || exit 1
		echo connected
		echo "bytes $(timeout "$2" cat <&3 | wc -c)"
	' _ "$address" "$SILENCE_SECONDS" >"$PROBES/$name" 2>&1 || true
}

# Fetches the policy of DOMAIN from $LAB_WEB, never following redirects; NAME.meta gets the curl
# exit code, status, Content-Type and redirect target, NAME.body the body, NAME.err curl's error.
probe_https()
{
	local name=$1 domain=$2 rc
	shift 2
	curl -sS --max-time 5 --resolve "mta-sts.$domain:443:$LAB_WEB" --cacert "$ROOT" "$@" \
		-o "$PROBES/$name.body" -w '%{http_code}\n%{content_type}\n%{redirect_url}\n' \
		"https://mta-sts.$domain/$POLICY_PATH" >"$PROBES/$name.meta" 2>"$PROBES/$name.err" &&
		rc=0 || rc=$?
	echo "$rc" >>"$PROBES/$name.meta"
	touch "$PROBES/$name.body"
}

start_mx_probes()
{
	local domain=$1 host=$2 address=$3 profile=$4 id=$2@$3
	case $profile in
	tarpit) probe_silence "$id.silence" "$address" & ;;
	nostarttls) probe_ehlo "$id.ehlo" "$address" & ;;
	*)
		# A modern client and a TLS 1.1 one: the tls10 profile must accept only the second,
		# every other listener only the first. The RSA-only client tells "dual" from the rest.
		probe_tls "$id.tls" "$address" "$host" "$host" &
		probe_tls "$id.legacy" "$address" "$host" "$host" "${LEGACY[@]}" &
		[ "$profile" = tls10 ] && return 0
		# Without SNI a listener must still present its own host's chain.
		probe_tls "$id.nosni" "$address" "$host" - &
		probe_tls "$id.rsa" "$address" "$host" "$host" "${RSA_ONLY[@]}" &
		;;
	esac
	return 0
}

start_probes()
{
	local domain host v4 v6 profile policy tlsa hosts address
	while read -r domain host v4 v6 profile policy tlsa; do
		for address in $v4 $v6; do
			[ "$address" = - ] || start_mx_probes "$domain" "$host" "$address" "$profile"
		done
		case $profile in
		tarpit | nostarttls) ;;
		*) summarize_keys "$host" & ;;
		esac
	done < <(lab_mx_rows)
	while read -r domain policy hosts; do
		probe_https "$domain" "$domain" &
		[ "$policy" = cert-expired ] && probe_https "$domain.insecure" "$domain" -k &
	done < <(lab_policy_rows)
	probe_https unknown-sni unknown.test &
	wait
}

# ---- facts extracted from each s_client transcript ----
#
# The expensive parsing (an openssl call per leaf) happens right after each probe, in parallel;
# the assertions then only read NAME.facts, one "key=value" per line.

# The negotiated protocol, or nothing when the handshake failed. "New, V, Cipher is C" tells
# success, but V is the cipher's version (TLSv1.0 for a CBC suite used over TLS 1.1), so below
# TLS 1.3 the session's "Protocol" line is read instead; for TLS 1.3 that line only appears if a
# session ticket arrived before s_client quit, while its ciphers exist in TLS 1.3 alone.
transcript_protocol()
{
	local new
	new=$(sed -n 's/^New, \(TLSv[0-9.]*\), Cipher is .*/\1/p' "$1" | head -n 1)
	case $new in
	'') ;;
	TLSv1.3) echo TLSv1.3 ;;
	*) sed -n 's/^ *Protocol *: \(TLSv[0-9.]*\)$/\1/p' "$1" | head -n 1 ;;
	esac
}

# A public key as one line (PEM body without armour), so facts stay one per line.
one_line_key()
{
	grep -v -- '-----' | tr -d '\n'
}

# Writes FILE.facts from the s_client transcript FILE. The leaf is the first PEM block of the
# transcript; one "openssl x509 -text -pubkey" call gives all its facts (each openssl start costs
# tens of milliseconds, and there are over a hundred probes); "end" is its notAfter in seconds
# since the epoch.
summarize_tls()
{
	local raw=$1 text end
	{
		# First occurrence: the handshake's result (the session block repeats it).
		echo "verify=$(sed -n 's/^ *Verify return code: \([0-9]*\).*/\1/p' "$raw" | head -n 1)"
		echo "protocol=$(transcript_protocol "$raw")"
		echo "chain=$(grep -c '^ *[0-9][0-9]* s:' "$raw" || true)"
		grep -q -- '-----BEGIN CERTIFICATE-----' "$raw" || return 0
		text=$(openssl x509 -in "$raw" -noout -text -pubkey)
		echo "pubkey=$(sed -n '/-----BEGIN PUBLIC KEY-----/,$p' <<<"$text" | one_line_key)"
		echo "san=$(sed -n '/X509v3 Subject Alternative Name:/{n;s/^ *//;p;q}' <<<"$text")"
		echo "keyalg=$(sed -n 's/^ *Public Key Algorithm: //p' <<<"$text" | head -n 1)"
		end=$(sed -n 's/^ *Not After *: //p' <<<"$text")
		echo "end=$(date -u -d "$end" +%s)"
	} >"$raw.facts"
}

# Writes the one-line public keys of HOST's key files and of its current chain's leaf, for the
# "which key is served" assertions.
summarize_keys()
{
	local host=$1 key
	for key in "$host.key" "$host.next.key"; do
		[ -e "$KEYS/$key" ] || continue
		openssl pkey -in "$KEYS/$key" -pubout | one_line_key >"$PROBES/pub.$key"
	done
	openssl x509 -in "$CERTS/$host.pem" -noout -pubkey | one_line_key >"$PROBES/pub.$host.pem"
}

# fact PROBE KEY: the value of KEY in PROBE's facts (empty when absent).
fact()
{
	local k v
	[ -f "$PROBES/$1.facts" ] || return 0
	while IFS='=' read -r k v; do
		[ "$k" = "$2" ] && { printf '%s' "$v"; return 0; }
	done <"$PROBES/$1.facts"
}

verify_code() { fact "$1" verify; }
protocol() { fact "$1" protocol; }
san() { fact "$1" san; }
key_algorithm() { fact "$1" keyalg; }
chain_length() { fact "$1" chain; }
served_key() { fact "$1" pubkey; }

# Whole hours from now until the leaf's notAfter (negative once expired; "none" without a leaf).
hours_left()
{
	local end
	end=$(fact "$1" end)
	[ -n "$end" ] || { echo none; return 0; }
	echo $(((end - NOW) / 3600))
}

# The one-line public key of key file NAME (e.g. mx.a.test.key) or chain NAME.pem.
pub()
{
	cat "$PROBES/pub.$1" 2>/dev/null || true
}

# Is VALUE within [LOW, HIGH]? (integers; "none" is never within)
within()
{
	[[ $1 =~ ^-?[0-9]+$ ]] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

# ---- assertions per MX address ----

# The key a healthy listener must serve: H.key (TLSA "match" is computed from it), or for a
# "rotate" host after "lab rotate", H.next.key. Prints the key file's name.
expected_key()
{
	local host=$1 profile=$2
	if [ "$profile" = rotate ] && [ "$(pub "$host.next.key")" = "$(pub "$host.pem")" ]; then
		echo "$host.next.key"
	else
		echo "$host.key"
	fi
}

# Verify code, hours left: the "CA-issued, right name" profiles differ only in these.
check_issued()
{
	local id=$1 what=$2 low=$3 high=$4
	tap_is "$what: chain verifies for the MX name" "$(verify_code "$id.tls")" 0
	local h
	h=$(hours_left "$id.tls")
	tap_check "$what: leaf expires in $low..$high hours (got $h)" within "$h" "$low" "$high"
}

check_tls_common()
{
	local id=$1 what=$2 host=$3 profile=$4 key
	tap_like "$what: STARTTLS handshake at TLS 1.2+" "$(protocol "$id.tls")" '^TLSv1\.[23]$'
	tap_is "$what: TLS 1.1 refused" "$(protocol "$id.legacy")" ""
	key=$(expected_key "$host" "$profile")
	tap_is "$what: serves the key of $key" "$(served_key "$id.tls")" "$(pub "$key")"
	tap_is "$what: same key without SNI" "$(served_key "$id.nosni")" "$(pub "$key")"
}

check_mx()
{
	local domain=$1 host=$2 address=$3 profile=$4
	local id=$host@$address what="$host [$address] $profile" rest
	case $profile in
	tarpit)
		tap_is "$what: accepts TCP and sends nothing for ${SILENCE_SECONDS}s" \
			"$(tr '\n' ' ' <"$PROBES/$id.silence")" "connected bytes 0 "
		return 0
		;;
	nostarttls)
		tap_like "$what: greets" "$(head -n 1 "$PROBES/$id.ehlo")" '^220 '
		tap_like "$what: answers EHLO" "$(tail -n 1 "$PROBES/$id.ehlo")" '^250 '
		# shellcheck disable=SC2016 # the inner script expands its own arguments
		tap_check "$what: EHLO reply lacks STARTTLS" \
			bash -c '! grep -qiE "^250[- ]STARTTLS" "$1"' _ "$PROBES/$id.ehlo"
		return 0
		;;
	tls10)
		tap_is "$what: TLS 1.2+ refused" "$(protocol "$id.tls")" ""
		tap_is "$what: TLS 1.1 accepted" "$(protocol "$id.legacy")" TLSv1.1
		tap_is "$what: chain verifies over TLS 1.1" "$(verify_code "$id.legacy")" 0
		tap_is "$what: serves the key of $host.key" "$(served_key "$id.legacy")" \
			"$(pub "$host.key")"
		return 0
		;;
	esac

	check_tls_common "$id" "$what" "$host" "$profile"
	case $profile in
	ok | rotate | exp20d | exp10d | exp3d | expired | selfsigned | dual)
		tap_is "$what: SAN is the MX name only" "$(san "$id.tls")" "DNS:$host"
		;;
	esac
	# Only "dual" holds an RSA certificate; every other listener fails an RSA-only client.
	[ "$profile" = dual ] ||
		tap_is "$what: no RSA certificate for an RSA-only client" "$(protocol "$id.rsa")" ""
	case $profile in
	ok | rotate) check_issued "$id" "$what" $((89 * 24)) $((90 * 24)) ;;
	exp20d) check_issued "$id" "$what" $((19 * 24)) $((20 * 24)) ;;
	exp10d) check_issued "$id" "$what" $((9 * 24)) $((10 * 24)) ;;
	exp3d) check_issued "$id" "$what" $((2 * 24)) $((3 * 24)) ;;
	expired)
		tap_is "$what: verification fails as expired (X509 error 10)" \
			"$(verify_code "$id.tls")" 10
		tap_check "$what: expired about 5 days ago" \
			within "$(hours_left "$id.tls")" $((-5 * 24 - 1)) $((-4 * 24))
		;;
	wrongname)
		tap_is "$what: SAN names another host" "$(san "$id.tls")" DNS:mx.elsewhere.test
		tap_is "$what: name mismatch (X509 error 62)" "$(verify_code "$id.tls")" 62
		;;
	selfsigned)
		tap_is "$what: self-signed (X509 error 18)" "$(verify_code "$id.tls")" 18
		tap_is "$what: no chain sent" "$(chain_length "$id.tls")" 1
		;;
	wildcard)
		tap_is "$what: SAN is the wildcard only" "$(san "$id.tls")" "DNS:*.$domain"
		# RFC 6125 §6.4.3: "*" covers exactly one label, so only a direct child matches.
		rest=${host%".$domain"}
		if [[ $rest == *.* ]]; then
			tap_is "$what: wildcard does not cover the name (X509 error 62)" \
				"$(verify_code "$id.tls")" 62
		else
			tap_is "$what: wildcard covers the name" "$(verify_code "$id.tls")" 0
		fi
		;;
	dual)
		check_issued "$id" "$what" $((89 * 24)) $((90 * 24))
		tap_is "$what: default leaf is ECDSA" "$(key_algorithm "$id.tls")" id-ecPublicKey
		tap_is "$what: RSA-only client gets an RSA leaf" "$(key_algorithm "$id.rsa")" rsaEncryption
		tap_is "$what: RSA chain verifies" "$(verify_code "$id.rsa")" 0
		tap_check "$what: RSA leaf expires in 2..3 days" \
			within "$(hours_left "$id.rsa")" $((2 * 24)) $((3 * 24))
		;;
	*) tap_is "$what: known profile" "$profile" "(one of scenarios.tsv's profiles)" ;;
	esac
	return 0
}

# ---- assertions per policy host ----

meta()
{
	sed -n "${2}p" "$PROBES/$1.meta"
}

# The policy body's value of KEY (first occurrence), with any CR removed.
field()
{
	tr -d '\r' <"$PROBES/$1.body" | sed -n "s/^$2: //p" | head -n 1
}

mx_lines()
{
	tr -d '\r' <"$PROBES/$1.body" | sed -n 's/^mx: //p' | paste -sd ' '
}

# A policy a sender would accept apart from the scenario's one fault: status 200, STSv1, mode,
# mx list, max_age.
check_policy_body()
{
	local d=$1 mode=$2 mx=$3 max_age=$4 what="mta-sts.$1"
	tap_is "$what: fetched with a valid certificate" "$(meta "$d" 4)" 0
	tap_is "$what: status 200" "$(meta "$d" 1)" 200
	tap_is "$what: version" "$(field "$d" version)" STSv1
	tap_is "$what: mode" "$(field "$d" mode)" "$mode"
	tap_is "$what: mx lines" "$(mx_lines "$d")" "$mx"
	tap_like "$what: max_age" "$(field "$d" max_age)" "^($max_age)\$"
}

check_line_ends()
{
	local d=$1 crs lines
	crs=$(tr -cd '\r' <"$PROBES/$d.body" | wc -c)
	lines=$(wc -l <"$PROBES/$d.body")
	if [ "$d" = "$CRLF_DOMAIN" ]; then
		tap_is "mta-sts.$d: CRLF line ends" "$crs" "$lines"
	else
		tap_is "mta-sts.$d: LF line ends" "$crs" 0
	fi
}

check_policy()
{
	local d=$1 policy=$2 hosts=$3 what="mta-sts.$1 $2"
	case $policy in
	404)
		tap_is "$what: status 404" "$(meta "$d" 1)" 404
		return 0
		;;
	redirect)
		tap_is "$what: status 301" "$(meta "$d" 1)" 301
		tap_is "$what: redirect target" "$(meta "$d" 3)" "$REDIRECT_TO"
		return 0
		;;
	cert-expired)
		tap_is "$what: verified fetch fails (curl 60)" "$(meta "$d" 4)" 60
		tap_like "$what: because the certificate expired" "$(cat "$PROBES/$d.err")" expired
		tap_is "$what: policy behind it is valid" "$(field "$d.insecure" mode)" enforce
		tap_is "$what: status 200 without verification" "$(meta "$d.insecure" 1)" 200
		return 0
		;;
	esac
	case $policy in
	enforce) check_policy_body "$d" enforce "$hosts" 1209600 ;;
	testing) check_policy_body "$d" testing "$hosts" 1209600 ;;
	syntax) check_policy_body "$d" Enforce "$hosts" 1209600 ;;
	ctype) check_policy_body "$d" enforce "$hosts" 1209600 ;;
	mx-missing) check_policy_body "$d" enforce "${hosts%% *}" 1209600 ;;
	maxage) check_policy_body "$d" enforce "$hosts" 99999999 ;;
	rotate)
		check_policy_body "$d" enforce "$hosts" '1209600|604800'
		local state=before
		[ "$(field "$d" max_age)" = 604800 ] && state=after
		echo "# $what: served the policy of $state \"lab rotate\""
		;;
	*) tap_is "$what: known policy kind" "$policy" "(one of scenarios.tsv's kinds)" ;;
	esac
	if [ "$policy" = ctype ]; then
		tap_is "$what: Content-Type" "$(meta "$d" 2)" text/html
	else
		tap_is "$what: Content-Type" "$(meta "$d" 2)" text/plain
	fi
	check_line_ends "$d"
	return 0
}

run_checks()
{
	local domain host v4 v6 profile policy tlsa hosts address
	while read -r domain host v4 v6 profile policy tlsa; do
		for address in $v4 $v6; do
			[ "$address" = - ] || check_mx "$domain" "$host" "$address" "$profile"
		done
	done < <(lab_mx_rows)
	while read -r domain policy hosts; do
		check_policy "$domain" "$policy" "$hosts"
	done < <(lab_policy_rows)
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	tap_check "unknown SNI on $LAB_WEB:443 gets no certificate" \
		bash -c '[ "$(tail -n 1 "$1")" != 0 ]' _ "$PROBES/unknown-sni.meta"
}

start_probes
run_checks
tap_done
