#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `flowgate bench`: a very short smoke run of every available system on the
# drop path and the forwarding path, asserting that packets were counted
# (sent, seen by the DUT, dropped or delivered; never rates), and of the
# inspector suite (every part produced figures), then that
# nothing is left behind: the bench's namespaces (and the veths, rules and
# programs in them), host links, nft tables, iptables rules and xdp-filter
# pins, also after SIGINT and after kill -9 in the middle of a run.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmds jq
e2e_require_flowgate

J=$E2E_TMP/bench.json
LOG=$E2E_TMP/bench.log
XDPF_PINS=/sys/fs/bpf/xdp-filter

# What the host looks like; compared after every run.
host_state() {
	ip -br link | awk '{print $1}' | grep -E '^fgb' || true
	nft list tables 2>/dev/null || true
	iptables-save 2>/dev/null | grep -vE '^#|^:' || true
	[ -e "$XDPF_PINS" ] && echo "xdp-filter pins present"
	# BPF programs need no check: only our fds held them (and pins).
}
BEFORE=$(host_state)

# Network namespaces (inode numbers) a process holds through its fds.
ns_of() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		readlink "$fd" 2>/dev/null
	done | sed -n 's/^net:\[\([0-9]*\)\]$/\1/p' | sort -u
}

# Is any of these namespace inodes still referenced by any process?
ns_alive() {
	local ino p
	for ino in "$@"; do
		for p in /proc/[0-9]*; do
			{ readlink "$p/ns/net"; ls -l "$p/fd" 2>/dev/null; } 2>/dev/null |
				grep -q "net:\[$ino\]" && return 0
		done
	done
	return 1
}

# Run the bench in the background, record its namespaces while it runs.
BENCH_NS=()
bench_bg() {
	"$FG" bench "$@" >"$LOG" 2>&1 &
	BENCH_PID=$!
	E2E_PIDS+=("$BENCH_PID")
}
wait_round() {
	local i
	for i in $(seq 1 300); do
		grep -q 'round 1/' "$LOG" 2>/dev/null && break
		kill -0 "$BENCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	# The host's namespace is ours too: leave it out.
	mapfile -t BENCH_NS < <(ns_of "$BENCH_PID" | grep -vx "$(readlink /proc/self/ns/net | tr -dc 0-9)")
}

nothing_left() {
	local what=$1 i
	# The kernel frees namespaces asynchronously.
	for i in $(seq 1 50); do
		ns_alive "${BENCH_NS[@]}" || break
		sleep 0.1
	done
	expect_cmp "$what: the bench held its own namespaces" "${#BENCH_NS[@]}" -ge 3
	no "$what: none of them is left" ns_alive "${BENCH_NS[@]}"
	expect_eq "$what: host links, nft, iptables, pins, programs unchanged" \
		"$(host_state)" "$BEFORE"
}

# A short run to its end: exit 0 and nothing left behind.
smoke_run() {
	local what=$1
	shift
	rm -f "$J"
	bench_bg "$@" --json "$J"
	wait_round
	wait "$BENCH_PID"
	expect_eq "$what: exit 0" "$?" 0
	nothing_left "$what"
}

# SIGINT in the middle of a run: exit 1, says so, everything removed.
interrupt_run() {
	local what=$1
	shift
	bench_bg "$@"
	wait_round
	sleep 0.5
	kill -INT "$BENCH_PID"
	wait "$BENCH_PID"
	expect_eq "$what: exit 1" "$?" 1
	expect_match "$what: says it cleaned up" "$(cat "$LOG")" "interrupted"
	nothing_left "$what"
}

# 1. Bad usage fails fast and clearly.
out=$("$FG" bench --reps 0 2>&1)
expect_eq "bad option: exit 2" "$?" 2
expect_match "bad option: says which" "$out" "reps"
ok "--list-systems" "$FG" bench --list-systems

# 2. Drop path: every available system, deny at rule 10 of 10.
smoke_run "drop smoke" --suite rules --rules 10 --reps 1 --duration 0.1 \
	--load-timeout 20
