# Tiny TAP producer shared by the lab's self-test scripts (sourced, bash).
#
#   tap_check "description" cmd args...   run cmd quietly; ok if it exits 0
#   tap_is "description" GOT WANT          ok if the two strings are equal
#   tap_like "description" GOT REGEX       ok if GOT matches the extended regex
#   tap_done                               print the plan; exit 1 if anything failed
#
# Output follows TAP 13 with the plan at the end, which automake's tap-driver.sh accepts. On a
# failure the command's output (or the two values) is shown as "# " diagnostic lines.

TAP_N=0
TAP_FAILED=0

tap_result()
{
	local ok=$1 desc=$2
	TAP_N=$((TAP_N + 1))
	if [ "$ok" = 0 ]; then
		printf 'ok %d - %s\n' "$TAP_N" "$desc"
	else
		printf 'not ok %d - %s\n' "$TAP_N" "$desc"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

tap_diag()
{
	sed 's/^/# /'
}

tap_check()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	tap_result "$rc" "$desc"
	if [ "$rc" != 0 ]; then
		printf 'command: %s (exit %d)\n%s\n' "$*" "$rc" "$out" | head -n 20 | tap_diag
	fi
	return 0
}

tap_is()
{
	local desc=$1 got=$2 want=$3
	if [ "$got" = "$want" ]; then
		tap_result 0 "$desc"
	else
		tap_result 1 "$desc"
		printf 'got:  %s\nwant: %s\n' "$got" "$want" | tap_diag
	fi
}

tap_like()
{
	local desc=$1 got=$2 re=$3
	if [[ $got =~ $re ]]; then
		tap_result 0 "$desc"
	else
		tap_result 1 "$desc"
		printf 'got:  %s\nwant: /%s/\n' "$got" "$re" | tap_diag
	fi
}

tap_done()
{
	printf '1..%d\n' "$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}
