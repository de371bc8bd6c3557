#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# flowgate demo: two network namespaces joined by a veth pair, flowgate
# guarding the server side with scripts/demo-policy.yaml. Shows allowed and
# denied traffic, the counters, the flow table and the event log, then
# removes everything it created. Touches no host interface.
#
#   sudo scripts/demo.sh            (after `make`)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FG=${FLOWGATE:-$ROOT/build/flowgate}
POLICY=${POLICY:-$ROOT/scripts/demo-policy.yaml}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (network namespaces, XDP): sudo $0" >&2
	exit 1
fi
if [ ! -x "$FG" ]; then
	echo "demo: $FG not found: run make first (or scripts/quickstart.sh)" >&2
	exit 1
fi
for c in ip nsenter python3 ping; do
	command -v "$c" >/dev/null || { echo "demo: '$c' missing: run scripts/install-deps.sh" >&2; exit 1; }
done

# Unique names, interface names within 15 characters. Commands enter a
# namespace with nsenter (a background nsenter execs its command, so $! is
# the command's pid).
NS_C=fgd$$c NS_S=fgd$$s IF_C=fgd$$c0 IF_S=fgd$$s0
C4=10.99.0.1 S4=10.99.0.2 C6=fd00:99::1 S6=fd00:99::2
TMP=$(mktemp -d /tmp/fgdemo-$$.XXXX)
SOCK=$TMP/flowgate.sock
EVENTS=$TMP/events.json
FG_PID=
PIDS=()
unexpected=0

if [ -t 1 ]; then
	bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	bold() { printf '\n== %s\n' "$*"; }
fi
in_c() { nsenter --net="/run/netns/$NS_C" -- "$@"; }
in_s() { nsenter --net="/run/netns/$NS_S" -- "$@"; }
fg() { local cmd=$1; shift; in_s "$FG" "$cmd" --socket "$SOCK" "$@"; }

cleanup() {
	trap - EXIT INT TERM
	if [ -n "$FG_PID" ] && kill -0 "$FG_PID" 2>/dev/null; then
		kill -TERM "$FG_PID"; wait "$FG_PID" 2>/dev/null
	fi
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# try EXPECTED WHAT TARGET WHY CMD...: run a client, say what happened.
try() {
	local want=$1 what=$2 target=$3 why=$4 got; shift 4
	if "$@" >/dev/null 2>&1; then got=allowed; else got=blocked; fi
	printf '  %-9s %-34s %-22s %s' "$what" "$target" "$why" "$got"
	if [ "$got" = "$want" ]; then
		printf '\n'
	else
		printf '  UNEXPECTED: the policy says %s\n' "$want"
		unexpected=$((unexpected + 1))
	fi
}

# Clients (python3 only; no curl needed).
http_get() {
	local h=$1; case $h in *:*) h="[$h]" ;; esac
	in_c timeout 4 python3 -c 'import sys, urllib.request
sys.exit(urllib.request.urlopen(sys.argv[1], timeout=2).status != 200)' "http://$h:$2${3:-/}"
}
# raw_tcp HOST PORT: send a line that is not HTTP; succeed if any answer
# comes back (python's http.server answers 400 Bad Request).
raw_tcp() {
	in_c timeout 4 python3 -c 'import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
s.sendall(b"HELLO THERE\r\n\r\n")
sys.exit(not s.recv(64))' "$1" "$2"
}
tcp_connect() {
	in_c timeout 4 python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()' "$1" "$2"
}
udp_query() {
	in_c timeout 4 python3 -c 'import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(1.5)
s.sendto(b"query", (sys.argv[1], int(sys.argv[2])))
sys.exit(s.recvfrom(64)[0] != b"query")' "$1" "$2"
}
ping_host() {
	local v=-4; case $1 in *:*) v=-6 ;; esac
	in_c ping "$v" -c 1 -W 1 "$1" || in_c ping "$v" -c 1 -W 1 "$1"
}

bold "1. Topology"
ip netns add "$NS_C" && ip netns add "$NS_S" || exit 1
ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_S" netns "$NS_S" || exit 1
in_c ip addr add "$C4/24" dev "$IF_C"; in_c ip -6 addr add "$C6/64" dev "$IF_C" nodad
in_s ip addr add "$S4/24" dev "$IF_S"; in_s ip -6 addr add "$S6/64" dev "$IF_S" nodad
for ns in "$NS_C" "$NS_S"; do ip -n "$ns" link set lo up; done
in_c ip link set "$IF_C" up; in_s ip link set "$IF_S" up
cat <<TXT
  netns $NS_C                         netns $NS_S
  $IF_C $C4 $C6  <==veth==>  $IF_S $S4 $S6
                                              ^ flowgate (XDP ingress + TC egress)
TXT

