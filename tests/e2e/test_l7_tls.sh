#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# L7 TLS policy with real clients (issue 4): openssl s_client -> s_server
# (-rev: answers each line reversed) with a self-signed certificate made
# for the test. An allowed SNI completes the handshake and exchanges data;
# a denied SNI is cut before the server completes a handshake; monitor mode
# delivers it and logs would_deny with the SNI.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l7lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter jq ss openssl rev
e2e_require_flowgate

l7_topo
SLOG=$E2E_TMP/tls_server.log
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$E2E_TMP/key.pem" -out "$E2E_TMP/cert.pem" -days 1 \
	-subj /CN=allowed.example >/dev/null 2>&1 || { fail setup "openssl req"; e2e_finish; }
nsenter --net="/run/netns/$NS_S" -- openssl s_server -accept 8443 -rev -quiet \
	-cert "$E2E_TMP/cert.pem" -key "$E2E_TMP/key.pem" >>"$SLOG" 2>&1 </dev/null &
E2E_PIDS+=("$!")
l7_wait_connect 8443

# talk SNI [ADDR]: one line over TLS with SNI; prints the server's answer.
# The client's input stays open until the answer is there (3 s at most):
# s_client ends at its end.
talk() {
	local addr=${2:-$S4} out=$E2E_TMP/talk.out i
	case $addr in *:*) addr="[$addr]" ;; esac
	: >"$out"
	(echo "hello $1"; for i in $(seq 1 30); do [ -s "$out" ] && break; sleep 0.1; done) |
		in_c timeout 5 openssl s_client -quiet -no_ign_eof \
			-connect "$addr:8443" -servername "$1" >"$out" 2>/dev/null
	cat "$out"
}
reversed() { printf '%s\n' "$1" | rev; }
handshakes() { grep -c "CONNECTION ESTABLISHED" "$SLOG"; }

# Harness check (no flowgate): any SNI talks, so a missing answer below is
# the firewall's doing.
expect_eq "no firewall: s_server answers any SNI" "$(talk evil.example)" \
	"$(reversed "hello evil.example")"

{ l7_policy_head; cat <<YAML; } >"$E2E_TMP/policy.yaml"
  - name: tls-ok
    to: server
    proto: tcp
    ports: [8443]
    app: tls
    tls: {sni: ["allowed.example", "*.allowed.example"]}
    action: allow
YAML
l7_require_engine "$E2E_TMP/policy.yaml"

fg_start "$E2E_TMP/policy.yaml" native || e2e_finish
expect_eq "allowed SNI: handshake and data" "$(talk allowed.example)" "$(reversed "hello allowed.example")"
expect_eq "allowed SNI (wildcard) over IPv6" "$(talk a.allowed.example "$S6")" \
	"$(reversed "hello a.allowed.example")"
before=$(handshakes)
out=$(talk evil.example)
expect_eq "denied SNI: no answer" "$out" ""
expect_eq "denied SNI: the server completed no handshake" "$(handshakes)" "$before"
out=$(talk allowed.example.evil.example)
expect_eq "denied SNI with the allowed name as a prefix: no answer" "$out" ""
fl=$(l7_flows '.rule == "tls-ok"')
expect_match "flows: allowed TLS flow shows app tls" "$(jq -r '.[0].app' <<<"$fl")" '^tls$'
expect_event "event: allow with rule and sni" \
	'.verdict == "allow" and .rule == "tls-ok" and .app == "tls" and .tls.sni == "allowed.example"'
expect_event "event: deny with sni" \
	'.verdict == "deny" and .app == "tls" and .tls.sni == "evil.example"'
fg_stop TERM

l7_policy "$E2E_TMP/policy.yaml" "$E2E_TMP/monitor.yaml" mode monitor
if l7_accepted "monitor mode" "$E2E_TMP/monitor.yaml"; then
	fg_start "$E2E_TMP/monitor.yaml" native || e2e_finish
	expect_eq "monitor: denied SNI delivered" "$(talk evil.example)" "$(reversed "hello evil.example")"
	expect_event "monitor: would_deny event with rule and sni" \
		'.verdict == "would_deny" and .rule != null and .app == "tls" and .tls.sni == "evil.example"'
	fg_stop TERM
fi
e2e_finish
