#!/bin/bash
# The lab's alert peers: real servers for the agent's alert sinks to deliver to, all inside the lab
# namespace.
#   relay         a private Postfix instance on $LAB_RELAY:25 named $LAB_RELAY_NAME (STARTTLS with
#                 a lab CA certificate) that takes mail from 127.0.0.0/8 for $LAB_ALERT_DOMAIN and
#                 delivers every recipient there into one Maildir (email sink)
#   alertmanager  Prometheus Alertmanager on $LAB_ALERTMANAGER, alerts routed to a receiver that
#                 sends nothing, no clustering (webhook sink in Alertmanager mode)
#   syslog        rsyslogd listening on a socket of its own, writing every message to one file
#                 (syslog sink; "exec-syslog" runs a command with that socket as its /dev/log)
#
#   alerts.sh up            (re)start all three from scratch (empty Maildir, no alerts, empty log
#                           file); wait until each answers
#   alerts.sh down          stop all three (silently succeeds when nothing runs)
#   alerts.sh rotate        nothing: a rotation is about the scenarios, not the alert peers
#   alerts.sh relay stop    stop the relay only ("the relay is down for a while"): connections to
#                           $LAB_RELAY:25 are refused; its queue and Maildir stay
#   alerts.sh relay start   start it again; returns once it greets (at most a few seconds)
#   alerts.sh exec-syslog CMD [ARG...]
#                           run CMD in the namespace and in a mount namespace of its own in which
#                           /dev/log is the lab's syslog socket, so syslog(3) reaches the lab
#   alerts.sh status        one line per peer: up or down, and where it is
#
# Reads $LAB_STATE/pki/$LAB_RELAY_NAME.key and $LAB_RUN/pki/$LAB_RELAY_NAME.pem (pki.sh). Writes
# only under $LAB_RUN/alerts:
#   relay/        etc/ (main.cf, master.cf), queue/, data/, log/postfix.log
#   maildir/      the Maildir (new/, cur/, tmp/) every message for $LAB_ALERT_DOMAIN lands in
#   alertmanager/ alertmanager.yml, data/, alertmanager.log, alertmanager.pid
#   syslog/       rsyslog.conf, log.sock, messages (one line a message), work/, rsyslogd.pid,
#                 rsyslogd.log, dev/ (mount point exec-syslog uses when the host has no /dev/log)

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
source "$LAB_DIR/lab.env"

ALERTS=$LAB_RUN/alerts
RELAY=$ALERTS/relay
RELAY_CONF=$RELAY/etc
RELAY_PID=$RELAY/queue/pid/master.pid
MAILDIR=$ALERTS/maildir
AM=$ALERTS/alertmanager
AM_CONF=$AM/alertmanager.yml
AM_PID=$AM/alertmanager.pid
AM_BIN=/usr/bin/prometheus-alertmanager
SYSLOG=$ALERTS/syslog
SYSLOG_CONF=$SYSLOG/rsyslog.conf
SYSLOG_PID=$SYSLOG/rsyslogd.pid
SYSLOG_SOCK=$SYSLOG/log.sock
SYSLOG_BIN=/usr/sbin/rsyslogd
# The Maildir's owner: virtual(8) delivers as this user, never as root.
MAIL_USER=nobody
READY_SECONDS=10
# Whether a failure stops every peer ("up": half of them must not pass for all) or leaves the
# others alone ("relay start").
STOP_ALL_ON_FAILURE=yes

die()
{
	echo "alerts: $*" >&2
	exit 1
}

# Says what failed with the last lines of the logs given, stops whatever did start (see
# STOP_ALL_ON_FAILURE), then exits.
fail_with_logs()
{
	local what=$1
	shift
	echo "alerts: $what; last lines of its logs:" >&2
	tail -n 20 "$@" >&2 2>/dev/null || true
	[ "$STOP_ALL_ON_FAILURE" = no ] || alerts_down
	exit 1
}

in_ns()
{
	ip netns exec "$LAB_NS" "$@"
}

