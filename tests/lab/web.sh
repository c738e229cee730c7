#!/bin/bash
# The lab's MTA-STS policy hosts: one nginx inside the lab namespace on $LAB_WEB:443, with one
# server per mta-sts.DOMAIN of scenarios.tsv (picked by SNI) serving that domain's policy as the
# scenario's policy column says (RFC 8461 §3.2-3.3 and the faults the scenarios break them with).
#
#   web.sh up       (re)generate every policy and (re)start nginx; wait until it answers
#   web.sh down     stop nginx (silently succeeds when it is not running)
#   web.sh rotate   change the body of every "rotate" policy (its TXT id is left alone by design)
#
# Reads $LAB_RUN/pki/mta-sts.D.pem and $LAB_STATE/pki/mta-sts.D.key (pki.sh). Writes only under
# $LAB_RUN/web: nginx.conf, servers.conf, sites/mta-sts.D/.well-known/mta-sts.txt, log/, tmp/,
# nginx.pid.

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
source "$LAB_DIR/lab.env"
# shellcheck source=pki/scenarios.sh
source "$LAB_DIR/pki/scenarios.sh"

WEB=$LAB_RUN/web
SITES=$WEB/sites
PID=$WEB/nginx.pid
POLICY_PATH=.well-known/mta-sts.txt
MAX_AGE=1209600
# What "web.sh rotate" changes: a shorter max_age, everything else in the policy unchanged.
ROTATED_MAX_AGE=604800
# sts-redirect.test's policy host answers with a redirect to a valid policy elsewhere.
REDIRECT_TO=https://mta-sts.healthy.test/$POLICY_PATH
# RFC 8461 §3.2 allows CRLF or LF line ends; the reference domain uses CRLF so that both forms are
# exercised, every other domain LF.
CRLF_DOMAIN=healthy.test
READY_SECONDS=10

in_ns()
{
	ip netns exec "$LAB_NS" "$@"
}

# Prints a policy: policy_text MODE MAX_AGE HOST... (one "mx:" line per HOST, LF line ends).
policy_text()
{
	local mode=$1 max_age=$2 host
	shift 2
	printf 'version: STSv1\nmode: %s\n' "$mode"
	for host; do
		printf 'mx: %s\n' "$host"
	done
	printf 'max_age: %s\n' "$max_age"
}

# Prints DOMAIN's policy for scenario POLICY at "lab up" (ROTATED=1: after "lab rotate").
# Prints nothing for scenarios that serve no file (404, redirect).
policy_body()
{
	local domain=$1 policy=$2 rotated=$3
	shift 3
	case $policy in
	enforce | ctype | cert-expired) policy_text enforce "$MAX_AGE" "$@" ;;
	testing) policy_text testing "$MAX_AGE" "$@" ;;
	# RFC 8461 §3.2: "enforce" is case-sensitive; "Enforce" makes the policy invalid.
	syntax) policy_text Enforce "$MAX_AGE" "$@" ;;
	mx-missing) policy_text enforce "$MAX_AGE" "$1" ;;
	# Above the RFC 8461 §3.2 ceiling of 31557600 seconds.
	maxage) policy_text enforce 99999999 "$@" ;;
	rotate)
		if [ "$rotated" = 1 ]; then
			policy_text enforce "$ROTATED_MAX_AGE" "$@"
		else
			policy_text enforce "$MAX_AGE" "$@"
		fi
		;;
	404 | redirect) ;;
	*)
		echo "web: unknown policy kind '$policy' for $domain" >&2
		return 1
		;;
	esac
}

# Writes DOMAIN's policy file, replacing any old one atomically (a fetch never sees half a file).
write_policy()
{
	local domain=$1 policy=$2 rotated=$3 dir body
	shift 3
	dir=$SITES/mta-sts.$domain/.well-known
	mkdir -p "$dir"
	body=$(policy_body "$domain" "$policy" "$rotated" "$@")
	[ -n "$body" ] || return 0
	if [ "$domain" = "$CRLF_DOMAIN" ]; then
		printf '%s\n' "$body" | sed 's/$/\r/' >"$dir/mta-sts.txt.new"
	else
		printf '%s\n' "$body" >"$dir/mta-sts.txt.new"
	fi
	mv -f "$dir/mta-sts.txt.new" "$dir/mta-sts.txt"
}

