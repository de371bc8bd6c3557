#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Flows initiated by the protected side (the server namespace connects out)
# are classified by the TC egress program: an allowed outbound flow works
# (its replies come back through XDP ingress as the flow's reply direction),
# a denied one is dropped before it leaves the server's veth.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss tcpdump
e2e_require_flowgate

topo_create
{ policy_head; cat <<YAML; } >"$E2E_TMP/policy.yaml"
  - name: out-echo
    from: server
    to: client
    proto: tcp
    ports: [9090]
    action: allow
  - name: out-dns
    from: server
    to: client
    proto: udp
    ports: [9053]
    action: allow
YAML
srv_start "$NS_C" tcp 9090 && srv_start "$NS_C" tcp 9091 &&
	srv_start "$NS_C" udp 9053 && srv_start "$NS_C" udp 9054 || e2e_finish
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish

capture_start "$NS_C" "$IF_C" 'tcp dst port 9090 or tcp dst port 9091'
for a in "$C4" "$C6"; do
	CLIENT_NS=$NS_S ok "outbound tcp to $a:9090 allowed" tcp_echo "$a" 9090
	CLIENT_NS=$NS_S no "outbound tcp to $a:9091 denied" tcp_echo "$a" 9091
	CLIENT_NS=$NS_S ok "outbound udp to $a:9053 allowed" udp_echo "$a" 9053
	CLIENT_NS=$NS_S no "outbound udp to $a:9054 denied" udp_echo "$a" 9054
done
capture_stop >/dev/null
expect_cmp "allowed outbound SYNs reach the client" "$(grep '\.9090: Flags \[S\]' "$CAP_OUT" | grep -c .)" -ge 2
expect_eq "denied outbound SYNs never leave the server" "$(grep -c '\.9091: ' "$CAP_OUT")" 0

# Closed flows leave the table tcp_closing (10 s) after their last packet:
# look now.
flows=$(fg flows --json)
expect_eq "flows lists the outbound flow: server -> client:9090, rule out-echo" \
	"$(jq -r '[.[] | select(.rule == "out-echo" and .family == "ipv6")][0] | [.initiator.addr, .responder.addr, .responder.port, .verdict] | join(" ")' <<<"$flows")" \
	"$S6 $C6 9090 allow"

# The client cannot use the server's outbound rule in the other direction.
srv_start "$NS_S" tcp 9090 || e2e_finish
no "inbound tcp to $S4:9090 denied (rule is server -> client)" tcp_echo "$S4" 9090

expect_cmp "rule out-echo counted packets" "$(rule_packets out-echo)" -ge 2

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
