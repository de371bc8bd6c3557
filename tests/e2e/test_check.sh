#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `flowgate check FILE`: exit 0 for a valid policy; exit 2 and one
# "FILE:LINE:COL: message" per error otherwise, every error reported (not
# just the first). Needs no privileges.
. "$(dirname "$0")/lib.sh"
e2e_require_flowgate

P=$E2E_TMP
policy_base "$P/good.yaml"
out=$("$FG" check "$P/good.yaml" 2>&1)
expect_eq "valid policy: exit 0" "$?" 0
expect_match "valid policy: says OK" "$out" "good\.yaml: OK"
out=$("$FG" check "$E2E_ROOT/scripts/demo-policy.yaml" 2>&1)
expect_eq "the demo policy: exit 0" "$?" 0
# The policy example of the issue and the README, verbatim.
cat >"$P/example.yaml" <<'YAML'
version: 1
default: deny                 # allow | deny: new flows that no rule matches
groups:                       # named address sets: IPv4/IPv6 addresses and CIDRs
  web: [10.20.0.0/16, "fd00:20::/64"]
  admins: [192.168.1.10, 192.168.1.11]
rules:                        # first match wins, in file order
  - name: web-in              # unique; used in counters, events and flow listings
    from: any                 # the flow's initiator: any | group | CIDR | address | list of these
    to: web                   # the flow's responder, same forms
    proto: tcp                # tcp | udp | icmp | icmpv6 | any | a protocol number
    ports: [80, 443, 8000-8100]   # responder ports (tcp/udp); omitted = all
    action: allow             # allow | deny
  - name: ping
    proto: icmp
    icmp_types: [echo-request]    # optional; names or numbers
    action: allow
  - name: no-telnet
    proto: tcp
    ports: [23]
    action: deny
    log: true                 # emit an event for each flow this rule denies
failsafe: [tcp/22]            # optional: responder ports that stay reachable whatever the rules say
timeouts: {tcp_established: 3600, tcp_syn: 30, tcp_closing: 10, udp: 60, icmp: 10}   # optional, seconds
YAML
out=$("$FG" check "$P/example.yaml" 2>&1)
expect_eq "the issue's example policy: exit 0" "$?" 0

# Line numbers below are the file's (1-based); every one has an error.
cat >"$P/bad.yaml" <<'YAML'
version: 1
default: deny
groups:
  web: [10.20.0.0/33]
rules:
  - name: a
    proto: tcp
    ports: [90-80]
    action: allow
  - name: a
    to: nogroup
    proto: tcp
    action: permit
    tyop: 1
YAML
out=$("$FG" check "$P/bad.yaml" 2>&1)
rc=$?
info "check output: $(printf '%s' "$out" | tr '\n' '|')"
expect_eq "invalid policy: exit 2" "$rc" 2
F="$P/bad\.yaml"
expect_match "bad CIDR reported at line 4, column 9" "$out" "^$F:4:9: "
expect_match "empty port range reported at line 8, column 13" "$out" "^$F:8:13: "
expect_match "duplicate rule name reported at line 10, column 11" "$out" "^$F:10:11: "
expect_match "unknown group reported at line 11, column 9" "$out" "^$F:11:9: "
expect_match "bad action reported at line 13, column 13" "$out" "^$F:13:13: "
expect_match "unknown key reported at line 14, column 5" "$out" "^$F:14:5: "
expect_cmp "every error line has FILE:LINE:COL" \
	"$(printf '%s\n' "$out" | grep -cvE "^$F:[0-9]+:[0-9]+: .+")" -eq 0

# A YAML syntax error is located too.
printf 'version: 1\ndefault: deny\nrules: [\n' >"$P/syntax.yaml"
out=$("$FG" check "$P/syntax.yaml" 2>&1)
expect_eq "YAML syntax error: exit 2" "$?" 2
expect_match "YAML syntax error located" "$out" "syntax\.yaml:[0-9]+:[0-9]+: "

# L7 rules are enforced by the inspector's engine: check accepts them.
cat >"$P/l7.yaml" <<'YAML'
version: 1
default: deny
rules:
  - name: web
    proto: tcp
    ports: [80]
    app: http
    http: {paths: ["/api/*"]}
    action: allow
YAML
out=$("$FG" check "$P/l7.yaml" 2>&1)
expect_eq "app rule accepted: exit 0" "$?" 0

# web_policy FILE TOPLINE: a one-rule policy with TOPLINE at line 3.
web_policy() {
	printf 'version: 1\ndefault: deny\n%s\nrules:\n  - name: web\n    proto: tcp\n    ports: [80]\n    action: allow\n' "$2" >"$1"
}

# Monitor mode is enforced (fast path and L7 engine): accepted.
web_policy "$P/monitor.yaml" "mode: monitor"
out=$("$FG" check "$P/monitor.yaml" 2>&1)
expect_eq "monitor mode accepted: exit 0" "$?" 0

# A reserved key is refused, never ignored, and located.
web_policy "$P/reserved.yaml" "sensors: {}"
out=$("$FG" check "$P/reserved.yaml" 2>&1)
expect_eq "reserved key refused: exit 2" "$?" 2
expect_match "refused key located" "$out" "reserved\.yaml:3:[0-9]+: .*not supported yet"

out=$("$FG" check "$P/does-not-exist.yaml" 2>&1)
expect_eq "missing file: exit 2" "$?" 2
expect_match "missing file named in the error" "$out" "does-not-exist\.yaml"

out=$("$FG" check 2>&1)
expect_eq "no FILE: usage error, exit 2" "$?" 2
e2e_finish
