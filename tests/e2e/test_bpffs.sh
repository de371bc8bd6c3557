#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# flowgate under `ip netns exec`, which gives it a fresh mount namespace with
# a new /sys and no bpffs: flowgate mounts bpffs itself (or falls back to a
# plain XDP attach), enforces the policy and detaches cleanly.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss
e2e_require_flowgate

topo_create
srv_start "$NS_S" http 8080 && srv_start "$NS_S" http 8081 || e2e_finish
policy_base "$E2E_TMP/policy.yaml"

ip netns exec "$NS_S" "$FG" run --iface "$IF_S" --policy "$E2E_TMP/policy.yaml" \
	--xdp-mode native --socket "$SOCK" >>"$FG_LOG" 2>&1 &
FG_PID=$!
FG_NS=$NS_S
if wait_until 10 fg status; then
	pass "flowgate runs under ip netns exec (no bpffs mounted)"
else
	fail "flowgate under ip netns exec" "no answer: $(tail -n 5 "$FG_LOG" | tr '\n' ' ')"
	e2e_finish
fi
ok "XDP program attached" xdp_attached "$NS_S" "$IF_S"
ok "tcp 8080 allowed" http_get "$S4" 8080
no "tcp 8081 denied" http_get "$S4" 8081
fg_stop TERM
expect_eq "SIGTERM: exit 0" "$?" 0
no "no XDP program left" xdp_attached "$NS_S" "$IF_S"
expect_eq "no tc filter left" "$(tc_filters "$NS_S" "$IF_S" egress)" ""
e2e_finish
