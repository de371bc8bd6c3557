#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# L7 HTTP policy with real clients (issue 4): curl and a keep-alive client
# against python3 -m http.server. Allowed path/host/method pass with their
# content, denied ones never reach the server, a denied second request on a
# keep-alive connection is cut after the first succeeded, non-HTTP to an
# `app: http` port is denied, monitor mode delivers and logs would_deny
# (every denied request of a keep-alive connection, up to the policy's
# `inspect: {monitor_items}` set by a reload),
# inspect_failure open/closed with no inspector, a 30 MB download arrives
# intact. Before that, with L4 rules and the byte-pattern test engine:
# `flows` shows the app and inspection columns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l7lib.sh"
e2e_require_root
e2e_require_cmds ip nsenter python3 jq ss curl sha256sum
e2e_require_flowgate

l7_topo
WWW=$E2E_TMP/www
HLOG=$E2E_TMP/http.log
mkdir -p "$WWW/ok" "$WWW/secret"
echo "allowed page $$" >"$WWW/ok/a.html"
echo "secret page $$" >"$WWW/secret/b.html"
head -c 30000000 /dev/urandom >"$WWW/ok/big.bin"
BIG_SUM=$(sha256sum <"$WWW/ok/big.bin" | cut -d' ' -f1)

# HTTP/1.1 so that connections stay open between requests; its request log
# (stderr) says which requests reached the server.
for port in 8080 8082; do
	nsenter --net="/run/netns/$NS_S" -- python3 -m http.server -p HTTP/1.1 \
		--bind :: --directory "$WWW" "$port" >/dev/null 2>>"$HLOG" </dev/null &
	E2E_PIDS+=("$!")
	l7_wait_connect "$port"
done
srv_start "$NS_S" tcp 8081 && l7_wait_connect 8081 || e2e_finish

cat >"$E2E_TMP/ka.py" <<'PY'
# ka.py HOST PORT HOSTHDR PATH1 PATH2: two GETs on one HTTP/1.1 connection.
# Exit 0: both answered 200; 3: the first answered 200 with the expected
# body (argv[6]) and the second got no answer; 1: anything else.
import http.client, socket, sys
host, port, hh, p1, p2, want = sys.argv[1:7]
c = http.client.HTTPConnection(host, int(port), timeout=3)
c.request("GET", p1, headers={"Host": hh})
r = c.getresponse()
body = r.read()
print("first", r.status, body[:40])
if r.status != 200 or body != want.encode() + b"\n":
    sys.exit(1)
sock = c.sock
try:
    c.request("GET", p2, headers={"Host": hh})
    r = c.getresponse()
    print("second", r.status, r.read()[:40], "same socket", c.sock is sock)
    sys.exit(0 if r.status == 200 and c.sock is sock else 1)
except (OSError, http.client.HTTPException) as e:
    print("second failed:", type(e).__name__, e)
    sys.exit(3)
PY

cat >"$E2E_TMP/kan.py" <<'PY'
# kan.py HOST PORT HOSTHDR PATH...: GETs on one HTTP/1.1 connection. Prints
# the local port; exit 0 when every one was answered (< 400) on it.
import http.client, sys
host, port, hh = sys.argv[1:4]
c = http.client.HTTPConnection(host, int(port), timeout=3)
c.connect()
print(c.sock.getsockname()[1])
sock = c.sock
for p in sys.argv[4:]:
    c.request("GET", p, headers={"Host": hh})
    r = c.getresponse()
    r.read()
    if r.status >= 400 or c.sock is not sock:
        sys.exit(1)
PY

