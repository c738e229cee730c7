#!/bin/bash
# Self-test of the lab's alert peers (TAP on stdout, via tap.sh): each one takes what the agent's
# sink will send and shows it where the tests read it.
#   - relay: its name resolves, it greets, offers STARTTLS with a certificate the lab CA vouches
#     for, delivers a message sent with STARTTLS required into the Maildir, refuses other
#     domains; "lab relay stop" makes it refuse connections and "lab relay start" brings it back
#     within 5 s;
#   - Alertmanager: ready, clustering off, an alert posted to /api/v2/alerts is listed as active,
#     and no longer once posted again with endsAt in the past;
#   - syslog: a line logged with logger(1) under "lab exec-syslog" lands in the messages file with
#     its facility, severity and tag, the command sees a usable /dev, its exit status comes back,
#     and the host's /dev/log is left as it was.
# Each peer is checked from inside the namespace, by address, as the agent will reach it.
#
# Usage: selftest-alerts.sh   (after "lab up"; exit status 1 if any assertion failed)
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
source "$LAB_DIR/lab.env"
# shellcheck source=tap.sh
source "$LAB_DIR/tap.sh"

LAB=$LAB_DIR/lab
ROOT=$LAB_RUN/pki/root.pem
MAILDIR=$LAB_RUN/alerts/maildir
MESSAGES=$LAB_RUN/alerts/syslog/messages
AM_API=http://$LAB_ALERTMANAGER/api/v2
# How long a message, an alert or a syslog line may take to show up.
WAIT_SECONDS=5
# Marks what this run sent, so that nothing left from an earlier run is taken for it.
TOKEN=selftest-$(date +%s)-$$

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

in_ns()
{
	ip netns exec "$LAB_NS" "$@"
}

# Runs CMD... every 0.1 s until it succeeds, for at most $WAIT_SECONDS.
eventually()
{
	local i
	for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# ---- relay ----

# The relay's banner and EHLO reply, in plain text without the CRs.
# shellcheck disable=SC2016 # the inner script expands its own arguments
ehlo()
{
	in_ns timeout 6 bash -c '
		exec 3<>"/dev/tcp/$1/25" || exit 1
		IFS= read -r -t 3 line <&3 && printf "%s\n" "$line"
		printf "EHLO selftest.lab.test\r\n" >&3
		while IFS= read -r -t 3 line <&3; do
			printf "%s\n" "$line"
			[[ $line == 250\ * ]] && break
		done
		printf "QUIT\r\n" >&3
	' _ "$LAB_RELAY" 2>&1 | tr -d '\r' || true
}

# Sends a message marked MARK to RCPT through the relay, STARTTLS required and the certificate
# verified for the relay's name; prints curl's error and exits as curl does.
send_mail()
{
	local rcpt=$1 mark=$2 msg=$TMP/$2.eml
	printf '%s\r\n' "From: lab self-test <x@lab.test>" "To: <$rcpt>" "Subject: $mark" \
		"Date: $(date -R)" "Message-ID: <$mark@lab.test>" "" "$mark" >"$msg"
	in_ns curl -sS --max-time 10 --url "smtp://$LAB_RELAY_NAME" \
		--resolve "$LAB_RELAY_NAME:25:$LAB_RELAY" --ssl-reqd --cacert "$ROOT" \
		--mail-from x@lab.test --mail-rcpt "$rcpt" --upload-file "$msg" 2>&1
}

# Succeeds once a message containing MARK is in the Maildir (new/ or cur/).
delivered()
{
	grep -rqF -- "$1" "$MAILDIR/new" "$MAILDIR/cur"
}

# Succeeds if a TCP connection to the relay is refused or fails (nothing listens).
# shellcheck disable=SC2016 # the inner script expands its own arguments
refused()
{
	! in_ns timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/25"' _ "$LAB_RELAY" 2>/dev/null
}

check_relay()
{
	local out rc verify
	out=$(in_ns kdig @"$LAB_RESOLVER" +time=2 +retry=1 A "$LAB_RELAY_NAME" 2>&1 || true)
	tap_is "$LAB_RELAY_NAME resolves to $LAB_RELAY (validated)" \
		"$(awk '!/^;/ && $4 == "A" { print $5 }' <<<"$out") $(grep -cE '^;; Flags:.* ad' <<<"$out")" \
		"$LAB_RELAY 1"

	out=$(ehlo)
	tap_like "relay greets as $LAB_RELAY_NAME" "$(head -n 1 <<<"$out")" "^220 $LAB_RELAY_NAME "
	tap_like "relay offers STARTTLS" "$out" $'(^|\n)250[- ]STARTTLS(\n|$)'

	verify=$(in_ns timeout 8 openssl s_client -starttls smtp -connect "$LAB_RELAY:25" \
		-servername "$LAB_RELAY_NAME" -verify_hostname "$LAB_RELAY_NAME" -CAfile "$ROOT" \
		</dev/null 2>&1 | sed -n 's/^ *Verify return code: \([0-9]*\).*/\1/p' | head -n 1) ||
		true
	tap_is "relay certificate verifies for $LAB_RELAY_NAME from the lab CA" "$verify" 0

	out=$(send_mail "oncall@$LAB_ALERT_DOMAIN" "$TOKEN-1") && rc=0 || rc=$?
	tap_is "relay accepts a message for oncall@$LAB_ALERT_DOMAIN over STARTTLS" "$rc $out" "0 "
	tap_check "... and delivers it into $MAILDIR within ${WAIT_SECONDS}s" \
		eventually delivered "$TOKEN-1"
	out=$(send_mail "anyone@$LAB_ALERT_DOMAIN" "$TOKEN-2") && rc=0 || rc=$?
	tap_is "relay accepts any local part of $LAB_ALERT_DOMAIN" "$rc $out" "0 "
	tap_check "... into the same Maildir" eventually delivered "$TOKEN-2"
	out=$(send_mail "oncall@elsewhere.test" "$TOKEN-3") && rc=0 || rc=$?
	# curl 55: the relay refused the recipient (RCPT TO rejected).
	tap_like "relay refuses recipients outside $LAB_ALERT_DOMAIN" "$rc $out" '^55 .*55[0-9]'

	out=$("$LAB" relay stop 2>&1) && rc=0 || rc=$?
	tap_is "lab relay stop" "$rc $out" "0 "
	tap_check "... then connections to $LAB_RELAY:25 are refused" refused
	out=$("$LAB" relay start 2>&1) && rc=0 || rc=$?
	tap_is "lab relay start" "$rc $out" "0 "
	tap_check "... then it accepts again within ${WAIT_SECONDS}s" \
		eventually send_mail "oncall@$LAB_ALERT_DOMAIN" "$TOKEN-4"
	tap_check "... and delivers" eventually delivered "$TOKEN-4"
}

# ---- Alertmanager ----

# Posts one alert labelled with this run's token, ending at END (RFC 3339).
post_alert()
{
	local ends=$1 body
	body=$(jq -nc --arg token "$TOKEN" --arg starts "$STARTS_AT" --arg ends "$ends" \
		'[{labels: {alertname: "MxsentryLabSelftest", token: $token},
		   annotations: {summary: "lab self-test"}, startsAt: $starts, endsAt: $ends}]')
	in_ns curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
		--data "$body" "$AM_API/alerts" 2>&1 || true
}

