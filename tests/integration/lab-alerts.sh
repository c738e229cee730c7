# shellcheck shell=bash
# The agent's alerts against real peers (sourced by lab.sh): Postfix as the mail relay
# delivering into a Maildir, Alertmanager receiving the webhook, rsyslog writing syslog(3) to a
# file (tests/lab/README.md, "Alert peers").
#
#  - a problem found in the first cycle reaches all three: the mail's subject, body and headers;
#    the alert in Alertmanager's API; the line in the syslog file;
#  - "lab rotate" opens a DANE problem; publishing the new key's record resolves it: the mail
#    says RESOLVED and Alertmanager ends the alert;
#  - the relay down for a while: the news waits in the outbox and arrives once it is back;
#  - kill -9 while a delivery is in flight (to a relay that never answers), then a restart with
#    the real relay: the message arrives, once, and is counted as sent again.

ALERT_PORT=9426
RELAY_TARPIT=127.25.12.2 # mx2.tarpit.test: accepts TCP, never greets

alerts_conf()
{
	local relay=$1 extra=$2
	cat <<CONF
resolver = "127.53.0.1";
dnssec_probe = "test.";
ca_bundle = "/run/mxsentry-lab/pki/root.pem";
ehlo_name = "monitor.lab.test";
state_dir = "$alerts_dir/state";
interval = "1h";
timeouts = { connect = "5s"; greeting = "5s"; command = "5s"; tls = "5s"; session = "20s"; };
http = { listen = "127.0.0.1:$ALERT_PORT"; };
domains = (
	{ name = "cert-10d.test"; tags = [ "certs" ]; },
	{ name = "healthy.test"; },
	{ name = "rotate-dane.test"; }$extra
);
alerts = {
	damping = 1;
	reminder = "0";
	email = ( {
		name = "oncall";
		relay = "$relay";
		from = "mxsentry@lab.test";
		to = [ "oncall@alerts.test" ];
		ca_bundle = "/run/mxsentry-lab/pki/root.pem";
		timeout = "30s";
	} );
	webhook = ( {
		name = "alertmanager";
		url = "http://127.44.6.1:9093/api/v2/alerts";
		format = "alertmanager";
	} );
	syslog = ( { facility = "local3"; ident = "mxsentry-lab"; } );
};
CONF
}

alerts_start()
{
	"$lab" exec-syslog "$MXSENTRYD" --foreground -c "$alerts_dir/agent.conf" \
		>>"$alerts_dir/log" 2>&1 &
	alerts_pid=$!
	wait_for "get_alerts /healthz >/dev/null" 100
}

get_alerts()
{
	"$lab" exec curl -sSf --max-time 5 "http://127.0.0.1:$ALERT_PORT$1" 2>/dev/null
}

