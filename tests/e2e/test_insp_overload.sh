#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Full rings and hung workers apply inspect_failure (issue 4). A UDP flood
# into a rule inspected by the test engine made slow (delay_us: each
# decision sleeps) fills the worker's RX ring: the worker flags itself
# overloaded and the kernel applies inspect_failure, counted (open: the
# flood is delivered uninspected; closed: dropped). A worker stuck in the
# engine (stall) is caught by the heartbeat. After the traffic, every UMEM
# frame is back (free + fill ring). --inspect-cpu: a CPU that is not there
# is refused, one that is pins the first worker.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss
e2e_require_flowgate

topo_create
cat >"$E2E_TMP/blast.py" <<'PY'
# blast.py HOST PORT SECONDS PPS [PAYLOAD]: UDP datagrams from 64 source
# ports (64 flows), PPS per second (0: as fast as it can). Prints the count.
import socket, sys, time
host, port, secs, pps = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
payload = (sys.argv[5] if len(sys.argv) > 5 else "flood").encode()
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
socks = [socket.socket(fam, socket.SOCK_DGRAM) for _ in range(64)]
for s in socks:
    s.setblocking(False)
n, t0 = 0, time.monotonic()
while time.monotonic() - t0 < secs:
    for s in socks:
        for _ in range(16 if not pps else 1):
            try:
                s.sendto(payload, (host, port))
                n += 1
            except BlockingIOError:
                pass
        if pps:
            ahead = n / pps - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
print(n)
PY
cat >"$E2E_TMP/count.py" <<'PY'
# count.py PORT FILE: count UDP datagrams, write the count to FILE every
# 100 ms.
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(0.1)
n, last = 0, 0.0
while True:
    try:
        s.recv(2048)
        n += 1
    except socket.timeout:
        pass
    if time.monotonic() - last >= 0.1:
        with open(sys.argv[2] + ".tmp", "w") as f:
            f.write("%d\n" % n)
        import os; os.replace(sys.argv[2] + ".tmp", sys.argv[2])
        last = time.monotonic()
PY
cat >"$E2E_TMP/policy.yaml" <<'YAML'
version: 1
default: deny
rules:
  - name: flood
    proto: udp
    ports: [7300]
    action: allow
YAML
COUNT=$E2E_TMP/count
bg_start "$NS_S" python3 "$E2E_TMP/count.py" 7300 "$COUNT"
wait_until 5 in_s ss -Hlun "sport = :7300" || fail setup "udp counter on 7300"
wait_until 5 test -s "$COUNT" || fail setup "udp counter writes its count"

blast() { in_c timeout 20 python3 "$E2E_TMP/blast.py" "$S4" 7300 "$@"; }
delivered() { sleep 0.3; cat "$COUNT"; }
cnt() { fg_json stats ".counters.\"$1\" // 0"; }
q0() { fg_json stats ".inspector.queues[0].$1"; }

# every_frame_back WHAT: after the traffic, each worker holds all its
# frames: in its free stack or the fill ring.
every_frame_back() {
	local st bad
	sleep 0.3
	st=$(fg stats --json)
	bad=$(jq -r '[.inspector.queues[] | select(.frames_free + .frames_fill != .frames)
		| "\(.device) q\(.queue): free \(.frames_free) + fill \(.frames_fill) != \(.frames)"] | join("; ")' <<<"$st")
	expect_eq "$1: every UMEM frame back (free + fill ring = total, per worker)" "$bad" ""
}

# --- ring full, inspect_failure open: the flood is delivered, counted.
SLOW='rule=flood,allow=FGALLOW,delay_us=100'
fg_start "$E2E_TMP/policy.yaml" native --inspect-failure open --test-inspect "$SLOW" || e2e_finish
base=$(cat "$COUNT")
sent=$(blast 2 0)
got=$(( $(delivered) - base ))
st=$(fg stats --json)
rx=$(jq '.inspector.queues[0].rx' <<<"$st")
info "open: sent $sent, delivered $got, inspector rx $rx," \
	"inspect_fail_open $(jq .counters.inspect_fail_open <<<"$st")," \
	"overload_events $(jq .inspector.overload_events <<<"$st")," \
	"overload_ms $(jq .inspector.overload_ms <<<"$st")," \
	"kernel ring full $(jq .inspector.xsk_rx_ring_full <<<"$st")"
expect_cmp "open: the slow worker flagged overload episodes" \
	"$(jq .inspector.queues[0].overload_events <<<"$st")" -ge 1
