#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# insp-latency.sh [N [FLOWGATE RUN ARGS...]]: time to verdict of the AF_XDP
# inspector at moderate load (root). In two fresh namespaces (tests/e2e
# topology), N short TCP connections (default 300), 2 ms apart, each sending
# one payload the test engine allows; prints the inspector's
# verdict_latency_us ({"samples","p50","p99"}) as JSON. FLOWGATE=binary
# selects the build (default build/flowgate of this tree).
N=${1:-300}
shift 2>/dev/null
. "$(dirname "$0")/../tests/e2e/lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq
topo_create
cat >"$E2E_TMP/p.yaml" <<YAML
version: 1
default: deny
rules:
  - name: insp
    to: $S4
    proto: tcp
    ports: [7100]
    action: allow
YAML
cat >"$E2E_TMP/s.py" <<'PY'
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7100))
s.listen(128)
while True:
    c, _ = s.accept()
    try:
        c.recv(100)
        c.close()
    except OSError:
        pass
PY
cat >"$E2E_TMP/c.py" <<'PY'
import socket, sys, time
for i in range(int(sys.argv[2])):
    c = socket.create_connection((sys.argv[1], 7100))
    c.sendall(b"FGALLOW\n")
    c.recv(10)
    c.close()
    time.sleep(0.002)
PY
in_s python3 "$E2E_TMP/s.py" >/dev/null 2>&1 &
SRV=$!
fg_start "$E2E_TMP/p.yaml" native \
	--test-inspect "rule=insp,allow=FGALLOW,dirs=orig" "$@" || exit 1
sleep 0.3
in_c python3 "$E2E_TMP/c.py" "$S4" "$N" || fail "client" "connections failed"
fg stats --json | jq -c '.inspector.verdict_latency_us'
fg_stop TERM
kill "$SRV"
wait "$SRV" 2>/dev/null
exit $((E2E_FAILED > 0))
