# shellcheck shell=bash
# TLS-RPT reports in (sourced by lab.sh), both ways RFC 8460 §5 gives senders: POSTed to the
# running agent's endpoint, and mailed through the lab's Postfix relay, whose pipe transport runs
# "mxsentry report ingest" as an MTA would. Both land in the same store; each report once.
#
# A third way: a Maildir the agent watches. Then the rollout verdict as reports come in, the
# reports as findings (tls_rpt_reports), and the weekly summary mail of an email sink.
#
# The agent and the pipe run as one unprivileged user (nobody here, mxsentry in production), as
# they must to share the store's files.

REPORT_PORT=9427
REAL=$top_srcdir/tests/vectors/spec/real

reports_conf()
{
	cat <<CONF
resolver = "127.53.0.1";
dnssec_probe = "test.";
ca_bundle = "$reports_dir/root.pem";
state_dir = "$reports_dir/state";
interval = "1h";
http = { listen = "127.0.0.1:$REPORT_PORT"; report_path = "/tlsrpt"; };
domains = ( { name = "sts-testing.test"; } );
reports = { maildir = "$reports_dir/Maildir"; };
alerts = {
	email = ( {
		name = "oncall";
		relay = "smtp://relay.lab.test";
		from = "mxsentry@lab.test";
		to = [ "oncall@alerts.test" ];
		ca_bundle = "$reports_dir/root.pem";
		weekly_summary = true;
	} );
};
CONF
}

# POST file $1 with media type $2; prints the HTTP status and the body.
post()
{
	"$lab" exec curl -sS --max-time 10 -o "$reports_dir/answer" -w '%{http_code}' \
		-H "Content-Type: $2" --data-binary "@$1" "http://127.0.0.1:$REPORT_PORT/tlsrpt" \
		2>/dev/null
}

# The weekly summary mails delivered since the mark was made.
weekly_mails()
{
	find /run/mxsentry-lab/alerts/maildir/new -type f -newer "$reports_dir/weekly.mark" -print0 |
		xargs -0 -r grep -l '^Subject: \[mxsentry\] weekly TLS-RPT summary'
}

# Does the agent's last cycle have a problem with code $1 for sts-testing.test?
has_problem()
{
	"$MXSENTRY" status --state-dir "$reports_dir/state" --json sts-testing.test |
		jq -e --arg code "$1" '.domains[0].problems[] | select(.code == $code)' >/dev/null
}

db()
{
	sqlite3 "$reports_dir/state/mxsentry.db" "$1"
}

# Mail the message in file $1 to the reports address through the relay.
mail_report()
{
	"$lab" exec curl -sS --max-time 10 --url "smtp://relay.lab.test" --ssl-reqd \
		--cacert /run/mxsentry-lab/pki/root.pem --mail-from reports@google.com \
		--mail-rcpt tlsrpt@reports.test --upload-file "$1" >/dev/null 2>&1
}

# An MTA-STS report about sts-testing.test from organisation $1, report id $2, for the day that
# ended $3 days ago, with $4 successful and $5 failed (starttls-not-supported) sessions.
sts_report()
{
	local start end
	start=$(date -u -d "$3 days ago 00:00" +%Y-%m-%dT%H:%M:%SZ)
	end=$(date -u -d "$(($3 - 1)) days ago 00:00" +%Y-%m-%dT%H:%M:%SZ)
	cat <<JSON
{"organization-name": "$1", "date-range": {"start-datetime": "$start", "end-datetime": "$end"},
 "contact-info": "tlsrpt@$1", "report-id": "$2",
 "policies": [{"policy": {"policy-type": "sts", "policy-string": ["version: STSv1",
   "mode: testing", "mx: mx.sts-testing.test", "max_age: 86400"],
   "policy-domain": "sts-testing.test", "mx-host": ["mx.sts-testing.test"]},
  "summary": {"total-successful-session-count": $4, "total-failure-session-count": $5},
  "failure-details": [{"result-type": "starttls-not-supported", "sending-mta-ip": "192.0.2.9",
   "receiving-mx-hostname": "mx.sts-testing.test", "receiving-ip": "127.25.24.1",
   "failed-session-count": $5}]}]}
JSON
}

rollout()
{
	run "$MXSENTRY" rollout sts-testing.test --state-dir "$reports_dir/state" "$@"
}

