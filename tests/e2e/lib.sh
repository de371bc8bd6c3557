# SPDX-License-Identifier: GPL-2.0-only
# Helpers for flowgate's end-to-end tests; source it from tests/e2e/test_*.sh.
#
# Topology (one per test, names unique per process):
#
#   client netns $NS_C                      server netns $NS_S
#   $IF_C 10.99.1.1/24 fd00:99::1/64 <--veth--> $IF_S 10.99.1.2/24 fd00:99::2/64
#                                              flowgate attached here
#
# Commands run inside a namespace through `nsenter --net=/run/netns/NS`, not
# `ip netns exec`: the latter gives each command a fresh mount namespace and
# /sys without bpffs, so libxdp's pins would vanish with the command and a
# later `flowgate detach` could not see them. nsenter keeps the host's mounts,
# as a real deployment has. (test_bpffs.sh covers the `ip netns exec` case.)
#
# Every check prints exactly one line: "PASS <test>: <what>" or
# "FAIL <test>: <what>: <why>" (or "SKIP <test>: <why>"); e2e_finish exits 1
# if any check failed. Cleanup runs from a trap on EXIT/INT/TERM.

set -uo pipefail

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FG=${FLOWGATE:-$E2E_ROOT/build/flowgate}
T=$(basename "$0" .sh)
T=${T#test_}

# Unique names: "fg<pid>" is at most 9 characters, so "<prefix><role><n>"
# stays within IFNAMSIZ - 1 = 15.
U=fg$$
NS_C=${U}c
NS_S=${U}s
IF_C=${U}c0
IF_S=${U}s0
C4=10.99.1.1
S4=10.99.1.2
C6=fd00:99::1
S6=fd00:99::2

E2E_TMP=$(mktemp -d "/tmp/fg-$$.XXXX")
SOCK=$E2E_TMP/sock
EVENTS=$E2E_TMP/events.json
FG_LOG=$E2E_TMP/flowgate.log
FG_PID=
FG_NS=
E2E_NETNS=()
E2E_PIDS=()
E2E_FAILED=0
E2E_CHECKS=0

# ---------------------------------------------------------------------------
# Reporting

pass() { E2E_CHECKS=$((E2E_CHECKS + 1)); printf 'PASS %s: %s\n' "$T" "$1"; }
fail() {
	E2E_CHECKS=$((E2E_CHECKS + 1)); E2E_FAILED=$((E2E_FAILED + 1))
	printf 'FAIL %s: %s: %s\n' "$T" "$1" "$2"
}
skip_all() { printf 'SKIP %s: %s\n' "$T" "$1"; exit 0; }
info() { printf '# %s\n' "$*"; }

# ok WHAT CMD... : CMD must succeed.
ok() {
	local what=$1 out; shift
	if out=$("$@" 2>&1); then
		pass "$what"
	else
		fail "$what" "'$*' failed (status $?): $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# no WHAT CMD... : CMD must fail (e.g. traffic the policy denies).
no() {
	local what=$1 out; shift
	if out=$("$@" 2>&1); then
		fail "$what" "'$*' succeeded but should have failed: $(printf '%s' "$out" | tail -n 1)"
	else
		pass "$what"
	fi
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# expect_cmp WHAT A OP B : integer comparison (-gt, -ge, -eq, ...).
expect_cmp() {
	if [[ $2 =~ ^-?[0-9]+$ ]] && [[ $4 =~ ^-?[0-9]+$ ]] && [ "$2" "$3" "$4" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2' $3 '$4'"
	fi
}

# expect_match WHAT TEXT REGEX
expect_match() {
	if printf '%s' "$2" | grep -qE -- "$3"; then
		pass "$1"
	else
		fail "$1" "'$(printf '%s' "$2" | head -c 300 | tr '\n' ' ')' does not match /$3/"
	fi
}

e2e_finish() {
	if [ "$E2E_CHECKS" -eq 0 ]; then
		fail "checks" "the test ran no check"
	fi
	exit $((E2E_FAILED > 0))
}

# ---------------------------------------------------------------------------
# Prerequisites

e2e_require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces, XDP)"
}

e2e_require_cmds() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			skip_all "command '$c' missing (run scripts/install-deps.sh)"
	done
}

e2e_require_flowgate() {
	[ -x "$FG" ] || { fail "setup" "$FG not built (run make)"; exit 1; }
}

# ---------------------------------------------------------------------------
# Namespaces

in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
in_c() { in_ns "$NS_C" "$@"; }
in_s() { in_ns "$NS_S" "$@"; }

# topo_create [MTU [QUEUES]]: both namespaces, the veth pair (QUEUES rx
# and tx queues on each end, default 1), addresses, routes up.
topo_create() {
	local mtu=${1:-1500} q=${2:-1}
	ip netns add "$NS_C" || { fail "setup" "ip netns add $NS_C"; exit 1; }
	E2E_NETNS+=("$NS_C")
	ip netns add "$NS_S" || { fail "setup" "ip netns add $NS_S"; exit 1; }
	E2E_NETNS+=("$NS_S")
	ip link add "$IF_C" numrxqueues "$q" numtxqueues "$q" netns "$NS_C" \
		mtu "$mtu" type veth peer name "$IF_S" numrxqueues "$q" \
		numtxqueues "$q" netns "$NS_S" mtu "$mtu" ||
		{ fail "setup" "ip link add veth $IF_C/$IF_S"; exit 1; }
	in_c ip link set lo up
	in_s ip link set lo up
	in_c ip addr add "$C4/24" dev "$IF_C"
	in_s ip addr add "$S4/24" dev "$IF_S"
	in_c ip -6 addr add "$C6/64" dev "$IF_C" nodad
	in_s ip -6 addr add "$S6/64" dev "$IF_S" nodad
	in_c ip link set "$IF_C" up
	in_s ip link set "$IF_S" up
}

# Forget learned neighbours so the next packet needs ARP / ND again.
neigh_flush() {
	in_c ip neigh flush dev "$IF_C" 2>/dev/null
	in_s ip neigh flush dev "$IF_S" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------------------
# flowgate

# write_policy FILE <<EOF ... EOF
write_policy() { cat >"$1"; }

# fg_start POLICY [MODE [EXTRA ARGS...]]: run flowgate on $IF_S in the server
# namespace, in the background, and wait until its socket answers.
fg_start() {
	local policy=$1 mode=${2:-native} i
	shift 2 2>/dev/null || shift $#
	: >"$EVENTS"
	# A background job starts with SIGINT ignored; restore the default so
	# flowgate sees SIGINT as it would in the foreground.
	# (nsenter itself, not a shell function, goes to the background, so
	# $! is the pid of the command it execs.)
	nsenter --net="/run/netns/$NS_S" -- env --default-signal=INT \
		"$FG" run --iface "$IF_S" --policy "$policy" --xdp-mode "$mode" \
		--socket "$SOCK" --events "$EVENTS" "$@" >>"$FG_LOG" 2>&1 &
	FG_PID=$!
	FG_NS=$NS_S
	for i in $(seq 1 100); do
		if ! kill -0 "$FG_PID" 2>/dev/null; then
			wait "$FG_PID"
			fail "flowgate run (mode $mode)" "exited with status $? before answering: $(tail -n 5 "$FG_LOG" | tr '\n' ' ')"
			FG_PID=
			return 1
		fi
		if fg status >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	fail "flowgate run (mode $mode)" "no answer on $SOCK after 10s: $(tail -n 5 "$FG_LOG" | tr '\n' ' ')"
	return 1
}

# fg CMD ARGS...: a flowgate command against this test's instance.
fg() { local cmd=$1; shift; in_s "$FG" "$cmd" --socket "$SOCK" "$@"; }

# fg_stop [SIGNAL]: stop flowgate, wait, return its exit status.
fg_stop() {
	local sig=${1:-TERM} rc i
	[ -n "$FG_PID" ] || return 0
	kill -"$sig" "$FG_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$FG_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$FG_PID" 2>/dev/null; then
		kill -KILL "$FG_PID" 2>/dev/null
		wait "$FG_PID" 2>/dev/null
		FG_PID=
		return 124
	fi
	wait "$FG_PID" 2>/dev/null
	rc=$?
	FG_PID=
	return $rc
}

# JSON helpers (jq): fg_json CMD FILTER -> value.
fg_json() { local cmd=$1 filter=$2; fg "$cmd" --json | jq -r "$filter"; }
rule_packets() { fg_json stats "[.rules[] | select(.name == \"$1\") | .packets] | add // 0"; }
verdict_count() { fg_json stats ".verdicts.\"$1\" // 0"; }
drop_count() { fg_json stats ".drops.\"$1\" // 0"; }
drops_total() { fg_json stats '[.drops[]] | add // 0'; }

# What is attached to an interface, as seen by the kernel (not by flowgate):
# xdp_attached NS IF succeeds if any XDP program is on IF; tc_filters NS IF
# ingress|egress prints the BPF filters of that clsact hook (empty if none).
xdp_attached() { in_ns "$1" ip -d -j link show dev "$2" | jq -e '.[0].xdp != null' >/dev/null; }
tc_filters() { in_ns "$1" tc filter show dev "$2" "$3" 2>/dev/null | grep -E ' bpf ' || true; }

# policy_head: the start of a policy, up to "rules:": deny by default,
# groups "server" and "client" (both families). Tests append their rules:
#   { policy_head; cat <<YAML; } >FILE
policy_head() {
	cat <<YAML
version: 1
default: deny
groups:
  server: [$S4, "$S6"]
  client: [$C4, "$C6"]
rules:
YAML
}

# The policy most tests use. Servers: http 8080 (allowed), http 8081 (no
# rule: default deny), tcp echo 7000 (allowed), udp echo 7001 (allowed),
# udp echo 7002 (no rule), tcp echo 2323 (denied by a logging rule).
policy_base() {
	cat >"$1" <<'YAML'
version: 1
default: deny
rules:
  - name: http
    proto: tcp
    ports: [8080]
    action: allow
  - name: echo-tcp
    proto: tcp
    ports: [7000]
    action: allow
  - name: echo-udp
    proto: udp
    ports: [7001]
    action: allow
  - name: ping
    proto: icmp
    icmp_types: [echo-request]
    action: allow
  - name: ping6
    proto: icmpv6
    icmp_types: [echo-request]
    action: allow
  - name: telnet
    proto: tcp
    ports: [2323]
    action: deny
    log: true
YAML
}

# Start the servers policy_base expects, in the server namespace.
servers_base() {
	srv_start "$NS_S" http 8080 && srv_start "$NS_S" http 8081 &&
	srv_start "$NS_S" tcp 7000 && srv_start "$NS_S" udp 7001 &&
	srv_start "$NS_S" udp 7002 && srv_start "$NS_S" tcp 2323
}

# Allowed and denied TCP/UDP/ICMP over IPv4 and IPv6 under policy_base. The
# allowed exchanges only succeed if the server's replies pass too.
check_base_traffic() {
	local tag=${1:+ ($1)} a
	for a in "$S4" "$S6"; do
		ok "tcp http $a:8080 allowed, reply passes$tag" http_get "$a" 8080
		ok "tcp echo $a:7000 allowed$tag" tcp_echo "$a" 7000
		no "tcp http $a:8081 denied by default$tag" http_get "$a" 8081
		no "tcp $a:2323 denied by rule$tag" tcp_echo "$a" 2323
		ok "udp echo $a:7001 allowed, reply passes$tag" udp_echo "$a" 7001
		no "udp echo $a:7002 denied by default$tag" udp_echo "$a" 7002
		ok "icmp echo $a allowed$tag" ping_ok "$a"
	done
}

# capture_start NS IF FILTER: tcpdump in the background (sets CAP_PID and
# CAP_OUT); capture_stop prints the number of packets it saw.
capture_start() {
	CAP_OUT=$E2E_TMP/cap.$RANDOM
	nsenter --net="/run/netns/$1" -- tcpdump -l -n -i "$2" "$3" >"$CAP_OUT" 2>"$CAP_OUT.err" &
	CAP_PID=$!
	E2E_PIDS+=("$CAP_PID")
	wait_until 5 grep -q 'listening on' "$CAP_OUT.err"
}
capture_stop() {
	sleep 0.3
	kill -TERM "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	grep -c . "$CAP_OUT"
}

# ---------------------------------------------------------------------------
# Servers and clients (python3, written once per test)

cat >"$E2E_TMP/server.py" <<'PY'
# server.py tcp|udp PORT: dual-stack echo server (TCP: line echo, one thread
# per connection; UDP: datagram echo).
import socket, sys, threading
kind, port = sys.argv[1], int(sys.argv[2])
typ = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET6, typ)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", port))
if kind == "udp":
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)
def serve(c):
    with c:
        while True:
            d = c.recv(65536)
            if not d:
                return
            c.sendall(d)
