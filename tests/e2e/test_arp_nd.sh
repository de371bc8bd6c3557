#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Under `default: deny` with no ICMP rule, ARP (non-IP) and IPv6 neighbour
# discovery still pass, so an allowed TCP service stays reachable after the
# neighbour caches are flushed, while ping stays denied.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 ping jq ss
e2e_require_flowgate

topo_create
cat >"$E2E_TMP/policy.yaml" <<'YAML'
version: 1
default: deny
rules:
  - name: http
    proto: tcp
    ports: [8080]
    action: allow
YAML
srv_start "$NS_S" http 8080 || e2e_finish
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish

neigh_flush
ok "tcp $S4:8080 after neighbour flush (ARP passes)" http_get "$S4" 8080
expect_match "client resolved $S4 by ARP" "$(in_c ip -4 neigh show "$S4")" 'lladdr'
ok "tcp [$S6]:8080 after neighbour flush (ND passes)" http_get "$S6" 8080
expect_match "client resolved $S6 by ND" "$(in_c ip -6 neigh show "$S6")" 'lladdr'
expect_match "server resolved $C6 by ND" "$(in_s ip -6 neigh show "$C6")" 'lladdr'
no "icmp echo $S4 denied by default" ping_one "$S4"
no "icmpv6 echo $S6 denied by default" ping_one "$S6"

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
