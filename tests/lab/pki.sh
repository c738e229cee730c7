#!/bin/bash
# The lab's PKI: a root CA, an intermediate CA, and one certificate per MX host and per MTA-STS
# policy host of scenarios.tsv, each shaped by the host's scenario (expired, wrong name, ...).
#
#   pki.sh up       create missing keys, (re)issue every certificate relative to the current time
#   pki.sh rotate   re-issue the certificate of every "rotate" MX for its next key
#   pki.sh down     nothing to stop (accepted so that every part answers the same verbs)
#
# Contract with the other parts (paths relative to lab.env's directories):
#   $LAB_RUN/pki/root.pem            the lab root CA (the trust anchor of mxsentry and curl)
#   $LAB_RUN/pki/intermediate.pem    the CA that issues every leaf
#   $LAB_STATE/pki/H.key             EC P-256 key of MX host H; $LAB_RUN/pki/H.pem its chain,
#                                    leaf first then the intermediate (self-signed: leaf alone)
#   $LAB_STATE/pki/H.rsa.key, $LAB_RUN/pki/H.rsa.pem     profile "dual": the RSA key and chain
#   $LAB_STATE/pki/H.next.key        profile "rotate": the key H.pem holds after "rotate"
#   $LAB_STATE/pki/H.stale.key       TLSA "stale": a key published in DNS, never served
#   $LAB_STATE/pki/mta-sts.D.key, $LAB_RUN/pki/mta-sts.D.pem   policy host of domain D
#   $LAB_STATE/pki/R.key, $LAB_RUN/pki/R.pem   the alert relay R = $LAB_RELAY_NAME (alerts.sh):
#                                    a good certificate, like any real smarthost's
#
# Keys persist in $LAB_STATE and are never overwritten, so TLSA and DS records derived from them
# stay put across restarts (the DNS part may create a missing MX key itself). Certificates are
# re-issued on every "up" so that "expires in 10 days" is always counted from today.

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
source "$LAB_DIR/lab.env"
# shellcheck source=pki/scenarios.sh
source "$LAB_DIR/pki/scenarios.sh"

KEYS=$LAB_STATE/pki
CERTS=$LAB_RUN/pki
CA_CNF=$LAB_DIR/pki/ca.cnf
# ca.cnf reads both from the environment; LAB_SAN must be set even when unused because openssl
# expands every $ENV:: reference when it loads the file.
export LAB_CA_DB=$CERTS/ca
export LAB_SAN=DNS:unused.invalid

# One reference time for the whole run, so that every window is computed from the same instant.
NOW=$(date -u +%s)

# Prints the openssl ca time (GeneralizedTime) that lies DAYS days from NOW (negative: past).
at_day()
{
	date -u -d "@$((NOW + $1 * 86400))" +%Y%m%d%H%M%SZ
}

# Runs a command silently; shows its output only when it fails, so "up" stays quiet when healthy.
quietly()
{
	local out
	if ! out=$("$@" 2>&1); then
		printf 'pki: failed: %s\n%s\n' "$*" "$out" >&2
		return 1
	fi
}

# Creates key PATH (ALGO ec or rsa) unless it exists. The new key is written aside and moved in
# without clobbering, so a key the DNS part created meanwhile wins and is never replaced.
make_key()
{
	local path=$1 algo=$2 tmp=$1.new.$$
	[ -e "$path" ] && return 0
	case $algo in
	ec) quietly openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp" ;;
	rsa) quietly openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp" ;;
	esac
	mv -n "$tmp" "$path"
	rm -f "$tmp"
}

