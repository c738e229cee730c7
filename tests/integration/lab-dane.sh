# shellcheck shell=bash
# "mxsentry dane-check" against the lab (sourced by lab.sh, which brought the lab up): the gate
# of a certificate rotation under DANE (RFC 7672 §4, RFC 7671 §8.1), on rotate-sts.test, whose
# zone is signed and whose single MX has a matching 3 1 1 record.
#
#  1. the current certificate matches, but the gate has never seen the record: wait (2 x 60 s);
#  2. the record published again with a TTL of 2 s: after 2 x 2 s, yes;
#  3. a certificate with a fresh key matches nothing: no, and the record to publish is printed;
#  4. that output of "mxsentry tlsa", published into the zone with "lab tlsa": wait, then yes;
#     and the current certificate still says yes (both records are published).
# The lab's resolver caches for at most 5 s (dns/conf.sh): each change is given 6 s to show.

dane_gate()
{
	run "$lab" exec "$MXSENTRY" dane-check rotate-sts.test --cert "$1" -r 127.53.0.1 \
		--dnssec-probe test. --state-dir "$gate_state"
}

# A leaf certificate for mx.rotate-sts.test with a key of its own, from the lab's intermediate.
fresh_leaf()
{
	local dir=$1 pki=/run/mxsentry-lab/pki
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/new.key" \
		-subj /CN=mx.rotate-sts.test -out "$dir/new.csr" 2>/dev/null &&
		printf 'subjectAltName=DNS:mx.rotate-sts.test\nbasicConstraints=CA:FALSE\n' \
			>"$dir/ext" &&
		openssl x509 -req -in "$dir/new.csr" -CA "$pki/intermediate.pem" \
			-CAkey /var/lib/mxsentry-lab/pki/intermediate.key -CAcreateserial \
			-days 60 -extfile "$dir/ext" -out "$dir/leaf.pem" 2>/dev/null &&
		cat "$dir/leaf.pem" "$pki/intermediate.pem" >"$dir/new.pem"
}

lab_dane_tests()
{
	local cur=/run/mxsentry-lab/pki/mx.rotate-sts.test.pem rec_cur rec_new
	gate_state=$(mktemp -d)
	gate_dir=$(mktemp -d)

	dane_gate "$cur"
	tap_is "dane-check: the current certificate, first sighting of its record: wait" "$RC" 1
	tap_like "... until twice the record's TTL has passed" "$OUT" "twice the TTL of 60 s"

	rec_cur=$("$MXSENTRY" tlsa "$cur" | head -n 1)
	"$lab" tlsa mx.rotate-sts.test 2 "$rec_cur"
	tap_is "lab tlsa publishes the record with a TTL of 2 s" \
		"$("$lab" exec kdig +short @127.53.0.10 _25._tcp.mx.rotate-sts.test TLSA |
			tr 'A-F' 'a-f')" "$rec_cur"
	sleep 6
	dane_gate "$cur"
	tap_is "dane-check: the current certificate, served for 2 x 2 s: yes" "$RC" 0
	tap_like "... naming the record that matches" "$OUT" "yes: $rec_cur matches"

	if fresh_leaf "$gate_dir"; then
		tap_result 0 "a leaf with a fresh key, from the lab's intermediate"
	else
		tap_result 1 "a leaf with a fresh key, from the lab's intermediate"
	fi
	rec_new=$("$MXSENTRY" tlsa "$gate_dir/leaf.pem")
	dane_gate "$gate_dir/new.pem"
	tap_is "dane-check: a fresh key matches no published record: no" "$RC" 2
	tap_like "... and prints the record to publish" "$OUT" \
		"_25._tcp.mx.rotate-sts.test. IN TLSA $rec_new"

	# The command's own output goes into the zone, beside the current record.
	"$lab" tlsa mx.rotate-sts.test 2 "$rec_cur" "$rec_new"
	sleep 6
	dane_gate "$gate_dir/new.pem"
	tap_is "dane-check: the fresh key's record just published: wait" "$RC" 1
	sleep 5
	dane_gate "$gate_dir/new.pem"
	tap_is "dane-check: the fresh key's record served for 2 x 2 s: yes" "$RC" 0
	dane_gate "$cur"
	tap_is "dane-check: the current certificate still matches its record: yes" "$RC" 0

	run "$lab" exec "$MXSENTRY" dane-check rotate-sts.test --cert "$gate_dir/new.pem" \
		-r 127.53.0.1 --state-dir "$gate_state"
	tap_is "dane-check: a resolver not shown to validate (no AD on the root): could not tell" \
		"$RC" 3
	rm -rf "$gate_state" "$gate_dir"
}