s.listen(64)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY

cat >"$E2E_TMP/client.py" <<'PY'
# client.py MODE HOST PORT [ARG]: exit 0 iff the exchange succeeded.
#   http HOST PORT        GET / from an http server
#   tcp  HOST PORT        send a line to an echo server, read it back
#   udp  HOST PORT [SIZE] send one SIZE-byte datagram, expect it echoed
#   hold HOST PORT LOG    keep a TCP connection: one line per 100 ms, append
#                         "ok N" to LOG for each echoed line (runs until killed)
import socket, sys, time, urllib.request
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
if mode == "http":
    h = "[%s]" % host if fam == socket.AF_INET6 else host
    r = urllib.request.urlopen("http://%s:%d/" % (h, port), timeout=2)
    sys.exit(0 if r.status == 200 else 1)
if mode == "tcp":
    s = socket.create_connection((host, port), timeout=2)
    s.sendall(b"hello\n")
    got = b""
    while len(got) < 6:
        d = s.recv(64)
        if not d:
            break
        got += d
    sys.exit(0 if got == b"hello\n" else 1)
if mode == "udp":
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1.5)
    payload = bytes((i * 7) & 0xff for i in range(size))
    s.sendto(payload, (host, port))
    try:
        d, _ = s.recvfrom(65535)
    except socket.timeout:
        sys.exit(1)
    sys.exit(0 if d == payload else 1)