# Issues a certificate with "openssl ca", the only openssl 3.0 tool that takes explicit start and
# end dates (needed for honest expired and expiring-soon windows).
#   sign KEY CN SAN EXT START_DAY END_DAY OUT [selfsign]
# Signs with the intermediate, or with the root for EXT intermediate_ext; "selfsign" makes KEY
# sign its own certificate (the root). SAN may be "-" for CA certificates.
sign()
{
	local key=$1 cn=$2 san=$3 ext=$4 start=$5 end=$6 out=$7 mode=${8:-}
	local -a issuer
	case $mode/$ext in
	selfsign/*) issuer=(-selfsign -keyfile "$key") ;;
	/intermediate_ext) issuer=(-cert "$CERTS/root.pem" -keyfile "$KEYS/root.key") ;;
	*) issuer=(-cert "$CERTS/intermediate.pem" -keyfile "$KEYS/intermediate.key") ;;
	esac
	[ "$san" != - ] && LAB_SAN=$san
	quietly openssl req -new -key "$key" -subj "/CN=$cn" -out "$LAB_CA_DB/request.csr"
	quietly openssl ca -batch -notext -config "$CA_CNF" "${issuer[@]}" -extensions "$ext" \
		-startdate "$(at_day "$start")" -enddate "$(at_day "$end")" \
		-in "$LAB_CA_DB/request.csr" -out "$out"
}

# Issues a leaf from the intermediate and installs KEY's chain (leaf + intermediate) at OUT,
# replacing the old file atomically so a daemon reloading at that moment never reads half a file.
#   issue_leaf KEY CN SAN START_DAY END_DAY OUT
issue_leaf()
{
	local key=$1 cn=$2 san=$3 start=$4 end=$5 out=$6
	sign "$key" "$cn" "$san" leaf_ext "$start" "$end" "$LAB_CA_DB/leaf.pem"
	cat "$LAB_CA_DB/leaf.pem" "$CERTS/intermediate.pem" >"$out.new"
	mv -f "$out.new" "$out"
}

# Self-signed leaf for profile "selfsigned": no chain, signed by its own key.
issue_selfsigned()
{
	local key=$1 host=$2 out=$3
	quietly openssl req -x509 -new -key "$key" -subj "/CN=$host" -days 90 \
		-addext "subjectAltName=DNS:$host" -addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \
		-out "$out.new"
	mv -f "$out.new" "$out"
}

# A fresh CA database on every run: the lab never revokes, and stale index entries only get in the
# way of re-issuing the same names.
reset_ca_db()
{
	rm -rf "$LAB_CA_DB"
	mkdir -p "$LAB_CA_DB/newcerts"
	: >"$LAB_CA_DB/index.txt"
	echo 01 >"$LAB_CA_DB/serial"
}

# Root and intermediate keep their keys; their certificates are re-issued with long windows that
# started well in the past, so they never become the finding themselves.
issue_cas()
{
	make_key "$KEYS/root.key" rsa
	make_key "$KEYS/intermediate.key" rsa
	sign "$KEYS/root.key" "mxsentry lab root CA" - root_ext -400 3650 \
		"$CERTS/root.pem" selfsign
	sign "$KEYS/intermediate.key" "mxsentry lab intermediate CA" - intermediate_ext -400 1825 \
		"$CERTS/intermediate.pem"
}

# Keys and the certificate(s) of one MX host according to its profile (see scenarios.tsv).
issue_mx()
{
	local domain=$1 host=$2 profile=$3 tlsa=$4
	local key=$KEYS/$host.key out=$CERTS/$host.pem

	make_key "$key" ec
	[ "$tlsa" = stale ] && make_key "$KEYS/$host.stale.key" ec
	case $profile in
	wildcard) issue_leaf "$key" "*.$domain" "DNS:*.$domain" -1 90 "$out" ;;
	wrongname) issue_leaf "$key" mx.elsewhere.test DNS:mx.elsewhere.test -1 90 "$out" ;;
	exp20d) issue_leaf "$key" "$host" "DNS:$host" -70 20 "$out" ;;
	exp10d) issue_leaf "$key" "$host" "DNS:$host" -80 10 "$out" ;;
	exp3d) issue_leaf "$key" "$host" "DNS:$host" -87 3 "$out" ;;
	expired) issue_leaf "$key" "$host" "DNS:$host" -95 -5 "$out" ;;
	selfsigned) issue_selfsigned "$key" "$host" "$out" ;;
	dual)
		issue_leaf "$key" "$host" "DNS:$host" -1 90 "$out"
		make_key "$KEYS/$host.rsa.key" rsa
		issue_leaf "$KEYS/$host.rsa.key" "$host" "DNS:$host" -87 3 "$CERTS/$host.rsa.pem"
		;;
	rotate)
		# The next key exists from the first "up" on, so it can be pre-published if wanted.
		make_key "$KEYS/$host.next.key" ec
		issue_leaf "$key" "$host" "DNS:$host" -1 90 "$out"
		;;
	*) issue_leaf "$key" "$host" "DNS:$host" -1 90 "$out" ;;
	esac
}

# Key and certificate of the HTTPS host mta-sts.DOMAIN.
issue_policy_host()
{
	local domain=$1 policy=$2 name=mta-sts.$1
	make_key "$KEYS/$name.key" ec
	if [ "$policy" = cert-expired ]; then
		issue_leaf "$KEYS/$name.key" "$name" "DNS:$name" -95 -5 "$CERTS/$name.pem"
	else
		issue_leaf "$KEYS/$name.key" "$name" "DNS:$name" -1 90 "$CERTS/$name.pem"
	fi
}

# Key and certificate of the alert relay, valid and for its one name: the alert tests are about
# the agent's delivery, not about the relay's certificate.
issue_relay()
{
	make_key "$KEYS/$LAB_RELAY_NAME.key" ec
	issue_leaf "$KEYS/$LAB_RELAY_NAME.key" "$LAB_RELAY_NAME" "DNS:$LAB_RELAY_NAME" -1 90 \
		"$CERTS/$LAB_RELAY_NAME.pem"
}

pki_up()
{
	local domain host v4 v6 profile policy tlsa rest
	# Private keys are for root only (the daemons read them before dropping privileges).
	mkdir -p "$KEYS" "$CERTS"
	chmod 700 "$KEYS"
	chmod 755 "$CERTS"
	umask 077
	reset_ca_db
	issue_cas
	# Certificates are public; only keys stay private.
	umask 022
	while read -r domain host v4 v6 profile policy tlsa; do
		(umask 077 && issue_mx "$domain" "$host" "$profile" "$tlsa")
	done < <(lab_mx_rows)
	while read -r domain policy rest; do
		(umask 077 && issue_policy_host "$domain" "$policy")
	done < <(lab_policy_rows)
	(umask 077 && issue_relay)
}

# After this, H.pem of every "rotate" host holds a certificate for H.next.key; H.key stays on
# disk (its TLSA record is what goes stale).
pki_rotate()
{
	local domain host v4 v6 profile policy tlsa
	[ -f "$LAB_CA_DB/index.txt" ] || { echo "pki: not up, nothing to rotate" >&2; return 1; }
	while read -r domain host v4 v6 profile policy tlsa; do
		[ "$profile" = rotate ] || continue
		(umask 077 && make_key "$KEYS/$host.next.key" ec)
		issue_leaf "$KEYS/$host.next.key" "$host" "DNS:$host" -1 90 "$CERTS/$host.pem"
	done < <(lab_mx_rows)
}

case ${1:-} in
up) pki_up ;;
rotate) pki_rotate ;;
down) ;;
*)
	echo "usage: $0 up|rotate|down" >&2
	exit 2
	;;
esac
