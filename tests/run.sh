#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# flowgate test runner: tests/run.sh [unit|prog|e2e|fuzz|all]...
#
#   unit  cmocka binaries built from tests/unit/test_*.c   (no privileges)
#   prog  BPF_PROG_TEST_RUN binaries from tests/prog/test_*.c (root)
#   e2e   tests/e2e/test_*.sh: namespaces + veth, real traffic (root)
#   fuzz  a short libFuzzer run of each tests/fuzz/fuzz_*.c (no privileges;
#         long runs: make fuzz)
#
# Every test case prints one PASS/FAIL/SKIP line; the last line is exactly
# "N passed, N failed" (", N skipped" follows when something was skipped) and
# the exit status is non-zero if anything failed. Logs of every binary and
# script are kept in build/test-logs/. Environment:
#   FG_TEST_FILTER=REGEX   run only binaries/scripts whose name matches
#   FG_TEST_TIMEOUT=SEC    per binary/script timeout (default 300)
#   FG_FUZZ_SECS=SEC       seconds per fuzz target in the fuzz tier (default 4)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
LOGDIR=$BUILD/test-logs
TIMEOUT=${FG_TEST_TIMEOUT:-300}
FILTER=${FG_TEST_FILTER:-}

passed=0 failed=0 skipped=0
failures=()
timing=()

pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
fail() { failed=$((failed + 1)); failures+=("$*"); printf 'FAIL %s\n' "$*"; }
skip() { skipped=$((skipped + 1)); printf 'SKIP %s\n' "$*"; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

selected() { [ -z "$FILTER" ] || [[ $1 =~ $FILTER ]]; }

# Print the end of a log after a failure so CI output says why.
show_log() {
	printf '  --- last lines of %s ---\n' "$1"
	tail -n 40 "$1" | sed 's/^/  | /'
	printf '  ---\n'
}

# Count the cases of one test binary's output. cmocka prints
# "[       OK ] name", "[  FAILED  ] name", "[  SKIPPED ] name"; other binaries
# may print "PASS name"/"FAIL name"/"SKIP name". A binary that exits non-zero
# without reporting a failed case (crash, setup error) counts as one failure.
run_binary() {
	local tier=$1 bin=$2 name log rc t0 np nf ns c
	name=$tier/$(basename "$bin")
	log=$LOGDIR/$tier-$(basename "$bin").log
	t0=$(now)
	timeout --kill-after=10 "$TIMEOUT" "$bin" >"$log" 2>&1 </dev/null
	rc=$?
	# cmocka lists failed/skipped names twice (as they run and in its
	# summary): count each name once and skip the summary header lines.
	np=0
	while IFS= read -r c; do
		[ -n "$c" ] && { printf 'PASS %s: %s\n' "$name" "$c"; np=$((np + 1)); }
	done < <(sed -nE 's/^(\[       OK \]|PASS) //p' "$log")
	while IFS= read -r c; do
		[ -n "$c" ] && fail "$name: $c"
	done < <(sed -nE 's/^(\[  FAILED  \]|FAIL) //p' "$log" | grep -v 'listed below' | sort -u)
	nf=$(sed -nE 's/^(\[  FAILED  \]|FAIL) //p' "$log" | grep -v 'listed below' | sort -u | grep -c .)
	while IFS= read -r c; do
		[ -n "$c" ] && skip "$name: $c"
	done < <(sed -nE 's/^(\[  SKIPPED \]|SKIP) //p' "$log" | grep -v 'listed below' | sort -u)
	ns=$(sed -nE 's/^(\[  SKIPPED \]|SKIP) //p' "$log" | grep -v 'listed below' | sort -u | grep -c .)
	passed=$((passed + np))
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "$name: timed out after ${TIMEOUT}s"; nf=$((nf + 1))
	elif [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
		fail "$name: exited with status $rc without reporting a failed case"
		nf=$((nf + 1))
	elif [ "$rc" -eq 0 ] && [ "$np" -eq 0 ] && [ "$nf" -eq 0 ] && [ "$ns" -eq 0 ]; then
		pass "$name"; np=1	# a binary that reports no cases: its status
	fi
	printf '     %s: %d passed, %d failed, %d skipped (%ss)\n' \
		"$name" "$np" "$nf" "$ns" "$(since "$t0")"
	[ "$nf" -eq 0 ] || show_log "$log"
}

# Binaries of one tier: build/tests/<name> for each tests/<tier>/test_*.c
# (unit and program binaries share build/tests/, so the source directory
# says which tier a binary belongs to).
run_tier_binaries() {
	local tier=$1 src bin any=0
	for src in tests/"$tier"/test_*.c; do
		[ -e "$src" ] || continue
		bin=$BUILD/tests/$(basename "$src" .c)
		selected "$(basename "$bin")" || continue
		any=1
		if [ ! -x "$bin" ]; then
			fail "$tier/$(basename "$bin"): not built (run make first)"
			continue
		fi
		run_binary "$tier" "$bin"
	done
	[ "$any" -eq 1 ] || skip "$tier: no tests/$tier/test_*.c selected"
}

run_e2e() {
	local script name log rc t0 np nf ns line
	if [ ! -x "$BUILD/flowgate" ]; then
		fail "e2e: $BUILD/flowgate not built (run make first)"
		return
	fi
	for script in tests/e2e/test_*.sh; do
		[ -e "$script" ] || continue
		name=e2e/$(basename "$script" .sh)
		selected "$(basename "$script" .sh)" || continue
		log=$LOGDIR/e2e-$(basename "$script" .sh).log
		np=0 nf=0 ns=0
		t0=$(now)
		# Lines are shown as they come: an e2e script takes seconds.
		while IFS= read -r line; do
			printf '%s\n' "$line" >>"$log"
			case $line in
			'PASS '*) np=$((np + 1)); pass "${line#PASS }" ;;
			'FAIL '*) nf=$((nf + 1)); fail "${line#FAIL }" ;;
			'SKIP '*) ns=$((ns + 1)); skip "${line#SKIP }" ;;
			esac
		done < <(: >"$log"; timeout --kill-after=10 "$TIMEOUT" bash "$script" 2>&1 </dev/null
			 echo "__rc=$?")
		rc=$(sed -n 's/^__rc=//p' "$log" | tail -n 1)
		if [ "${rc:-1}" -eq 124 ] || [ "${rc:-1}" -eq 137 ]; then
			fail "$name: timed out after ${TIMEOUT}s"; nf=$((nf + 1))
		elif [ "${rc:-1}" -ne 0 ] && [ "$nf" -eq 0 ]; then
			fail "$name: exited with status ${rc:-?} without reporting a failed check"
			nf=$((nf + 1))
		elif [ "$np" -eq 0 ] && [ "$nf" -eq 0 ] && [ "$ns" -eq 0 ]; then
			fail "$name: reported no result"; nf=$((nf + 1))
		fi
		printf '     %s: %d passed, %d failed, %d skipped (%ss)\n' \
			"$name" "$np" "$nf" "$ns" "$(since "$t0")"
		[ "$nf" -eq 0 ] || show_log "$log"
	done
}

