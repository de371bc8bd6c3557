#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Atomic reload: a long-lived TCP connection (one echoed line per 100 ms)
# keeps working while a reload revokes another service; a reload that
# revokes its own rule stops it at its next packet. `reload` without FILE
# re-reads the file flowgate was started with.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss
e2e_require_flowgate

topo_create
srv_start "$NS_S" tcp 7000 && srv_start "$NS_S" http 8080 || e2e_finish
policy_base "$E2E_TMP/policy.yaml"
cp "$E2E_TMP/policy.yaml" "$E2E_TMP/start.yaml"
fg_start "$E2E_TMP/start.yaml" native || e2e_finish

gen() { fg_json status .generation; }
oks() { grep -c '^ok' "$HOLD_LOG"; }
HOLD_LOG=$E2E_TMP/hold.log
: >"$HOLD_LOG"

g0=$(gen)
ok "http $S4:8080 allowed before reload" http_get "$S4" 8080
bg_start "$NS_C" python3 "$E2E_TMP/client.py" hold "$S4" 7000 "$HOLD_LOG"
HOLD_PID=$BG_PID
hold_running() { [ "$(oks)" -ge 5 ]; }
if ! wait_until 5 hold_running; then
	fail "long-lived connection" "no echo on $S4:7000: $(tail -n 3 "$HOLD_LOG" | tr '\n' ' ')"
	e2e_finish
fi
pass "long-lived tcp connection to $S4:7000 established"

# 1. Revoke http (edit the start file, reload without FILE).
sed -i '/- name: http$/,/action: allow/d' "$E2E_TMP/start.yaml"
ok "reload (no FILE) revoking http" fg reload
g1=$(gen)
expect_cmp "generation increased by the reload" "${g1:-0}" -gt "${g0:-0}"
n0=$(oks)
no "new http connection denied after revocation" http_get "$S4" 8080
sleep 1.5
n1=$(oks)
expect_cmp "long-lived connection kept echoing across the reload ($n0 -> $n1 lines)" \
	"$((n1 - n0))" -ge 10
expect_eq "no stalled line on the long-lived connection" \
	"$(grep -c '^timeout' "$HOLD_LOG")" 0

# 2. Revoke the long-lived connection's own rule.
sed '/- name: echo-tcp$/,/action: allow/d' "$E2E_TMP/start.yaml" >"$E2E_TMP/revoke.yaml"
ok "reload revoking echo-tcp" fg reload "$E2E_TMP/revoke.yaml"
sleep 1	# lines in flight when the reload landed may still complete
n2=$(oks)
sleep 2
n3=$(oks)
expect_eq "long-lived connection stopped after its rule was revoked" "$n3" "$n2"
expect_cmp "its packets now time out" "$(grep -c '^timeout' "$HOLD_LOG")" -ge 2
no "new tcp echo connection denied" tcp_echo "$S4" 7000
kill "$HOLD_PID" 2>/dev/null

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
