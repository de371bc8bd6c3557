#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fragmented UDP: a 4000-byte datagram over a 1500-byte MTU leaves the client
# as three IPv4 or IPv6 fragments. To an allowed port the whole datagram
# arrives (and the fragmented echo comes back); to a denied port nothing
# does: the later fragments get the first fragment's verdict.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss tcpdump
e2e_require_flowgate

topo_create 1500
srv_start "$NS_S" udp 7001 && srv_start "$NS_S" udp 7002 || e2e_finish
policy_base "$E2E_TMP/policy.yaml"
fg_start "$E2E_TMP/policy.yaml" native || e2e_finish

fd0=$(drop_count frag_denied)
# Count what passes XDP on the server: UDP from the client, and IPv6
# packets whose first header is a fragment header (tcpdump's "udp" does not
# look past it).
capture_start "$NS_S" "$IF_S" "(src host $C4 and udp) or (src host $C6 and (udp or ip6[6] == 44))"
for a in "$S4" "$S6"; do
	ok "fragmented udp (4000 B) to $a:7001 allowed, fragmented echo returns" udp_echo "$a" 7001 4000
	no "fragmented udp (4000 B) to $a:7002 denied" udp_echo "$a" 7002 4000
done
capture_stop >/dev/null
fd1=$(drop_count frag_denied)
info "capture on server: $(tr '\n' '|' <"$CAP_OUT" | head -c 1500)"

# 4008 bytes of UDP over MTU 1500 make 3 fragments in either family; only
# the allowed datagram's may pass.
expect_eq "3 IPv4 fragments (the allowed datagram's) reached the server" \
	"$(grep -cE " IP ${C4//./\\.}[ .]" "$CAP_OUT")" 3
expect_eq "3 IPv6 fragments (the allowed datagram's) reached the server" \
	"$(grep -cE " IP6 $C6[ .]" "$CAP_OUT")" 3
expect_eq "no first fragment to the denied port reached the server" \
	"$(grep -cE '\.7002: | > 7002: ' "$CAP_OUT")" 0
expect_cmp "later fragments of denied datagrams counted as frag_denied" \
	"$((fd1 - fd0))" -ge 4

fg_stop TERM
expect_eq "flowgate exits 0 on SIGTERM" "$?" 0
e2e_finish
