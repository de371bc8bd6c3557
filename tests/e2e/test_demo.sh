#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The README's demo (scripts/demo.sh, run by scripts/quickstart.sh) works:
# every L3/L4 and L7 result matches its policy, and it leaves no namespace
# behind.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3
e2e_require_flowgate

demo_ns() { ip netns list | grep -c '^fgd' || true; }
before=$(demo_ns)
out=$(FLOWGATE=$FG "$E2E_ROOT/scripts/demo.sh" 2>&1)
rc=$?
expect_eq "exit 0" "$rc" 0
expect_match "every result matched the policy" "$out" "every result matched the policy"
expect_match "L7 path denied by the inspector" "$out" "8200/admin/ +web-app: path +blocked"
expect_match "L7 allow event printed" "$out" '"type":"l7".*"verdict":"allow"'
[ "$rc" -eq 0 ] || info "$(tail -n 20 <<<"$out")"
expect_eq "no namespace left" "$(demo_ns)" "$before"
e2e_finish
