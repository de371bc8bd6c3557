#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# insp-measure.sh latency [N [FLOWGATE RUN ARGS...]]
#   time to verdict of the AF_XDP inspector at moderate load: N short TCP
#   connections (default 300), 2 ms apart, each sending one payload the test
#   engine allows; prints the inspector's verdict_latency_us as JSON.
# insp-measure.sh upload [BYTES [FLOWGATE RUN ARGS...]]
#   one TCP upload of BYTES (default 20 MB) through a rule the test engine
#   inspects and never decides, so every data segment goes through the
#   inspector and is re-injected; prints the sender's MB/s and the
#   inspector's counters.
# Root; two fresh namespaces (tests/e2e topology). FLOWGATE=binary selects
# the build (default build/flowgate of this tree).
MODE=${1:-latency}
case $MODE in
latency) N=${2:-300} ;;
upload) N=${2:-20000000} ;;
*) echo "usage: $0 latency|upload [N [FLOWGATE RUN ARGS...]]" >&2; exit 2 ;;
esac
shift 2 2>/dev/null || shift $#
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
        while c.recv(1 << 16):
            pass
        c.close()
    except OSError:
        pass
PY
cat >"$E2E_TMP/c.py" <<'PY'
import socket, sys, time
mode, host, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def conn(data, reps):
    c = socket.create_connection((host, 7100))
    for i in range(reps):
        c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    c.close()
if mode == "latency":
    for i in range(n):
        conn(b"FGALLOW\n", 1)
        time.sleep(0.002)
else:
    t = time.time()
    conn(b"x" * 65536, (n + 65535) // 65536)
    print("MBps %.1f" % (n / (time.time() - t) / 1e6))
PY
nsenter --net="/run/netns/$NS_S" -- python3 "$E2E_TMP/s.py" >/dev/null 2>&1 &
SRV=$!	# nsenter execs python3: this is the server
fg_start "$E2E_TMP/p.yaml" native \
	--test-inspect "rule=insp,allow=FGALLOW,dirs=orig" "$@" || exit 1
sleep 0.3
in_c python3 "$E2E_TMP/c.py" "$MODE" "$S4" "$N" || fail "client" "$MODE failed"
if [ "$MODE" = latency ]; then
	fg stats --json | jq -c '.inspector.verdict_latency_us'
else
	fg stats --json | jq -c '.inspector | {rx, tx, verdict_continue, xsk_rx_dropped}'
fi
fg_stop TERM
kill "$SRV"
wait "$SRV" 2>/dev/null
exit $((E2E_FAILED > 0))
