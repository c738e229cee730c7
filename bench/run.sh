#!/bin/bash
# The probe engine benchmark (bench/README.md): mxsentry's CPU per probe and memory per probe in
# flight, each next to a floor measured in the same run (bench/floor.c, OpenSSL over blocking
# sockets) and to two classic plugins, check_smtp and check_ssl_cert.
#
#   sudo bench/run.sh [--quick] [--out FILE] [--keep-going]
#
# Everything runs inside a network namespace this script creates ("mxsbench"): a Postfix instance
# on port 25 of every 127.x address (STARTTLS, one wildcard certificate *.bench.test, rejects all
# mail) and knot on 127.53.7.1:53 serving bench.test, where domain dK.bench.test has one MX
# mxK.bench.test at its own address 127.30.x.y (mxsentry runs one session per address, so K
# domains give K sessions that may run in parallel). No traffic leaves the namespace. Keys,
# configurations, logs and the floor binary live in a temporary folder; the namespace, the
# servers and that folder are removed on exit, also after an error or Ctrl-C. Nothing is written
# into the source tree; --out FILE also writes the table to FILE.
#
# Needs root, a built tree (tools/install-deps, tools/build: ./mxsentry), GNU time (package
# "time"), check_smtp (monitoring-plugins-basic) and, optionally, check_ssl_cert
# (monitoring-plugins-contrib; its row is left out when it is missing).
#
# --quick       small counts (a smoke test of the script, not figures to quote)
# --out FILE    also write the table and its conditions to FILE
# --save DIR    also copy the raw outputs (JSON reports, timings, floor output, logs) to DIR
# --keep-going  report a run whose mxsentry check exits 3 (UNKNOWN) instead of stopping
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MXSENTRY=${MXSENTRY:-$REPO/mxsentry}
CHECK_SMTP=${CHECK_SMTP:-/usr/lib/nagios/plugins/check_smtp}
CHECK_SSL_CERT=${CHECK_SSL_CERT:-/usr/lib/nagios/plugins/check_ssl_cert}
GNU_TIME=/usr/bin/time

NS=mxsbench
DNS_ADDR=127.53.7.1  # knot; also the namespace's resolv.conf
ZONE=bench.test
MX_PREFIX=127.30     # mxK.bench.test = 127.30.((K-1)/250).((K-1)%250+1)
SMTP_PORT=25
READY_SECONDS=20

# Full run: the counts the goals of bench/README.md are stated for.
FLOOR_N=200    # (a) sequential floor sessions
CPU_K=200      # (b) domains of the CPU run ...
CPU_S=64       #     ... and sessions in flight
MEM_K=1000     # (c) domains and sessions in flight of the memory run
TOOL_N=200     # (d) check_smtp runs
SSLCERT_N=20   # (d) check_ssl_cert runs (a shell script that forks dozens of processes a run)
OUT=
SAVE=
KEEP_GOING=no
# The memory run's sessions come from this source address, and Postfix answers every EHLO from
# it only after SLOW_EHLO seconds: a session on loopback otherwise ends within milliseconds, and
# "1000 probes in flight" would never happen. Real MX hosts are farther away than that.
SLOW_SOURCE=127.99.0.1
SLOW_EHLO=1

usage()
{
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick)
		FLOOR_N=50 CPU_K=50 CPU_S=16 MEM_K=200 TOOL_N=20 SSLCERT_N=5
		;;
	--out)
		[ $# -ge 2 ] || { echo "run.sh: --out needs a file name" >&2; exit 2; }
		OUT=$2
		shift
		;;
	--save)
		[ $# -ge 2 ] || { echo "run.sh: --save needs a folder" >&2; exit 2; }
		SAVE=$2
		shift
		;;
	--keep-going) KEEP_GOING=yes ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "run.sh: unknown argument \"$1\" (try --help)" >&2
		exit 2
		;;
	esac
	shift