if [ -s "$J" ]; then
	while IFS=$'\t' read -r sys skipped sent rx dropped; do
		if [ "$skipped" != "null" ]; then
			printf 'SKIP %s: %s: %s\n' "$T" "$sys" "$skipped"
			continue
		fi
		expect_cmp "$sys drop: generator sent frames" "$sent" -gt 0
		expect_cmp "$sys drop: the DUT saw them" "$rx" -gt 0
		expect_cmp "$sys drop: the DUT dropped them" "$dropped" -gt 0
	done < <(jq -r '.results[] | [.system, (.skipped // "null"),
		(.runs[0].sent // 0), (.runs[0].dut_rx // 0),
		(.runs[0].dut_dropped // 0)] | @tsv' "$J")
	expect_match "drop smoke: flowgate measured" \
		"$(jq -r '.results[] | select(.skipped == null) | .system' "$J")" '^flowgate$'
else
	fail "drop smoke" "no JSON written: $(tail -n 3 "$LOG" | tr '\n' ' ')"
fi

# 3. Forwarding path: allowed known flows through the DUT router (an XDP
# firewall and the two stack firewalls; the drop smoke covered the rest).
smoke_run "forward smoke" --suite forward \
	--systems xdp-pass,flowgate,nft-linear,iptables-linear \
	--reps 1 --duration 0.1 --load-timeout 20
if [ -s "$J" ]; then
	while IFS=$'\t' read -r sys path skipped passed; do
		[ "$path" = forward ] || continue
		if [ "$skipped" != "null" ]; then
			printf 'SKIP %s: %s forward: %s\n' "$T" "$sys" "$skipped"
			continue
		fi
		expect_cmp "$sys forward: frames reached the sink" "$passed" -gt 0
	done < <(jq -r '.results[] | [.system, .path, (.skipped // "null"),
		(.runs[0].passed // 0)] | @tsv' "$J")
else
	fail "forward smoke" "no JSON written: $(tail -n 3 "$LOG" | tr '\n' ' ')"
fi

# 4. The inspector suite: throughput (flowgate and the bare AF_XDP loop),
# time to verdict and the HTTP download (flowgate inspecting, no firewall,
# flowgate without inspection) all
# produced figures, and its goals were evaluated.
smoke_run "inspect smoke" --suite inspect --reps 1 --duration 0.3 \
	--latency-rates 2000 --http-body 1000000
if [ -s "$J" ]; then
	for k in flowgate bare; do
		row=".inspect.throughput[] | select(.key == \"$k\")"
		expect_cmp "inspect $k: Mpps > 0" \
			"$(jq "[$row | .mpps.median * 1e6] | .[0] // 0 | floor" "$J")" -gt 0
		expect_cmp "inspect $k: the worker received frames" \
			"$(jq "[$row | .worker_rx[0]] | .[0] // 0" "$J")" -gt 0
		expect_cmp "inspect $k: frames reached the sink" \
			"$(jq "[$row | .passed[0]] | .[0] // 0" "$J")" -gt 0
	done
	expect_cmp "inspect: flowgate/bare ratio > 0" \
		"$(jq '.inspect.throughput[0].ratio_to_bare.median * 1000 | floor' "$J")" -gt 0
	expect_eq "inspect: two latency rows (flowgate, bare) at 2000/s" \
		"$(jq -r '[.inspect.latency[] | "\(.key)"] | join(",")' "$J")" \
		"flowgate_verdict_2000,bare_seen_2000"
	expect_cmp "inspect: latency samples in every row" \
		"$(jq '[.inspect.latency[] | .samples[0]] | min' "$J")" -gt 0
	expect_cmp "inspect: p99 time to verdict > 0" \
		"$(jq '.inspect.latency[0].p99_us.median' "$J")" -gt 0
	expect_cmp "inspect: HTTP Gbit/s > 0 in every row" \
		"$(jq '[.inspect.http[] | .gbps.median * 1000] | min | floor' "$J")" -gt 0
	expect_cmp "inspect: HTTP kernel packet share > 0" \
		"$(jq '.inspect.http[0].kernel_packet_share.median * 1000 | floor' "$J")" -gt 0
	expect_cmp "inspect: the engine inspected requests" \
		"$(jq '.inspect.http[0].redirected[0]' "$J")" -gt 0
	expect_eq "inspect: issue 4's goals measured" \
		"$(jq '[.goals[] | select(.issue == 4 and has("value"))] | length' "$J")" 3
else
	fail "inspect smoke" "no JSON written: $(tail -n 3 "$LOG" | tr '\n' ' ')"
fi

# 5. SIGINT in the middle of a run, of the fast-path suites and of the
# inspector's (its threads, internal veths and HTTP server).
interrupt_run "SIGINT" --suite rules --rules 10 --systems xdp-drop,flowgate \
	--reps 20 --duration 1
interrupt_run "SIGINT inspect" --suite inspect --reps 20 --duration 1 \
	--http-body 1000000

# 6. kill -9: the namespaces die with the process.
bench_bg --suite rules --rules 10 --systems xdp-drop,flowgate --reps 20 \
	--duration 1
wait_round
sleep 0.3
kill -KILL "$BENCH_PID"
wait "$BENCH_PID" 2>/dev/null
nothing_left "kill -9"

e2e_finish
