#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fragmented UDP: a 4000-byte datagram over a 1500-byte MTU leaves the client
# as three IPv4 or IPv6 fragments. To an allowed port the whole datagram
# arrives (and the fragmented echo comes back); to a denied port nothing
# does: the later fragments get the first fragment's verdict.
# Inspected flows (--test-inspect, requests inspected): a fragmented request
# is dropped whole (frag_uninspectable) while the inspector decides; a
# fragmented answer (not inspected) arrives; after the inspector's allow the
# flow's fragments pass. The ICMP port unreachable for an inspected flow
# reaches the client (related, not denied by default: deny).
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss tcpdump
e2e_require_flowgate

topo_create 1500
srv_start "$NS_S" udp 7001 && srv_start "$NS_S" udp 7002 || e2e_finish
policy_base "$E2E_TMP/policy.yaml"
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish

fd0=$(drop_count frag_denied)
# Count what passes XDP on the server: UDP from the client, and IPv6
# packets whose first header is a fragment header (tcpdump's "udp" does not
# look past it).
capture_start "$NS_S" "$IF_S" "(src host $C4 and udp) or (src host $C6 and (udp or ip6[6] == 44))"
for a in "$S4" "$S6"; do
	ok "fragmented udp (4000 B) to $a:7001 allowed, fragmented echo returns" udp_echo "$a" 7001 4000
	no "fragmented udp (4000 B) to $a:7002 denied" udp_echo "$a" 7002 4000
done
capture_stop >/dev/null
fd1=$(drop_count frag_denied)
info "capture on server: $(tr '\n' '|' <"$CAP_OUT" | head -c 1500)"

# 4008 bytes of UDP over MTU 1500 make 3 fragments in either family; only
# the allowed datagram's may pass.
expect_eq "3 IPv4 fragments (the allowed datagram's) reached the server" \
	"$(grep -cE " IP ${C4//./\\.}[ .]" "$CAP_OUT")" 3
expect_eq "3 IPv6 fragments (the allowed datagram's) reached the server" \
	"$(grep -cE " IP6 $C6[ .]" "$CAP_OUT")" 3
expect_eq "no first fragment to the denied port reached the server" \
	"$(grep -cE '\.7002: | > 7002: ' "$CAP_OUT")" 0
expect_cmp "later fragments of denied datagrams counted as frag_denied" \
	"$((fd1 - fd0))" -ge 4

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0

# ---- flows in inspection ----
cat >>"$E2E_TMP/policy.yaml" <<'YAML'
  - name: frag-insp
    proto: udp
    ports: [7003, 7004]
    action: allow
YAML
cat >"$E2E_TMP/fragi.py" <<'PY'
# fragi.py server PORT: UDP; "size N" is answered with N bytes, anything
#   else echoed.
# fragi.py CASE HOST PORT: one connected UDP socket (one flow); exit 0 iff:
#   big     a 4000-byte request is echoed
#   answer  "size 4000" gets its 4000-byte answer
#   allow   "FGALLOW" is echoed, then a 4000-byte request is echoed
#   refused a datagram to a port nobody listens on gets "refused" (ICMP)
import socket, sys
mode = sys.argv[1]
if mode == "server":
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", int(sys.argv[2])))
    while True:
        d, peer = s.recvfrom(65535)
        if d.startswith(b"size "):
            d = bytes((i * 7) & 0xff for i in range(int(d[5:])))
        s.sendto(d, peer)
host, port = sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.settimeout(1.5)
s.connect((host, port))
def ask(q, want):
    s.send(q)
    try:
        return s.recv(65535) == want
    except socket.timeout:
        return False
big = bytes((i * 7) & 0xff for i in range(4000))
if mode == "big":
    sys.exit(0 if ask(big, big) else 1)
if mode == "answer":
    sys.exit(0 if ask(b"size 4000", big) else 1)
if mode == "allow":
    sys.exit(0 if ask(b"FGALLOW", b"FGALLOW") and ask(big, big) else 1)
if mode == "refused":
    try:
        s.send(b"anyone?")
        s.recv(64)
    except ConnectionRefusedError:
        print("refused")
        sys.exit(0)
    except socket.timeout:
        print("timeout")
    sys.exit(1)
sys.exit(2)
PY
fragi() { in_c timeout 10 python3 "$E2E_TMP/fragi.py" "$@"; }
bg_start "$NS_S" python3 "$E2E_TMP/fragi.py" server 7003
wait_until 5 in_s ss -Hlun "sport = :7003" || fail setup "server 7003"
fg_start "$E2E_TMP/policy.yaml" native \
	--test-inspect "rule=frag-insp,deny=FGDENY,allow=FGALLOW,dirs=orig" ||
	e2e_finish
fu0=$(drop_count frag_uninspectable)
for a in "$S4" "$S6"; do
	no "inspected udp $a: fragmented request (4000 B) dropped" fragi big "$a" 7003
	ok "inspected udp $a: fragmented answer (4000 B, not inspected) arrives" \
		fragi answer "$a" 7003
	ok "inspected udp $a: after the inspector's allow, fragments pass both ways" \
		fragi allow "$a" 7003
	ok "inspected udp $a: port unreachable reaches the client" \
		fragi refused "$a" 7004
done
fu1=$(drop_count frag_uninspectable)
expect_cmp "fragments of inspected requests counted as frag_uninspectable" \
	"$((fu1 - fu0))" -ge 6
expect_cmp "frag events logged" \
	"$(jq -s '[.[] | select(.type == "frag" and .reason == "frag_uninspectable")] | length' "$EVENTS")" -ge 2
expect_cmp "port unreachables counted as related" "$(fg_json stats '.counters.icmp_related')" -ge 2
fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
