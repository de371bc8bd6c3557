#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Another XDP program attached directly (not through libxdp's dispatcher):
# flowgate refuses clearly, leaves the other program and adds nothing; and
# `detach --all` removes only flowgate's own programs.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss tc
e2e_require_flowgate

FOREIGN=
for d in /usr/lib/x86_64-linux-gnu/bpf /usr/lib/aarch64-linux-gnu/bpf /usr/lib/bpf; do
	[ -r "$d/xdpfilt_alw_all.o" ] && FOREIGN=$d/xdpfilt_alw_all.o && break
done
[ -n "$FOREIGN" ] || skip_all "xdpfilt_alw_all.o (package xdp-tools) not found"

topo_create
srv_start "$NS_S" http 8080 || e2e_finish
policy_base "$E2E_TMP/policy.yaml"
foreign_prog() { in_s ip -d -j link show dev "$IF_S" | jq -r '.[0].xdp.prog.name // empty'; }

in_s ip link set dev "$IF_S" xdpdrv obj "$FOREIGN" sec xdp ||
	{ fail "setup" "could not attach $FOREIGN"; e2e_finish; }
expect_eq "foreign XDP program attached (precondition)" "$(foreign_prog)" xdpfilt_alw_all

out=$(in_s timeout 20 "$FG" run --iface "$IF_S" --policy "$E2E_TMP/policy.yaml" \
	--xdp-mode native --socket "$SOCK" 2>&1)
rc=$?
info "run said: $(printf '%s' "$out" | tr '\n' '|')"
expect_eq "run refuses: exit 1" "$rc" 1
expect_match "and names the program in the way" "$out" "xdpfilt_alw_all"
expect_eq "the foreign program stays" "$(foreign_prog)" xdpfilt_alw_all
expect_eq "no tc filter added" \
	"$(tc_filters "$NS_S" "$IF_S" ingress)$(tc_filters "$NS_S" "$IF_S" egress)" ""

out=$(in_s "$FG" detach --all 2>&1)
expect_eq "detach --all: exit 0" "$?" 0
expect_eq "detach --all leaves the foreign program" "$(foreign_prog)" xdpfilt_alw_all

# TC-only mode does not touch XDP, so it can run next to the other program.
fg_start "$E2E_TMP/policy.yaml" none || e2e_finish
ok "mode none runs beside the foreign XDP program: tcp 8080 allowed" http_get "$S4" 8080
no "and enforces: tcp 8081 denied" http_get "$S4" 8081
fg_stop TERM
expect_eq "SIGTERM: exit 0" "$?" 0
expect_eq "the foreign program is still there" "$(foreign_prog)" xdpfilt_alw_all
expect_eq "no tc filter left" \
	"$(tc_filters "$NS_S" "$IF_S" ingress)$(tc_filters "$NS_S" "$IF_S" egress)" ""
in_s ip link set dev "$IF_S" xdpdrv off
e2e_finish