# get PATH [HOST [ADDR [METHOD]]]: print the body; fails if curl does.
get() {
	local addr=${3:-$S4}
	case $addr in *:*) addr="[$addr]" ;; esac
	in_c curl -sf --max-time 4 -X "${4:-GET}" -H "Host: ${2:-shop.example}" \
		"http://$addr:8080$1"
}
# served PATH: the server logged a request for PATH.
served() { grep -q "\"[A-Z]* $1 HTTP" "$HLOG"; }
# dl_time ADDR [PORT]: download big.bin, print the wall time (s); fails if
# the file is not intact.
dl_time() {
	local out=$E2E_TMP/dl.bin t
	rm -f "$out"
	t=$(in_c curl -sf --max-time 30 -H "Host: shop.example" -o "$out" \
		-w '%{time_total}' "http://$1:${2:-8080}/ok/big.bin") || return 1
	[ "$(sha256sum <"$out" | cut -d' ' -f1)" = "$BIG_SUM" ] || return 1
	printf '%s\n' "$t"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Reference: the download with no firewall at all.
for i in 1 2 3; do
	dl_time "$S4" >>"$E2E_TMP/t_none" || fail "no firewall: 30 MB download intact" "try $i"
done

# ---- flows columns: a plain L4 flow and one the test engine inspected ----
cat >"$E2E_TMP/l4.yaml" <<YAML
version: 1
default: deny
rules:
  - name: web-plain
    proto: tcp
    ports: [8080]
    action: allow
  - name: web-insp
    proto: tcp
    ports: [8082, 8081]
    action: allow
YAML
fg_start "$E2E_TMP/l4.yaml" native --test-inspect "rule=web-insp,allow=GET" || e2e_finish
# An echo flow the test engine never decides (no "GET"): it stays pending.
: >"$E2E_TMP/hold.log"
bg_start "$NS_C" python3 "$E2E_TMP/client.py" hold "$S4" 8081 "$E2E_TMP/hold.log"
wait_until 5 grep -q "^ok 3" "$E2E_TMP/hold.log" || fail "test engine: undecided echo flow passes" "$(tail -n 2 "$E2E_TMP/hold.log")"
fl=$(l7_flows '.responder.port == 8081')
expect_eq "flows: undecided flow is pending, app unknown, verdict inspect" \
	"$(jq -r '.[0] | "\(.app) \(.inspect) \(.verdict)"' <<<"$fl")" "unknown pending inspect"
kill "$BG_PID"
expect_eq "l4 rule: page served" "$(get /ok/a.html)" "allowed page $$"
ok "test engine: inspected flow served" in_c curl -sf --max-time 4 "http://$S4:8082/ok/a.html"
fl=$(l7_flows '.rule == "web-plain"')
expect_eq "flows: never-inspected flow has no app, inspect none" \
	"$(jq -r '.[0] | "\(.app) \(.inspect)"' <<<"$fl")" "null none"
fl=$(l7_flows '.rule == "web-insp"')
expect_eq "flows: inspected flow is done, app a name" \
	"$(jq -r '.[0] | "\(.app | type) \(.inspect)"' <<<"$fl")" "string done"
txt=$(fg flows)
expect_match "flows text: app and inspect columns" "$txt" "rule +app +inspect +packets"
expect_match "flows text: never-inspected flow row" "$txt" "web-plain +- +- "
expect_match "flows text: inspected flow row" "$txt" "web-insp +[a-z]+ +done"
for i in 1 2 3; do
	dl_time "$S4" 8082 >>"$E2E_TMP/t_test" || fail "test engine: 30 MB download intact (sha256)" "try $i"
done
[ "$(grep -c . "$E2E_TMP/t_test")" -eq 3 ] && pass "test engine: 30 MB download intact (sha256), 3 times"
info "30 MB download wall time, median of 3: no flowgate $(median <"$E2E_TMP/t_none") s," \
	"request inspected by the test engine $(median <"$E2E_TMP/t_test") s"
fg_stop TERM

# ---- L7 policy ----
{ l7_policy_head; cat <<YAML; } >"$E2E_TMP/policy.yaml"
  - name: web
    to: server
    proto: tcp
    ports: [8080]
    app: http
    http:
      hosts: ["shop.example", "*.shop.example"]
      methods: [GET, HEAD]
      paths: ["/ok/*"]
    action: allow
  - name: web-deny
    to: server
    proto: tcp
    ports: [8080]
    app: http
    action: deny
  - name: http-only
    to: server
    proto: tcp
    ports: [8081]
    app: http
    action: allow
YAML
l7_require_engine "$E2E_TMP/policy.yaml"

fg_start "$E2E_TMP/policy.yaml" native || e2e_finish
expect_eq "allowed path: content intact" "$(get /ok/a.html)" "allowed page $$"
expect_eq "allowed path over IPv6" "$(get /ok/a.html a.shop.example "$S6")" "allowed page $$"
: >"$HLOG"
no "denied path: curl fails" get /secret/b.html
served /secret/b.html && fail "denied path never reaches the server" "$(tail -n 2 "$HLOG")" ||
	pass "denied path never reaches the server"
no "denied host (evil.example): curl fails" get /ok/a.html evil.example
no "denied method (POST): curl fails" get /ok/a.html shop.example "$S4" POST
served "/ok/a.html" && fail "denied host/method never reach the server" "$(tail -n 2 "$HLOG")" ||
	pass "denied host/method never reach the server"
out=$(in_c timeout 10 python3 "$E2E_TMP/ka.py" "$S4" 8080 shop.example /ok/a.html /secret/b.html "allowed page $$")
expect_eq "keep-alive: first request answered, second (denied) cut" "$?" 3
info "$(tr '\n' ' ' <<<"$out")"
served /secret/b.html && fail "keep-alive: denied second request never reaches the server" "$(tail -n 2 "$HLOG")" ||
	pass "keep-alive: denied second request never reaches the server"
out=$(in_c timeout 10 python3 "$E2E_TMP/ka.py" "$S4" 8080 shop.example /ok/a.html /ok/a.html "allowed page $$")
expect_eq "keep-alive: two allowed requests on one connection" "$?" 0
no "non-HTTP payload to an app: http port denied" tcp_echo "$S4" 8081
for i in 1 2 3; do dl_time "$S4" >>"$E2E_TMP/t_fg" || fail "30 MB download intact (sha256)" "try $i"; done
[ "$(grep -c . "$E2E_TMP/t_fg")" -eq 3 ] && pass "30 MB download intact (sha256), 3 times"

fl=$(l7_flows '.rule == "web" and .responder.port == 8080')
expect_match "flows: allowed HTTP flow shows app http" "$(jq -r '.[0].app' <<<"$fl")" '^http$'
expect_match "flows: its inspection state" "$(jq -r '.[0].inspect' <<<"$fl")" '^(pending|done)$'
expect_event "event: allow with rule and http fields" \
	'.verdict == "allow" and .rule == "web" and .app == "http" and .http.method == "GET" and .http.host == "shop.example" and .http.path == "/ok/a.html"'
expect_event "event: deny of the denied path" \
	'.verdict == "deny" and .app == "http" and .http.path == "/secret/b.html"'
expect_event "event: deny of the denied host" \
	'.verdict == "deny" and .http.host == "evil.example"'
expect_event "event: deny of the non-HTTP flow, not as http" \
	'.verdict == "deny" and .dport == 8081 and .app != "http"'
expect_cmp "stats: L7 engine counted its flows" \
	"$(l7_stat .inspector.l7_engine.flows)" -ge 4
expect_cmp "stats: the non-HTTP flow was not identified as http" \
	"$(( $(l7_stat .inspector.l7_engine.not_identified) + $(l7_stat .inspector.l7_engine.fallthrough) ))" -ge 1
fg_stop TERM

# ---- monitor mode: everything delivered, would_deny logged ----
l7_policy "$E2E_TMP/policy.yaml" "$E2E_TMP/monitor.yaml" mode monitor
if l7_accepted "monitor mode" "$E2E_TMP/monitor.yaml"; then
	fg_start "$E2E_TMP/monitor.yaml" native || e2e_finish
	expect_eq "monitor: denied path delivered" "$(get /secret/b.html)" "secret page $$"
	out=$(in_c timeout 10 python3 "$E2E_TMP/ka.py" "$S4" 8080 shop.example /ok/a.html /secret/b.html "allowed page $$")
	expect_eq "monitor: keep-alive second request delivered" "$?" 0
	expect_event "monitor: would_deny event with rule and path" \
		'.verdict == "would_deny" and .rule != null and .app == "http" and .http.path == "/secret/b.html"'
	# Two denied requests on one connection: the connection stays in
	# inspection after the first, so the second is logged too.
	out=$(in_c timeout 10 python3 "$E2E_TMP/ka.py" "$S4" 8080 shop.example /secret/b.html /secret/ "secret page $$")
	expect_eq "monitor: two denied requests on one connection delivered" "$?" 0
	sp=$(l7_event '.verdict == "would_deny" and .http.path == "/secret/"' | jq -r .sport)
	expect_event "monitor: both denied requests of one connection logged" \
		".verdict == \"would_deny\" and .http.path == \"/secret/b.html\" and .sport == ${sp:-0}"
	expect_cmp "monitor: stats count the engine's would_deny" \
		"$(l7_stat .inspector.l7_engine.would_deny)" -ge 1
	if l7_event '.verdict == "deny"' >/dev/null; then
		fail "monitor: no deny event" "$(l7_event '.verdict == "deny"')"
	else
		pass "monitor: no deny event"
	fi
	# The policy's `inspect` bounds, applied by a reload: with
	# monitor_items 1 the second would-deny request allows the flow, so
	# the third goes by the kernel, unlogged (the default logs all three).
	l7_policy "$E2E_TMP/monitor.yaml" "$E2E_TMP/mon1.yaml" inspect "{monitor_items: 1}"
	ok "monitor: reload with inspect: {monitor_items: 1}" fg reload "$E2E_TMP/mon1.yaml"
	sp=$(in_c timeout 10 python3 "$E2E_TMP/kan.py" "$S4" 8080 shop.example \
		/secret/b.html /secret/ /secret/b.html)
	expect_eq "monitor_items 1: three denied requests on one connection delivered" "$?" 0
	expect_event "monitor_items 1: the second request's would_deny logged" \
		".verdict == \"would_deny\" and .http.path == \"/secret/\" and .sport == ${sp:-0}"
	sleep 1
	expect_eq "monitor_items 1: the third request went by the kernel, unlogged" \
		"$(jq -c "select(.type == \"l7\" and .sport == ${sp:-0})" "$EVENTS" | wc -l)" 2
	fg_stop TERM
fi

# ---- no inspector: inspect_failure decides ----
l7_policy "$E2E_TMP/policy.yaml" "$E2E_TMP/open.yaml" inspect_failure open
fg_start "$E2E_TMP/open.yaml" native --no-inspector || e2e_finish
expect_eq "no inspector, open: request passes" "$(get /ok/a.html)" "allowed page $$"
expect_cmp "no inspector, open: inspect_fail_open counted" \
	"$(l7_stat .counters.inspect_fail_open)" -ge 1
fg_stop TERM
fg_start "$E2E_TMP/policy.yaml" native --no-inspector || e2e_finish
no "no inspector, closed: request blocked" get /ok/a.html
expect_cmp "no inspector, closed: inspect_fail_closed counted" \
	"$(l7_stat .counters.inspect_fail_closed)" -ge 1
fg_stop TERM

for i in 1 2 3; do
	dl_time "$S4" >>"$E2E_TMP/t_none" || fail "no firewall (after): 30 MB download intact" "try $i"
done
info "30 MB download wall time, median: no flowgate $(median <"$E2E_TMP/t_none") s" \
	"(6 runs, before and after), L7 engine $(median <"$E2E_TMP/t_fg") s (3 runs)"
e2e_finish