if mode == "hold":
    log = open(sys.argv[4], "a", buffering=1)
    s = socket.create_connection((host, port), timeout=2)
    s.settimeout(0.5)
    n = 0
    while True:
        n += 1
        line = b"line %d\n" % n
        try:
            s.sendall(line)
            got = b""
            while not got.endswith(b"\n"):
                d = s.recv(64)
                if not d:
                    log.write("closed\n")
                    sys.exit(1)
                got += d
            log.write("ok %d\n" % n)
        except socket.timeout:
            log.write("timeout %d\n" % n)
        time.sleep(0.1)
sys.exit(2)
PY

# srv_start NS tcp|udp|http PORT: start a server and wait until it listens.
srv_start() {
	local ns=$1 kind=$2 port=$3 i proto=t
	case $kind in
	http)
		mkdir -p "$E2E_TMP/www"
		echo "flowgate e2e" >"$E2E_TMP/www/index.html"
		bg_start "$ns" python3 -m http.server --bind :: \
			--directory "$E2E_TMP/www" "$port" ;;
	tcp) bg_start "$ns" python3 "$E2E_TMP/server.py" tcp "$port" ;;
	udp) proto=u
	     bg_start "$ns" python3 "$E2E_TMP/server.py" udp "$port" ;;
	esac
	for i in $(seq 1 50); do
		in_ns "$ns" ss -Hl"$proto"n "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	fail "setup" "$kind server on port $port in $ns did not start"
	return 1
}