# Fuzz smoke: each target for FG_FUZZ_SECS from its seed corpus (read-only;
# new inputs go to a temporary directory). A crash or a broken invariant
# fails, with the input kept in the log directory.
run_fuzz() {
	local src bin name log rc t0 tmp seeds dict any=0
	for src in tests/fuzz/fuzz_*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		bin=$BUILD/fuzz/$name
		selected "$name" || continue
		any=1
		if [ ! -x "$bin" ]; then
			fail "fuzz/$name: not built (run make first)"
			continue
		fi
		log=$LOGDIR/fuzz-$name.log
		tmp=$(mktemp -d /tmp/flowgate-fuzz.XXXX)
		seeds=() dict=()
		[ -d "tests/fuzz/seeds/$name" ] && seeds=("tests/fuzz/seeds/$name")
		[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
		t0=$(now)
		timeout --kill-after=10 "$TIMEOUT" "$bin" -max_total_time="${FG_FUZZ_SECS:-4}" \
			-timeout=10 -rss_limit_mb=1024 -print_final_stats=1 "${dict[@]}" \
			-artifact_prefix="$LOGDIR/fuzz-$name-" "$tmp" "${seeds[@]}" \
			>"$log" 2>&1 </dev/null
		rc=$?
		rm -rf "$tmp"
		if [ "$rc" -eq 0 ]; then
			pass "fuzz/$name: $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1) runs ($(since "$t0")s)"
		else
			fail "fuzz/$name: exit $rc"
			show_log "$log"
		fi
	done
	[ "$any" -eq 1 ] || skip "fuzz: no tests/fuzz/fuzz_*.c selected"
}

run_tier() {
	local tier=$1 t0 t1
	t0=$(date +%s)
	printf '== %s tests ==\n' "$tier"
	case $tier in
	unit) run_tier_binaries unit ;;
	prog)
		if [ "$(id -u)" -ne 0 ]; then
			skip "prog: BPF_PROG_TEST_RUN needs root (run: sudo make test)"
		else
			run_tier_binaries prog
		fi ;;
	e2e)
		if [ "$(id -u)" -ne 0 ]; then
			skip "e2e: network namespaces and XDP need root (run: sudo make test)"
		else
			run_e2e
		fi ;;
	fuzz) run_fuzz ;;
	esac
	t1=$(date +%s)
	timing+=("$tier $((t1 - t0))s")
}

tiers=("$@")
[ "${#tiers[@]}" -gt 0 ] || tiers=(all)
run=()
for t in "${tiers[@]}"; do
	case $t in
	all) run+=(unit prog e2e fuzz) ;;
	unit | prog | e2e | fuzz) run+=("$t") ;;
	*) printf 'usage: %s [unit|prog|e2e|fuzz|all]...\n' "$0" >&2; exit 2 ;;
	esac
done

# Logs go to build/test-logs/, or to a temporary directory if build/ is not
# writable (e.g. built by root, run by a user).
if ! { mkdir -p "$LOGDIR" && [ -w "$LOGDIR" ]; } 2>/dev/null; then
	LOGDIR=$(mktemp -d /tmp/flowgate-test-logs.XXXX)
fi
start=$(date +%s)
for t in "${run[@]}"; do
	run_tier "$t"
done
end=$(date +%s)

printf '== time: %s, total %ss ==\n' "$(IFS=,; echo "${timing[*]}" | sed 's/,/, /g')" "$((end - start))"
if [ "$failed" -gt 0 ]; then
	printf '== failed ==\n'
	printf '  %s\n' "${failures[@]}"
fi
if [ "$skipped" -gt 0 ]; then
	printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
else
	printf '%d passed, %d failed\n' "$passed" "$failed"
fi
[ "$failed" -eq 0 ]
