#!/bin/bash
# etc/mxsentryd.service as systemd reads it (TAP): "systemd-analyze verify" accepts it (with the
# programs pointed at the build tree, since nothing is installed), it is Type=notify with a
# watchdog and a reload, and "systemd-analyze security --offline" rates its exposure "OK" or
# better (at most 2.0 of 10). Skipped where systemd-analyze is missing.
set -u
: "${top_srcdir:=.}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/integration/lib.sh"

unit=$top_srcdir/etc/mxsentryd.service
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze is not installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the documentation lines name man pages that are not installed here
sed "s|/usr/sbin/mxsentryd|$top_builddir/mxsentryd|g; /^Documentation=/d" "$unit" \
	>"$tmp/mxsentryd.service"
run systemd-analyze verify "$tmp/mxsentryd.service"
tap_is "systemd-analyze verify accepts mxsentryd.service" "$RC" 0
[ "$RC" = 0 ] || tap_diag <<<"$OUT$ERR"
tap_check "it is Type=notify" grep -qx 'Type=notify' "$unit"
tap_check "with a watchdog" grep -q '^WatchdogSec=' "$unit"
tap_check "reloads with SIGHUP" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit"
tap_check "and runs as its own user" grep -qx 'User=mxsentry' "$unit"
run systemd-analyze security --offline=yes --threshold=20 "$unit"
tap_is "its exposure is at most 2.0 (systemd-analyze security --threshold=20)" "$RC" 0
tap_like "... rated OK or better" "$(tail -n 1 <<<"$OUT")" 'exposure level .*: [0-9.]+ (OK|SAFE|PERFECT)'
tap_done
