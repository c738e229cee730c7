#!/bin/bash
# What mxsentry hands Prometheus, checked by Prometheus's own promtool (TAP): the /metrics text
# of a fixture with samples in every family (tests/unit/test_metrics --sample), and the example
# alerting rules of etc/prometheus/ with their unit tests. Skipped without promtool; CI has it
# (tools/install-deps installs the "prometheus" package).
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"

if ! command -v promtool >/dev/null 2>&1; then
	echo "1..1"
	echo "ok 1 # SKIP promtool not installed"
	exit 0
fi
echo "1..3"
failed=0

# report N DESCRIPTION OUTPUT STATUS: one TAP line, the output as comments on failure.
report() {
	if [ "$4" -eq 0 ]; then
		echo "ok $1 - $2"
	else
		echo "not ok $1 - $2"
		printf '%s\n' "$3" | head -n 30 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

sample=$("$top_builddir/tests/unit/test_metrics" --sample 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
	out=$(printf '%s\n' "$sample" | promtool check metrics 2>&1)
	status=$?
else
	out=$sample
fi
report 1 "promtool check metrics accepts the exposition of every family" "$out" "$status"

rules=$top_srcdir/etc/prometheus/mxsentry.rules.yml
out=$(promtool check rules "$rules" 2>&1)
report 2 "promtool check rules accepts etc/prometheus/mxsentry.rules.yml" "$out" $?

# promtool finds rule_files relative to the test file.
out=$(promtool test rules "$top_srcdir/etc/prometheus/mxsentry.rules.test.yml" 2>&1)
report 3 "promtool test rules passes etc/prometheus/mxsentry.rules.test.yml" "$out" $?

[ "$failed" -eq 0 ]
