#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# HTTP/2 cleartext and gRPC identified from the payload (issue 4): curl with
# prior knowledge against nghttpd (h2c). A rule `app: grpc` lets a gRPC call
# (content-type application/grpc) through and denies a plain HTTP/2 request
# on the same port (app http2: the default decides); with `app: http2` the
# plain request gets its page. Events and `flows` name the app. The server
# side filters reverse paths strictly: re-injected frames pass it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l7lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter jq ss curl nghttpd
e2e_require_flowgate

l7_topo
WWW=$E2E_TMP/www
mkdir -p "$WWW"
echo "h2 page $$" >"$WWW/index.html"
nsenter --net="/run/netns/$NS_S" -- nghttpd --no-tls -d "$WWW" 8080 \
	>/dev/null 2>&1 </dev/null &
E2E_PIDS+=("$!")
l7_wait_connect 8080

# h2get PATH: a plain HTTP/2 GET (prior knowledge), prints the body.
h2get() { in_c curl -sf --max-time 3 --http2-prior-knowledge "http://$S4:8080$1"; }
# grpc_call: an empty gRPC request; prints the HTTP version and status
# (nghttpd has no such method: 404, but the answer is proof of passage).
grpc_call() {
	in_c curl -s --max-time 3 -o /dev/null -w '%{http_version} %{http_code}' \
		--http2-prior-knowledge -H 'content-type: application/grpc' \
		-H 'te: trailers' --data-binary '' "http://$S4:8080/pkg.Svc/Call"
}

# Strict reverse path filtering where the server receives: the frames the
# inspector re-injects must arrive as from the client's veth, or the kernel
# drops them (counted as IPReversePathFilter).
in_s sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1 \
	"net.ipv4.conf.$IF_S.rp_filter=1"
rp_drops() { in_s nstat -asz TcpExtIPReversePathFilter | awk '/IPReversePathFilter/ { print $2 }'; }

# Harness check (no flowgate): both requests are answered.
expect_eq "no firewall: h2 page served" "$(h2get /index.html)" "h2 page $$"
expect_eq "no firewall: gRPC call answered over HTTP/2" "$(grpc_call)" "2 404"

{ l7_policy_head; cat <<YAML; } >"$E2E_TMP/grpc.yaml"
  - name: rpc
    to: server
    proto: tcp
    ports: [8080]
    app: grpc
    action: allow
YAML
l7_require_engine "$E2E_TMP/grpc.yaml"
fg_start "$E2E_TMP/grpc.yaml" native || e2e_finish
expect_eq "app grpc: gRPC call passes" "$(grpc_call)" "2 404"
no "app grpc: plain HTTP/2 request denied" h2get /index.html
expect_event "event: grpc allowed by its rule" \
	'.verdict == "allow" and .rule == "rpc" and .app == "grpc"'
expect_event "event: http2 denied by the default" \
	'.verdict == "deny" and .rule == "default" and .app == "http2"'
expect_cmp "re-injected requests reached the server" "$(l7_stat .inspector.tx)" -ge 1
expect_eq "strict rp_filter dropped none of them" "$(rp_drops)" "0"
fg_stop TERM

sed 's/app: grpc/app: http2/' "$E2E_TMP/grpc.yaml" >"$E2E_TMP/h2.yaml"
fg_start "$E2E_TMP/h2.yaml" native || e2e_finish
expect_eq "app http2: plain HTTP/2 page served" "$(h2get /index.html)" "h2 page $$"
no "app http2: gRPC call denied (it is grpc, not http2)" grpc_call
expect_event "event: http2 allowed by its rule" \
	'.verdict == "allow" and .rule == "rpc" and .app == "http2"'
expect_event "event: grpc denied by the default" \
	'.verdict == "deny" and .app == "grpc"'
expect_eq "flows: the allowed flow shows app http2, inspection done" \
	"$(l7_flows '.rule == "rpc" and .app == "http2"' | jq -r '.[0].inspect')" "done"
expect_eq "flows: the denied flow shows app grpc" \
	"$(l7_flows '.app == "grpc"' | jq -r '.[0].app')" "grpc"
fg_stop TERM
e2e_finish
