#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A rejected reload changes nothing: exit 2 with FILE:LINE:COL errors, the
# generation and policy hash stay, allowed traffic stays allowed and denied
# traffic stays denied.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss
e2e_require_flowgate

topo_create
srv_start "$NS_S" http 8080 && srv_start "$NS_S" http 8081 || e2e_finish
policy_base "$E2E_TMP/policy.yaml"
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish

state() { fg status --json | jq -c '[.generation, .policy]'; }
s0=$(state)
info "before: $s0"
ok "http 8080 allowed before" http_get "$S4" 8080
no "http 8081 denied before" http_get "$S4" 8081

# A policy that would open 8081, with an error further down.
cat >"$E2E_TMP/bad.yaml" <<'YAML'
version: 1
default: deny
rules:
  - name: open-8081
    proto: tcp
    ports: [8081]
    action: allow
  - name: typo
    proto: tcp
    ports: [9000]
    action: alow
YAML
out=$(fg reload "$E2E_TMP/bad.yaml" 2>&1)
expect_eq "rejected reload exits 2" "$?" 2
expect_match "rejected reload prints FILE:LINE:COL" "$out" "bad\.yaml:11:[0-9]+: "
expect_eq "generation and policy unchanged" "$(state)" "$s0"
ok "http 8080 still allowed" http_get "$S4" 8080
no "http 8081 still denied" http_get "$S4" 8081

out=$(fg reload "$E2E_TMP/missing.yaml" 2>&1)
expect_eq "reload of a missing file: exit 2" "$?" 2
expect_match "and names the file" "$out" "missing\.yaml"
expect_eq "generation and policy unchanged after missing file" "$(state)" "$s0"

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