done
[ -z "$OUT" ] || case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
[ -z "$SAVE" ] || case $SAVE in /*) ;; *) SAVE=$PWD/$SAVE ;; esac
MAX_K=$((CPU_K > MEM_K ? CPU_K : MEM_K))

say()
{
	printf 'run.sh: %s\n' "$*" >&2
}

die()
{
	say "$*"
	exit 1
}

# --- preconditions --------------------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "needs root (network namespace, Postfix, knot on port 53)"
for tool in ip openssl postfix postconf knotd kdig jq cc pkg-config ss; do
	command -v "$tool" >/dev/null || die "\"$tool\" not found: run tools/install-deps"
done
[ -x "$GNU_TIME" ] || die "$GNU_TIME not found: apt-get install time"
[ -x "$CHECK_SMTP" ] || die "$CHECK_SMTP not found: apt-get install monitoring-plugins-basic"
[ -x "$MXSENTRY" ] || die "$MXSENTRY not found: run tools/build"
# check_ssl_cert refuses to run without host(1), bc and file(1), even for an address.
HAVE_SSLCERT=yes
if [ ! -x "$CHECK_SSL_CERT" ]; then
	HAVE_SSLCERT=no
	say "no $CHECK_SSL_CERT (monitoring-plugins-contrib): its row is left out"
else
	for tool in host bc file; do
		command -v "$tool" >/dev/null && continue
		# knot-host's khost answers like host(1): lend it that name (in $tmp/bin, below).
		[ "$tool" = host ] && command -v khost >/dev/null && continue
		HAVE_SSLCERT=no
		say "check_ssl_cert needs \"$tool\" (knot-host, bc, file): its row is left out"
	done
fi
if ip netns list | grep -qw "^$NS"; then
	die "namespace $NS exists (another run, or one killed with SIGKILL); remove it with:" \
		"for p in \$(ip netns pids $NS); do kill \$p; done; ip netns delete $NS"
fi

# --- cleanup --------------------------------------------------------------------------------

tmp=
made_ns=no
made_netns_etc=no
sampler_pid=

in_ns()
{
	ip netns exec "$NS" "$@"
}

# Is PID a live process inside our namespace? Never signal a recycled pid outside it.
ours()
{
	[ -n "$1" ] && [ "$(ip netns identify "$1" 2>/dev/null)" = "$NS" ]
}

cleanup()
{
	local pid i
	trap '' INT TERM
	[ -z "$sampler_pid" ] || kill "$sampler_pid" 2>/dev/null || true
	if [ "$made_ns" = yes ]; then
		# Postfix's master stops its children on SIGTERM; knot and anything else left are
		# processes this script started in its own namespace.
		pid=$(tr -d '[:space:]' <"$tmp/postfix/queue/pid/master.pid" 2>/dev/null || true)
		! ours "$pid" || kill -TERM "$pid" 2>/dev/null || true
		for pid in $(ip netns pids "$NS" 2>/dev/null); do
			kill -TERM "$pid" 2>/dev/null || true
		done
		for ((i = 0; i < 50; i++)); do
			[ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && break
			sleep 0.1
		done
		for pid in $(ip netns pids "$NS" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns delete "$NS" 2>/dev/null || say "could not delete namespace $NS"
	fi
	[ "$made_netns_etc" = no ] || rm -rf "/etc/netns/$NS"
	# --save: the raw outputs, also of a run that stopped early.
	if [ -n "$SAVE" ] && [ -n "$tmp" ]; then
		if ! mkdir -p "$SAVE" || ! cp -r "$tmp/out/." "$SAVE/"; then
			say "could not save to $SAVE"
		fi
		cp "$tmp/postfix/log/postfix.log" "$tmp/knot/knot.log" "$SAVE/" 2>/dev/null || true
	fi
	[ -z "$tmp" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'say terminated; exit 143' TERM

tmp=$(mktemp -d /tmp/mxsbench.XXXXXX)
# Postfix's daemons run as "postfix" and must reach their queue under this folder.
chmod 755 "$tmp"
mkdir -p "$tmp/pki" "$tmp/postfix/etc" "$tmp/postfix/queue" "$tmp/postfix/log" "$tmp/knot" \
	"$tmp/out" "$tmp/bin"
command -v host >/dev/null || ! command -v khost >/dev/null ||
	ln -s "$(command -v khost)" "$tmp/bin/host"

# Raise the open-file limit for everything started from here: 1000 sessions in flight need
# 1000 sockets in mxsentry, in the floor with -k, and in Postfix's master and smtpd processes.
ulimit -n "$(ulimit -Hn)"
nofile=$(ulimit -n)
[ "$nofile" = unlimited ] || [ "$nofile" -ge $((MEM_K + 100)) ] ||
	die "the open-file limit is $nofile; $MEM_K sessions in flight need $((MEM_K + 100))"

# The MX address of domain number K (1-based): 250 per /24, so up to 64,000 domains.
mx_addr()
{
	local j=$(($1 - 1))
	printf '%s.%d.%d' "$MX_PREFIX" $((j / 250)) $((j % 250 + 1))
}
FLOOR_ADDR=$(mx_addr 1)
FLOOR_SNI=mx1.$ZONE

# --- namespace ------------------------------------------------------------------------------

say "namespace $NS"
ip netns add "$NS"
made_ns=yes
ip -n "$NS" link set lo up
# An address of our own on lo: getaddrinfo's AI_ADDRCONFIG ignores the bare loopback.
ip -n "$NS" addr add "$DNS_ADDR/32" dev lo
# "ip netns exec" mounts /etc/netns/NS/* over /etc: names are looked up at our knot only.
if [ ! -e "/etc/netns/$NS" ]; then
	made_netns_etc=yes
	mkdir -p "/etc/netns/$NS"
	printf 'nameserver %s\n' "$DNS_ADDR" >"/etc/netns/$NS/resolv.conf"
	printf '127.0.0.1 localhost\n' >"/etc/netns/$NS/hosts"
fi

# --- PKI: one CA, one wildcard leaf (EC P-256) -----------------------------------------------

say "certificates"
pki=$tmp/pki
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 90 \
	-keyout "$pki/ca.key" -out "$pki/ca.pem" -subj "/CN=mxsentry bench CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
	2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$pki/leaf.key" -out "$pki/leaf.csr" -subj "/CN=*.$ZONE" 2>/dev/null
cat >"$pki/leaf.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.$ZONE
EOF
openssl x509 -req -in "$pki/leaf.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -days 60 \
	-set_serial "0x$(openssl rand -hex 8)" -extfile "$pki/leaf.ext" -out "$pki/leaf.pem" \
	2>/dev/null
CA=$pki/ca.pem

# --- knot: bench.test, unsigned --------------------------------------------------------------

say "knot on $DNS_ADDR:53, $MAX_K domains"
kdir=$tmp/knot
{
	# shellcheck disable=SC2016 # zone file directives, not shell variables
	printf '$ORIGIN %s.\n$TTL 3600\n' "$ZONE"
	printf '@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A %s\n' "$DNS_ADDR"
	for ((k = 1; k <= MAX_K; k++)); do
		printf 'd%d MX 10 mx%d\nmx%d A %s\n' "$k" "$k" "$k" "$(mx_addr "$k")"
	done
} >"$kdir/$ZONE.zone"
# zonefile-sync -1 and journal-content none: knot never rewrites the zone or keeps old contents
# (LAB-NOTES).
cat >"$kdir/knot.conf" <<EOF
server:
    rundir: "$kdir"
    listen: $DNS_ADDR@53
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
log:
  - target: "$kdir/knot.log"
    any: warning
database:
    storage: "$kdir/db"
template:
  - id: default
    storage: "$kdir"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: $ZONE
    file: "$kdir/$ZONE.zone"
EOF
in_ns knotd -c "$kdir/knot.conf" </dev/null >>"$kdir/knot.log" 2>&1 &

# --- Postfix: port 25 of every address, STARTTLS, rejects all mail ----------------------------

say "postfix on port $SMTP_PORT of 127.0.0.0/8"
pf=$tmp/postfix
cat >"$pf/etc/main.cf" <<EOF
# A private instance (postfix -c $pf/etc): listener only, every recipient refused.
compatibility_level = 3.6
config_directory = $pf/etc
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $pf/log/postfix.log
maillog_file_prefixes = $pf/log
myhostname = mx.$ZONE
mydomain = $ZONE
myorigin = \$mydomain
smtpd_banner = \$myhostname ESMTP mxsentry bench
# Inside the namespace "all" is every address of 127.0.0.0/8 on lo.
inet_interfaces = all
inet_protocols = ipv4
mydestination =
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = reject
smtpd_recipient_restrictions = reject
disable_vrfy_command = yes
local_transport = error:5.7.1 the bench delivers nothing
default_transport = error:5.7.1 the bench delivers nothing
relay_transport = error:5.7.1 the bench delivers nothing
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_chain_files = $pki/leaf.key, $pki/leaf.pem
# No resumption: every session, the floor's and mxsentry's, is a full handshake.
smtpd_tls_session_cache_database =
smtpd_tls_session_cache_timeout = 0
smtpd_tls_loglevel = 0
# 1000 sessions in flight from one client address, as fast as they come.
default_process_limit = 1200
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
smtpd_peername_lookup = no
in_flow_delay = 0
# The memory run's source address waits $SLOW_EHLO s for every EHLO reply (see SLOW_SOURCE);
# smtpd_delay_reject = no makes the HELO restrictions run at EHLO time.
smtpd_delay_reject = no
smtpd_helo_restrictions = check_client_access cidr:$pf/etc/slow.cidr
EOF
printf '%s/32 sleep %s\n' "$SLOW_SOURCE" "$SLOW_EHLO" >"$pf/etc/slow.cidr"
cat >"$pf/etc/master.cf" <<EOF
# service   type       private unpriv chroot wakeup maxproc command
smtp        inet       n       -      n      -      -       smtpd
cleanup     unix       n       -      n      -      0       cleanup
qmgr        unix       n       -      n      300    1       qmgr
tlsmgr      unix       -       -      n      1000?  1       tlsmgr
rewrite     unix       -       -      n      -      -       trivial-rewrite
bounce      unix       -       -      n      -      0       bounce
defer       unix       -       -      n      -      0       bounce
trace       unix       -       -      n      -      0       bounce
verify      unix       -       -      n      -      1       verify
flush       unix       n       -      n      1000?  0       flush
proxymap    unix       -       -      n      -      -       proxymap
anvil       unix       -       -      n      -      1       anvil
scache      unix       -       -      n      -      1       scache
error       unix       -       -      n      -      -       error
retry       unix       -       -      n      -      -       error
postlog     unix-dgram n       -      n      -      1       postlogd
EOF
if ! in_ns postfix -c "$pf/etc" start >"$pf/log/start.log" 2>&1; then
	tail -n 30 "$pf/log/start.log" "$pf/log/postfix.log" >&2 || true
	die "postfix did not start"
fi

# Both answer within READY_SECONDS: knot with the MX of the last domain, Postfix with a 220
# greeting on the floor's address and on the last domain's.
# shellcheck disable=SC2016 # the inner script expands its own arguments
greets()
{
	in_ns timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2" && head -c 3 <&3' _ "$1" "$SMTP_PORT" \
		2>/dev/null | grep -q 220
}
for ((i = 0; ; i++)); do
	if [ -n "$(in_ns kdig +short +time=1 +retry=0 "@$DNS_ADDR" MX "d$MAX_K.$ZONE" 2>/dev/null)" ] &&
		greets "$FLOOR_ADDR" && greets "$(mx_addr "$MAX_K")"; then
		break
	fi
	if ((i >= READY_SECONDS * 4)); then
		tail -n 20 "$kdir/knot.log" "$pf/log/start.log" "$pf/log/postfix.log" >&2 || true
		die "knot or postfix not answering after ${READY_SECONDS}s"
	fi
	sleep 0.25
done

# --- measurements ---------------------------------------------------------------------------

CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
CORES=$(nproc)
OPENSSL_VERSION=$(openssl version | cut -d' ' -f2)
rows=()

# row MEASUREMENT VALUE RATIO CONDITIONS
row()
{
	rows+=("| $1 | $2 | $3 | $4 |")
}

# Prints A / B with 2 decimals, or "n/a" when B is 0.
ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

# Value of KEY in a "key value" file.
kv()
{
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}

say "building the floor"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -O2 -o "$tmp/floor" "$REPO/bench/floor.c" $(pkg-config --cflags --libs openssl)

# (a) The floor: FLOOR_N sessions one after another, then MEM_K held open at once. The second
# run also has Postfix fork the smtpd processes mxsentry's memory run will need.
say "(a) floor: $FLOOR_N sequential sessions on $FLOOR_ADDR"
in_ns "$tmp/floor" "$FLOOR_ADDR" "$SMTP_PORT" "$FLOOR_SNI" "$CA" "$FLOOR_N" >"$tmp/out/floor"
FLOOR_MS=$(kv "$tmp/out/floor" cpu_per_session_ms)
row "floor: CPU per session" "$FLOOR_MS ms" "1.00" \
	"$FLOOR_N sessions one after another on 1 address, 1 process; $(kv "$tmp/out/floor" cpu_total_s) s CPU, $(kv "$tmp/out/floor" wall_s) s wall"

say "(a) floor: $MEM_K sessions held open at once"
in_ns "$tmp/floor" -k "$FLOOR_ADDR" "$SMTP_PORT" "$FLOOR_SNI" "$CA" "$MEM_K" \
	>"$tmp/out/floor-held"
FLOOR_HELD_KIB=$(awk '$1 == "rss_before_kib" { b = $2 } $1 == "rss_peak_kib" { p = $2 }
	END { printf "%.1f", (p - b) / n }' n="$MEM_K" "$tmp/out/floor-held")
row "floor: RSS per session held open" "$FLOOR_HELD_KIB KiB" "1.00" \
	"$MEM_K sessions open at once on 1 address ((peak $(kv "$tmp/out/floor-held" rss_peak_kib) KiB - $(kv "$tmp/out/floor-held" rss_before_kib) KiB) / $MEM_K)"

# Runs "mxsentry check --json" over domains d1..dK with S sessions, extra options after S.
# Each domain has one MX address, so S domains gathered at once (concurrency.domains of a small
# configuration file; the default is 16 and has no flag) make S sessions in flight.
# Leaves in $tmp/out: NAME.json (the report), NAME.err, NAME.cpu ("user sys" from bash's time,
# 1 ms resolution where GNU time's %U %S have 10 ms) and NAME.time ("maxrss_kib wall_s" from
# GNU time). Both times cover mxsentry and the GNU time process that starts it.
run_mxsentry()
{
	local name=$1 k=$2 s=$3 rc=0 i
	local -a domains=()
	shift 3
	for ((i = 1; i <= k; i++)); do
		domains+=("d$i.$ZONE")
	done
	printf 'concurrency = { sessions = %d; domains = %d; };\n' "$s" "$s" >"$tmp/out/$name.conf"
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	in_ns bash -c 'TIMEFORMAT="%3U %3S"; out=$1; shift
		{ time "$@" >"$out.json" 2>"$out.err"; } 2>"$out.cpu"' _ "$tmp/out/$name" \
		"$GNU_TIME" -o "$tmp/out/$name.time" -f '%M %e' \
		"$MXSENTRY" check -f "$tmp/out/$name.conf" --json -r "$DNS_ADDR" --ca-bundle "$CA" --sessions "$s" -t 20s \
		"$@" "${domains[@]}" || rc=$?
	# GNU time adds "Command exited with non-zero status N" as a first line.
	sed -i '/^Command /d' "$tmp/out/$name.time"
	if ! jq -e '.domains | length > 0' "$tmp/out/$name.json" >/dev/null 2>&1; then
		head -n 20 "$tmp/out/$name.err" >&2
		die "mxsentry ($name) exited $rc without a JSON report"
	fi
	if [ "$rc" -ge 3 ]; then
		say "mxsentry ($name) exited $rc (UNKNOWN); domain statuses:" \
			"$(jq -r '[.domains[].status] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' \
				"$tmp/out/$name.json")"
		head -n 5 "$tmp/out/$name.err" >&2
		[ "$KEEP_GOING" = yes ] || die "stopping (--keep-going reports such a run anyway)"
	fi
}

# Number of probes in a report: every probe of every address of every MX of every domain.
probes()
{
	jq '[.domains[].mx[]?.addresses[]?.probes | length] | add // 0' "$1"
}

# Number of addresses probed in a report.
addresses()
{
	jq '[.domains[].mx[]?.addresses[]?] | length' "$1"
}

# user+sys seconds of run NAME.
cpu_s()
{
	awk '{ printf "%.3f", $1 + $2 }' "$tmp/out/$1.cpu"
}

# Peak RSS (KiB) and wall seconds of run NAME.
rss_kib()
{
	awk '{ print $1 }' "$tmp/out/$1.time"
}
wall_s()
{
	awk '{ print $2 }' "$tmp/out/$1.time"
}

# milliseconds per item: ms_per SECONDS COUNT
ms_per()
{
	awk -v s="$1" -v n="$2" 'BEGIN { printf "%.3f", s * 1000 / n }'
}

# (c) baseline: the same process with one domain.
say "(c) baseline: mxsentry, 1 domain"
run_mxsentry one 1 1
row "mxsentry: peak RSS, 1 domain" "$(rss_kib one) KiB" "-" \
	"1 domain, $(probes "$tmp/out/one.json") probe(s); the baseline of the in-flight figure"

# (b) CPU per probe.
say "(b) mxsentry: $CPU_K domains, $CPU_S sessions"
run_mxsentry cpu "$CPU_K" "$CPU_S"
n=$(probes "$tmp/out/cpu.json")
a=$(addresses "$tmp/out/cpu.json")
[ "$n" -gt 0 ] || die "the report of the CPU run has no probes"
MXS_MS=$(ms_per "$(cpu_s cpu)" "$n")
MXS_ADDR_MS=$(ms_per "$(cpu_s cpu)" "$a")
row "mxsentry: CPU per probe" "$MXS_MS ms" "$(ratio "$MXS_MS" "$FLOOR_MS")" \
	"$CPU_K domains, 1 MX address each, $n probes, --sessions $CPU_S; $(cpu_s cpu) s CPU, $(wall_s cpu) s wall; whole process (start, DNS, checks, JSON)"
row "mxsentry: CPU per MX address" "$MXS_ADDR_MS ms" "$(ratio "$MXS_ADDR_MS" "$FLOOR_MS")" \
	"same run: $a addresses, $(awk -v n="$n" -v a="$a" 'BEGIN { printf "%.2f", n / a }') probes each"

# (c) MEM_K probes in flight, from the slow source address. A sampler counts the established
# server sockets on port 25 so the table says how many sessions really were open at once.
say "(c) mxsentry: $MEM_K domains, $MEM_K sessions, EHLO replies delayed ${SLOW_EHLO}s"
# shellcheck disable=SC2016 # the inner script expands its own variables
in_ns bash -c 'max=0; while :; do
	n=$(ss -Htn state established "( sport = :25 )" | wc -l)
	[ "$n" -gt "$max" ] && { max=$n; echo "$max" >"$1"; }
	sleep 0.05; done' _ "$tmp/out/inflight" &
sampler_pid=$!
run_mxsentry mem "$MEM_K" "$MEM_K" --source-ipv4 "$SLOW_SOURCE"
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=
inflight=$(cat "$tmp/out/inflight" 2>/dev/null || echo 0)
n=$(probes "$tmp/out/mem.json")
peak=$(rss_kib mem)
base=$(rss_kib one)
MXS_HELD_KIB=$(awk -v p="$peak" -v b="$base" -v k="$MEM_K" 'BEGIN { printf "%.1f", (p - b) / k }')
row "mxsentry: peak RSS, $MEM_K in flight" \
	"$(awk -v p="$peak" 'BEGIN { printf "%.1f MiB", p / 1024 }')" "-" \
	"$MEM_K domains, $n probes, --sessions $MEM_K, every EHLO reply delayed ${SLOW_EHLO}s; at most $inflight sessions seen open at once (ss every 50 ms); goal 64 MiB"
row "mxsentry: RSS per probe in flight" "$MXS_HELD_KIB KiB" \
	"$(ratio "$MXS_HELD_KIB" "$FLOOR_HELD_KIB")" \
	"(peak $peak KiB - 1-domain peak $base KiB) / $MEM_K"
MXS_MEM_MS=$(ms_per "$(cpu_s mem)" "$n")
row "mxsentry: CPU per probe, $MEM_K in flight" "$MXS_MEM_MS ms" \
	"$(ratio "$MXS_MEM_MS" "$FLOOR_MS")" "same run; $(cpu_s mem) s CPU, $(wall_s mem) s wall"

# (d) The plugins: one process per check, so their cost is per invocation, process start
# included. The loop runs under bash's time inside the namespace: its children's CPU, all runs
# together (1 ms resolution), divided by the number of runs. A run that is not OK (exit 0) stops.
# time_loop NAME N CMD...
time_loop()
{
	local name=$1 n=$2
	shift 2
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	in_ns bash -c 'TIMEFORMAT="%3U %3S"; out=$1 n=$2; shift 2
		{ time for ((i = 0; i < n; i++)); do
			"$@" >"$out.err" 2>&1 || {
				echo "run $((i + 1)) of $*: exit $?" >&2; cat "$out.err" >&2; exit 1; }
		done; } 2>"$out.cpu"' _ "$tmp/out/$name" "$n" "$@"
}

say "(d) check_smtp, $TOOL_N runs"
time_loop check_smtp "$TOOL_N" "$CHECK_SMTP" -H "$FLOOR_ADDR" -S -D 30,14
CS_MS=$(ms_per "$(cpu_s check_smtp)" "$TOOL_N")
row "check_smtp -S -D 30,14: CPU per run" "$CS_MS ms" "$(ratio "$CS_MS" "$FLOOR_MS")" \
	"$TOOL_N runs one after another on 1 address; one process per run, start included; checks expiry, not the chain"

if [ "$HAVE_SSLCERT" = yes ]; then
	say "(d) check_ssl_cert, $SSLCERT_N runs"
	time_loop check_ssl_cert "$SSLCERT_N" env PATH="$tmp/bin:$PATH" "$CHECK_SSL_CERT" -H "$FLOOR_ADDR" -p "$SMTP_PORT" \
		-P smtp --sni "$FLOOR_SNI" -m "$FLOOR_SNI" --rootcert-file "$CA" -w 30 -c 14 \
		--ignore-ocsp --ignore-sct
	SC_MS=$(ms_per "$(cpu_s check_ssl_cert)" "$SSLCERT_N")
	row "check_ssl_cert -P smtp: CPU per run" "$SC_MS ms" "$(ratio "$SC_MS" "$FLOOR_MS")" \
		"$SSLCERT_N runs one after another on 1 address; a shell script per run with its openssl and other children"
fi

# --- report ---------------------------------------------------------------------------------

verdict()
{
	awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 <= g + 0) ? "met" : "NOT met" }'
}
cpu_ratio=$(ratio "$MXS_MS" "$FLOOR_MS")
{
	echo "mxsentry probe benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "CPU: $CPU_MODEL, $CORES cores; OpenSSL $OPENSSL_VERSION; Postfix $(postconf -d -h mail_version 2>/dev/null); $(kv "$tmp/out/floor" tls_version) full handshakes (no resumption), EC P-256 leaf, loopback in namespace $NS"
	echo "mxsentry: $MXSENTRY, source $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
	echo
	echo "| measurement | value | ratio to floor | conditions |"
	echo "|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Goal: mxsentry CPU per probe at most 1.3x the floor: $(verdict "$cpu_ratio" 1.3) ($cpu_ratio)."
	echo "Goal: $MEM_K probes in flight within 64 MiB: peak $(awk -v p="$peak" 'BEGIN { printf "%.1f", p / 1024 }') MiB, $(verdict "$peak" 65536);" \
		"above the 1-domain run $(awk -v p="$peak" -v b="$base" 'BEGIN { printf "%.1f", (p - b) / 1024 }') MiB, $(verdict "$((peak - base))" 65536)."
} >"$tmp/out/table"
cat "$tmp/out/table"
[ -z "$OUT" ] || cp "$tmp/out/table" "$OUT"
