#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# L7 TLS policy with real clients (issue 4): openssl s_client -> s_server
# (-rev: answers each line reversed) with a self-signed certificate made
# for the test. An allowed SNI completes the handshake and exchanges data;
# a denied SNI is cut before the server completes a handshake; monitor mode
# delivers it and logs would_deny with the SNI. tls: {alpn, versions}: a
# client offering only listed ALPN values at a listed version talks, one
# offering another value, no ALPN, or TLS 1.2 is cut; events carry the
# SNI, ALPN, version, JA3 and JA4. tls: {ja4}: the logged fingerprint of
# one client on a deny rule cuts that client, another one talks.
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

# talk SNI [ADDR [S_CLIENT ARGS...]]: one line over TLS with SNI; prints
# the server's answer. The client's input stays open until the answer is
# there (3 s at most): s_client ends at its end.
talk() {
	local sni=$1 addr=${2:-$S4} out=$E2E_TMP/talk.out i
	shift $(($# < 2 ? $# : 2))
	case $addr in *:*) addr="[$addr]" ;; esac
	: >"$out"
	(echo "hello $sni"; for i in $(seq 1 30); do [ -s "$out" ] && break; sleep 0.1; done) |
		in_c timeout 5 openssl s_client -quiet -no_ign_eof \
			-connect "$addr:8443" -servername "$sni" "$@" >"$out" 2>/dev/null
	cat "$out"
}
reversed() { printf '%s\n' "$1" | rev; }
handshakes() { grep -c "CONNECTION ESTABLISHED" "$SLOG"; }

# Harness check (no flowgate): any SNI talks, so a missing answer below is
# the firewall's doing.
expect_eq "no firewall: s_server answers any SNI" "$(talk evil.example)" \
	"$(reversed "hello evil.example")"
expect_eq "no firewall: s_server answers TLS 1.2 offering h2 and spdy/3" \
	"$(talk allowed.example "$S4" -alpn h2,spdy/3 -tls1_2)" "$(reversed "hello allowed.example")"

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

# ---- ALPN and version conditions ----
{ l7_policy_head; cat <<YAML; } >"$E2E_TMP/alpn.yaml"
  - name: tls-modern
    to: server
    proto: tcp
    ports: [8443]
    app: tls
    tls: {sni: [allowed.example], alpn: [h2, http/1.1], versions: ["1.3"]}
    action: allow
YAML
l7_require_engine "$E2E_TMP/alpn.yaml"
fg_start "$E2E_TMP/alpn.yaml" native || e2e_finish
want=$(reversed "hello allowed.example")
expect_eq "alpn h2, TLS 1.3: handshake and data" "$(talk allowed.example "$S4" -alpn h2)" "$want"
expect_eq "alpn h2 + http/1.1 (both listed) over IPv6" \
	"$(talk allowed.example "$S6" -alpn h2,http/1.1)" "$want"
expect_eq "alpn h2 + spdy/3 (one not listed): no answer" \
	"$(talk allowed.example "$S4" -alpn h2,spdy/3)" ""
expect_eq "no ALPN offered: no answer" "$(talk allowed.example)" ""
expect_eq "alpn h2 at TLS 1.2: no answer" "$(talk allowed.example "$S4" -alpn h2 -tls1_2)" ""
expect_event "event: allow with sni, alpn, version, ja3, ja4" \
	'.verdict == "allow" and .rule == "tls-modern" and .tls.sni == "allowed.example" and .tls.alpn == ["h2"] and .tls.version == "0x0304" and (.tls.ja3 | test("^[0-9a-f]{32}$")) and (.tls.ja4 | startswith("t13d"))'
expect_event "event: deny of TLS 1.2 says version 0x0303" \
	'.verdict == "deny" and .tls.alpn == ["h2"] and .tls.version == "0x0303" and (.tls.ja4 | startswith("t12d"))'
expect_event "event: deny lists every ALPN value offered" \
	'.verdict == "deny" and .tls.alpn == ["h2", "spdy/3"]'
# The fingerprint of s_client offering h2 at TLS 1.3, as logged.
JA4=$(l7_event '.verdict == "allow" and .rule == "tls-modern" and .tls.alpn == ["h2"]' | jq -r '.tls.ja4')
fg_stop TERM

# ---- a fingerprint block list (tls: {ja4}) before the allow rule ----
{ l7_policy_head; cat <<YAML; } >"$E2E_TMP/ja4.yaml"
  - name: blocked-client
    to: server
    proto: tcp
    ports: [8443]
    app: tls
    tls: {ja4: ["$JA4"]}
    action: deny
  - name: tls-any
    to: server
    proto: tcp
    ports: [8443]
    app: tls
    action: allow
YAML
if l7_accepted "ja4 block list" "$E2E_TMP/ja4.yaml"; then
	fg_start "$E2E_TMP/ja4.yaml" native || e2e_finish
	expect_eq "ja4 on the block list (alpn h2, TLS 1.3): no answer" \
		"$(talk allowed.example "$S4" -alpn h2)" ""
	expect_eq "another fingerprint (alpn http/1.1) passes" \
		"$(talk allowed.example "$S4" -alpn http/1.1)" "$want"
	expect_event "event: deny by the ja4 rule" \
		'.verdict == "deny" and .rule == "blocked-client" and .tls.ja4 == "'"$JA4"'"'
	fg_stop TERM
fi

l7_policy "$E2E_TMP/policy.yaml" "$E2E_TMP/monitor.yaml" mode monitor
if l7_accepted "monitor mode" "$E2E_TMP/monitor.yaml"; then
	fg_start "$E2E_TMP/monitor.yaml" native || e2e_finish
	expect_eq "monitor: denied SNI delivered" "$(talk evil.example)" "$(reversed "hello evil.example")"
	expect_event "monitor: would_deny event with rule and sni" \
		'.verdict == "would_deny" and .rule != null and .app == "tls" and .tls.sni == "evil.example"'
	fg_stop TERM
fi
e2e_finish
