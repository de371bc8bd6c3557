#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# L7 DNS policy with real clients (issue 4): dig -> dnsmasq serving a few
# local names (no upstream). An allowed name is answered, a denied one gets
# no answer and never reaches dnsmasq (its query log), over UDP and TCP;
# answers are logged over both;
# monitor mode answers it and logs would_deny with the query name.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l7lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter jq ss dig dnsmasq
e2e_require_flowgate

l7_topo
QLOG=$E2E_TMP/dnsmasq.log
# --port 53 on the server's addresses only; no resolv.conf, no hosts file,
# no upstream: only the names below exist.
nsenter --net="/run/netns/$NS_S" -- dnsmasq --keep-in-foreground \
	--conf-file=/dev/null --no-resolv --no-hosts --pid-file= --user=root \
	--bind-interfaces --listen-address="$S4" --listen-address="$S6" --port 53 \
	--log-queries --log-facility="$QLOG" \
	--address=/www.corp.example/10.1.2.3 --address=/example.com/10.1.2.4 \
	--address=/evil.example/10.6.6.6 >/dev/null 2>&1 </dev/null &
E2E_PIDS+=("$!")
wait_until 5 in_s ss -Hlun "sport = :53" || { fail setup "dnsmasq on port 53"; e2e_finish; }
l7_wait_connect 53

# ask NAME [ADDR [+tcp]]: print dig's answer (A records), fail without one.
ask() {
	local out
	out=$(in_c dig @"${2:-$S4}" ${3:-+notcp} +time=1 +tries=1 +short A "$1") &&
		[ -n "$out" ] && printf '%s\n' "$out"
}
# queried NAME: dnsmasq logged a query for NAME.
queried() { grep -q "query\[A\] $1 from" "$QLOG"; }

# Harness check (no flowgate): every name resolves, so a missing answer
# below is the firewall's doing.
expect_eq "no firewall: dnsmasq answers evil.example" "$(ask evil.example)" "10.6.6.6"
expect_eq "no firewall: dnsmasq answers a.example.com" "$(ask a.example.com)" "10.1.2.4"

{ l7_policy_head; cat <<YAML; } >"$E2E_TMP/policy.yaml"
  - name: dns
    to: server
    proto: any
    ports: [53]
    app: dns
    dns: {names: ["*.corp.example", "example.com"]}
    action: allow
YAML
l7_require_engine "$E2E_TMP/policy.yaml"

fg_start "$E2E_TMP/policy.yaml" native || e2e_finish
: >"$QLOG"
for t in +notcp +tcp; do
	expect_eq "$t: allowed name (wildcard) answered" "$(ask www.corp.example "$S4" $t)" "10.1.2.3"
	expect_eq "$t: allowed name (exact) answered over IPv6" "$(ask example.com "$S6" $t)" "10.1.2.4"
	no "$t: denied name gets no answer" ask evil.example "$S4" $t
	no "$t: name below an exact entry denied" ask a.example.com "$S4" $t
done
queried 'evil\.example\|a\.example\.com' &&
	fail "denied names never reach dnsmasq" "$(grep query "$QLOG" | tail -n 2)" ||
	pass "denied names never reach dnsmasq"
expect_event "event: allow with rule and qname" \
	'.verdict == "allow" and .rule == "dns" and .app == "dns" and .dns.qname == "www.corp.example"'
expect_event "event: answer over TCP logged" \
	'.proto == "tcp" and .reason == "answer" and .dns.qname == "www.corp.example" and .dns.answers == ["10.1.2.3"]'
expect_event "event: answer over UDP logged" \
	'.proto == "udp" and .reason == "answer" and .dns.qname == "www.corp.example" and .dns.answers == ["10.1.2.3"]'
expect_event "event: deny with qname and qtype" \
	'.verdict == "deny" and .app == "dns" and .dns.qname == "evil.example" and (.dns.qtype == "A" or .dns.qtype == 1)'
fg_stop TERM

l7_policy "$E2E_TMP/policy.yaml" "$E2E_TMP/monitor.yaml" mode monitor
if l7_accepted "monitor mode" "$E2E_TMP/monitor.yaml"; then
	fg_start "$E2E_TMP/monitor.yaml" native || e2e_finish
	expect_eq "monitor: denied name answered" "$(ask evil.example)" "10.6.6.6"
	expect_event "monitor: would_deny event with rule and qname" \
		'.verdict == "would_deny" and .rule != null and .app == "dns" and .dns.qname == "evil.example"'
	fg_stop TERM
fi
e2e_finish
