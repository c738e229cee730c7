#!/bin/bash
# The lab's MX hosts: one private Postfix instance with an smtpd listener on port 25 of every MX
# address of scenarios.tsv (IPv4 and IPv6), shaped by the address's profile, plus the tarpit
# (mail/tarpit.pl) on every "tarpit" address. All of it runs inside the lab namespace.
#
#   mail.sh up       (re)start Postfix and the tarpit from scratch; wait until every address answers
#   mail.sh down     stop both (silently succeeds when nothing runs)
#   mail.sh rotate   serve the re-issued chain of every "rotate" host (after "pki.sh rotate")
#   mail.sh stop-listener ADDRESS
#   mail.sh start-listener ADDRESS
#                    close (connections refused) or reopen the listener of one Postfix MX address
#
# Reads the chains and keys of pki.sh ($LAB_RUN/pki/H.pem, $LAB_STATE/pki/H.key, ...). Writes only
# under $LAB_RUN/mail: etc/ (main.cf, master.cf, the SNI map, the stopped addresses), queue/,
# data/, log/ (postfix.log, tarpit.log), tarpit.pid.

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
source "$LAB_DIR/lab.env"
# shellcheck source=pki/scenarios.sh
source "$LAB_DIR/pki/scenarios.sh"

MAIL=$LAB_RUN/mail
CONF=$MAIL/etc
KEYS=$LAB_STATE/pki
CERTS=$LAB_RUN/pki
MASTER_PID=$MAIL/queue/pid/master.pid
TARPIT_PID=$MAIL/tarpit.pid
# The addresses whose listener "stop-listener" closed, one a line; "up" forgets them.
STOPPED=$CONF/stopped
SMTP_PORT=25
# Ciphers for the TLS 1.0/1.1-only listener: OpenSSL 3 refuses those versions' SHA-1 handshake
# signatures above security level 0.
LEGACY_CIPHERS='DEFAULT:@SECLEVEL=0'
READY_SECONDS=10

in_ns()
{
	ip netns exec "$LAB_NS" "$@"
}

postfix_ctl()
{
	in_ns postfix -c "$CONF" "$@"
}

# "[v6]:port" for IPv6 literals, "v4:port" otherwise: the master.cf and s_client notation.
endpoint()
{
	case $1 in
	*:*) printf '[%s]:%s' "$1" "$SMTP_PORT" ;;
	*) printf '%s:%s' "$1" "$SMTP_PORT" ;;
	esac
}

# Prints the private key that matches the leaf of HOST's chain. Only a "rotate" host has a choice:
# after "pki.sh rotate" its chain is for HOST.next.key.
current_key()
{
	local host=$1 key served
	served=$(openssl x509 -in "$CERTS/$host.pem" -noout -pubkey)
	for key in "$KEYS/$host.key" "$KEYS/$host.next.key"; do
		[ -e "$key" ] || continue
		if [ "$(openssl pkey -in "$key" -pubout)" = "$served" ]; then
			echo "$key"
			return 0
		fi
	done
	echo "mail: no key in $KEYS matches $CERTS/$host.pem" >&2
	return 1
}

# The key and chain files HOST serves, space-separated, in smtpd_tls_chain_files order (key
# before its chain). "dual" adds the RSA pair, which OpenSSL picks for RSA-only clients.
chain_files()
{
	local host=$1 profile=$2 key
	case $profile in
	rotate) key=$(current_key "$host") || return 1 ;;
	*) key=$KEYS/$host.key ;;
	esac
	printf '%s %s' "$key" "$CERTS/$host.pem"
	[ "$profile" = dual ] && printf ' %s %s' "$KEYS/$host.rsa.key" "$CERTS/$host.rsa.pem"
	echo
}

# One master.cf smtpd line for ADDRESS of HOST. master.cf splits on spaces, so the file list of
# smtpd_tls_chain_files is joined with commas.
listener_line()
{
	local address=$1 host=$2 profile=$3 files
	local opts="-o myhostname=$host"
	case $profile in
	nostarttls)
		opts+=" -o smtpd_tls_security_level=none"
		;;
	tls10)
		opts+=" -o smtpd_tls_protocols=<=TLSv1.1 -o smtpd_tls_mandatory_protocols=<=TLSv1.1"
		opts+=" -o tls_medium_cipherlist=$LEGACY_CIPHERS -o tls_high_cipherlist=$LEGACY_CIPHERS"
		;;
	esac
	if [ "$profile" != nostarttls ]; then
		files=$(chain_files "$host" "$profile")
		opts+=" -o smtpd_tls_chain_files=${files// /,}"
	fi
	printf '%-28s inet n - n - - smtpd %s\n' "$(endpoint "$address")" "$opts"
}

