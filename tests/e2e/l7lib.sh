# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the L7 end-to-end tests (tests/e2e/test_l7_*.sh): real clients
# and servers (curl, openssl, dig, dnsmasq) through the L7 policy engine.
# Source it after lib.sh.

# l7_accepted WHAT POLICY: succeeds if this build accepts POLICY; a
# refusal of the test's own policy is a failure of WHAT.
l7_accepted() {
	local out rc
	out=$("$FG" check "$2" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && return 0
	fail "$1: policy check" "exit $rc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
	return 1
}

# l7_require_engine POLICY: the rest of the test needs POLICY accepted.
l7_require_engine() {
	l7_accepted "L7 checks" "$1" || exit 1
}

# l7_topo: topo_create, then wait for both veth ends to have carrier. The
# server end comes up some milliseconds later (NO-CARRIER): a connection
# tried before then fails at once, and these tests talk before flowgate
# (which takes longer to start) runs.
l7_topo() {
	topo_create
	wait_until 5 l7_link_up "$NS_C" "$IF_C" && wait_until 5 l7_link_up "$NS_S" "$IF_S" ||
		{ fail setup "veth $IF_C/$IF_S without carrier after 5 s"; e2e_finish; }
}
l7_link_up() { in_ns "$1" ip -j link show dev "$2" | jq -e '.[0].operstate == "UP"'; }

# l7_wait_connect PORT: wait until a TCP connection from the client to the
# server's PORT succeeds (5 s at most). A server listed by ss as listening
# has refused the first connections here for some milliseconds.
l7_wait_connect() {
	wait_until 5 in_c python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()' "$S4" "$1" ||
		fail setup "no TCP connection to $S4:$1 after 5 s"
}

# l7_policy_head: the start of each test's policy, up to "rules:": deny by
# default, enforced, closed on inspector failure, group "server".
l7_policy_head() {
	cat <<YAML
version: 1
default: deny
mode: protect
inspect_failure: closed
groups:
  server: [$S4, "$S6"]
rules:
YAML
}

# l7_policy SRC DST KEY VALUE: DST is SRC with the top-level KEY (mode,
# inspect_failure) set to VALUE.
l7_policy() {
	grep -v "^$3:" "$1" >"$2"
	printf '%s: %s\n' "$3" "$4" >>"$2"
}

# l7_event FILTER: print the first L7 event (type "l7") for which the jq
# FILTER holds. Events are written asynchronously: wait up to 3 s.
l7_event() {
	local i ev
	for i in $(seq 1 30); do
		ev=$(jq -c "select(.type == \"l7\") | select($1)" "$EVENTS" 2>/dev/null | head -n 1)
		if [ -n "$ev" ]; then
			printf '%s\n' "$ev"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# expect_event WHAT FILTER
expect_event() {
	local ev
	if ev=$(l7_event "$2"); then
		pass "$1"
		info "event: $ev"
	else
		fail "$1" "no l7 event matches '$2' ($(grep -c '"type":"l7"' "$EVENTS") l7 events: $(grep '"type":"l7"' "$EVENTS" | tail -n 2 | tr '\n' ' '))"
	fi
}

# l7_flow FILTER: the flows (jq array) for which FILTER holds.
l7_flows() { fg flows --json | jq -c "[.[] | select($1)]"; }

# l7_stat PATH: a number from `stats --json` (0 if absent).
l7_stat() { fg_json stats "$1 // 0"; }
