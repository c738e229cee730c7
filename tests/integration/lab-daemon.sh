# shellcheck shell=bash
# mxsentryd against the lab (sourced by lab.sh): the agent as systemd runs it, with its sd_notify
# messages received on a socket of the test's own (socat), its HTTP endpoint read with curl and
# promtool, its store read with sqlite3.
#
#  - READY=1 once the configuration is loaded and the store open; WATCHDOG=1 when asked for;
#  - after one cycle: /metrics (valid for promtool), /status and /healthz say what the lab shows;
#  - "lab rotate" and SIGUSR1 (check now): the key change of rotate-dane.test is one transition;
#  - SIGHUP with a broken file: errors with file:line, the old configuration stays; with a valid
#    file that adds a domain: it appears;
#  - kill -9 during a cycle, then a restart: the store passes PRAGMA integrity_check and no
#    transition is recorded twice;
#  - SIGTERM: STOPPING=1, exit 0 within 5 s.
# The lab is brought up again first: the tests before this one rotated it.

AGENT_PORT=9425

agent_conf()
{
	cat <<CONF
resolver = "127.53.0.1";
dnssec_probe = "test.";
ca_bundle = "/run/mxsentry-lab/pki/root.pem";
ehlo_name = "monitor.lab.test";
state_dir = "$agent_dir/state";
interval = "1m";
timeouts = { connect = "5s"; greeting = "5s"; command = "5s"; tls = "5s"; session = "20s"; };
http = { listen = "127.0.0.1:$AGENT_PORT"; };
domains = (
	{ name = "healthy.test"; },
	{ name = "cert-10d.test"; },
	{ name = "rotate-dane.test"; },
	{ name = "dane-stale.test"; }$1
);
CONF
}

agent_start()
{
	NOTIFY_SOCKET=$agent_dir/notify WATCHDOG_USEC=1000000 \
		"$lab" exec "$MXSENTRYD" --foreground -c "$agent_dir/agent.conf" \
		>>"$agent_dir/log" 2>&1 &
	agent_pid=$!
}

# Wait up to $2 tenths of a second for command $1 (a shell snippet) to succeed.
wait_for()
{
	local i
	for ((i = 0; i < $2; i++)); do
		eval "$1" && return 0
		sleep 0.1
	done
	return 1
}

get()
{
	"$lab" exec curl -sS --max-time 5 "http://127.0.0.1:$AGENT_PORT$1" 2>/dev/null
}

# The status document's verdict on a domain: its worst severity, "pending", or nothing.
status_of()
{
	get /status | jq -r --arg d "$1" \
		'.domains[] | select(.domain == $d) | if .pending then "pending" else .status end'
}

cycled()
{
	[ "$(get /status | jq '[.domains[] | select(.pending)] | length')" = 0 ]
}

events()
{
	sqlite3 "$agent_dir/state/mxsentry.db" "$1"
}