# The verdict moves from NOT ENOUGH DATA to NOT READY to READY as reports come in. The agent
# has seen the testing policy once; the store is told it did so 20 days ago, as if it had run
# all that time (the only thing a test cannot wait for).
rollout_tests()
{
	kill -USR1 "$reports_pid"
	tap_check "the agent has checked sts-testing.test" wait_for \
		"[ \"\$(db \"SELECT count(*) FROM policy_history WHERE domain = 'sts-testing.test' AND mode = 'testing'\")\" -ge 1 ]" 300
	db "SELECT count(*) FROM policy_history" >/dev/null ||
		tail -n 20 "$reports_dir/log" | tap_diag
	db "UPDATE policy_history SET first_seen = first_seen - 20 * 86400
		WHERE domain = 'sts-testing.test'"
	rollout
	tap_is "rollout with no report in the window: NOT ENOUGH DATA (1)" "$RC" 1
	tap_like "... and says so" "$OUT" "NOT ENOUGH DATA"
	sts_report google.com r-g-1 2 900 100 >"$reports_dir/g1.json"
	sts_report microsoft.com r-m-1 2 450 50 >"$reports_dir/m1.json"
	post "$reports_dir/g1.json" application/tlsrpt+json >/dev/null
	post "$reports_dir/m1.json" application/tlsrpt+json >/dev/null
	rollout
	tap_is "two organisations report 10% failures: NOT READY (2)" "$RC" 2
	tap_like "... naming the failure type" "$OUT" "starttls-not-supported"
	run "$MXSENTRY" rollout sts-testing.test --state-dir "$reports_dir/state" --nagios
	tap_is "... --nagios: WARNING (1)" "$RC" 1
	# The agent's next cycle turns the reports into findings, judged against its own probes.
	kill -USR1 "$reports_pid"
	tap_check "the agent reports the failure type senders saw (rpt.failure-type)" wait_for \
		"has_problem rpt.failure-type" 300
	run "$MXSENTRY" status --state-dir "$reports_dir/state" sts-testing.test
	tap_like "... which our own probes did not see: likely the sender's side" "$OUT" \
		"starttls-not-supported: not seen by our probes"
	tap_like "... and the failure rate above 5% (rpt.failure-rate)" "$OUT" \
		"WARNING rpt.failure-rate.*10% of 1500 sessions"
	sts_report google.com r-g-2 1 2000000 0 >"$reports_dir/g2.json"
	post "$reports_dir/g2.json" application/tlsrpt+json >/dev/null
	# A live fault, then its fix: with the MX down, clean reports do not make the domain ready.
	"$lab" mx stop 127.25.24.1
	kill -USR1 "$reports_pid"
	tap_check "the MX stopped in the lab: the agent's next cycle finds it refusing" wait_for \
		"has_problem smtp.refused" 300
	rollout
	tap_is "... and a day of two million clean sessions still leaves it NOT READY (2)" "$RC" 2
	tap_like "... naming the MX, the address and what to fix" "$OUT" \
		'CRITICAL smtp.refused mx\.sts-testing\.test: .*\[127\.25\.24\.1\]: refused at connect.*fix it before enforcing'
	"$lab" mx start 127.25.24.1
	kill -USR1 "$reports_pid"
	tap_check "the MX started again: the agent's next cycle finds it answering" wait_for \
		"! has_problem smtp.refused" 300
	rollout
	tap_is "... and the verdict is READY (0)" "$RC" 0
	tap_like "... printing the enforce policy" "$OUT" "mode: enforce"
	tap_like "... and the TXT record with a fresh id" "$OUT" \
		'_mta-sts\.sts-testing\.test\. IN TXT "v=STSv1; id=[0-9]{14}'
}

