#!/bin/bash
# The command-line contract of mxsentry and mxsentryd (TAP): help, version, exit codes, and
# "config check" reporting every error of a file with its line.
set -u
. "$(dirname "$0")/lib.sh"

conf=$top_srcdir/tests/unit/config

run "$MXSENTRY" --version
tap_is "mxsentry --version exits 0" "$RC" 0
tap_like "mxsentry --version names the version" "$OUT" '^mxsentry [0-9]+\.[0-9]+\.[0-9]+$'

run "$MXSENTRY" --help
tap_is "mxsentry --help exits 0" "$RC" 0
tap_like "mxsentry --help lists config check" "$OUT" 'config check'

run "$MXSENTRY"
tap_is "mxsentry without a command is a usage error (2)" "$RC" 2

run "$MXSENTRY" frobnicate
tap_is "an unknown command is a usage error (2)" "$RC" 2
tap_like "... and says which" "$ERR" 'unknown command "frobnicate"'

run "$MXSENTRY" config check
tap_is "config check without FILE is a usage error (2)" "$RC" 2

run "$MXSENTRY" config check "$top_srcdir/etc/mxsentry.conf.example"
tap_is "the example configuration is accepted (0)" "$RC" 0
tap_like "... with a summary" "$OUT" 'valid: 2 domains, 3 alert sinks'

run "$MXSENTRY" config check -v "$conf/minimal.conf"
tap_like "-v shows the effective defaults (30/14 days)" "$OUT" 'example\.com +checks=all cert=30d/14d every=3600s'

run "$MXSENTRY" config check "$conf/errors.conf"
tap_is "a configuration with errors is rejected (1)" "$RC" 1
tap_is "every error is on its own line, with the count last" \
	"$(printf '%s\n' "$ERR" | grep -c 'errors\.conf:[0-9]*: ')" 23
tap_like "errors carry file:line" "$ERR" 'errors\.conf:16: domains\[1\]: domain "example\.com" is listed twice'
tap_like "the count closes the report" "$(printf '%s\n' "$ERR" | tail -n 1)" '23 errors; the configuration was not accepted'

run "$MXSENTRY" config check "$conf/syntax.conf"
tap_is "a syntax error is rejected (1)" "$RC" 1
tap_like "... at its line" "$ERR" 'syntax\.conf:4: syntax error'

run "$MXSENTRY" config check /nonexistent.conf
tap_is "a missing file is rejected (1)" "$RC" 1
tap_like "... saying why" "$ERR" 'nonexistent\.conf: cannot read: No such file or directory'

# "check" follows the Nagios plugin conventions: anything that keeps it from checking is 3.
run "$MXSENTRY" check --help
tap_is "check --help exits 0" "$RC" 0
tap_like "... and documents the Nagios thresholds" "$OUT" '-w, --warning DURATION'

run "$MXSENTRY" check
tap_is "check without a domain or a file is UNKNOWN (3)" "$RC" 3
tap_like "... saying what is missing" "$ERR" 'name at least one DOMAIN'

run "$MXSENTRY" check --warning 3x example.com
tap_is "check with a bad threshold is UNKNOWN (3)" "$RC" 3
tap_like "... naming the flag and the rule" "$ERR" '--warning "3x": unknown unit'

run "$MXSENTRY" check --resolver dns.example example.com
tap_is "check with a resolver that is not an address is UNKNOWN (3)" "$RC" 3

run "$MXSENTRY" check "bad_name.example"
tap_is "check of an invalid domain name is UNKNOWN (3)" "$RC" 3
tap_like "... naming it" "$ERR" '"bad_name.example" is not a domain name'

run "$MXSENTRY" check -f "$conf/errors.conf"
tap_is "check with a broken configuration is UNKNOWN (3)" "$RC" 3
tap_like "... with file:line" "$ERR" 'errors\.conf:2: resolver'

run "$MXSENTRY" check --frobnicate example.com
tap_is "check with an unknown option is UNKNOWN (3)" "$RC" 3

run "$MXSENTRYD" --version
tap_like "mxsentryd --version" "$OUT" '^mxsentryd [0-9.]+$'

run "$MXSENTRYD" --test -c "$top_srcdir/etc/mxsentry.conf.example"
tap_is "mxsentryd --test accepts the example" "$RC" 0

run "$MXSENTRYD" -t -c "$conf/errors.conf"
tap_is "mxsentryd --test rejects errors.conf (1)" "$RC" 1
tap_like "... with file:line" "$ERR" 'errors\.conf:2: resolver'