lab_daemon_tests()
{
	local m
	agent_dir=$(mktemp -d)
	if "$lab" up >"$log" 2>&1; then
		tap_result 0 "lab up again, in its initial state, for the agent"
	else
		tap_result 1 "lab up again, in its initial state, for the agent"
		return
	fi
	agent_conf "" >"$agent_dir/agent.conf"
	socat -u "UNIX-RECV:$agent_dir/notify" "OPEN:$agent_dir/notified,creat,append" &
	local socat_pid=$!
	wait_for "[ -S '$agent_dir/notify' ]" 20
	agent_start

	tap_check "mxsentryd tells systemd READY=1" \
		wait_for "grep -q 'READY=1' '$agent_dir/notified'" 50
	tap_check "... and feeds the watchdog (WATCHDOG_USEC=1s)" \
		wait_for "grep -q 'WATCHDOG=1' '$agent_dir/notified'" 30
	tap_check "every domain has had its first cycle within 30 s" wait_for cycled 300
	cycled || tail -n 30 "$agent_dir/log" | tap_diag

	m=$(get /metrics)
	tap_like "/metrics: cert-10d.test's certificate check is CRITICAL (2)" "$m" \
		'mxsentry_check_status\{domain="cert-10d.test",check="cert_expiry"\} 2'
	tap_like "/metrics: healthy.test's STARTTLS check is OK (0)" "$m" \
		'mxsentry_check_status\{domain="healthy.test",check="mx_starttls"\} 0'
	if [ -z "$m" ]; then
		tap_result 1 "/metrics passes promtool check metrics (nothing was served)"
	elif command -v promtool >/dev/null; then
		run promtool check metrics <<<"$m"
		tap_is "/metrics passes promtool check metrics" "$RC" 0
		[ "$RC" = 0 ] || tap_diag <<<"$OUT$ERR"
	else
		tap_result 1 "/metrics passes promtool check metrics (promtool is not installed)"
	fi
	tap_is "/status: dane-stale.test is CRITICAL" "$(status_of dane-stale.test)" CRITICAL
	tap_is "/status: healthy.test is OK" "$(status_of healthy.test)" OK
	tap_is "/healthz says ok" "$(get /healthz)" ok
	tap_like "transitions are logged with domain, check and code" "$(cat "$agent_dir/log")" \
		'\[cert-10d\.test cert_expiry cert\.expiring\] opened CRITICAL'

	# DANE-ROT-02: the rotation is one recorded transition, naming the key change.
	"$lab" rotate >"$log" 2>&1
	kill -USR1 "$agent_pid"
	tap_check "after lab rotate and SIGUSR1, rotate-dane.test becomes CRITICAL" \
		wait_for '[ "$(status_of rotate-dane.test)" = CRITICAL ]' 200
	tap_is "... recorded as one 'opened' event of dane.tlsa.mismatch" \
		"$(events "SELECT count(*) FROM events WHERE domain = 'rotate-dane.test' AND
			code = 'dane.tlsa.mismatch' AND kind = 'opened'")" 1
	run "$MXSENTRY" status --state-dir "$agent_dir/state" rotate-dane.test
	tap_is "mxsentry status reads the agent's store: CRITICAL (2)" "$RC" 2
	tap_like "... and says since when" "$OUT" "since 20[0-9-]+ [0-9:]+ UTC"

	# A broken file on SIGHUP: rejected with file:line, the running configuration stays.
	cp "$agent_dir/agent.conf" "$agent_dir/good.conf"
	echo 'interval = "1m";' >>"$agent_dir/agent.conf"
	kill -HUP "$agent_pid"
	tap_check "SIGHUP with a broken file: rejected, with file:line" \
		wait_for "grep -q 'agent.conf:[0-9]*: .*duplicate setting' '$agent_dir/log'" 50
	tap_check "... counted in /metrics" wait_for \
		"get /metrics | grep -q 'mxsentry_config_reloads_total{result=\"failed\"} 1'" 50
	tap_is "... and the agent still watches its 4 domains" \
		"$(get /status | jq '.domains | length')" 4
	agent_conf ', { name = "sts-testing.test"; }' >"$agent_dir/agent.conf"
	kill -HUP "$agent_pid"
	tap_check "SIGHUP with a valid file that adds sts-testing.test: it is watched" \
		wait_for '[ -n "$(status_of sts-testing.test)" ]' 50
	tap_check "... and gets its first cycle" \
		wait_for '[ "$(status_of sts-testing.test)" = WARNING ]' 300

	# kill -9 in the middle of a cycle, then a restart on the same store.
	kill -USR1 "$agent_pid"
	sleep 0.05
	kill -9 "$agent_pid"
	wait "$agent_pid" 2>/dev/null
	agent_start
	tap_check "restarted after kill -9, it comes up again" wait_for cycled 300
	kill -USR1 "$agent_pid"
	sleep 2
	tap_is "the store passes PRAGMA integrity_check" "$(events 'PRAGMA integrity_check')" ok
	tap_is "no transition recorded twice" \
		"$(events "SELECT domain || ' ' || code FROM events WHERE kind = 'opened'
			GROUP BY domain, check_name, mx, address, alg, code HAVING count(*) > 1")" ""
	tap_is "every open problem was opened once: cert-10d, dane-stale, rotate-dane, sts-testing" \
		"$(events "SELECT count(DISTINCT domain) FROM events WHERE kind = 'opened'")" 4

	kill -TERM "$agent_pid"
	tap_check "SIGTERM: mxsentryd exits within 5 s" \
		wait_for "! kill -0 $agent_pid 2>/dev/null" 50
	wait "$agent_pid"
	tap_is "... with status 0" "$?" 0
	tap_check "... after STOPPING=1" grep -q 'STOPPING=1' "$agent_dir/notified"
	kill "$socat_pid" 2>/dev/null
	wait "$socat_pid" 2>/dev/null
	rm -rf "$agent_dir"
}
