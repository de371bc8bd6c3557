#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Per-program ns/packet of flowgate's XDP program in a real `flowgate bench`
run, from the kernel's BPF run-time statistics.

    sysctl -w kernel.bpf_stats_enabled=1
    build/flowgate bench --suite flows ... & scripts/bench-prog-ns.py $!

Polls `bpftool prog show` every 0.25 s until process PID exits (the bench
unloads its programs then) and prints, per program id of fg_xdp and of the
bench's bare program (fg_bench_bare): the size of its IPv4 flow table (which
says which configuration it served), run_cnt, run_time_ns / run_cnt over the
whole run, and "steady": the median over poll intervals that ran more than
100k packets, which leaves out the priming burst of new flows before the
clock starts. bpf_stats adds two clock reads per run to every program, so
compare programs with each other, not with the bench's ns figures.
"""
import json
import os
import statistics
import subprocess
import sys
import time

NAMES = ("fg_xdp", "fg_bench_bare")


def bpftool(*args):
    out = subprocess.run(["bpftool", *args, "-j"], capture_output=True,
                         text=True).stdout
    try:
        return json.loads(out or "null")
    except json.JSONDecodeError:
        return None


def flows4_size(prog):
    for map_id in prog.get("map_ids", []):
        m = bpftool("map", "show", "id", str(map_id)) or {}
        if m.get("name") == "fg_flows4":
            return m.get("max_entries", 0)
    return 0


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench-prog-ns.py PID")
    pid = int(sys.argv[1])
    series, size, name = {}, {}, {}
    while os.path.exists(f"/proc/{pid}"):
        for p in bpftool("prog", "show") or []:
            if p.get("name") not in NAMES:
                continue
            i = p["id"]
            if i not in size:
                size[i] = flows4_size(p)
                name[i] = p["name"]
            series.setdefault(i, []).append((p.get("run_cnt", 0),
                                             p.get("run_time_ns", 0)))
        time.sleep(0.25)
    for i in sorted(series):
        s = series[i]
        cnt, ns = s[-1]
        if not cnt:
            continue
        iv = [(t2 - t1) / (c2 - c1) for (c1, t1), (c2, t2) in zip(s, s[1:])
              if c2 - c1 > 100000]
        steady = f"{statistics.median(iv):.1f}" if iv else "-"
        print(f"prog {i} {name[i]} flows4_entries={size[i]} run_cnt={cnt} "
              f"ns/pkt={ns / cnt:.1f} steady={steady}")


if __name__ == "__main__":
    main()
