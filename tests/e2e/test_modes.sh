#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The same enforcement with --xdp-mode generic (XDP in the stack) and none
# (TC ingress + egress only): status reports the mode, traffic is allowed and
# denied as in native mode, and exit removes what was attached.
# --xdp-mode auto on an interface without native XDP (macvlan): generic XDP
# when nothing is inspected; when the policy needs the inspector, TC ingress
# instead (generic XDP would hand it the frames it re-injects), said once in
# the log; a reload that brings inspection to a generic-XDP interface is
# rejected and changes nothing.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 ping jq ss sysctl
e2e_require_flowgate

topo_create
servers_base || e2e_finish
policy_base "$E2E_TMP/policy.yaml"

for mode in generic none; do
	fg_start "$E2E_TMP/policy.yaml" "$mode" || continue
	st=$(fg status --json)
	info "status --json ($mode): $st"
	if [ "$mode" = none ]; then
		expect_eq "status: xdp_mode none" "$(jq -r '.interfaces[0].xdp_mode' <<<"$st")" none
		expect_cmp "status: tc ingress program in mode none" \
			"$(jq -r '.interfaces[0].tc_ingress_prog_id // 0' <<<"$st")" -gt 0
		no "no XDP program in mode none" xdp_attached "$NS_S" "$IF_S"
		expect_match "tc ingress filter present (mode none)" "$(tc_filters "$NS_S" "$IF_S" ingress)" bpf
	else
		expect_eq "status: xdp_mode generic" "$(jq -r '.interfaces[0].xdp_mode' <<<"$st")" generic
		expect_match "kernel shows generic XDP" \
			"$(in_s ip -d link show dev "$IF_S")" 'xdpgeneric'
	fi
	expect_match "tc egress filter present ($mode)" "$(tc_filters "$NS_S" "$IF_S" egress)" bpf
	check_base_traffic "$mode"
	fg_stop TERM
	expect_eq "flowgate exits 0 on SIGTERM ($mode)" "$?" 0
	no "no XDP program left ($mode)" xdp_attached "$NS_S" "$IF_S"
	expect_eq "no tc filter left ($mode)" \
		"$(tc_filters "$NS_S" "$IF_S" ingress)$(tc_filters "$NS_S" "$IF_S" egress)" ""
done

# ---- auto on a driver without native XDP ----
# The server's IPv4 address moves to a macvlan on its veth (macvlan has no
# native XDP); the veth no longer answers ARP for it.
MV=${U}m0
LOCK=/run/flowgate-inspector.$(stat -L -c %i "/run/netns/$NS_S").lock
in_s ip link add "$MV" link "$IF_S" type macvlan mode bridge &&
	in_s sysctl -qw "net.ipv4.conf.$IF_S.arp_ignore=1" &&
	in_s ip addr del "$S4/24" dev "$IF_S" &&
	in_s ip addr add "$S4/24" dev "$MV" &&
	in_s ip link set "$MV" up || { fail setup "macvlan $MV on $IF_S"; e2e_finish; }
neigh_flush
wait_until 5 http_get "$S4" 8080 || fail setup "no HTTP to $S4 over $MV"

nothing_on_mv() {
	no "no XDP program left on $MV ($1)" xdp_attached "$NS_S" "$MV"
	expect_eq "no tc filter left on $MV ($1)" \
		"$(tc_filters "$NS_S" "$MV" ingress)$(tc_filters "$NS_S" "$MV" egress)" ""
}
mv_mode() { fg_json status '.interfaces[0].xdp_mode'; }
AUTO_NOTE="attaches TC ingress here \(as .none.\), not generic XDP"

# Nothing inspected: auto falls back to generic XDP, as always.
IF_S=$MV fg_start "$E2E_TMP/policy.yaml" auto || e2e_finish
expect_eq "auto, no inspection, macvlan: generic XDP" "$(mv_mode)" generic
ok "auto, generic: http allowed" http_get "$S4" 8080
no "auto, generic: http 8081 denied" http_get "$S4" 8081
# A reload that needs the inspector is rejected while $MV is on generic XDP.
sed 's/^    ports: \[8080\]$/&\n    app: http/' "$E2E_TMP/policy.yaml" >"$E2E_TMP/l7.yaml"
expect_match "L7 policy written (test precondition)" "$(cat "$E2E_TMP/l7.yaml")" "app: http"
out=$(fg reload "$E2E_TMP/l7.yaml" 2>&1)
expect_eq "reload bringing inspection onto generic XDP: exit 1" "$?" 1
info "reload said: $out"
expect_match "reload rejected: says which interface and why" "$out" \
	"needs the inspector, but $MV is attached with generic XDP"
expect_eq "reload rejected: generation unchanged" "$(fg_json status .generation)" 1
no "reload rejected: no inspector started" in_s ip link show dev fgi0
ok "reload rejected: http still allowed" http_get "$S4" 8080
fg_stop TERM
expect_eq "auto, generic: exit 0 on SIGTERM" "$?" 0
nothing_on_mv "auto, generic"
expect_eq "auto without inspection: no TC-ingress note in the log" \
	"$(grep -cE "$AUTO_NOTE" "$FG_LOG")" 0

# The policy needs the inspector: auto uses TC ingress, never generic XDP.
for how in test-engine l7; do
	if [ "$how" = l7 ]; then
		IF_S=$MV fg_start "$E2E_TMP/l7.yaml" auto || continue
	else
		IF_S=$MV fg_start "$E2E_TMP/policy.yaml" auto \
			--test-inspect "rule=http,allow=GET" || continue
	fi
	st=$(fg status --json)
	expect_eq "auto, inspection ($how): xdp_mode none" \
		"$(jq -r '.interfaces[0].xdp_mode' <<<"$st")" none
	expect_cmp "auto, inspection ($how): tc ingress program" \
		"$(jq -r '.interfaces[0].tc_ingress_prog_id // 0' <<<"$st")" -gt 0
	no "auto, inspection ($how): no XDP program on $MV" xdp_attached "$NS_S" "$MV"
	expect_match "auto, inspection ($how): the log names $MV and says why" \
		"$(grep -E "$AUTO_NOTE" "$FG_LOG" | tail -n 1)" "^flowgate: $MV: .*re-injects"
	ok "auto, inspection ($how): http allowed through the inspector" http_get "$S4" 8080
	expect_cmp "auto, inspection ($how): the inspector allowed it" \
		"$(fg_json stats '.inspector.verdict_allow // 0')" -ge 1
	ok "auto, inspection ($how): tcp echo (not inspected) allowed" tcp_echo "$S4" 7000
	no "auto, inspection ($how): http 8081 denied" http_get "$S4" 8081
	fg_stop TERM
	expect_eq "auto, inspection ($how): exit 0 on SIGTERM" "$?" 0
	nothing_on_mv "auto, inspection ($how)"
	no "auto, inspection ($how): no lock file left" test -e "$LOCK"
done
expect_eq "the TC-ingress note: once per start" "$(grep -cE "$AUTO_NOTE" "$FG_LOG")" 2
e2e_finish