# The mails in the relay's Maildir whose Subject matches the regex $1: how many.
mails()
{
	grep -l -E "^Subject: .*$1" "$LAB_MAILDIR"/new/* "$LAB_MAILDIR"/cur/* 2>/dev/null | wc -l
}

mail_file()
{
	grep -l -E "^Subject: .*$1" "$LAB_MAILDIR"/new/* "$LAB_MAILDIR"/cur/* 2>/dev/null | head -n 1
}

# A header field of mail $1, named $2, unfolded (RFC 5322 §2.2.3).
header()
{
	awk -v name="$2" '
		/^$/ { exit }
		tolower($0) ~ "^" tolower(name) ":" { v = $0; on = 1; next }
		on && /^[ \t]/ { sub(/^[ \t]+/, " "); v = v $0; next }
		{ on = 0 }
		END { print v }' "$1"
}

# Alertmanager's active alerts named $1 for domain $2.
am_active()
{
	"$lab" exec curl -sS --max-time 5 "http://127.44.6.1:9093/api/v2/alerts?active=true" \
		2>/dev/null |
		jq --arg n "$1" --arg d "$2" \
			'[.[] | select(.labels.alertname == $n and .labels.domain == $d)] | length'
}

served_next_311()
{
	"$lab" exec openssl s_client -starttls smtp -connect mx.rotate-dane.test:25 \
		-servername mx.rotate-dane.test </dev/null 2>/dev/null |
		openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum |
		cut -d' ' -f1
}

lab_alert_tests()
{
	local f spki
	alerts_dir=$(mktemp -d)
	LAB_MAILDIR=/run/mxsentry-lab/alerts/maildir
	LAB_SYSLOG=/run/mxsentry-lab/alerts/syslog/messages
	if "$lab" up >"$log" 2>&1; then
		tap_result 0 "lab up again, with its alert peers"
	else
		tap_result 1 "lab up again, with its alert peers"
		tail -n 20 "$log" | tap_diag
		return
	fi
	alerts_conf "smtp://relay.lab.test" "" >"$alerts_dir/agent.conf"
	alerts_start

	# The first cycle: cert-10d.test's certificate is CRITICAL, told through every sink.
	tap_check "email: the relay delivers the alert into the Maildir" \
		wait_for '[ "$(mails "CRITICAL cert-10d\.test")" -ge 1 ]' 300
	f=$(mail_file "CRITICAL cert-10d\.test")
	tap_like "... subject names severity, domain and what is wrong" "$(header "$f" Subject)" \
		'^Subject: \[mxsentry\] CRITICAL cert-10d\.test: certificate of mx\.cert-10d\.test .*expires in [0-9]+ days'
	tap_check "... with Date, Message-ID and Auto-Submitted headers" \
		bash -c "grep -q '^Date: ' '$f' && grep -q '^Message-ID: <[0-9a-f]\{32\}@' '$f' &&
			grep -qi '^Auto-Submitted: auto-generated' '$f'"
	tap_check "... and a body with what to do and the requirement" \
		bash -c "grep -q 'renew it' '$f' && grep -q 'COMMON-EXP-04' '$f'"
	tap_check "... sent over STARTTLS (the relay's Received line says TLS)" \
		grep -q 'using TLS' "$f"
	tap_check "Alertmanager: the alert cert.expiring of cert-10d.test is active" \
		wait_for '[ "$(am_active cert.expiring cert-10d.test)" -ge 1 ]' 100
	tap_check "syslog: one line per item in the lab's rsyslog file" \
		wait_for "grep -q 'local3.* mxsentry-lab.*cert-10d\.test cert\.expiring CRITICAL opened' '$LAB_SYSLOG'" 100
	tap_is "healthy.test says nothing" "$(mails "healthy\.test")" 0

	# A rotation opens a DANE problem; the new key's record resolves it.
	"$lab" rotate >"$log" 2>&1
	kill -USR1 "$alerts_pid"
	tap_check "after lab rotate: a CRITICAL mail about rotate-dane.test" \
		wait_for '[ "$(mails "CRITICAL rotate-dane\.test")" = 1 ]' 300
	tap_check "... and the Alertmanager alert dane.tlsa.mismatch is active" \
		wait_for '[ "$(am_active dane.tlsa.mismatch rotate-dane.test)" -ge 1 ]' 100
	spki=$(served_next_311)
	"$lab" tlsa mx.rotate-dane.test 2 "3 1 1 $spki"
	sleep 6
	kill -USR1 "$alerts_pid"
	tap_check "the new key's TLSA record published: a RESOLVED mail" \
		wait_for '[ "$(mails "RESOLVED rotate-dane\.test")" = 1 ]' 300
	tap_check "... and Alertmanager ends the alert (endsAt)" \
		wait_for '[ "$(am_active dane.tlsa.mismatch rotate-dane.test)" = 0 ]' 100

	# The relay down for a while: the news waits, then arrives once.
	"$lab" relay stop >"$log" 2>&1
	alerts_conf "smtp://relay.lab.test" ', { name = "sts-testing.test"; }' \
		>"$alerts_dir/agent.conf"
	kill -HUP "$alerts_pid"
	sleep 1
	kill -USR1 "$alerts_pid"
	tap_check "relay down: the new domain's alert waits in the outbox" \
		wait_for "get_alerts /metrics | grep -q '^mxsentry_outbox_pending [1-9]'" 300
	tap_is "... and no mail arrived" "$(mails "sts-testing\.test")" 0
	"$lab" relay start >"$log" 2>&1
	kill -USR1 "$alerts_pid"
	tap_check "relay back: the alert arrives" \
		wait_for '[ "$(mails "WARNING sts-testing\.test")" = 1 ]' 300
	tap_check "... and the outbox is empty" \
		wait_for "get_alerts /metrics | grep -q '^mxsentry_outbox_pending 0'" 100

	# kill -9 during a delivery to a relay that never answers, then a restart with the real one.
	alerts_conf "smtp://$RELAY_TARPIT" ', { name = "sts-testing.test"; }, { name = "cert-20d.test"; }' \
		>"$alerts_dir/agent.conf"
	kill -HUP "$alerts_pid"
	sleep 1
	kill -USR1 "$alerts_pid"
	tap_check "a delivery stuck in flight (the relay never greets)" \
		wait_for "sqlite3 '$alerts_dir/state/mxsentry.db' \"SELECT count(*) FROM outbox WHERE state = 'sending'\" | grep -qx 1" 300
	kill -9 "$alerts_pid"
	wait "$alerts_pid" 2>/dev/null
	alerts_conf "smtp://relay.lab.test" ', { name = "sts-testing.test"; }, { name = "cert-20d.test"; }' \
		>"$alerts_dir/agent.conf"
	alerts_start
	tap_check "after kill -9 and a restart, the message cut off in flight arrives" \
		wait_for '[ "$(mails "WARNING cert-20d\.test")" -ge 1 ]' 300
	tap_is "... once" "$(mails "cert-20d\.test")" 1
	tap_like "... counted as sent again" "$(get_alerts /metrics)" \
		'mxsentry_alerts_total\{result="redelivered"\} 1'
	tap_is "every alert was delivered: nothing pending, nothing failed" \
		"$(sqlite3 "$alerts_dir/state/mxsentry.db" \
			"SELECT count(*) FROM outbox WHERE state <> 'delivered'")" 0
	kill -TERM "$alerts_pid"
	wait "$alerts_pid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$alerts_dir"
}