expect_cmp "open: time in overload counted" "$(jq .inspector.overload_ms <<<"$st")" -ge 1
expect_cmp "open: inspect_fail_open counted the packets passed meanwhile" \
	"$(jq .counters.inspect_fail_open <<<"$st")" -ge 1000
expect_cmp "open: more delivered than the inspector saw (the rest passed uninspected)" \
	"$got" -gt "$((rx + 1000))"
expect_cmp "open: the worker still inspected part of the flood" "$rx" -ge 100
every_frame_back "open"
fg_stop TERM

# --- ring full, closed: what the inspector cannot take is dropped, counted.
fg_start "$E2E_TMP/policy.yaml" native --inspect-failure closed --test-inspect "$SLOW" || e2e_finish
base=$(cat "$COUNT")
sent=$(blast 2 0)
got=$(( $(delivered) - base ))
st=$(fg stats --json)
reinj=$(jq .counters.inspect_reinjected <<<"$st")
info "closed: sent $sent, delivered $got, re-injected $reinj," \
	"inspect_fail_closed $(jq .counters.inspect_fail_closed <<<"$st")," \
	"inspect_unavailable $(jq .drops.inspect_unavailable <<<"$st")"
expect_cmp "closed: overload episodes" "$(jq .inspector.overload_events <<<"$st")" -ge 1
expect_cmp "closed: inspect_fail_closed counted" "$(jq .counters.inspect_fail_closed <<<"$st")" -ge 1000
expect_cmp "closed: dropped as inspect_unavailable" "$(jq .drops.inspect_unavailable <<<"$st")" -ge 1000
expect_cmp "closed: nothing delivered but what the inspector re-injected" "$got" -le "$reinj"
every_frame_back "closed"
fg_stop TERM

# --- hung worker: one payload stalls the engine for 1.5 s; a trickle that
# never fills the ring follows. The heartbeat sees no progress with frames
# queued and flags overload: open passes the trickle meanwhile.
fg_start "$E2E_TMP/policy.yaml" native --inspect-failure open \
	--test-inspect "rule=flood,allow=FGALLOW,stall=FGSTALL,stall_ms=1500" || e2e_finish
in_c python3 -c 'import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"FGSTALL", (sys.argv[1], 7300))' "$S4"
base=$(cat "$COUNT")
blast 1 500 >/dev/null
got=$(( $(delivered) - base ))
st=$(fg stats --json)
info "stall: delivered during it $got, stalls $(jq .inspector.stalls <<<"$st")," \
	"inspect_fail_open $(jq .counters.inspect_fail_open <<<"$st")," \
	"overload_events $(jq .inspector.overload_events <<<"$st")"
expect_eq "stall: the heartbeat caught the hung worker once" "$(jq .inspector.queues[0].stalls <<<"$st")" 1
expect_cmp "stall: the trickle passed by inspect_failure open meanwhile" \
	"$(jq .counters.inspect_fail_open <<<"$st")" -ge 100
expect_eq "stall: the trickle never filled the ring (no overload episode)" \
	"$(jq .inspector.overload_events <<<"$st")" 0
sleep 1.2
every_frame_back "stall"
# Over: the worker moves again, the heartbeat drops the bit, and every
# datagram goes through the inspector again.
fo=$(cnt inspect_fail_open)
rx=$(q0 rx)
sent=$(blast 0.2 100)
sleep 0.3
expect_eq "stall over: no more inspect_fail_open" "$(cnt inspect_fail_open)" "$fo"
expect_eq "stall over: each datagram inspected again" "$(( $(q0 rx) - rx ))" "$sent"
fg_stop TERM

# --- --inspect-cpu
out=$(in_s timeout 20 "$FG" run --iface "$IF_S" --policy "$E2E_TMP/policy.yaml" \
	--socket "$SOCK" --inspect-cpu 999 --test-inspect "rule=flood" 2>&1)
expect_eq "--inspect-cpu 999: refused as bad usage (exit 2)" "$?" 2
expect_match "--inspect-cpu 999: the error names the CPU and what is allowed" "$out" \
	"--inspect-cpu 999: CPU 999 is not online or not allowed for this process \(allowed: [0-9]"
no "--inspect-cpu 999: nothing left attached" xdp_attached "$NS_S" "$IF_S"
fg_start "$E2E_TMP/policy.yaml" native --inspect-cpu 0 --test-inspect "rule=flood" || e2e_finish
expect_eq "--inspect-cpu 0: the first worker is pinned to CPU 0" "$(q0 cpu)" 0
base=$(cat "$COUNT")
blast 0.5 200 >/dev/null
expect_cmp "--inspect-cpu 0: inspected traffic delivered" "$(( $(delivered) - base ))" -ge 50
fg_stop TERM
e2e_finish
