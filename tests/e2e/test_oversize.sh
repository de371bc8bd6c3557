#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Frames longer than the inspector's path carries (UMEM frames of 4 KiB,
# or 2 KiB when the MTU allows; the capture veth's MTU, capped by its XDP
# program): the kernel applies inspect_failure to their payload (drop
# reason and counter inspect_oversize) instead of redirecting them to be
# lost; what fits is still inspected. MTU 9000 with TC ingress
# (--xdp-mode none) and TC egress (GSO skbs judged by their segments), then
# MTU 3000 with native XDP, which 2 KiB frames could not carry, and MTU
# 1500, where they do.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss
e2e_require_flowgate

topo_create 9000
{ policy_head; cat <<YAML; } >"$E2E_TMP/policy.yaml"
  - name: insp-udp
    to: server
    proto: udp
    ports: [7101]
    action: allow
  - name: out-tcp
    from: server
    to: client
    proto: tcp
    ports: [7200, 7201]
    action: allow
YAML

cat >"$E2E_TMP/big.py" <<'PY'
# big.py server PORT MSS: TCP, dual stack, advertising MSS (0: the
#   interface's); per connection read to EOF, answer the sha256.
# big.py sum HOST PORT SIZE: send SIZE bytes, half-close, exit 0 iff the
#   server's sha256 matches.
import hashlib, socket, sys, threading
mode = sys.argv[1]
if mode == "server":
    port, mss = int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if mss:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
    s.bind(("::", port))
    s.listen(8)
    def serve(c):
        h = hashlib.sha256()
        with c:
            try:
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    h.update(d)
                c.sendall(h.hexdigest().encode())
            except OSError:
                pass
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
if mode == "sum":
    host, port, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = bytes((i * 131 + (i >> 8)) & 0xff for i in range(size))
    s = socket.create_connection((host, port), timeout=4)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = s.recv(256)
        if not d:
            break
        got += d
    sys.exit(0 if got == hashlib.sha256(data).hexdigest().encode() else 1)
sys.exit(2)
PY
# From the server (flowgate's side) to the client: TC egress.
sum_out() { in_s timeout 6 python3 "$E2E_TMP/big.py" sum "$@"; }
cnt() { fg_json stats ".counters.\"$1\" // 0"; }
capture_rx() {
	fg_json stats '[.inspector.queues[] | select(.device == "fgc1") | .rx] | add // 0'
}
oversize_events() {
	jq -s '[.[] | select(.reason == "inspect_oversize")] | length' "$EVENTS"
}

srv_start "$NS_S" udp 7101 || e2e_finish
bg_start "$NS_C" python3 "$E2E_TMP/big.py" server 7200 1400
bg_start "$NS_C" python3 "$E2E_TMP/big.py" server 7201 0
wait_until 5 in_c ss -Hltn "sport = :7201" || fail setup "tcp servers"
INSP=dirs=orig	# no pattern: every payload continues, re-injected

# TC ingress at MTU 9000, inspect_failure closed (the default).
fg_start "$E2E_TMP/policy.yaml" none --test-inspect "rule=insp-udp,$INSP" ||
	e2e_finish
expect_match "start: warns that MTU 9000 exceeds what it inspects" \
	"$(cat "$FG_LOG")" "$IF_S: MTU 9000 allows frames longer than the [0-9]+ bytes it can inspect"
info "capture veth MTU $(in_s ip -j link show fgc0 | jq '.[0].mtu'), re-injection veth MTU $(in_s ip -j link show fgi0 | jq '.[0].mtu')"
ok "udp 3000 bytes (fits): inspected and echoed" udp_echo "$S4" 7101 3000
expect_cmp "udp 3000 bytes: seen by the capture worker" "$(capture_rx)" -ge 1
for a in "$S4" "$S6"; do
	no "udp $a 5000 bytes, closed: dropped" udp_echo "$a" 7101 5000
done
expect_cmp "closed: drops counted as inspect_oversize" \
	"$(drop_count inspect_oversize)" -ge 2
