#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Frames through the inspector keep their order (issue 4, "in order"): a
# burst of numbered UDP datagrams on a flow the byte-pattern test engine
# never decides (every one goes through the worker and is re-injected)
# arrives in the order sent, on the XDP ingress path and on the TC egress
# path (capture veth). Losses under the burst are allowed (counted by the
# kernel), reordering is not.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq
e2e_require_flowgate

topo_create
{ policy_head; cat <<YAML; } >"$E2E_TMP/policy.yaml"
  - name: ord-in
    to: server
    proto: udp
    ports: [7301]
    action: allow
  - name: ord-out
    from: server
    to: client
    proto: udp
    ports: [7302]
    action: allow
YAML

cat >"$E2E_TMP/ord.py" <<'PY'
# ord.py recv PORT OUT: count numbered datagrams until 1 s of silence;
#   write "received inversions" to OUT (inversions: a number not above the
#   last one seen).
# ord.py send HOST PORT N: N datagrams "seq NNNNNNNN" plus padding, back
#   to back.
import socket, sys
if sys.argv[1] == "recv":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # SO_RCVBUFFORCE (root): room for the whole burst, so that a slow
    # reader loses nothing the network delivered.
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    s.settimeout(5)
    got = inv = 0
    last = -1
    try:
        while True:
            d = s.recv(2048)
            n = int(d[4:12])
            got += 1
            if n <= last:
                inv += 1
            last = max(last, n)
            s.settimeout(1)
    except socket.timeout:
        pass
    open(sys.argv[3], "w").write("%d %d\n" % (got, inv))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((sys.argv[2], int(sys.argv[3])))
    for i in range(int(sys.argv[4])):
        s.send(b"seq %08d" % i + b"." * 200)
PY

N=3000
# burst DIR: send N datagrams across the inspected path, print "got inv".
burst() {
	local rns sns dst port out=$E2E_TMP/ord.$1
	if [ "$1" = in ]; then rns=$NS_S sns=$NS_C dst=$S4 port=7301
	else rns=$NS_C sns=$NS_S dst=$C4 port=7302; fi
	rm -f "$out"
	in_ns "$rns" python3 "$E2E_TMP/ord.py" recv "$port" "$out" &
	local rpid=$!
	sleep 0.5
	in_ns "$sns" python3 "$E2E_TMP/ord.py" send "$dst" "$port" "$N"
	wait "$rpid"
	cat "$out" 2>/dev/null || echo "0 0"
}

for dir in in out; do
	fg_start "$E2E_TMP/policy.yaml" native --test-inspect "rule=ord-$dir" || e2e_finish
	read -r got inv < <(burst "$dir")
	info "$dir: $got of $N received, $(fg_json stats '.inspector.tx') re-injected"
	expect_cmp "$dir: most of the burst arrives through the inspector" "$got" -ge $((N / 2))
	expect_cmp "$dir: the inspector re-injected what arrived" \
		"$(fg_json stats '.inspector.tx')" -ge "$got"
	expect_eq "$dir: no datagram arrives out of order" "$inv" 0
	fg_stop TERM
done
e2e_finish
