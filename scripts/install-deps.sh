#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install what flowgate needs to build, test and benchmark, with apt-get only,
# then check the kernel features it relies on. Idempotent: when every package
# is already installed it does not touch apt at all.
#
#   scripts/install-deps.sh          # as root (or through sudo)
set -euo pipefail

BUILD_PKGS=(make gcc clang llvm libbpf-dev libxdp-dev bpftool xdp-tools
	    libmnl-dev libcmocka-dev libyaml-dev libelf-dev zlib1g-dev
	    pkg-config linux-libc-dev libnghttp2-dev libclang-rt-14-dev
	    nettle-dev)
# L7 end-to-end clients and servers: curl, dig (dnsutils), openssl, nghttpd
# (nghttp2-server, h2c); dnsmasq-base is the binary alone, without the system
# service that would take port 53.
TEST_PKGS=(iproute2 iputils-ping netcat-openbsd python3 tcpdump jq procps
	   util-linux curl dnsutils dnsmasq-base openssl nghttp2-server)
BENCH_PKGS=(nftables iptables ipset gnuplot-nox)
PKGS=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${BENCH_PKGS[@]}")

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

# Which of PKGS are not fully installed ("install ok installed").
missing_pkgs() {
	local p st
	for p in "${PKGS[@]}"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$st" = "install ok installed" ] || printf '%s\n' "$p"
	done
}

command -v dpkg-query >/dev/null && command -v apt-get >/dev/null ||
	die "apt-get/dpkg not found: this script supports Debian 12 (and derivatives) only"

mapfile -t missing < <(missing_pkgs)
if [ "${#missing[@]}" -eq 0 ]; then
	say "all ${#PKGS[@]} packages already installed"
else
	[ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]} (run: sudo $0)"
	say "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
	mapfile -t missing < <(missing_pkgs)
	[ "${#missing[@]}" -eq 0 ] || die "still missing after apt-get: ${missing[*]}"
	say "done"
fi

# Kernel features. These are reported, not fixed: they depend on the kernel.
warn=0
if [ -r /sys/kernel/btf/vmlinux ]; then
	say "kernel $(uname -r): BTF present (/sys/kernel/btf/vmlinux)"
else
	say "WARNING: kernel $(uname -r) has no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF=n);" \
	    "flowgate's BPF programs need a BTF-enabled kernel (5.10+ recommended)"
	warn=1
fi

if grep -qw bpf /proc/filesystems; then
	if mount -t bpf 2>/dev/null | grep -q ' /sys/fs/bpf '; then
		say "bpffs mounted at /sys/fs/bpf"
	elif [ "$(id -u)" -eq 0 ]; then
		# Prove it can be mounted, in a throw-away mount namespace so the
		# host is left as it was (flowgate mounts it itself when needed).
		if unshare -m sh -c 'mount -t bpf bpf /sys/fs/bpf' 2>/dev/null; then
			say "bpffs not mounted at /sys/fs/bpf, but mountable (flowgate mounts it when it runs)"
		else
			say "WARNING: bpffs cannot be mounted at /sys/fs/bpf; libxdp's multi-program" \
			    "dispatcher will not be available (flowgate falls back to a plain XDP attach)"
			warn=1
		fi
	else
		say "bpffs not mounted at /sys/fs/bpf (flowgate mounts it when run as root)"
	fi
else
	say "WARNING: this kernel has no bpf filesystem (CONFIG_BPF_SYSCALL=n?); flowgate cannot run"
	warn=1
fi

[ "$warn" -eq 0 ] || say "continuing despite the warnings above (building works; running may not)"
exit 0