expect_cmp "closed: counter inspect_oversize" "$(cnt inspect_oversize)" -ge 2
expect_eq "closed: not counted as inspector absent" \
	"$(drop_count inspect_unavailable)" 0
expect_eq "closed: nothing lost by the inspector's sockets" \
	"$(fg_json stats '.inspector.xsk_rx_dropped')" 0
wait_until 3 test "$(oversize_events)" -ge 2
expect_cmp "closed: an event per dropped datagram, reason inspect_oversize" \
	"$(oversize_events)" -ge 2

fg_stop TERM

# TC egress, GSO: segments of MSS 1400 fit (a 64 KB skb is cut into them on
# the capture veth), segments of MSS 8948 do not.
fg_start "$E2E_TMP/policy.yaml" none --test-inspect "rule=out-tcp,$INSP" ||
	e2e_finish
ok "egress tcp, MSS 1400: 200 KB intact through the inspector" \
	sum_out "$C4" 7200 200000
n=$(drop_count inspect_oversize)
no "egress tcp, MSS 8948, closed: payload dropped" sum_out "$C4" 7201 200000
expect_cmp "egress tcp, MSS 8948: inspect_oversize drops" \
	"$(drop_count inspect_oversize)" -gt "$n"
expect_cmp "egress tcp, MSS 1400: segments went to the inspector" \
	"$(capture_rx)" -ge 10
fg_stop TERM

# inspect_failure open: delivered uninspected, counted.
fg_start "$E2E_TMP/policy.yaml" none --inspect-failure open \
	--test-inspect "rule=insp-udp,$INSP" || e2e_finish
ok "udp 5000 bytes, open: delivered" udp_echo "$S4" 7101 5000
expect_cmp "open: counter inspect_oversize" "$(cnt inspect_oversize)" -ge 1
expect_eq "open: no drop" "$(drop_count inspect_oversize)" 0
fg_stop TERM
fg_start "$E2E_TMP/policy.yaml" none --inspect-failure open \
	--test-inspect "rule=out-tcp,$INSP" || e2e_finish
ok "egress tcp, MSS 8948, open: 200 KB intact" sum_out "$C4" 7201 200000
expect_cmp "egress tcp, open: counter inspect_oversize" \
	"$(cnt inspect_oversize)" -ge 1
fg_stop TERM

# Native XDP at MTU 3000: the frame fits a 4 KiB UMEM frame.
in_c ip link set "$IF_C" mtu 3000
in_s ip link set "$IF_S" mtu 3000
: >"$FG_LOG"
fg_start "$E2E_TMP/policy.yaml" native --test-inspect "rule=insp-udp,$INSP" ||
	e2e_finish
no "start: no MTU warning at MTU 3000" grep -q "allows frames longer" "$FG_LOG"
for a in "$S4" "$S6"; do
	ok "xdp udp $a 2900 bytes: inspected and echoed" udp_echo "$a" 7101 2900
done
expect_cmp "xdp: redirected to the inspector" "$(cnt inspect_redirect)" -ge 2
expect_eq "xdp: nothing oversize" "$(cnt inspect_oversize)" 0
expect_eq "xdp: nothing lost by the inspector's sockets" \
	"$(fg_json stats '.inspector.xsk_rx_dropped')" 0
expect_cmp "MTU 3000: 4 KiB frames, capture veth carries 3000" \
	"$(in_s ip -j link show fgc0 | jq '.[0].mtu')" -ge 3000
fg_stop TERM

# MTU 1500: 2 KiB frames do (2048 - 256 headroom - 14 - 4 tag = 1774).
in_c ip link set "$IF_C" mtu 1500
in_s ip link set "$IF_S" mtu 1500
fg_start "$E2E_TMP/policy.yaml" native --test-inspect "rule=insp-udp,$INSP" ||
	e2e_finish
expect_eq "MTU 1500: 2 KiB frames, capture veth MTU 1774" \
	"$(in_s ip -j link show fgc0 | jq '.[0].mtu')" 1774
ok "MTU 1500: udp 1400 bytes inspected and echoed" udp_echo "$S4" 7101 1400
fg_stop TERM
e2e_finish