# Clients: run in the client namespace unless told otherwise (CLIENT_NS).
http_get() { in_ns "${CLIENT_NS:-$NS_C}" timeout 5 python3 "$E2E_TMP/client.py" http "$1" "$2"; }
tcp_echo() { in_ns "${CLIENT_NS:-$NS_C}" timeout 5 python3 "$E2E_TMP/client.py" tcp "$1" "$2"; }
udp_echo() { in_ns "${CLIENT_NS:-$NS_C}" timeout 5 python3 "$E2E_TMP/client.py" udp "$1" "$2" "${3:-32}"; }
ping_one() {
	local host=$1 v=-4
	case $host in *:*) v=-6 ;; esac
	in_ns "${CLIENT_NS:-$NS_C}" ping "$v" -c 1 -W 1 "$host" >/dev/null
}
# Three tries, so one lost packet while neighbours resolve is not a failure.
ping_ok() { ping_one "$1" || ping_one "$1" || ping_one "$1"; }

# bg_start NS CMD...: a background command in namespace NS, killed by the
# cleanup; sets BG_PID. nsenter execs CMD, so BG_PID is CMD's pid (a shell
# function sent to the background would be a subshell whose death leaves
# CMD running).
bg_start() {
	local ns=$1; shift
	nsenter --net="/run/netns/$ns" -- "$@" >/dev/null 2>&1 </dev/null &
	BG_PID=$!
	E2E_PIDS+=("$BG_PID")
}

# wait_until SECONDS CMD...: poll CMD every 100 ms.
wait_until() {
	local n=$(($1 * 10)) i; shift
	for i in $(seq 1 "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------------------
# Cleanup

e2e_cleanup() {
	local p ns
	trap - EXIT INT TERM
	if [ -n "$FG_PID" ] && kill -0 "$FG_PID" 2>/dev/null; then
		kill -TERM "$FG_PID" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$FG_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$FG_PID" 2>/dev/null
		wait "$FG_PID" 2>/dev/null
		# Whatever a killed instance left (libxdp pins live in the host's
		# bpffs, beyond the namespace's lifetime).
		[ -n "$FG_NS" ] && in_ns "$FG_NS" "$FG" detach --all >/dev/null 2>&1
	fi
	for p in "${E2E_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${E2E_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for ns in "${E2E_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$E2E_FAILED" -gt 0 ] && [ -s "$FG_LOG" ]; then
		echo "# flowgate log ($FG_LOG):"
		tail -n 20 "$FG_LOG" | sed 's/^/#   /'
	fi
	rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
