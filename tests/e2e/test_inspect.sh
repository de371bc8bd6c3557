#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# AF_XDP inspection loop (issue 4) with the byte-pattern test engine
# (--test-inspect): payload of an inspected flow goes to the inspector,
# which allows (rest fast-pathed, data intact), denies (flow cut, RSTs, no
# later byte delivered) or continues (payload re-injected); with the
# inspector absent, inspect_failure open passes and closed drops. TCP and
# UDP, IPv4 and IPv6, ingress (XDP) and egress (TC capture veth). Generic
# XDP (which would see re-injected frames again) is refused.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss
e2e_require_flowgate

topo_create
{ policy_head; cat <<YAML; } >"$E2E_TMP/policy.yaml"
  - name: insp-tcp
    to: server
    proto: tcp
    ports: [7100]
    action: allow
  - name: insp-udp
    to: server
    proto: udp
    ports: [7101]
    action: allow
  - name: plain
    to: server
    proto: tcp
    ports: [7000]
    action: allow
  - name: out-insp
    from: server
    to: client
    proto: tcp
    ports: [7200]
    action: allow
YAML

cat >"$E2E_TMP/insp.py" <<'PY'
# insp.py server PORT LOG: TCP; per connection, append what arrives to LOG
#   (one line per recv, repr), and at EOF answer the sha256 of all of it.
# insp.py sum HOST PORT SIZE: send "FGALLOW\n" + SIZE bytes, half-close,
#   exit 0 iff the server's sha256 matches.
# insp.py deny HOST PORT: "hello", then "FGDENY", then "after"; exit 0 iff
#   the connection was reset or closed by the deny.
# insp.py udp HOST PORT TEXT: one datagram to an echo server; exit 0 iff
#   it comes back.
import hashlib, os, socket, sys, threading, time
mode = sys.argv[1]
if mode == "server":
    port, log = int(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(16)
    lk = threading.Lock()
    def serve(c):
        h = hashlib.sha256()
        with c:
            try:
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    h.update(d)
                    with lk, open(log, "a") as f:
                        f.write(repr(d[:40]) + "\n")
                c.sendall(h.hexdigest().encode())
            except OSError:
                with lk, open(log, "a") as f:
                    f.write("reset\n")
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
host, port = sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
if mode == "sum":
    size = int(sys.argv[4])
    data = b"FGALLOW\n" + bytes((i * 131 + (i >> 8)) & 0xff for i in range(size))
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = s.recv(256)
        if not d:
            break
        got += d
    want = hashlib.sha256(data).hexdigest().encode()
    print("got", got[:16], "want", want[:16])
    sys.exit(0 if got == want else 1)
if mode == "deny":
    s = socket.create_connection((host, port), timeout=2)
    s.sendall(b"hello\n")
    time.sleep(0.3)
    s.sendall(b"FGDENY\n")
    time.sleep(0.3)
    try:
        s.sendall(b"after\n")
        time.sleep(0.3)
        s.sendall(b"after2\n")
        d = s.recv(64)
        print("recv", d)
        sys.exit(0 if d == b"" else 1)
    except ConnectionResetError:
        print("reset")
        sys.exit(0)
    except socket.timeout:
        print("timeout")
        sys.exit(1)
if mode == "burst":
    # The deny pattern in the first segment, 60 KB right behind it: the
    # segments queued before the verdict must not be delivered either.
    s = socket.create_connection((host, port), timeout=2)
    try:
        s.sendall(b"FGDENY\n" + b"z" * 60000)
        time.sleep(0.5)
    except OSError:
        pass
    sys.exit(0)
if mode == "udp":
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.sendto(sys.argv[4].encode(), (host, port))
    try:
        d, _ = s.recvfrom(2048)
    except socket.timeout:
        sys.exit(1)
    sys.exit(0 if d == sys.argv[4].encode() else 1)
sys.exit(2)
PY
insp() { in_ns "${CLIENT_NS:-$NS_C}" timeout 10 python3 "$E2E_TMP/insp.py" "$@"; }
cnt() { fg_json stats ".counters.\"$1\" // 0"; }
SLOG=$E2E_TMP/server.log
CLOG=$E2E_TMP/client.log
: >"$SLOG"; : >"$CLOG"

bg_start "$NS_S" python3 "$E2E_TMP/insp.py" server 7100 "$SLOG"
bg_start "$NS_C" python3 "$E2E_TMP/insp.py" server 7200 "$CLOG"
srv_start "$NS_S" udp 7101 && srv_start "$NS_S" tcp 7000 || e2e_finish
wait_until 5 in_s ss -Hltn "sport = :7100" || fail setup "server 7100"
wait_until 5 in_c ss -Hltn "sport = :7200" || fail setup "server 7200"

INSP='deny=FGDENY,allow=FGALLOW,dirs=orig'
fg_start "$E2E_TMP/policy.yaml" native \
	--test-inspect "rule=insp-tcp,$INSP" || e2e_finish
for a in "$S4" "$S6"; do
	ok "tcp $a: 400 KB after an allowed first payload arrive intact" \
		insp sum "$a" 7100 400000
done
redir=$(cnt inspect_redirect)
pk=$(rule_packets insp-tcp)
info "inspect_redirect $redir, rule insp-tcp packets $pk"
expect_cmp "allowed flows: payload went to the inspector" "$redir" -ge 2
expect_cmp "allowed flows: later packets fast-pathed (redirects << packets)" \
	"$((redir * 20))" -lt "$pk"
expect_cmp "re-injected frames counted" "$(cnt inspect_reinjected)" -ge 2
ok "plain rule unaffected" tcp_echo "$S4" 7000

for a in "$S4" "$S6"; do
	: >"$SLOG"
	ok "tcp $a: denied flow is reset" insp deny "$a" 7100
	# both ends: the server's recv() fails with ECONNRESET
	if wait_until 3 grep -qx reset "$SLOG"; then
		pass "tcp $a: the server is reset too"
	else
		fail "tcp $a: the server is reset too" "server log: $(tr '\n' ' ' <"$SLOG")"
	fi
	expect_match "tcp $a: payload before the deny was re-injected" \
		"$(cat "$SLOG")" "hello"
	if grep -q -e FGDENY -e after "$SLOG"; then
		fail "tcp $a: nothing from the deny on is delivered" "$(tr '\n' ' ' <"$SLOG")"
	else
		pass "tcp $a: nothing from the deny on is delivered"
	fi
done
: >"$SLOG"
insp burst "$S4" 7100
sleep 0.3
if grep -q -e FGDENY -e zzz "$SLOG"; then
	fail "tcp burst: nothing of a denied burst is delivered" "$(head -c 200 "$SLOG")"
else
	pass "tcp burst: nothing of a denied burst is delivered"
fi
st=$(fg stats --json)
expect_cmp "stats: inspector allowed both flows" "$(jq '.inspector.verdict_allow' <<<"$st")" -ge 2
expect_cmp "stats: inspector denied both flows" "$(jq '.inspector.verdict_deny' <<<"$st")" -ge 2
info "after_deny $(jq '.inspector.after_deny' <<<"$st"), flow_denied $(jq '.drops.flow_denied' <<<"$st")"
expect_cmp "stats: burst segments queued before the deny counted (after_deny) or dropped by the kernel" \
	"$(( $(jq '.inspector.after_deny' <<<"$st") + $(jq '.drops.flow_denied' <<<"$st") ))" -ge 5
expect_cmp "stats: inspector sent RSTs" "$(jq '.inspector.rst_sent' <<<"$st")" -ge 4
expect_eq "stats: a worker per queue, plus the capture veth's" \
	"$(jq -r '[.inspector.queues[].device] | join(" ")' <<<"$st")" "$IF_S fgc1"
expect_cmp "stats: time to verdict measured for each verdict" \
	"$(jq '.inspector.verdict_latency_us.samples' <<<"$st")" -ge 4
expect_eq "stats: no frame lost by the sockets" "$(jq '.inspector.xsk_rx_dropped' <<<"$st")" 0
fg stats | grep -q '^inspector:' && pass "stats text has an inspector section" ||
	fail "stats text has an inspector section" "$(fg stats | tail -n 3)"
fg_stop TERM
expect_eq "flowgate exits 0" "$?" 0
no "internal veths removed on exit" in_s ip link show fgi0
no "capture veth removed on exit" in_s ip link show fgc0
expect_match "inspector counted its verdicts" "$(cat "$FG_LOG")" \
	"inspector: rx [1-9][0-9]*, tx [1-9][0-9]*, allow [1-9]"

# UDP: allow, deny, continue.
fg_start "$E2E_TMP/policy.yaml" native \
	--test-inspect "rule=insp-udp,$INSP" || e2e_finish
for a in "$S4" "$S6"; do
	ok "udp $a: continue payload re-injected and echoed" insp udp "$a" 7101 "just-data"
	no "udp $a: denied datagram dropped" insp udp "$a" 7101 "FGDENY"
done
fg_stop TERM
fg_start "$E2E_TMP/policy.yaml" native \
	--test-inspect "rule=insp-udp,$INSP" || e2e_finish
ok "udp $S4: allowed datagram echoed" insp udp "$S4" 7101 "FGALLOW"
fg_stop TERM

# Egress: the server opens an inspected flow to the client (TC capture).
fg_start "$E2E_TMP/policy.yaml" native \
	--test-inspect "rule=out-insp,$INSP" || e2e_finish
for a in "$C4" "$C6"; do
	CLIENT_NS=$NS_S ok "egress tcp to $a: 200 KB intact through the TC capture" \
		insp sum "$a" 7200 200000
done
: >"$CLOG"
CLIENT_NS=$NS_S ok "egress tcp: denied flow is reset" insp deny "$C4" 7200
wait_until 3 grep -qx reset "$CLOG" && pass "egress tcp: the remote server is reset too" ||
	fail "egress tcp: the remote server is reset too" "server log: $(tr '\n' ' ' <"$CLOG")"
if grep -q -e FGDENY -e after "$CLOG"; then
	fail "egress tcp: nothing from the deny on is delivered" "$(tr '\n' ' ' <"$CLOG")"
else
	pass "egress tcp: nothing from the deny on is delivered"
fi
fg_stop TERM

# --xdp-mode none: TC ingress captures through the capture veth too, and
# the re-injected frames pass TC ingress by their mark.
fg_start "$E2E_TMP/policy.yaml" none \
	--test-inspect "rule=insp-tcp,$INSP" || e2e_finish
ok "tc ingress (xdp-mode none): 300 KB intact" insp sum "$S4" 7100 300000
: >"$SLOG"
ok "tc ingress (xdp-mode none): denied flow is reset" insp deny "$S6" 7100
expect_match "tc ingress: payload before the deny re-injected" "$(cat "$SLOG")" "hello"
expect_cmp "tc ingress: the capture worker saw the payload" \
	"$(fg_json stats '[.inspector.queues[] | select(.device == "fgc1") | .rx] | add')" -ge 3
fg_stop TERM

# Generic XDP runs on re-injected frames too (they would loop through the
# inspector): refused at start, nothing left attached.
out=$(in_s timeout 20 "$FG" run --iface "$IF_S" --policy "$E2E_TMP/policy.yaml" \
	--xdp-mode generic --socket "$SOCK" --test-inspect "rule=insp-udp,$INSP" 2>&1)
expect_eq "generic XDP with an inspector: refused (exit 1)" "$?" 1
expect_match "generic XDP with an inspector: the error says why" "$out" \
	"inspection does not work with generic XDP"
no "generic XDP refused: no XDP program left" xdp_attached "$NS_S" "$IF_S"
no "generic XDP refused: no internal veth left" in_s ip link show fgi0

# Inspector absent: inspect_failure decides.
fg_start "$E2E_TMP/policy.yaml" native --no-inspector --inspect-failure open \
	--test-inspect "rule=insp-tcp,$INSP" || e2e_finish
ok "no inspector, inspect_failure open: tcp passes" insp sum "$S4" 7100 20000
expect_cmp "inspect_fail_open counted" "$(cnt inspect_fail_open)" -ge 1
fg_stop TERM
fg_start "$E2E_TMP/policy.yaml" native --no-inspector --inspect-failure closed \
	--test-inspect "rule=insp-tcp,$INSP" || e2e_finish
no "no inspector, inspect_failure closed: tcp payload dropped" insp sum "$S4" 7100 2000
expect_cmp "inspect_unavailable drops counted" "$(drop_count inspect_unavailable)" -ge 1
fg_stop TERM
e2e_finish
