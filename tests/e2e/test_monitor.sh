#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mode: monitor. Traffic that the protect policy drops (default deny, a deny
# rule) is delivered under a monitor policy, with one "would_deny" event per
# flow and the would_deny counter; a rule with its own `mode: protect` still
# drops; flows lists the monitored flows; a reload back to protect drops
# that traffic again.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 ping jq ss
e2e_require_flowgate

topo_create
servers_base || e2e_finish

# policy_base, monitored, except udp 7002 which a protect rule denies.
policy_base "$E2E_TMP/protect.yaml"
{
	echo "mode: monitor"
	cat "$E2E_TMP/protect.yaml"
	cat <<'YAML'
  - name: strict-udp
    proto: udp
    ports: [7002]
    action: deny
    mode: protect
YAML
} >"$E2E_TMP/policy.yaml"
cp "$E2E_TMP/policy.yaml" "$E2E_TMP/start.yaml"

ok "check accepts mode: monitor" in_s "$FG" check "$E2E_TMP/policy.yaml"
fg_start "$E2E_TMP/start.yaml" native || e2e_finish

for a in "$S4" "$S6"; do
	ok "tcp http $a:8080 allowed (monitor)" http_get "$a" 8080
	ok "tcp http $a:8081 default deny delivered (monitor)" http_get "$a" 8081
	ok "tcp $a:2323 deny rule delivered (monitor)" tcp_echo "$a" 2323
	no "udp echo $a:7002 denied by a protect rule" udp_echo "$a" 7002
done

s=$(fg stats --json)
info "stats: $(jq -c '{verdicts, drops: (.drops | with_entries(select(.value > 0))), would_deny: .counters.would_deny}' <<<"$s")"
expect_cmp "would_deny counted" "$(jq '.counters.would_deny // 0' <<<"$s")" -ge 4
expect_eq "no packet dropped as flow_denied" "$(jq '.drops.flow_denied // 0' <<<"$s")" 0
expect_cmp "the protect rule still drops" \
	"$(jq '[.rules[] | select(.name == "strict-udp") | .packets] | add // 0' <<<"$s")" -ge 2

wait_until 3 grep -q 8081 "$EVENTS"
info "events: $(head -c 1500 "$EVENTS")"
ok "events file: every line is JSON" jq -e . "$EVENTS"
for a in "$S4" "$S6"; do
	expect_eq "one would_deny event for the default deny of $a:8081" \
		"$(jq -c 'select(.dst == "'"$a"'" and .dport == 8081)' "$EVENTS" |
		   jq -r '[.type, .verdict, .rule, .reason] | join(" ")' | sort | uniq -c | awk '{$1=$1; print}')" \
		"1 deny would_deny default policy"
	expect_eq "one would_deny event for the telnet rule, $a:2323" \
		"$(jq -c 'select(.dst == "'"$a"'" and .dport == 2323)' "$EVENTS" |
		   jq -r '[.type, .verdict, .rule] | join(" ")' | sort | uniq -c | awk '{$1=$1; print}')" \
		"1 deny would_deny telnet"
done
expect_eq "no would_deny event for the protect rule" \
	"$(jq -c 'select(.dport == 7002 and .verdict == "would_deny")' "$EVENTS" | grep -c .)" 0

fl=$(fg flows --json)
expect_cmp "flows: the 8081 flows are marked monitor" \
	"$(jq '[.[] | select(.responder.port == 8081 and .monitor == true and .verdict == "allow")] | length' <<<"$fl")" -ge 2
expect_eq "flows: the 8080 flows are not" \
	"$(jq '[.[] | select(.responder.port == 8080 and .monitor == true)] | length' <<<"$fl")" 0
expect_match "flows text shows would_deny" "$(fg flows --limit 0)" 'would_deny'

# Back to protect: the same traffic is dropped, the allowed one still passes.
cp "$E2E_TMP/protect.yaml" "$E2E_TMP/start.yaml"
ok "reload to protect" fg reload
w0=$(fg_json stats '.counters.would_deny // 0')
check_base_traffic "after reload to protect"
expect_eq "would_deny unchanged under protect" "$(fg_json stats '.counters.would_deny // 0')" "$w0"

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