# Fails unless every file named exists: Postfix would only notice a missing chain at the first
# STARTTLS, long after "up" reported success (and postmap merely skips such a line).
require_files()
{
	local file
	for file; do
		[ -r "$file" ] && continue
		echo "mail: missing $file (has pki.sh up run?)" >&2
		return 1
	done
}

# Writes main.cf, master.cf and the SNI table source from scenarios.tsv and the current chains.
write_config()
{
	local domain host v4 v6 profile policy tlsa address files
	sed "s|@MAIL@|$MAIL|g" "$LAB_DIR/mail/main.cf.in" >"$CONF/main.cf"
	cp "$LAB_DIR/mail/master.cf.in" "$CONF/master.cf.new"
	: >"$CONF/sni.new"
	while read -r domain host v4 v6 profile policy tlsa; do
		[ "$profile" = tarpit ] && continue
		for address in "$v4" "$v6"; do
			[ "$address" = - ] && continue
			is_stopped "$address" && continue
			listener_line "$address" "$host" "$profile" >>"$CONF/master.cf.new"
		done
		[ "$profile" = nostarttls ] && continue
		files=$(chain_files "$host" "$profile")
		# shellcheck disable=SC2086 # a space-separated list of paths without spaces
		require_files $files
		printf '%s %s\n' "$host" "$files" >>"$CONF/sni.new"
	done < <(lab_mx_rows)
	mv -f "$CONF/master.cf.new" "$CONF/master.cf"
	mv -f "$CONF/sni.new" "$CONF/sni"
	# -F: the values are file names whose PEM contents go into the table (LAB-NOTES).
	postmap -c "$CONF" -F "hash:$CONF/sni"
}

is_stopped()
{
	grep -qxF "$1" "$STOPPED" 2>/dev/null
}

# Every address of the given PROFILE ("tarpit") or of every other profile ("!tarpit").
addresses()
{
	local want=$1 domain host v4 v6 profile policy tlsa
	while read -r domain host v4 v6 profile policy tlsa; do
		case $want in
		'!'*) [ "$profile" = "${want#!}" ] && continue ;;
		*) [ "$profile" = "$want" ] || continue ;;
		esac
		echo "$v4"
		[ "$v6" = - ] || echo "$v6"
	done < <(lab_mx_rows)
}

