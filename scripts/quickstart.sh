#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# flowgate quick start: install the Debian packages, build, run the demo.
#
#   sudo scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "quickstart: needs root (apt-get, network namespaces, XDP): sudo $0" >&2
	exit 1
fi
echo "== installing dependencies (scripts/install-deps.sh)"
scripts/install-deps.sh
echo "== building (make -j$(nproc))"
make -j"$(nproc)"
echo "== demo (scripts/demo.sh)"
scripts/demo.sh
echo
echo "Next: sudo make test   (unit, BPF program and end-to-end tests)"
