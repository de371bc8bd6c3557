#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# TCP, UDP and ICMP, allowed and denied, over IPv4 and IPv6, with flowgate in
# native XDP mode on the server's veth; then a reload without ICMP rules
# denies ping. Denied packets must not even reach the server's packet taps.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 ping jq ss tcpdump
e2e_require_flowgate

topo_create
servers_base || e2e_finish
policy_base "$E2E_TMP/policy.yaml"
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish

check_base_traffic native

# Native XDP drops before any packet tap: tcpdump in the server namespace
# must see the allowed SYNs and none of the denied ones.
capture_start "$NS_S" "$IF_S" 'tcp dst port 8080 or tcp dst port 8081'
for a in "$S4" "$S6"; do
	http_get "$a" 8080 >/dev/null 2>&1
	http_get "$a" 8081 >/dev/null 2>&1
done
capture_stop >/dev/null
expect_cmp "allowed SYNs (IPv4, IPv6) seen on the server" \
	"$(grep '\.8080: Flags \[S\]' "$CAP_OUT" | grep -c .)" -ge 2
expect_eq "denied SYNs never reach the server" "$(grep -c '\.8081: ' "$CAP_OUT")" 0

# Without ICMP rules, echo requests are denied by default.
sed '/- name: ping$/,/action: allow/d; /- name: ping6$/,/action: allow/d' \
	"$E2E_TMP/policy.yaml" >"$E2E_TMP/noping.yaml"
ok "reload policy without ping rules" fg reload "$E2E_TMP/noping.yaml"
no "icmp echo $S4 denied after reload" ping_one "$S4"
no "icmpv6 echo $S6 denied after reload" ping_one "$S6"
ok "tcp $S4:8080 still allowed after reload" http_get "$S4" 8080

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
