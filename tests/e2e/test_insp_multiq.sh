#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Inspection on a two-queue interface (issue 4: one worker and XSK per rx
# queue): the veth has 2 rx/tx queues on each end; UDP flows from 64
# source ports spread over both; each queue's worker registers its socket,
# receives payload, and the inspected datagrams are delivered (echoed).
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss
e2e_require_flowgate

topo_create 1500 2
expect_match "setup: the server veth has 2 rx queues" \
	"$(in_s ip -d link show dev "$IF_S")" "numrxqueues 2 "
cat >"$E2E_TMP/policy.yaml" <<'YAML'
version: 1
default: deny
rules:
  - name: udp-insp
    proto: udp
    ports: [7101]
    action: allow
YAML
cat >"$E2E_TMP/flows.py" <<'PY'
# flows.py HOST PORT N: one datagram from each of N sockets (N flows) to an
# echo server; prints how many came back.
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
for i, s in enumerate(socks):
    s.sendto(b"flow %d" % i, (host, port))
    time.sleep(0.002)
back = 0
for i, s in enumerate(socks):
    s.settimeout(0.5 if back == i else 0.05)
    try:
        back += s.recv(64) == b"flow %d" % i
    except socket.timeout:
        pass
print(back)
PY
srv_start "$NS_S" udp 7101 || e2e_finish
fg_start "$E2E_TMP/policy.yaml" native --test-inspect "rule=udp-insp,allow=FGALLOW" || e2e_finish

st=$(fg stats --json)
expect_eq "a worker per rx queue, plus the capture veth's" \
	"$(jq -r '[.inspector.queues[] | "\(.device)/\(.queue)"] | join(" ")' <<<"$st")" \
	"$IF_S/0 $IF_S/1 fgc1/0"
back=$(in_c timeout 20 python3 "$E2E_TMP/flows.py" "$S4" 7101 64)
st=$(fg stats --json)
q() { jq "[.inspector.queues[] | select(.device == \"$IF_S\" and .queue == $1) | .rx] | add" <<<"$st"; }
info "echoed $back of 64; queue 0 rx $(q 0), queue 1 rx $(q 1)"
expect_cmp "inspected datagrams echoed (continue: re-injected)" "$back" -ge 60
expect_cmp "queue 0's worker inspected payload" "$(q 0)" -ge 1
expect_cmp "queue 1's worker inspected payload" "$(q 1)" -ge 1
expect_cmp "every datagram went through a worker" "$(( $(q 0) + $(q 1) ))" -ge 64
expect_eq "no frame lost by the sockets" "$(jq .inspector.xsk_rx_dropped <<<"$st")" 0
sleep 0.3
expect_eq "every UMEM frame back on both queues" \
	"$(fg_json stats '[.inspector.queues[] | select(.frames_free + .frames_fill != .frames)] | length')" 0
fg_stop TERM
expect_eq "flowgate exits 0" "$?" 0
e2e_finish