# Prints the pid in PIDFILE if that process runs in the lab namespace and its command line
# contains WORD (its configuration file, or "master" for Postfix): a pid file that outlived its
# process (the namespace was deleted under it) may name an unrelated process by now.
daemon_pid()
{
	local pidfile=$1 word=$2 pid
	[ -s "$pidfile" ] || return 1
	pid=$(<"$pidfile")
	pid=${pid//[[:space:]]/}
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[ "$(ip netns identify "$pid" 2>/dev/null)" = "$LAB_NS" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$word" || return 1
	printf '%s\n' "$pid"
}

# Succeeds while PID runs; an exited process nobody reaped yet counts as gone.
pid_running()
{
	local state
	read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
	[ "$state" != Z ]
}

# TERM to the daemon of PIDFILE (checked as daemon_pid does), wait up to 5 s, then KILL.
stop_daemon()
{
	local pidfile=$1 word=$2 pid i
	pid=$(daemon_pid "$pidfile" "$word") || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		pid_running "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# Where an enforced AppArmor profile attaches to BINARY by path (Debian ships some for its
# daemons, allowing only their packaged paths), start it through the dynamic loader so that the
# lab's instance, and only it, runs unconfined and may use the lab's directories (as dns.sh does
# for unbound). Prints the loader, or nothing.
apparmor_loader()
{
	local binary=$1 profiles=/sys/kernel/security/apparmor/profiles
	[ -r "$profiles" ] || return 0
	grep -qE "^($binary|${binary##*/}) \\(enforce\\)" "$profiles" || return 0
	ldd "$binary" | awk '$1 ~ /^\/.*ld-linux/ { print $1; exit }'
}

# ---- relay ----

relay_config()
{
	local key=$LAB_STATE/pki/$LAB_RELAY_NAME.key chain=$LAB_RUN/pki/$LAB_RELAY_NAME.pem file
	for file in "$key" "$chain"; do
		[ -r "$file" ] || die "missing $file (has pki.sh up run?)"
	done
	sed -e "s|@RELAY@|$RELAY|g" -e "s|@MAILDIRS@|$ALERTS|g" -e "s|@NAME@|$LAB_RELAY_NAME|g" \
		-e "s|@DOMAIN@|$LAB_ALERT_DOMAIN|g" -e "s|@REPORTS@|$LAB_REPORT_DOMAIN|g" \
		-e "s|@CHAIN@|$key, $chain|g" \
		-e "s|@UID@|$(id -u "$MAIL_USER")|g" -e "s|@GID@|$(id -g "$MAIL_USER")|g" \
		"$LAB_DIR/alerts/relay-main.cf.in" >"$RELAY_CONF/main.cf"
	sed -e "s|@LISTEN@|$LAB_RELAY:25|" -e "s|@RELAY@|$RELAY|g" -e "s|@USER@|$MAIL_USER|g" \
		"$LAB_DIR/alerts/relay-master.cf.in" >"$RELAY_CONF/master.cf"
	# Until a test puts its own: "try again later", so that no report is bounced or lost.
	printf '#!/bin/sh\nexit 75\n' >"$RELAY/report-pipe"
	chmod 755 "$RELAY/report-pipe"
}

# A fresh instance and an empty Maildir, which virtual(8) writes as $MAIL_USER.
relay_prepare()
{
	rm -rf "$RELAY" "$MAILDIR"
	# data/ is left to Postfix: it must belong to the mail_owner, and "postfix start" creates it.
	mkdir -p "$RELAY_CONF" "$RELAY/queue" "$RELAY/log" "$MAILDIR/new" "$MAILDIR/cur" "$MAILDIR/tmp"
	chown -R "$MAIL_USER:$(id -gn "$MAIL_USER")" "$MAILDIR"
	chmod 700 "$MAILDIR"
	relay_config
}

relay_start()
{
	in_ns postfix -c "$RELAY_CONF" start >>"$RELAY/log/start.log" 2>&1 ||
		fail_with_logs "the relay did not start" "$RELAY/log/start.log" "$RELAY/log/postfix.log"
}

# SIGTERM to the master is what "postfix stop" sends too, without that command's polling; the
# master takes its children with it.
relay_stop()
{
	stop_daemon "$RELAY_PID" master
}

# Does the relay greet with 220? Runs inside the namespace through "bash -c".
# shellcheck disable=SC2016 # the inner script expands its own arguments
relay_ready()
{
	[[ $(in_ns timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/25" && head -n 1 <&3' _ "$LAB_RELAY" \
		2>/dev/null) == 220* ]]
}

# ---- alertmanager ----

am_start()
{
	local loader
	rm -rf "$AM"
	mkdir -p "$AM/data"
	cp "$LAB_DIR/alerts/alertmanager.yml" "$AM_CONF"
	loader=$(apparmor_loader "$AM_BIN")
	# setsid: it must outlive this script and not share its process group. "ip netns exec" and
	# setsid (not a group leader here) both exec, so $! is the daemon itself. An empty
	# --cluster.listen-address turns clustering (and its port 9094) off.
	# shellcheck disable=SC2086 # $loader is empty or one path
	ip netns exec "$LAB_NS" setsid $loader "$AM_BIN" --config.file="$AM_CONF" \
		--storage.path="$AM/data" --web.listen-address="$LAB_ALERTMANAGER" --cluster.listen-address= \
		</dev/null >>"$AM/alertmanager.log" 2>&1 &
	echo $! >"$AM_PID"
}

am_stop()
{
	stop_daemon "$AM_PID" "$AM_CONF"
}

am_ready()
{
	daemon_pid "$AM_PID" "$AM_CONF" >/dev/null &&
		in_ns curl -fsS --max-time 2 "http://$LAB_ALERTMANAGER/-/ready" >/dev/null 2>&1
}

# ---- syslog ----

syslog_start()
{
	local loader
	rm -rf "$SYSLOG"
	mkdir -p "$SYSLOG/work" "$SYSLOG/dev"
	: >"$SYSLOG/messages"
	sed "s|@SYSLOG@|$SYSLOG|g" "$LAB_DIR/alerts/rsyslog.conf.in" >"$SYSLOG_CONF"
	loader=$(apparmor_loader "$SYSLOG_BIN")
	# rsyslogd forks into the background itself once its inputs are set up.
	# shellcheck disable=SC2086 # $loader is empty or one path
	in_ns $loader "$SYSLOG_BIN" -f "$SYSLOG_CONF" -i "$SYSLOG_PID" \
		</dev/null >>"$SYSLOG/rsyslogd.log" 2>&1 ||
		fail_with_logs "rsyslogd did not start" "$SYSLOG/rsyslogd.log"
}

syslog_stop()
{
	stop_daemon "$SYSLOG_PID" "$SYSLOG_CONF"
}

syslog_ready()
{
	daemon_pid "$SYSLOG_PID" "$SYSLOG_CONF" >/dev/null && [ -S "$SYSLOG_SOCK" ]
}

# ---- the part ----

# Waits (bounded) until every peer NAME given ("relay", "am", "syslog") answers; fails naming
# those that do not.
await_ready()
{
	local name i left=()
	for ((i = 0; i < READY_SECONDS * 10; i++)); do
		left=()
		for name; do
			"${name}_ready" || left+=("$name")
		done
		[ ${#left[@]} -eq 0 ] && return 0
		sleep 0.1
	done
	fail_with_logs "not answering after ${READY_SECONDS}s: ${left[*]}" "$RELAY/log/postfix.log" \
		"$AM/alertmanager.log" "$SYSLOG/rsyslogd.log"
}

alerts_down()
{
	[ -d "$ALERTS" ] || return 0
	relay_stop
	am_stop
	syslog_stop
}

alerts_up()
{
	in_ns true 2>/dev/null || die "network namespace '$LAB_NS' does not exist (run 'lab up')"
	alerts_down
	mkdir -p "$ALERTS"
	relay_prepare
	# The three start side by side: Alertmanager boots while "postfix start" runs its checks.
	am_start
	syslog_start
	relay_start
	await_ready relay am syslog
}

alerts_relay()
{
	[ -d "$RELAY_CONF" ] || die "the alert peers are not up (run 'lab up')"
	case ${1:-} in
	stop)
		relay_stop
		# Down means refused: wait until nothing listens any more.
		local i
		for ((i = 0; i < READY_SECONDS * 10; i++)); do
			relay_ready || return 0
			sleep 0.1
		done
		die "the relay still answers after stop"
		;;
	start)
		STOP_ALL_ON_FAILURE=no
		daemon_pid "$RELAY_PID" master >/dev/null || relay_start
		await_ready relay
		;;
	*) die "usage: alerts.sh relay stop|start" ;;
	esac
}

# Runs inside the lab namespace, in a private mount namespace (see alerts_exec_syslog): puts
# SOCKET at /dev/log, then execs the command. Where /dev/log exists (a socket, or a symlink to
# journald's), the socket is bind-mounted over it (over the symlink's target). Where it does not,
# nothing may be created in the host's /dev, which is shared with the host whatever the mount
# namespace: a tmpfs on SCRATCH gets a copy of /dev instead (devices and files bind-mounted,
# directories such as pts and shm bind-mounted with what is mounted below them, symlinks
# copied) plus "log", and goes over /dev. Only the command sees either.
with_dev_log()
{
	local socket=$1 scratch=$2 entry name
	shift 2
	if [ -e /dev/log ]; then
		mount --bind "$socket" /dev/log
	else
		mount -t tmpfs -o mode=755 lab-dev "$scratch"
		for entry in /dev/* /dev/.[!.]*; do
			[ -e "$entry" ] || [ -L "$entry" ] || continue
			name=${entry#/dev/}
			# A dangling /dev/log symlink is replaced, never written through.
			[ "$name" = log ] && continue
			if [ -L "$entry" ]; then
				cp -P "$entry" "$scratch/$name"
			elif [ -d "$entry" ]; then
				mkdir "$scratch/$name"
				mount --rbind "$entry" "$scratch/$name"
			else
				: >"$scratch/$name"
				mount --bind "$entry" "$scratch/$name"
			fi
		done
		: >"$scratch/log"
		mount --bind "$socket" "$scratch/log"
		mount --rbind "$scratch" /dev
	fi
	exec "$@"
}

alerts_exec_syslog()
{
	[ $# -gt 0 ] || die "usage: alerts.sh exec-syslog CMD [ARG...]"
	[ -S "$SYSLOG_SOCK" ] || die "the lab's syslog is not running (run 'lab up')"
	# "ip netns exec" already gives the command a mount namespace of its own, as a slave of the
	# host's; unshare makes it private too, so no mount below can ever reach the host.
	exec ip netns exec "$LAB_NS" unshare --mount --propagation private \
		bash -c "set -eu; $(declare -f with_dev_log); with_dev_log \"\$@\"" _ \
		"$SYSLOG_SOCK" "$SYSLOG/dev" "$@"
}

alerts_status()
{
	local state
	state=down
	daemon_pid "$RELAY_PID" master >/dev/null && state=up
	printf 'relay         %-5s smtp://%s:25 (%s), Maildir %s\n' "$state" "$LAB_RELAY" \
		"$LAB_RELAY_NAME" "$MAILDIR"
	state=down
	daemon_pid "$AM_PID" "$AM_CONF" >/dev/null && state=up
	printf 'alertmanager  %-5s http://%s/api/v2/alerts\n' "$state" "$LAB_ALERTMANAGER"
	state=down
	daemon_pid "$SYSLOG_PID" "$SYSLOG_CONF" >/dev/null && state=up
	printf 'syslog        %-5s %s -> %s\n' "$state" "$SYSLOG_SOCK" "$SYSLOG/messages"
}

case ${1:-} in
up) alerts_up ;;
down) alerts_down ;;
rotate) ;;
relay)
	shift
	alerts_relay "$@"
	;;
exec-syslog)
	shift
	alerts_exec_syslog "$@"
	;;
status) alerts_status ;;
*)
	echo "usage: $0 up|down|rotate|relay stop|relay start|exec-syslog CMD [ARG...]|status" >&2
	exit 2
	;;
esac
