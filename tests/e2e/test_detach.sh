#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Clean detach: SIGTERM removes everything flowgate attached; after kill -9,
# `flowgate detach --iface IF` and `flowgate detach --all` remove what was
# left. Attaching to a missing interface fails clearly and leaves nothing.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss tc
e2e_require_flowgate

topo_create
srv_start "$NS_S" http 8080 || e2e_finish
policy_base "$E2E_TMP/policy.yaml"

nothing_left() {
	local what=$1
	no "no XDP program on $IF_S $what" xdp_attached "$NS_S" "$IF_S"
	expect_eq "no tc filter on $IF_S $what" \
		"$(tc_filters "$NS_S" "$IF_S" ingress)$(tc_filters "$NS_S" "$IF_S" egress)" ""
	ok "traffic flows without flowgate $what" http_get "$S4" 8080
}

# 1. SIGTERM
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish
ok "XDP program attached" xdp_attached "$NS_S" "$IF_S"
expect_match "tc egress filter attached" "$(tc_filters "$NS_S" "$IF_S" egress)" bpf
fg_stop TERM
expect_eq "SIGTERM: exit 0" "$?" 0
nothing_left "after SIGTERM"

# 2. SIGINT, generic mode
fg_start "$E2E_TMP/policy.yaml" generic || e2e_finish
fg_stop INT
expect_eq "SIGINT: exit 0" "$?" 0
nothing_left "after SIGINT (generic)"

# 3. kill -9, then detach --iface
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish
fg_stop KILL
ok "kill -9 leaves the XDP program (test precondition)" xdp_attached "$NS_S" "$IF_S"
out=$(in_s "$FG" detach --iface "$IF_S" 2>&1)
expect_eq "detach --iface after kill -9: exit 0" "$?" 0
info "detach said: $out"
nothing_left "after kill -9 + detach --iface"
out=$(in_s "$FG" detach --iface "$IF_S" 2>&1)
expect_eq "detach --iface again (nothing left): exit 0" "$?" 0

# 4. kill -9 in mode none (TC ingress + egress), then detach --all
fg_start "$E2E_TMP/policy.yaml" none || e2e_finish
fg_stop KILL
expect_match "kill -9 leaves the tc filters (test precondition)" \
	"$(tc_filters "$NS_S" "$IF_S" ingress)" bpf
out=$(in_s "$FG" detach --all 2>&1)
expect_eq "detach --all after kill -9: exit 0" "$?" 0
nothing_left "after kill -9 + detach --all"

# 5. kill -9 in native mode, then detach --all
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish
fg_stop KILL
out=$(in_s "$FG" detach --all 2>&1)
expect_eq "detach --all after kill -9 (native): exit 0" "$?" 0
nothing_left "after kill -9 (native) + detach --all"

# 6. Missing interface
out=$(in_s timeout 10 "$FG" run --iface "${U}nx" --policy "$E2E_TMP/policy.yaml" \
	--socket "$E2E_TMP/sock2" 2>&1)
rc=$?
expect_cmp "run on a missing interface: non-zero exit" "$rc" -ne 0
expect_cmp "run on a missing interface: not a timeout" "$rc" -ne 124
expect_match "and says which interface" "$out" "${U}nx"
# One good interface and one missing: nothing may stay on the good one.
out=$(in_s timeout 10 "$FG" run --iface "$IF_S" --iface "${U}nx" \
	--policy "$E2E_TMP/policy.yaml" --socket "$E2E_TMP/sock2" 2>&1)
expect_cmp "run with one missing interface of two: non-zero exit" "$?" -ne 0
nothing_left "after the failed start"
out=$(in_s "$FG" detach --iface "${U}nx" 2>&1)
expect_cmp "detach --iface on a missing interface: non-zero exit" "$?" -ne 0
e2e_finish
