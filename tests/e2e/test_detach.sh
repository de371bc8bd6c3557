#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Clean detach: SIGTERM removes everything flowgate attached; after kill -9,
# `flowgate detach --iface IF` and `flowgate detach --all` remove what was
# left, --all the inspector's veths and lock file too, but never those of a
# live inspector. A clean exit removes the lock file; a second inspector in
# the same namespace is refused while the first runs. Attaching to a missing interface fails clearly and leaves
# nothing.
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

# 6. kill -9 of an inspecting instance: its veths stay until detach --all
inspector_veths() {
	local ns=$1 d n=0
	for d in fgi0 fgi1 fgc0 fgc1; do
		in_ns "$ns" ip link show dev "$d" >/dev/null 2>&1 && n=$((n + 1))
	done
	echo "$n"
}
# The inspector's lock file is named after the namespace's inode.
LOCK=/run/flowgate-inspector.$(stat -L -c %i "/run/netns/$NS_S").lock
INSP=(--test-inspect "rule=http,allow=GET")
fg_start "$E2E_TMP/policy.yaml" native "${INSP[@]}" || e2e_finish
expect_eq "inspector created its 4 veths (test precondition)" "$(inspector_veths "$NS_S")" 4
ok "a running inspector holds its lock file" test -e "$LOCK"
# A second inspector in the same namespace, on another interface, is
# refused while the first runs, and takes nothing of the first's.
in_s ip link add "${U}d0" link "$IF_S" type macvlan mode bridge &&
	in_s ip link set "${U}d0" up
out=$(in_s timeout 10 "$FG" run --iface "${U}d0" --policy "$E2E_TMP/policy.yaml" \
	--xdp-mode none --socket "$E2E_TMP/sock2" "${INSP[@]}" 2>&1)
rc=$?
expect_eq "second inspector in the namespace: exit 1" "$rc" 1
expect_match "second inspector: says why" "$out" \
	"another flowgate inspector runs in this network namespace"
expect_eq "second inspector: the first keeps its veths" "$(inspector_veths "$NS_S")" 4
ok "second inspector: the first keeps its lock file" test -e "$LOCK"
expect_eq "second inspector: nothing left on ${U}d0" \
	"$(tc_filters "$NS_S" "${U}d0" ingress)$(tc_filters "$NS_S" "${U}d0" egress)" ""
ok "the first inspector still answers" fg status
fg_stop KILL
expect_eq "kill -9 leaves the inspector veths (test precondition)" "$(inspector_veths "$NS_S")" 4
ok "kill -9 leaves the lock file (test precondition)" test -e "$LOCK"
out=$(in_s "$FG" detach --iface "$IF_S" 2>&1)
expect_eq "detach --iface after kill -9 (inspector): exit 0" "$?" 0
expect_eq "detach --iface leaves the inspector veths" "$(inspector_veths "$NS_S")" 4
out=$(in_s "$FG" detach --all 2>&1)
expect_eq "detach --all after kill -9 (inspector): exit 0" "$?" 0
info "detach said: $out"
expect_match "detach --all reports the re-injection pair" "$out" "removed inspector veths fgi0/fgi1"
expect_match "detach --all reports the capture pair" "$out" "removed inspector veths fgc0/fgc1"
expect_match "detach --all counts both pairs" "$out" "removed 2 inspector veth pairs"
expect_eq "detach --all removed the inspector veths" "$(inspector_veths "$NS_S")" 0
no "detach --all removed the lock file" test -e "$LOCK"
nothing_left "after kill -9 (inspector) + detach --all"
out=$(in_s "$FG" detach --all 2>&1)
expect_eq "detach --all again: exit 0" "$?" 0
expect_eq "detach --all again: nothing to remove" "$out" "nothing to remove"
# A lock file without veths (an inspector killed before it made them, or
# after it removed them) goes too.
: >"$LOCK"
out=$(in_s "$FG" detach --all 2>&1)
expect_eq "detach --all, stale lock file only: exit 0" "$?" 0
no "detach --all removed the stale lock file" test -e "$LOCK"
# The next inspector starts cleanly where the veths were removed.
fg_start "$E2E_TMP/policy.yaml" native "${INSP[@]}" || e2e_finish
expect_eq "a new inspector recreates its veths" "$(inspector_veths "$NS_S")" 4

# 7. A live inspector's veths are never removed. Its instance answers on
# $SOCK, so detach is pointed at a socket nobody answers on: it then acts
# as after a crash (the interface's programs go) but must keep the veths.
out=$(in_s "$FG" detach --all --socket "$E2E_TMP/nobody.sock" 2>&1)
expect_eq "detach --all beside a live inspector: exit 0" "$?" 0
info "detach said: $out"
expect_match "detach --all says why it kept the veths" "$out" \
	"kept inspector veths fgi0/fgi1 fgc0/fgc1: a live flowgate inspector"
expect_eq "the live inspector keeps its veths" "$(inspector_veths "$NS_S")" 4
ok "the live inspector keeps its capture program" xdp_attached "$NS_S" fgc1
ok "the live inspector keeps its lock file" test -e "$LOCK"
expect_match "the live inspector keeps its re-injection program" \
	"$(tc_filters "$NS_S" fgi1 ingress)" bpf
fg_stop TERM
expect_eq "SIGTERM removes the inspector veths" "$(inspector_veths "$NS_S")" 0
no "SIGTERM removes the lock file" test -e "$LOCK"

# 8. Missing interface
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
