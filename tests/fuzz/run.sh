#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Long fuzz runs (`make fuzz`): tests/fuzz/run.sh SECONDS BINARY...
# Each libFuzzer binary runs SECONDS with its corpus in build/fuzz/corpus/NAME
# (seeded from tests/fuzz/seeds/NAME, kept between runs); a crash leaves
# its input in build/fuzz/ and makes the script fail. One line per target.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:?usage: run.sh SECONDS BINARY...}
shift
status=0
for bin in "$@"; do
	name=$(basename "$bin")
	corpus=$ROOT/build/fuzz/corpus/$name
	log=$ROOT/build/fuzz/$name.log
	mkdir -p "$corpus"
	seeds=() dict=()
	[ -d "$ROOT/tests/fuzz/seeds/$name" ] && seeds=("$ROOT/tests/fuzz/seeds/$name")
	[ -f "$ROOT/tests/fuzz/$name.dict" ] && dict=(-dict="$ROOT/tests/fuzz/$name.dict")
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
		"${dict[@]}" -artifact_prefix="$ROOT/build/fuzz/$name-" "$corpus" "${seeds[@]}" \
		>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		printf 'PASS %s: %ss, %s runs, %s, corpus %s files\n' "$name" "$secs" \
			"${runs:-?}" "${cov:-cov: ?}" "$(find "$corpus" -type f | wc -l)"
	else
		printf 'FAIL %s: exit %d, see %s\n' "$name" "$rc" "$log"
		grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -n 5 | sed 's/^/  | /'
		status=1
	fi
done
exit "$status"
