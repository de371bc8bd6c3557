#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The same enforcement with --xdp-mode generic (XDP in the stack) and none
# (TC ingress + egress only): status reports the mode, traffic is allowed and
# denied as in native mode, and exit removes what was attached.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 ping jq ss
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
e2e_finish
