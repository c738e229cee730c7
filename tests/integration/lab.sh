#!/bin/bash
# The lab as part of "make check" (TAP): bring it up, check that every scenario presents what
# tests/lab/README.md says (the lab's own self-test: kdig, openssl, curl against the real
# servers), check that mxsentry accepts the lab's configuration from inside the namespace, then
# tear the lab down — also when something failed or the test is interrupted.
#
# Needs root (network namespaces, port 25) and the lab's Debian packages; without them the whole
# test is skipped, saying why. MXS_LAB=skip skips it on purpose (e.g. for a quick "make check").
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab-check.sh"
. "$(dirname "$0")/lab-dane.sh"
. "$(dirname "$0")/lab-daemon.sh"
. "$(dirname "$0")/lab-alerts.sh"
. "$(dirname "$0")/lab-reports.sh"
lab=$top_srcdir/tests/lab/lab

skip()
{
	echo "1..0 # SKIP $*"
	exit 0
}

[ "${MXS_LAB:-}" != skip ] || skip "MXS_LAB=skip"
[ "$(id -u)" = 0 ] || skip "the lab needs root (network namespaces, port 25)"
for tool in ip knotd unbound postfix nginx kdig openssl curl rsyslogd prometheus-alertmanager; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
		skip "$tool is not installed (tools/install-deps installs the lab's packages)"
done

log=$(mktemp)
trap '"$lab" down >/dev/null 2>&1; rm -f "$log"' EXIT INT TERM

if "$lab" up >"$log" 2>&1; then
	tap_result 0 "lab up"
else
	tap_result 1 "lab up"
	tail -n 40 "$log" | tap_diag
	tap_done
	exit 1
fi

# The self-test's own TAP, renumbered into this stream.
while IFS= read -r line; do
	case $line in
	"ok "*) tap_result 0 "${line#ok * - }" ;;
	"not ok "*) tap_result 1 "${line#not ok * - }" ;;
	1..*) ;;
	*) printf '%s\n' "$line" ;;
	esac
done < <("$lab" selftest 2>&1)

# The configuration shipped for the lab names exactly the scenario domains.
scen=$(awk -F'\t' '!/^#/ && NF { print $1 }' "$top_srcdir/tests/lab/scenarios.tsv" | sort)
conf=$(grep -o '{ name = "[^"]*"' "$top_srcdir/tests/lab/mxsentry-lab.conf" | cut -d'"' -f2 | sort)
tap_is "mxsentry-lab.conf lists every scenario domain" "$conf" "$scen"

# tests/lab/README.md documents every scenario in its table.
missing=
for d in $scen; do
	grep -q "^| \`$d\`" "$top_srcdir/tests/lab/README.md" || missing="$missing $d"
done
tap_is "tests/lab/README.md has a row for every scenario" "${missing:-none}" none

run "$lab" exec "$MXSENTRY" config check "$top_srcdir/tests/lab/mxsentry-lab.conf"
tap_is "mxsentry accepts the lab configuration inside the lab" "$RC" 0
tap_like "... with every scenario domain" "$OUT" "valid: $(echo "$scen" | wc -l) domains"

lab_check_tests

# "lab rotate" changes what an agent observes between two cycles, through DNS names as a
# sender would resolve them: the policy body of rotate-sts.test changes under the same TXT id;
# the key of mx.rotate-dane.test changes while its TLSA record stays.
in_lab()
{
	"$lab" exec "$@" 2>/dev/null
}
policy()
{
	in_lab curl -sS --max-time 5 --cacert "$LAB_CA" \
		https://mta-sts.rotate-sts.test/.well-known/mta-sts.txt
}
sts_id()
{
	in_lab kdig +short _mta-sts.rotate-sts.test TXT
}
tlsa()
{
	in_lab kdig +short _25._tcp.mx.rotate-dane.test TLSA | awk '{ print tolower($4 $5) }'
}
served_spki()
{
	in_lab openssl s_client -starttls smtp -connect mx.rotate-dane.test:25 \
		-servername mx.rotate-dane.test </dev/null 2>/dev/null |
		openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum |
		cut -d' ' -f1
}
LAB_CA=/run/mxsentry-lab/pki/root.pem
# mxsentry keeps the history of the first observation (MTA-STS policies, MX keys) in a state
# directory of its own.
state=$(mktemp -d)
trap '"$lab" down >/dev/null 2>&1; rm -rf "$log" "$state"' EXIT INT TERM
# One observation of the domains given, recorded in $state: the JSON document.
observe()
{
	"$lab" exec "$MXSENTRY" check --json "${CHECK_FLAGS[@]}" --state-dir "$state" "$@" \
		2>/dev/null
}
# The finding codes of the first domain given; the others are observed (recorded) too.
codes_of()
{
	observe "$@" | jq -r '[.domains[0].findings[].code] | unique | join(" ")'
}
# Both rotate domains are observed before the rotation, so that the store has their old state.
tap_is "rotate-sts.test: nothing to say on the first observation" \
	"$(codes_of rotate-sts.test rotate-dane.test)" "dane.tlsa.single"
p0=$(policy) id0=$(sts_id) t0=$(tlsa) k0=$(served_spki)
tap_like "rotate-sts.test serves its policy by name before rotation" "$p0" 'mode: enforce'
tap_is "mx.rotate-dane.test matches its TLSA 3 1 1 before rotation" "$k0" "$t0"
if "$lab" rotate >"$log" 2>&1; then
	tap_result 0 "lab rotate"
else
	tap_result 1 "lab rotate"
	tail -n 20 "$log" | tap_diag
fi
p1=$(policy) id1=$(sts_id) t1=$(tlsa) k1=$(served_spki)
tap_check "rotate-sts.test: the policy body changed" test -n "$p1" -a "$p1" != "$p0"
tap_is "rotate-sts.test: ... under the same TXT id" "$id1" "$id0"
# STS-TXT-09: the agent notices, from its history, and says until when senders keep the old copy.
tap_is "rotate-sts.test: mxsentry reports the policy changed without a new id" \
	"$(codes_of rotate-sts.test)" "dane.tlsa.single sts.policy.changed-same-id"
# DANE-USG-06: the new key matches no TLSA record; the finding names the record to publish and,
# from the key recorded before the rotation, the cause (DANE-ROT-02).
dane=$(observe rotate-dane.test)
tap_is "rotate-dane.test: mxsentry reports the TLSA mismatch after the key change" \
	"$(jq -r '[.domains[0].findings[].code] | unique | join(" ")' <<<"$dane")" \
	"dane.tlsa.mismatch"
tap_like "rotate-dane.test: ... and says the key changed" \
	"$(jq -r '.domains[0].findings[] | select(.code == "dane.tlsa.mismatch") | .message' \
		<<<"$dane")" "changed at"
run "$lab" exec "$MXSENTRY" check "${CHECK_FLAGS[@]}" rotate-sts.test
tap_like "... and without a state directory it says the history is missing" "$ERR" \
	"MTA-STS history not available"
tap_is "rotate-dane.test: the TLSA record did not change" "$t1" "$t0"
tap_check "rotate-dane.test: the served key changed and matches no TLSA" \
	test -n "$k1" -a "$k1" != "$k0" -a "$k1" != "$t1"

lab_dane_tests
lab_daemon_tests
lab_alert_tests
lab_report_tests

if "$lab" down >"$log" 2>&1 && ! "$lab" status >/dev/null 2>&1; then
	tap_result 0 "lab down leaves nothing running"
else
	tap_result 1 "lab down leaves nothing running"
	tap_diag <"$log"
fi
tap_done