# Is the process of PIDFILE running in the lab namespace? A pid file that outlived its process
# (the namespace was deleted under it) may name an unrelated process by now: never signal that.
alive()
{
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	pid=${pid//[[:space:]]/}
	[ -n "$pid" ] && [ "$(ip netns identify "$pid" 2>/dev/null)" = "$LAB_NS" ]
}

# Waits (bounded) until the process of PIDFILE is gone.
await_exit()
{
	local pidfile=$1 i
	for ((i = 0; i < READY_SECONDS * 10; i++)); do
		alive "$pidfile" || return 0
		sleep 0.1
	done
	echo "mail: process of $pidfile does not exit" >&2
	return 1
}

# SIGTERM to the master is what "postfix stop" sends too; signalling it directly avoids that
# command's one-second polling and works even if the configuration is already gone.
stop_postfix()
{
	alive "$MASTER_PID" || return 0
	kill -TERM "$(tr -d '[:space:]' <"$MASTER_PID")" || true
	await_exit "$MASTER_PID"
}

stop_tarpit()
{
	if alive "$TARPIT_PID"; then
		kill "$(cat "$TARPIT_PID")"
		await_exit "$TARPIT_PID"
	fi
	rm -f "$TARPIT_PID"
}

start_tarpit()
{
	local -a list
	mapfile -t list < <(addresses tarpit)
	[ "${#list[@]}" -gt 0 ] || return 0
	# setsid: the tarpit must outlive this script and not share its process group.
	in_ns setsid perl "$LAB_DIR/mail/tarpit.pl" "$TARPIT_PID" "$SMTP_PORT" "${list[@]}" \
		</dev/null >>"$MAIL/log/tarpit.log" 2>&1 &
}

# Prints the first line the server at ADDRESS sends, or nothing within 2 s. Runs inside the
# namespace through "bash -c" with this function's text (declare -f).
# shellcheck disable=SC2016 # the inner script expands its own arguments
first_line()
{
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2" && head -n 1 <&3' _ "$1" "$2" 2>/dev/null || true
}

# Does TCP connect succeed at ADDRESS?
# shellcheck disable=SC2016 # the inner script expands its own arguments
connects()
{
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Ready means: every Postfix address greets with 220 and every tarpit address accepts.
ready()
{
	local address
	for address in $(addresses '!tarpit'); do
		[[ $(in_ns bash -c "$(declare -f first_line); first_line \"\$@\"" _ \
			"$address" "$SMTP_PORT") == 220* ]] || return 1
	done
	for address in $(addresses tarpit); do
		[ -f "$TARPIT_PID" ] || return 1
		in_ns bash -c "$(declare -f connects); connects \"\$@\"" _ "$address" "$SMTP_PORT" ||
			return 1
	done
}

await_ready()
{
	local i
	for ((i = 0; i < READY_SECONDS * 4; i++)); do
		ready && return 0
		sleep 0.25
	done
	echo "mail: listeners not answering after ${READY_SECONDS}s; log tails:" >&2
	tail -n 30 "$MAIL/log/postfix.log" "$MAIL/log/start.log" "$MAIL/log/tarpit.log" >&2 || true
	return 1
}

mail_down()
{
	stop_tarpit
	stop_postfix
}

mail_up()
{
	mail_down
	# A fresh queue and configuration: "up" always returns to the initial state.
	rm -rf "$MAIL"
	# data/ is left to Postfix: it must belong to the mail_owner, and "postfix start" creates it so.
	mkdir -p "$CONF" "$MAIL/queue" "$MAIL/log"
	write_config
	if ! postfix_ctl start >"$MAIL/log/start.log" 2>&1; then
		echo "mail: postfix did not start:" >&2
		tail -n 30 "$MAIL/log/start.log" "$MAIL/log/postfix.log" >&2 || true
		return 1
	fi
	start_tarpit
	await_ready
}

# After "pki.sh rotate" a rotate host's chain is for its next key: rewrite the listener lines and
# the SNI table to that key, reload, and wait until a new connection really gets it.
mail_rotate()
{
	local domain host v4 v6 profile policy tlsa
	alive "$MASTER_PID" || { echo "mail: not running, nothing to rotate" >&2; return 1; }
	write_config
	postfix_ctl reload >>"$MAIL/log/start.log" 2>&1
	while read -r domain host v4 v6 profile policy tlsa; do
		[ "$profile" = rotate ] && await_served "$v4" "$host"
	done < <(lab_mx_rows)
	return 0
}

# Waits (bounded) until ADDRESS presents the key of HOST's current chain: a reload lets idle
# smtpd processes finish first, so the first connections may still meet the old key.
await_served()
{
	local address=$1 host=$2 want got i
	want=$(openssl x509 -in "$CERTS/$host.pem" -noout -pubkey)
	for ((i = 0; i < READY_SECONDS * 4; i++)); do
		got=$(in_ns timeout 3 openssl s_client -starttls smtp -connect "$(endpoint "$address")" \
			-servername "$host" </dev/null 2>/dev/null | openssl x509 -noout -pubkey 2>/dev/null) ||
			true
		[ "$got" = "$want" ] && return 0
		sleep 0.25
	done
	echo "mail: $host ($address) still serves its old key after reload" >&2
	tail -n 30 "$MAIL/log/postfix.log" >&2 || true
	return 1
}

# Closes (stop) or reopens (start) the listener of one Postfix MX ADDRESS: rewrite master.cf
# without or with its line, reload, and wait until a new connection is refused or greeted.
mail_listener()
{
	local action=$1 address=${2:-} i greeting
	alive "$MASTER_PID" || { echo "mail: not running" >&2; return 1; }
	# not a pipe: with pipefail, grep -q leaving early would fail it
	grep -qxF -- "$address" < <(addresses '!tarpit') || {
		echo "mail: \"$address\" is not a Postfix MX address of scenarios.tsv" >&2
		return 1
	}
	if [ "$action" = stop ]; then
		is_stopped "$address" || echo "$address" >>"$STOPPED"
	elif [ -f "$STOPPED" ]; then
		grep -vxF -- "$address" "$STOPPED" >"$STOPPED.new" || true
		mv -f "$STOPPED.new" "$STOPPED"
	fi
	write_config
	postfix_ctl reload >>"$MAIL/log/start.log" 2>&1
	for ((i = 0; i < READY_SECONDS * 4; i++)); do
		greeting=$(in_ns bash -c "$(declare -f first_line); first_line \"\$@\"" _ \
			"$address" "$SMTP_PORT")
		case $action:$greeting in
		stop:) return 0 ;;
		start:220*) return 0 ;;
		esac
		sleep 0.25
	done
	echo "mail: the listener of $address did not $action" >&2
	tail -n 30 "$MAIL/log/postfix.log" >&2 || true
	return 1
}

case ${1:-} in
up) mail_up ;;
down) mail_down ;;
rotate) mail_rotate ;;
stop-listener) mail_listener stop "${2:-}" ;;
start-listener) mail_listener start "${2:-}" ;;
*)
	echo "usage: $0 up|down|rotate|stop-listener ADDRESS|start-listener ADDRESS" >&2
	exit 2
	;;
esac