bold "2. Servers in $NS_S"
mkdir -p "$TMP/www/public" "$TMP/www/admin"
echo "hello from behind flowgate" >"$TMP/www/index.html"
echo "a public page" >"$TMP/www/public/index.html"
echo "an admin page" >"$TMP/www/admin/index.html"
for port in 8080 8200; do
	nsenter --net="/run/netns/$NS_S" -- python3 -m http.server --bind :: --directory "$TMP/www" "$port" >/dev/null 2>&1 &
	PIDS+=($!)
done
# A TCP listener on 23 and UDP echo servers on 53 and 5000, so a blocked
# connection is the firewall's doing, not a missing server.
nsenter --net="/run/netns/$NS_S" -- python3 -c 'import socket, threading
def tcp(p):
    s = socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", p)); s.listen()
    while True: s.accept()[0].close()
def udp(p):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", p))
    while True:
        d, a = s.recvfrom(2048); s.sendto(d, a)
for f, p in ((tcp, 23), (tcp, 9999), (udp, 53), (udp, 5000)):
    threading.Thread(target=f, args=(p,), daemon=True).start()
threading.Event().wait()' >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
echo "  http :8080 and :8200 (/public/, /admin/), tcp :23 and :9999, udp echo :53 and :5000"

bold "3. Check the policy: flowgate check $(basename "$POLICY")"
"$FG" check "$POLICY" || exit 1
echo "  policy is valid"

bold "4. Start flowgate on $IF_S"
echo "  flowgate run --iface $IF_S --policy $(basename "$POLICY") --xdp-mode native --events $EVENTS --socket $SOCK"
nsenter --net="/run/netns/$NS_S" -- "$FG" run --iface "$IF_S" --policy "$POLICY" --xdp-mode native \
	--events "$EVENTS" --socket "$SOCK" >"$TMP/flowgate.log" 2>&1 &
FG_PID=$!
for _ in $(seq 1 100); do
	fg status >/dev/null 2>&1 && break
	kill -0 "$FG_PID" 2>/dev/null || { cat "$TMP/flowgate.log"; exit 1; }
	sleep 0.1
done
fg status

bold "5. Traffic from $NS_C (policy: default deny)"
printf '  %-9s %-34s %-22s %s\n' client target "rule" result
try allowed "HTTP GET" "$S4:8080" web-in http_get "$S4" 8080
try allowed "HTTP GET" "[$S6]:8080" web-in http_get "$S6" 8080
try allowed ping "$S4" ping ping_host "$S4"
try allowed ping "$S6" ping6 ping_host "$S6"
try allowed "UDP" "$S4:53" dns-in udp_query "$S4" 53
try blocked "TCP" "$S4:23" "no-telnet (logged)" tcp_connect "$S4" 23
try blocked "TCP" "[$S6]:23" "no-telnet (logged)" tcp_connect "$S6" 23
try blocked "TCP" "$S4:9999" "default deny" tcp_connect "$S4" 9999
try blocked "UDP" "$S4:5000" "default deny" udp_query "$S4" 5000
echo "  L7 (app: http on :8200, decided by the inspector from the payload):"
try allowed "HTTP GET" "$S4:8200/public/" "web-app" http_get "$S4" 8200 /public/
try allowed "HTTP GET" "[$S6]:8200/public/" "web-app" http_get "$S6" 8200 /public/
try blocked "HTTP GET" "$S4:8200/admin/" "web-app: path" http_get "$S4" 8200 /admin/
try blocked "HTTP GET" "$S4:8200/public/../admin/" "web-app: normalised" http_get "$S4" 8200 /public/../admin/
try blocked "not HTTP" "$S4:8200" "web-app: app" raw_tcp "$S4" 8200

bold "6. flowgate stats (the inspector's counters at the end)"
fg stats

bold "7. flowgate flows"
fg flows --limit 20

bold "8. Events ($EVENTS): denied flows of log: true rules, the inspector's L7 decisions"
sleep 0.5
if [ -s "$EVENTS" ]; then sed 's/^/  /' "$EVENTS"; else echo "  (none)"; fi

bold "9. Stop flowgate (SIGTERM): it removes what it attached"
kill -TERM "$FG_PID"; wait "$FG_PID"; rc=$?; FG_PID=
echo "  flowgate exited with status $rc"
if in_s ip -d -j link show dev "$IF_S" | grep -q '"xdp"'; then
	echo "  UNEXPECTED: an XDP program is still attached to $IF_S"; unexpected=$((unexpected + 1))
else
	echo "  no XDP program left on $IF_S"
fi
try allowed "TCP" "$S4:9999" "(no flowgate)" tcp_connect "$S4" 9999

bold "Done"
if [ "$unexpected" -eq 0 ]; then
	echo "  every result matched the policy; namespaces are removed on exit"
	exit 0
fi
echo "  $unexpected result(s) did not match the policy"
exit 1