run "$MXSENTRYD" --bogus-option
tap_is "mxsentryd with an unknown option is a usage error (2)" "$RC" 2

# "tlsa": the records of a certificate, as lib/tlsa.h computes them (vectors/dane-association.json).
certs=$top_srcdir/tests/vectors/spec/certs
run "$MXSENTRY" tlsa "$certs/leaf-a.pem"
tap_is "tlsa on a leaf exits 0" "$RC" 0
tap_is "... and prints its 3 1 1 (the vector's \"1 1\" of leaf-a)" "$OUT" \
	'3 1 1 2f28d43da2ee4f234139ab89d64269225a537bd39e11ff622aa076b8c623c2f9'

run "$MXSENTRY" tlsa "$certs/ca.pem" --mx mx1.example.com --mx mx2.example.com.
tap_is "tlsa on a CA certificate exits 0" "$RC" 0
tap_is "... and prints 2 0 1 as zone-file lines per --mx host" "$OUT" \
	"$(printf '_25._tcp.mx%s.example.com. IN TLSA 2 0 1 071bc3ee660e8edeca4b8a9bafd3d4801c2b89e26edfa84b04327f957ea45adc\n' 1 2)"

run "$MXSENTRY" tlsa "$top_srcdir/Makefile.am"
tap_is "tlsa on a file without a certificate is rejected (1)" "$RC" 1
tap_like "... saying why" "$ERR" 'Makefile\.am: no PEM certificate in it'

run "$MXSENTRY" tlsa /nonexistent.pem
tap_is "tlsa on a missing file is rejected (1)" "$RC" 1
tap_like "... saying why" "$ERR" 'nonexistent\.pem: No such file or directory'

run "$MXSENTRY" tlsa
tap_is "tlsa without FILE is a usage error (2)" "$RC" 2

# "dane-check": answers 0-3; anything that keeps it from judging is 3, "could not tell".
run "$MXSENTRY" dane-check example.com
tap_is "dane-check without --cert cannot tell (3)" "$RC" 3
tap_like "... and says what is missing" "$ERR" '--cert NEW\.pem is required'
run "$MXSENTRY" dane-check example.com --cert "$top_srcdir/Makefile.am"
tap_is "dane-check with a file without a certificate cannot tell (3)" "$RC" 3
tap_like "... saying why" "$ERR" 'Makefile\.am: no PEM certificate in it'
run "$MXSENTRY" dane-check 'bad..name' --cert "$certs/leaf-a.pem"
tap_is "dane-check of something that is not a domain name cannot tell (3)" "$RC" 3
state_file=$(mktemp)
run "$MXSENTRY" dane-check example.com --cert "$certs/leaf-a.pem" --state-dir "$state_file"
tap_is "dane-check with a state directory that is a file cannot tell (3)" "$RC" 3
tap_like "... and says it cannot tell how long records were served" "$ERR" \
	'cannot tell how long records have been served'
rm -f "$state_file"

# "status" reads the daemon's store, with the exit codes of "check"; it never creates a store.
run "$MXSENTRY" status --help
tap_is "status --help exits 0" "$RC" 0
tap_like "... and documents --state-dir" "$OUT" '--state-dir DIR'
state_dir=$(mktemp -d)
run "$MXSENTRY" status --state-dir "$state_dir"
tap_is "status without a store is UNKNOWN (3)" "$RC" 3
tap_like "... naming the database" "$ERR" 'mxsentry\.db: cannot open the store'
tap_is "... and creates none" "$(ls -A "$state_dir")" ""
rm -rf "$state_dir"

# "rollout" reads the same store, with exit codes of its own (3: cannot tell).
run "$MXSENTRY" rollout --help
tap_is "rollout --help exits 0" "$RC" 0
tap_like "... and documents --nagios" "$OUT" '--nagios'
state_dir=$(mktemp -d)
run "$MXSENTRY" rollout --nagios --state-dir "$state_dir" example.com
tap_is "rollout without a store cannot tell (3)" "$RC" 3
tap_like "... with a Nagios status line" "$OUT" '^ROLLOUT UNKNOWN - .*mxsentry\.db: cannot open the store'
tap_is "... and creates none" "$(ls -A "$state_dir")" ""
rm -rf "$state_dir"
run "$MXSENTRY" rollout
tap_is "rollout without a DOMAIN cannot tell (3)" "$RC" 3

tap_done