# Prints the state of every alert listed with this run's token, one a line.
alert_states()
{
	in_ns curl -sS --max-time 5 -G --data-urlencode "filter=token=\"$TOKEN\"" "$AM_API/alerts" |
		jq -r '.[].status.state'
}

alert_active()
{
	[ "$(alert_states)" = active ]
}

alert_gone()
{
	local states
	states=$(alert_states) && [ -z "$states" ]
}

check_alertmanager()
{
	local now active=no gone=no
	now=$(date -u +%s)
	STARTS_AT=$(date -u -d "@$((now - 60))" +%Y-%m-%dT%H:%M:%SZ)
	tap_check "alertmanager is ready at $LAB_ALERTMANAGER" \
		in_ns curl -fsS --max-time 5 "http://$LAB_ALERTMANAGER/-/ready"
	tap_is "alertmanager runs without clustering" \
		"$(in_ns curl -sS --max-time 5 "$AM_API/status" | jq -r .cluster.status)" disabled
	tap_is "alertmanager accepts an alert on /api/v2/alerts" \
		"$(post_alert "$(date -u -d "@$((now + 3600))" +%Y-%m-%dT%H:%M:%SZ)")" 200
	eventually alert_active && active=yes
	tap_is "... and lists it as active" "$active" yes
	tap_is "alertmanager accepts the same alert with endsAt in the past" \
		"$(post_alert "$(date -u -d "@$((now - 1))" +%Y-%m-%dT%H:%M:%SZ)")" 200
	# Gone only counts if it was there before.
	[ "$active" = yes ] && eventually alert_gone && gone=yes
	tap_is "... and no longer lists it as active" "$gone" yes
}

# ---- syslog ----

# Succeeds once the messages file has a line equal to LINE.
logged()
{
	grep -qxF -- "$1" "$MESSAGES"
}

check_syslog()
{
	local before after out rc
	before=$(stat -c %F /dev/log 2>&1 || true)
	out=$("$LAB" exec-syslog logger -t mxslab-test -p local3.warning "hello $TOKEN" 2>&1) &&
		rc=0 || rc=$?
	tap_is "lab exec-syslog logger -t mxslab-test -p local3.warning" "$rc $out" "0 "
	tap_check "... lands in $MESSAGES with facility, severity and tag" \
		eventually logged "local3.warning mxslab-test: hello $TOKEN"
	"$LAB" exec-syslog logger -i -t mxslab-pid -p daemon.err "pid $TOKEN" >/dev/null 2>&1 || true
	eventually grep -qF -- "pid $TOKEN" "$MESSAGES" || true
	tap_like "... and so does another facility and severity, with a pid in the tag" \
		"$(grep -F -- "pid $TOKEN" "$MESSAGES" || true)" \
		"^daemon\\.err mxslab-pid\\[[0-9]+\\]: pid $TOKEN\$"
	# shellcheck disable=SC2016 # the inner script expands its own variables
	tap_check "exec-syslog: /dev/log is a socket and /dev/null, /dev/urandom work" \
		"$LAB" exec-syslog sh -c 'test -S /dev/log && echo x >/dev/null &&
			test "$(head -c 4 /dev/urandom | wc -c)" = 4'
	"$LAB" exec-syslog sh -c 'exit 7' && rc=0 || rc=$?
	tap_is "exec-syslog: the command's exit status comes back" "$rc" 7
	after=$(stat -c %F /dev/log 2>&1 || true)
	tap_is "exec-syslog: the host's /dev/log is left as it was" "$after" "$before"
}

check_relay
check_alertmanager
check_syslog
tap_done