# The nginx server of mta-sts.DOMAIN; only the redirect and ctype scenarios differ from a plain
# static file server.
server_block()
{
	local domain=$1 policy=$2 name=mta-sts.$1
	cat <<EOF
server {
	listen $LAB_WEB:443 ssl;
	server_name $name;
	ssl_certificate $LAB_RUN/pki/$name.pem;
	ssl_certificate_key $LAB_STATE/pki/$name.key;
	root $SITES/$name;
EOF
	case $policy in
	redirect) printf '\tlocation = /%s {\n\t\treturn 301 %s;\n\t}\n' "$POLICY_PATH" "$REDIRECT_TO" ;;
	ctype) printf '\tdefault_type text/html;\n' ;;
	esac
	echo "}"
}

# Writes nginx.conf, servers.conf and every policy file (in their pre-rotation state).
write_config()
{
	local domain policy hosts
	sed -e "s|@WEB@|$WEB|g" -e "s|@ADDRESS@|$LAB_WEB|g" "$LAB_DIR/web/nginx.conf.in" \
		>"$WEB/nginx.conf"
	: >"$WEB/servers.conf"
	while read -r domain policy hosts; do
		# shellcheck disable=SC2086 # hosts is a space-separated list by construction
		write_policy "$domain" "$policy" 0 $hosts
		server_block "$domain" "$policy" >>"$WEB/servers.conf"
	done < <(lab_policy_rows)
}

# Is nginx running in the lab namespace? A pid file that outlived its process (the namespace was
# deleted under it) may name an unrelated process by now: never signal that.
alive()
{
	local pid
	pid=$(cat "$PID" 2>/dev/null) || return 1
	[ -n "$pid" ] && [ "$(ip netns identify "$pid" 2>/dev/null)" = "$LAB_NS" ]
}

web_down()
{
	local i
	alive || return 0
	kill -TERM "$(cat "$PID")"
	for ((i = 0; i < READY_SECONDS * 10; i++)); do
		alive || return 0
		sleep 0.1
	done
	echo "web: nginx does not stop" >&2
	return 1
}

# Answers when nginx completes a TLS handshake and an HTTP exchange for the first policy host.
answers()
{
	local domain
	read -r domain _ < <(lab_policy_rows)
	in_ns curl -sk -o /dev/null --max-time 2 --resolve "mta-sts.$domain:443:$LAB_WEB" \
		"https://mta-sts.$domain/$POLICY_PATH" 2>/dev/null
}

await_ready()
{
	local i
	for ((i = 0; i < READY_SECONDS * 4; i++)); do
		answers && return 0
		sleep 0.25
	done
	echo "web: nginx not answering on $LAB_WEB:443 after ${READY_SECONDS}s; error log tail:" >&2
	tail -n 30 "$WEB/log/error.log" >&2 || true
	return 1
}

web_up()
{
	web_down
	rm -rf "$WEB"
	mkdir -p "$WEB/log" "$WEB/tmp" "$SITES"
	write_config
	# -e: nginx opens its compiled-in error log before reading the configuration otherwise.
	if ! in_ns nginx -e "$WEB/log/error.log" -p "$WEB/" -c "$WEB/nginx.conf" \
		>"$WEB/log/start.log" 2>&1; then
		echo "web: nginx did not start:" >&2
		tail -n 30 "$WEB/log/start.log" "$WEB/log/error.log" >&2 || true
		return 1
	fi
	await_ready
}

# nginx reads policy files at every request, so rewriting them is the whole rotation.
web_rotate()
{
	local domain policy hosts
	alive || { echo "web: not running, nothing to rotate" >&2; return 1; }
	while read -r domain policy hosts; do
		[ "$policy" = rotate ] || continue
		# shellcheck disable=SC2086 # hosts is a space-separated list by construction
		write_policy "$domain" "$policy" 1 $hosts
	done < <(lab_policy_rows)
}

case ${1:-} in
up) web_up ;;
down) web_down ;;
rotate) web_rotate ;;
*)
	echo "usage: $0 up|down|rotate" >&2
	exit 2
	;;
esac
