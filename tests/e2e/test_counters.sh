#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Observability: stats --json (rules, verdicts, drops) move as the traffic
# says, a denied flow of a `log: true` rule writes one JSON event line,
# flows --json lists flows with their rule, status --json describes the
# attachment and the policy.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 ping jq ss bpftool sha256sum
e2e_require_flowgate

topo_create
servers_base || e2e_finish
policy_base "$E2E_TMP/policy.yaml"
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish

# --- status (fields: docs/cli.md)
st=$(fg status --json)
info "status --json: $st"
ok "status --json is one JSON document" jq -e . <<<"$st"
ifj=$(jq -c '.interfaces[0]' <<<"$st")
expect_eq "status: one interface" "$(jq '.interfaces | length' <<<"$st")" 1
expect_eq "status: interface name" "$(jq -r .name <<<"$ifj")" "$IF_S"
expect_eq "status: ifindex" "$(jq -r .ifindex <<<"$ifj")" "$(in_s cat /sys/class/net/"$IF_S"/ifindex 2>/dev/null || in_s ip -j link show dev "$IF_S" | jq '.[0].ifindex')"
expect_eq "status: xdp_mode native" "$(jq -r .xdp_mode <<<"$ifj")" native
prog_name() { bpftool prog show id "$1" -j 2>/dev/null | jq -r .name; }
expect_match "status: xdp_prog_id is a loaded flowgate/libxdp program" \
	"$(prog_name "$(jq -r '.xdp_prog_id // 0' <<<"$ifj")")" '^(fg_xdp|xdp_dispatcher)$'
expect_eq "status: tc_egress_prog_id is the loaded fg_tc_egress" \
	"$(prog_name "$(jq -r '.tc_egress_prog_id // 0' <<<"$ifj")")" fg_tc_egress
expect_eq "status: no tc ingress in native mode" "$(jq -r .tc_ingress_prog_id <<<"$ifj")" null
expect_eq "status: policy file" "$(jq -r .policy.file <<<"$st")" "$E2E_TMP/policy.yaml"
expect_eq "status: policy hash is the file's sha256" "$(jq -r .policy.hash <<<"$st")" \
	"$(sha256sum "$E2E_TMP/policy.yaml" | cut -d' ' -f1)"
expect_eq "status: rule count" "$(jq -r .policy.rules <<<"$st")" 6
expect_eq "status: default" "$(jq -r .policy.default <<<"$st")" deny
expect_eq "status: generation 1" "$(jq -r .generation <<<"$st")" 1
expect_cmp "status: flow table size" "$(jq -r '.flow_table_size // 0' <<<"$st")" -gt 0
expect_match "status: flow table fill" "$(jq -r .flow_entries <<<"$st")" '^[0-9]+$'

# --- stats before
s0=$(fg stats --json)
ok "stats --json is one JSON document" jq -e '.rules and .verdicts and .drops' <<<"$s0"
h0=$(jq '[.rules[] | select(.name == "http") | .packets] | add // 0' <<<"$s0")
a0=$(jq '.verdicts.allow // 0' <<<"$s0")
d0=$(jq '.verdicts.deny // 0' <<<"$s0")
p0=$(jq '.drops.policy // 0' <<<"$s0")

for i in 1 2 3; do http_get "$S4" 8080 >/dev/null 2>&1; done
ok "allowed traffic for the counters" http_get "$S6" 8080
no "udp 7002 denied (counted)" udp_echo "$S4" 7002
no "tcp 2323 denied by the logging rule" tcp_echo "$S4" 2323

s1=$(fg stats --json)
info "stats --json: $(jq -c . <<<"$s1" | head -c 2000)"
h1=$(jq '[.rules[] | select(.name == "http") | .packets] | add // 0' <<<"$s1")
hb=$(jq '[.rules[] | select(.name == "http") | .bytes] | add // 0' <<<"$s1")
expect_cmp "rule http: packets counted for 4 connections" "$((h1 - h0))" -ge 4
expect_cmp "rule http: bytes counted" "$hb" -gt 0
expect_cmp "rule telnet: denied packets counted" \
	"$(jq '[.rules[] | select(.name == "telnet") | .packets] | add // 0' <<<"$s1")" -ge 1
expect_eq "rule echo-udp: untouched" \
	"$(jq '[.rules[] | select(.name == "echo-udp") | .packets] | add // 0' <<<"$s1")" 0
expect_cmp "verdict allow increased" "$(jq '.verdicts.allow // 0' <<<"$s1")" -gt "$a0"
expect_cmp "verdict deny increased by >= 2" "$(( $(jq '.verdicts.deny // 0' <<<"$s1") - d0 ))" -ge 2
expect_cmp "drop reason policy increased by >= 2" "$(( $(jq '.drops.policy // 0' <<<"$s1") - p0 ))" -ge 2
expect_eq "no malformed packet dropped" "$(jq '.drops | to_entries | map(select(.key != "policy" and .key != "flow_denied")) | map(.value) | add // 0' <<<"$s1")" 0

# --- events: one JSON line for the log: true deny, none for silent denies
wait_until 3 grep -q 2323 "$EVENTS"
info "events: $(head -c 1000 "$EVENTS")"
ok "events file: every line is JSON" jq -e . "$EVENTS"
ev=$(jq -c 'select(.rule == "telnet" and .dst == "'"$S4"'")' "$EVENTS" | head -n 1)
expect_eq "event for the telnet deny over IPv4" \
	"$(jq -r '[.type, .verdict, .reason, .proto, .src, .dport, .iface, .hook] | join(" ")' <<<"$ev")" \
	"deny deny policy tcp $C4 2323 $IF_S ingress"
expect_match "event has a timestamp" "$(jq -r .ts <<<"$ev")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T'
expect_eq "no event for the silent default deny of udp 7002" \
	"$(jq -c 'select(.dport == 7002)' "$EVENTS" | grep -c .)" 0

# --- flows: a long-lived flow with its rule, addresses, ports, counters
bg_start "$NS_C" python3 "$E2E_TMP/client.py" hold "$S4" 7000 "$E2E_TMP/hold.log"
wait_until 5 grep -q '^ok 5' "$E2E_TMP/hold.log"
fl=$(fg flows --json)
ok "flows --json is one JSON array" jq -e 'type == "array"' <<<"$fl"
f=$(jq -c '[.[] | select(.rule == "echo-tcp")][0]' <<<"$fl")
info "flow: $f"
expect_eq "flows: echo-tcp flow" \
	"$(jq -r '[.family, .proto, .initiator.addr, .responder.addr, .responder.port, .state, .verdict] | join(" ")' <<<"$f")" \
	"ipv4 tcp $C4 $S4 7000 established allow"
expect_cmp "flows: packets from the initiator" "$(jq -r '.packets.orig // 0' <<<"$f")" -ge 5
expect_cmp "flows: packets from the responder" "$(jq -r '.packets.reply // 0' <<<"$f")" -ge 5
expect_cmp "flows: bytes from the responder" "$(jq -r '.bytes.reply // 0' <<<"$f")" -gt 0
expect_cmp "flows: http flows listed" \
	"$(jq '[.[] | select(.rule == "http")] | length' <<<"$fl")" -ge 1
expect_eq "flows --limit 1 lists one flow" "$(fg flows --json --limit 1 | jq length)" 1
kill "$BG_PID" 2>/dev/null

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
