# "mxsentry check" against the lab (sourced by lab.sh while the lab is up; bash, TAP through
# tests/lab/tap.sh). Every scenario of tests/lab/scenarios.tsv must yield exactly its expected
# finding codes, severity and Nagios exit status, as tests/lab/README.md states them.

# The lab has no root zone: its resolver holds a trust anchor for "test." only, so that is the
# name whose SOA must come back with AD before DANE is judged.
CHECK_FLAGS=(-r 127.53.0.1 --ca-bundle /run/mxsentry-lab/pki/root.pem --ehlo monitor.lab.test
	-t 5s --sessions 16 --dnssec-probe test.)

status_number()
{
	case $1 in
	OK) echo 0 ;;
	WARNING) echo 1 ;;
	CRITICAL) echo 2 ;;
	UNKNOWN) echo 3 ;;
	esac
}

# Print "domain|codes|severity" for every scenario: the codes (space-joined, sorted; "-" for
# none) and the worst severity a correct agent reports. Most scenarios have one main code (column
# 8); where one fault shows in several checks, the table below lists them all.
expected_check_results()
{
	local domain zone tlsa expect sev code single
	while IFS=$'\t' read -r domain zone _ _ _ _ tlsa expect; do
		sev=${expect%% *}
		code=$(echo "$expect" | awk '{ print $2 }')
		# A secure TLSA record that matches, alone: no next key pre-published (DANE-ROT-03),
		# said as an OK finding; the domain stays OK.
		single=
		if [ "$zone" = signed ] && { [ "$tlsa" = match ] || [ "$tlsa" = ta ]; }; then
			single=dane.tlsa.single
		fi
		case $domain in
		dnssec-bogus.test)
			# Every lookup in the zone SERVFAILs: the MX (mail is deferred) and the
			# MTA-STS and TLS-RPT records; dane_tlsa reports the bogus DNSSEC itself.
			echo "$domain|dns.dnssec-bogus dns.mx-lookup rpt.txt.lookup sts.txt.lookup|CRITICAL"
			;;
		sts-cert-expired.test)
			# The policy host's certificate fails the fetch and is expired.
			echo "$domain|cert.expired sts.policy.tls|CRITICAL"
			;;
		*)
			if [ "$code" = - ] && [ -n "$single" ]; then
				echo "$domain|$single|OK"
			elif [ "$code" = - ]; then
				echo "$domain|-|OK"
			else
				echo "$domain|$code|$sev"
			fi
			;;
		esac
	done < <(grep -v '^#' "$top_srcdir/tests/lab/scenarios.tsv")
}

lab_check_tests()
{
	local json domains domain codes sev got_codes got_sev rc tarpit_ms slowest
	domains=$(awk -F'\t' '!/^#/ && NF { print $1 }' "$top_srcdir/tests/lab/scenarios.tsv")

	# One run over every scenario domain at once: the engine's concurrency under test.
	# shellcheck disable=SC2086 # one word per domain
	json=$("$lab" exec "$MXSENTRY" check --json "${CHECK_FLAGS[@]}" $domains 2>"$log")
	rc=$?
	tap_check "check --json over all $(echo "$domains" | wc -l) lab domains gives a JSON document" \
		jq -e '.version == 1 and (.domains | length) > 0' <<<"$json"
	tap_is "... and exits CRITICAL (the lab is full of faults)" "$rc" 2

	while IFS="|" read -r domain codes sev; do
		got_codes=$(jq -r --arg d "$domain" '.domains[] | select(.domain == $d) |
			[.findings[].code] | unique | if length == 0 then "-" else join(" ") end' \
			<<<"$json")
		got_sev=$(jq -r --arg d "$domain" '.domains[] | select(.domain == $d) | .status' \
			<<<"$json")
		tap_is "$domain: finding codes $codes" "$got_codes" "$codes"
		tap_is "$domain: status $sev" "$got_sev" "$sev"
	done < <(expected_check_results)

	# The tarpit costs one greeting deadline to its own domain, not to the others.
	tarpit_ms=$(jq '.domains[] | select(.domain == "tarpit.test") | .duration_ms' <<<"$json")
	slowest=$(jq '[.domains[] | select(.domain != "tarpit.test") | .duration_ms] | max' \
		<<<"$json")
	tap_check "tarpit.test waited for its greeting deadline (${tarpit_ms} ms >= 5000)" \
		test "${tarpit_ms:-0}" -ge 5000
	tap_check "no other domain waited for it (slowest ${slowest} ms < 5000)" \
		test "${slowest:-99999}" -lt 5000

	# The RSA certificate behind the ECDSA one was found by its own probe.
	tap_is "cert-dual.test: the expiring certificate is the RSA one" \
		"$(jq -r '.domains[] | select(.domain == "cert-dual.test") | .findings[0].alg' \
			<<<"$json")" RSA

	# Nagios conventions, one domain per run as Nagios calls it: every scenario with a finding,
	# and the healthy domain.
	while IFS="|" read -r domain codes sev; do
		"$lab" exec "$MXSENTRY" check --nagios "${CHECK_FLAGS[@]}" "$domain" >"$log" 2>&1
		rc=$?
		tap_is "$domain: --nagios exit status $(status_number "$sev")" "$rc" \
			"$(status_number "$sev")"
		tap_like "$domain: --nagios status line" "$(head -n 1 "$log")" "^MXSENTRY $sev - "
	done < <(expected_check_results | grep -v '|-|OK$'; expected_check_results | grep '^healthy')
	tap_like "perfdata carries days left with Nagios ranges (alert below 30:, 14:)" \
		"$("$lab" exec "$MXSENTRY" check --nagios "${CHECK_FLAGS[@]}" cert-20d.test 2>&1)" \
		"'[^']*_leaf_days'=(19|20);30:;14:"

	# UNKNOWN, not CRITICAL, when mxsentry itself cannot tell.
	"$lab" exec "$MXSENTRY" check --nagios -r 127.53.0.99 -t 1s healthy.test >"$log" 2>&1
	tap_is "a resolver that does not answer gives UNKNOWN (3)" "$?" 3
	tap_like "... saying so" "$(cat "$log")" 'resolver.*does not answer'
	"$lab" exec "$MXSENTRY" check --nagios --warning 5 --critical 9 healthy.test >"$log" 2>&1
	tap_is "critical above warning is a usage error: UNKNOWN (3)" "$?" 3
}
