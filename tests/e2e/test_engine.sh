#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The L7 engine through the real AF_XDP path: a policy with `app: http` and
# a path condition starts the inspector by itself; curl gets the allowed
# path, not the denied one; a non-HTTP payload on the port falls through to
# the default (deny); L7 events land in the events stream. (Real-client
# coverage of TLS/DNS/monitor lives in the test_l7* tests.)
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss curl
e2e_require_flowgate

topo_create
write_policy "$E2E_TMP/policy.yaml" <<YAML
version: 1
default: deny
rules:
  - name: web
    to: [$S4]
    proto: tcp
    ports: [8000]
    app: http
    http: {paths: ["/index.html"]}
    action: allow
YAML
srv_start "$NS_S" http 8000 || e2e_finish
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish
expect_match "inspector started by the app rule" "$(cat "$FG_LOG")" "engine l7"

get() { in_c curl -s -m 4 -o /dev/null -w '%{http_code}' "http://$S4:8000$1"; }
expect_eq "allowed path: 200" "$(get /index.html)" 200
code=$(get /secret)
expect_eq "denied path: no answer" "${code:-000}" 000
# http.server answers anything it can read (400 for garbage): no answer
# at all means the inspector cut the flow.
raw=$(in_c timeout 5 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 8000), timeout=3)
s.sendall(b"\x16\x00hello there, not http\r\n\r\n")
try:
    print(s.recv(100).decode(errors="replace"))
except OSError as e:
    print("error", e)
' "$S4" 2>&1)
no "non-HTTP payload on an app: http port gets no HTTP answer" grep -q "HTTP/" <<<"$raw"
sleep 0.5
ev=$(cat "$EVENTS")
expect_match "l7 allow event with the path" "$ev" '"type":"l7".*"verdict":"allow".*"path":"/index.html"'
expect_match "l7 deny event names the default" "$ev" '"rule":"default","generation":[0-9]+,"verdict":"deny"'
st=$(fg stats --json)
expect_cmp "stats: inspector denied" "$(jq '.inspector.verdict_deny' <<<"$st")" -ge 2
e2e_finish