lab_report_tests()
{
	local code
	reports_dir=$(mktemp -d)
	chmod 755 "$reports_dir"
	mkdir -p "$reports_dir/state" "$reports_dir/Maildir/new" "$reports_dir/Maildir/cur" \
		"$reports_dir/Maildir/tmp"
	chown -R nobody:nogroup "$reports_dir/state" "$reports_dir/Maildir"
	reports_conf >"$reports_dir/agent.conf"
	# the lab's PKI directory is root's; the agent runs as nobody here
	install -m 644 /run/mxsentry-lab/pki/root.pem "$reports_dir/root.pem"
	"$lab" exec setpriv --reuid nobody --regid nogroup --clear-groups \
		"$MXSENTRYD" --foreground -c "$reports_dir/agent.conf" >"$reports_dir/log" 2>&1 &
	reports_pid=$!
	wait_for "[ -n \"\$(\"$lab\" exec curl -s http://127.0.0.1:$REPORT_PORT/healthz)\" ]" 100

	# HTTPS delivery (RPT-DLV-01/02): gzip and JSON bodies, stored once.
	gzip -c "$REAL/google-2024-validation-failure.json" >"$reports_dir/r1.json.gz"
	code=$(post "$reports_dir/r1.json.gz" application/tlsrpt+gzip)
	tap_is "POST application/tlsrpt+gzip: 200 once stored" "$code" 200
	tap_is "... and the answer says stored" "$(cat "$reports_dir/answer")" \
		'{"stored":1,"duplicates":0}'
	code=$(post "$reports_dir/r1.json.gz" application/tlsrpt+gzip)
	tap_is "the same report again: 200, stored once" "$(cat "$reports_dir/answer")" \
		'{"stored":0,"duplicates":1}'
	code=$(post "$REAL/mailru-2024-fetch-error.json" application/tlsrpt+json)
	tap_is "POST application/tlsrpt+json: 200" "$code" 200
	code=$(post "$REAL/mailru-2024-fetch-error.json" text/plain)
	tap_is "another media type: 415" "$code" 415
	printf '{"organization-name": "x", "report-id": ' >"$reports_dir/bad.json"
	code=$(post "$reports_dir/bad.json" application/tlsrpt+json)
	tap_is "JSON that ends too soon: 400 (kept with the reason)" "$code" 400
	head -c 200 "$reports_dir/r1.json.gz" >"$reports_dir/truncated.gz"
	code=$(post "$reports_dir/truncated.gz" application/tlsrpt+gzip)
	tap_is "truncated gzip: 400 (kept)" "$code" 400
	head -c $((12 * 1024 * 1024)) /dev/zero | gzip -c >"$reports_dir/bomb.gz"
	code=$(post "$reports_dir/bomb.gz" application/tlsrpt+gzip)
	tap_is "a gzip bomb (12 MiB of zeros in $(stat -c %s "$reports_dir/bomb.gz") bytes): refused" \
		"$code" 400
	tap_is "the store has the 2 reports, once each" "$(db 'SELECT count(*) FROM reports')" 2
	tap_is "... and the 3 inputs it could not understand, raw, with the reason" \
		"$(db "SELECT count(*) FROM reports_rejected WHERE reason <> '' AND length(raw) > 0")" 3
	tap_like "... the bomb's reason says so" \
		"$(db 'SELECT reason FROM reports_rejected ORDER BY id DESC LIMIT 1')" \
		'exceeds'

	# Mail delivery (RPT-DLV-03): the relay pipes it to "mxsentry report ingest".
	printf '#!/bin/sh\nexec %s report ingest --state-dir %s\n' "$MXSENTRY" \
		"$reports_dir/state" >/run/mxsentry-lab/alerts/relay/report-pipe
	mail_report "$REAL/google-2022-sts-enforce.eml"
	tap_check "a report mailed through the relay is stored" \
		wait_for "[ \"\$(db 'SELECT count(*) FROM reports')\" = 3 ]" 150
	tap_is "... as delivered by mail" "$(db "SELECT count(*) FROM reports WHERE via = 'mail'")" 1
	mail_report "$REAL/google-2022-sts-enforce.eml"
	mail_report "$REAL/microsoft-2023-no-timezone.eml"
	tap_check "the same mail twice is one report; another one is stored" \
		wait_for "[ \"\$(db 'SELECT count(*) FROM reports')\" = 4 ]" 150
	sleep 2
	tap_is "... and no more" "$(db 'SELECT count(*) FROM reports')" 4
	printf '#!/bin/sh\nexit 75\n' >/run/mxsentry-lab/alerts/relay/report-pipe

	# A Maildir the agent watches (reports.maildir): a message moved into new/ is taken.
	cp "$REAL/google-2024-no-policy-found.eml" "$reports_dir/Maildir/tmp/1.eml"
	mv "$reports_dir/Maildir/tmp/1.eml" "$reports_dir/Maildir/new/1.eml"
	tap_check "a report mail moved into the watched Maildir is stored" \
		wait_for "[ \"\$(db 'SELECT count(*) FROM reports')\" = 5 ]" 100
	tap_check "... and the message moved to cur/, seen" \
		wait_for "[ -f '$reports_dir/Maildir/cur/1.eml:2,S' ]" 50
	rollout_tests

	# The weekly summary mail: a week after the last one (the store is told it was 8 days ago).
	# Only mails delivered after the mark count: the lab's Maildir outlives one run.
	touch "$reports_dir/weekly.mark"
	db "UPDATE agent_marks SET at = at - 8 * 86400 WHERE name = 'weekly-summary:oncall'"
	kill -USR1 "$reports_pid"
	tap_check "the weekly TLS-RPT summary reaches the relay's Maildir" \
		wait_for "[ -n \"\$(weekly_mails)\" ]" 150
	local weekly
	weekly=$(weekly_mails | head -n 1)
	tap_check "... with the domain, each organisation and our probes' verdict" bash -c \
		"grep -q 'sts-testing.test' '$weekly' && grep -q 'google.com' '$weekly' &&
		grep -q 'not seen by our probes' '$weekly'"
	tap_is "... and is not sent again before a week has passed" \
		"$(kill -USR1 "$reports_pid"; sleep 3; weekly_mails | wc -l)" 1
	# Rate limit per client: a burst of 20 reports, then one a second. 40 sent at once: some
	# are refused, and no more are accepted than 20 and one per second the burst took.
	printf '{}' >"$reports_dir/empty.json"
	local i start elapsed accepted pids=()
	start=$(date +%s)
	for i in $(seq 40); do
		{ post "$reports_dir/empty.json" application/tlsrpt+json; echo; } \
			>"$reports_dir/code.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	elapsed=$(($(date +%s) - start))
	accepted=$(cat "$reports_dir"/code.* | grep -c '^400$')
	tap_check "40 reports at once from one client: once its burst is spent, 429" \
		grep -qx 429 "$reports_dir"/code.*
	tap_is "... every one answered 400 (an empty report) or 429" \
		"$(cat "$reports_dir"/code.* | grep -cE '^(400|429)$')" 40
	tap_check "... after at most 20 taken, and one more per second ($accepted in $elapsed s)" \
		test "$accepted" -le $((20 + elapsed + 1))
	kill -TERM "$reports_pid"
	wait "$reports_pid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$reports_dir"
}
