// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_inspect.c - the kernel half of AF_XDP inspection (fg_inspect.h):
 * payload of a flow whose rule inspects is redirected (XDP: into the XSK of
 * its queue; TC: tagged onto the capture veth) while the handshake, empty
 * segments and the other direction stay in the kernel; with no inspector
 * (no socket, no heartbeat, stale heartbeat, overload) inspect_failure
 * decides; the verdict written into the flow entry takes effect on the next
 * packet and survives a reload; re-injected (marked) frames pass;
 * fragments of payload to inspect are dropped whole (frag_uninspectable),
 * other directions' fragments pass; frames longer than the inspector's
 * path carries meet inspect_failure (inspect_oversize); ICMP errors quoting a flow in
 * inspection are related, never inspected (IPv4 and IPv6).
 *
 * Runs in its own network namespace: the XSK the redirect needs is bound to
 * that namespace's lo, the device BPF_PROG_TEST_RUN uses.
 */
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include <linux/pkt_cls.h>

/* The fixture runner is not used here: packets that are redirected do not
 * fit its pass/drop steps. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "fixture.h"
#include "flowgate_tc.skel.h"

static const char policy[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: web\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    action: allow\n"
	"  - name: dns\n"
	"    proto: udp\n"
	"    ports: [53]\n"
	"    action: allow\n";

#define WEB_SYN		((struct pkt_spec)TCP4(NULL, 40000, NULL, 80, SYN))
#define WEB_SYNACK	((struct pkt_spec)TCP4("10.0.0.2", 80, "10.0.0.1", \
					       40000, SYNACK))
#define WEB_ACK		((struct pkt_spec)TCP4(NULL, 40000, NULL, 80, ACK))

static struct pkt_spec with_payload(struct pkt_spec s, uint16_t n)
{
	s.payload = n;
	return s;
}

/* An XSK on lo queue 0: all the XSKMAP entry needs. One for every test (a
 * failed test must not leave the queue bound for the next one). */
struct test_xsk {
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp, rx;
};
static struct test_xsk xsk;

static int xsk_open(void **state)
{
	struct xsk_socket_config cfg = {
		.rx_size = 64,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	struct test_xsk *x = &xsk;
	size_t size = 64 * 4096;
	int err;

	x->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(x->area != MAP_FAILED);
	err = xsk_umem__create(&x->umem, x->area, size, &x->fill, &x->comp,
			       NULL);
	assert_int_equal(err, 0);
	err = xsk_socket__create(&x->xsk, "lo", 0, x->umem, &x->rx, NULL,
				 &cfg);
	if (err)
		fail_msg("AF_XDP socket on lo: %s", strerror(-err));
	return 0;
}

static int xsk_close(void **state)
{
	struct test_xsk *x = &xsk;

	xsk_socket__delete(x->xsk);
	xsk_umem__delete(x->umem);
	munmap(x->area, 64 * 4096);
	return 0;
}

/* The installed policy's rule `name` (edited, then installed again by
 * install_inspect). */
static struct fg_rule *policy_rule(struct fg_h *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->policy->n_rules; i++)
		if (!strcmp(h->policy->rules[i].name, name))
			return &h->policy->rules[i];
	fail_msg("no rule %s", name);
	return NULL;
}

/* Mark `rule` for inspection (directions dirs) through the compiler and
 * install the result as a new generation. */
static void install_inspect(struct fg_h *h, const char *rule, __u8 dirs)
{
	struct fg_compiled c;
	struct fg_diags d = { 0 };
	int gen;

	policy_rule(h, rule)->inspect_dirs = dirs;
	assert_int_equal(fg_compile(h->policy, h->dp.max_rules, &c, &d), 0);
	fg_diags_free(&d);
	gen = fg_dp_install(&h->dp, &c);
	assert_true(gen > 0);
	fg_compiled_free(&h->comp);
	h->comp = c;
	h->gen = (__u32)gen;
}

/* Path limits of a live inspector, unless a test set its own: a 1500-byte
 * MTU frame with room to spare on both paths. */
#define TEST_LEN_MAX	2048

static void beat(struct fg_h *h, __u64 ago_ns, __u32 extra)
{
	__u32 *max = h->dp.ctl->insp_len_max;

	if (!max[FG_INSP_PATH_XSK] && !max[FG_INSP_PATH_CAPTURE])
		max[FG_INSP_PATH_XSK] = max[FG_INSP_PATH_CAPTURE] =
			TEST_LEN_MAX;
	h->dp.ctl->inspector = FG_INSP_BEAT(fg_h_now_ns() - ago_ns) | extra;
}

/* The fg_insp_busy word of an fg_xsks key (what a worker writes). */
static void set_busy(struct fg_h *h, __u32 key, __u32 v)
{
	assert_int_equal(bpf_map_update_elem(
		bpf_map__fd(h->dp.tc->maps.fg_insp_busy), &key, &v, BPF_ANY), 0);
}

static void xsk_register(struct fg_h *h, struct test_xsk *x)
{
	__u32 key = 0 * FG_XSK_QMAX + 0;	/* slot of lo, queue 0 */
	int fd = xsk_socket__fd(x->xsk);

	assert_int_equal(bpf_map_update_elem(
		bpf_map__fd(h->dp.tc->maps.fg_xsks), &key, &fd, BPF_ANY), 0);
}

/* The inspector as the kernel sees it: `policy` with `rule` inspected in
 * dirs, the XSK of lo's queue registered, a fresh heartbeat. */
static struct fg_h *open_live(const char *rule, __u8 dirs)
{
	struct fg_h *h = fg_h_open(policy);

	assert_non_null(h);
	install_inspect(h, rule, dirs);
	xsk_register(h, &xsk);
	beat(h, 0, 0);
	return h;
}

/* Run s at hook; return rv, and the counter deltas in *d. */
static int run(struct fg_h *h, enum fg_h_hook hook, struct pkt_spec s,
	       struct fg_counters *d)
{
	struct fg_counters a, b;
	int rv;

	assert_int_equal(fg_h_counters(h, &a), 0);
	rv = fg_h_run_spec(h, hook, &s);
	assert_true(rv != FG_H_RUN_ERR);
	assert_int_equal(fg_h_counters(h, &b), 0);
	fg_h_counters_delta(&a, &b, d);
	return rv;
}

static void set_verdict(struct fg_h *h, struct pkt_spec s, __u8 action)
{
	struct fg_flow_key k;
	struct fg_flow f;

	assert_int_equal(fg_h_flow_find_spec(h, &s, &k, &f, NULL), 0);
	f.action = action;
	f.user_verdict = action;
	f.inspect_state = FG_INSPECT_DONE;
	assert_int_equal(fg_dp_flow_update(&h->dp, &k, &f, BPF_EXIST), 0);
}

static struct fg_flow flow_of(struct fg_h *h, struct pkt_spec s)
{
	struct fg_flow f;

	assert_int_equal(fg_h_flow_find_spec(h, &s, NULL, &f, NULL), 0);
	return f;
}

/* Handshake and empty segments stay in the kernel; payload in the inspected
 * direction is redirected, in the other passes; an allow verdict ends the
 * redirects and survives a reload. */
static void test_redirect_then_allow(void **state)
{
	struct fg_h *h = open_live("web", FG_INSPECT_DIR_ORIG);
	struct pkt_spec pad_ack = WEB_ACK;
	struct fg_counters d;
	struct fg_flow f;

	assert_int_equal(run(h, FG_H_XDP, WEB_SYN, &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	f = flow_of(h, WEB_SYN);
	assert_int_equal(f.action, FG_ACTION_INSPECT);
	assert_int_equal(f.inspect_state, FG_INSPECT_PENDING);
	assert_int_equal(run(h, FG_H_TC_OUT, WEB_SYNACK, &d), TC_ACT_OK);
	assert_int_equal(run(h, FG_H_XDP, WEB_ACK, &d), XDP_PASS);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);

	/* Payload, inspected direction: to the XSK. */
	assert_int_equal(run(h, FG_H_XDP, with_payload(WEB_ACK, 100), &d),
			 XDP_REDIRECT);
	assert_int_equal(d.verdict[FG_VERDICT_INSPECT], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 1);
	/* Ethernet padding is not payload. */
	pad_ack.pad_to = 80;
	assert_int_equal(run(h, FG_H_XDP, pad_ack, &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	/* Payload of the reply direction is not inspected. */
	assert_int_equal(run(h, FG_H_TC_OUT, with_payload(WEB_SYNACK, 500),
			     &d), TC_ACT_OK);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);

	/* The inspector allows: fast path from the next packet on. */
	set_verdict(h, WEB_SYN, FG_ACTION_ALLOW);
	assert_int_equal(run(h, FG_H_XDP, with_payload(WEB_ACK, 100), &d),
			 XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);

	/* Reload: re-checked, the inspector's verdict stands. */
	install_inspect(h, "web", FG_INSPECT_DIR_ORIG);
	assert_int_equal(run(h, FG_H_XDP, with_payload(WEB_ACK, 100), &d),
			 XDP_PASS);
	assert_int_equal(d.cnt[FG_CNT_FLOW_RECHECK], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);
	assert_int_equal(flow_of(h, WEB_SYN).action, FG_ACTION_ALLOW);

	/* Reload to a policy whose rule no longer inspects: plain allow. */
	install_inspect(h, "web", 0);
	assert_int_equal(run(h, FG_H_XDP, with_payload(WEB_ACK, 100), &d),
			 XDP_PASS);
	assert_int_equal(flow_of(h, WEB_SYN).action, FG_ACTION_ALLOW);

	fg_h_close(h);
}

/* A deny verdict drops every later packet, with or without payload, also
 * after a reload. */
static void test_deny_verdict(void **state)
{
	struct fg_h *h = open_live("web", FG_INSPECT_DIR_ORIG);
	struct fg_counters d;

	assert_int_equal(run(h, FG_H_XDP, WEB_SYN, &d), XDP_PASS);
	assert_int_equal(run(h, FG_H_XDP, with_payload(WEB_ACK, 10), &d),
			 XDP_REDIRECT);
	set_verdict(h, WEB_SYN, FG_ACTION_DENY);
	assert_int_equal(run(h, FG_H_XDP, with_payload(WEB_ACK, 10), &d),
			 XDP_DROP);
	assert_int_equal(d.drop[FG_DROP_FLOW_DENIED], 1);
	assert_int_equal(run(h, FG_H_XDP, WEB_ACK, &d), XDP_DROP);
	assert_int_equal(run(h, FG_H_TC_OUT, with_payload(WEB_SYNACK, 10), &d),
			 TC_ACT_SHOT);
	install_inspect(h, "web", FG_INSPECT_DIR_ORIG);
	assert_int_equal(run(h, FG_H_XDP, with_payload(WEB_ACK, 10), &d),
			 XDP_DROP);
	assert_int_equal(d.cnt[FG_CNT_FLOW_RECHECK], 1);
	assert_int_equal(d.drop[FG_DROP_FLOW_DENIED], 1);

	fg_h_close(h);
}

/* inspect_failure: no socket, no heartbeat, a stale one, overload. */
static void test_inspect_failure(void **state)
{
	struct pkt_spec dns = UDP4(NULL, 5353, NULL, 53);
	struct fg_h *h = fg_h_open(policy);
	struct fg_counters d;

	assert_non_null(h);
	install_inspect(h, "dns", FG_INSPECT_DIR_ORIG);
	beat(h, 0, 0);

	/* No socket for the queue: closed (the default) drops. */
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_DROP);
	assert_int_equal(d.drop[FG_DROP_INSPECT_UNAVAILABLE], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_FAIL_CLOSED], 1);
	/* open passes. */
	h->dp.ctl->flags |= FG_CTL_F_INSPECT_OPEN;
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_FAIL_OPEN], 1);
	h->dp.ctl->flags &= ~FG_CTL_F_INSPECT_OPEN;

	xsk_register(h, &xsk);
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_REDIRECT);
	/* Inspector gone (0), killed (beat 5 s old), overloaded. */
	h->dp.ctl->inspector = 0;
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_DROP);
	assert_int_equal(d.drop[FG_DROP_INSPECT_UNAVAILABLE], 1);
	beat(h, 5000000000ULL, 0);
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_DROP);
	assert_int_equal(d.drop[FG_DROP_INSPECT_UNAVAILABLE], 1);
	beat(h, 0, FG_INSP_OVERLOAD);
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_DROP);
	beat(h, 0, 0);
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_REDIRECT);

	/* Overload is per queue: another queue's worker busy changes
	 * nothing here; this queue's makes it inspect_failure. */
	set_busy(h, 0 * FG_XSK_QMAX + 1, FG_INSP_OVERLOAD);
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_REDIRECT);
	set_busy(h, 0 * FG_XSK_QMAX + 0, FG_INSP_OVERLOAD);
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_DROP);
	assert_int_equal(d.drop[FG_DROP_INSPECT_UNAVAILABLE], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_FAIL_CLOSED], 1);
	set_busy(h, 0 * FG_XSK_QMAX + 0, 0);
	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_REDIRECT);

	fg_h_close(h);
}

/* Rule dns in monitor mode, inspected (queries), a fresh heartbeat, no
 * socket registered yet; an event reader. */
static struct fg_h *open_monitor(struct ring_buffer **rb,
				 struct fg_h_ev_log *l)
{
	struct fg_h *h = fg_h_open(policy);

	assert_non_null(h);
	policy_rule(h, "dns")->mode = FG_POLICY_MODE_MONITOR;
	install_inspect(h, "dns", FG_INSPECT_DIR_ORIG);
	beat(h, 0, 0);
	*rb = fg_h_events_open(h, l);
	assert_non_null(*rb);
	return h;
}

/* Monitor mode delivers what inspect_failure closed would drop: counted as
 * fail-closed and would-deny, logged as a monitor deny event. */
static void test_inspect_failure_monitor(void **state)
{
	struct pkt_spec dns = UDP4(NULL, 5353, NULL, 53);
	struct ring_buffer *rb;
	struct fg_h_ev_log l;
	struct fg_h *h = open_monitor(&rb, &l);	/* alive, no socket */
	struct fg_counters d;

	assert_int_equal(run(h, FG_H_XDP, dns, &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_FAIL_CLOSED], 1);
	assert_int_equal(d.cnt[FG_CNT_WOULD_DENY], 1);
	assert_int_equal(d.drop[FG_DROP_INSPECT_UNAVAILABLE], 0);
	l.n = 0;
	ring_buffer__consume(rb);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ev[0].type, FG_EV_DENY);
	assert_int_equal(l.ev[0].reason, FG_DROP_INSPECT_UNAVAILABLE);
	assert_int_equal(l.ev[0].flags, FG_EV_F_MONITOR);

	ring_buffer__free(rb);
	fg_h_close(h);
}

/* TC egress: payload goes to the capture veth with the (slot, hook) tag in
 * front; no capture veth means inspect_failure. Marked (re-injected) frames
 * pass untouched. */
static void test_tc_capture_and_mark(void **state)
{
	struct pkt_spec dns = UDP4(NULL, 5353, NULL, 53);
	struct pkt_spec denied = UDP4(NULL, 5353, NULL, 9999);
	struct fg_h *h = fg_h_open(policy);
	__u32 idx = FG_INSP_CAPTURE_IDX, lo = 1;
	__u8 in[PKT_MAX], out[PKT_MAX];
	struct __sk_buff skb = { 0 };
	struct fg_counters d, a, b;
	int len;
	LIBBPF_OPTS(bpf_test_run_opts, o);

	assert_non_null(h);
	install_inspect(h, "dns", FG_INSPECT_DIR_ORIG);
	beat(h, 0, 0);

	assert_int_equal(run(h, FG_H_TC_OUT, dns, &d), TC_ACT_SHOT);
	assert_int_equal(d.drop[FG_DROP_INSPECT_UNAVAILABLE], 1);

	assert_int_equal(bpf_map_update_elem(
		bpf_map__fd(h->dp.tc->maps.fg_insp_ifaces), &idx, &lo,
		BPF_ANY), 0);
	len = pkt_build(in, sizeof(in), &dns);
	assert_true(len > 0);
	o.data_in = in;
	o.data_size_in = (__u32)len;
	o.data_out = out;
	o.data_size_out = sizeof(out);
	assert_int_equal(bpf_prog_test_run_opts(h->prog_fd[FG_H_TC_OUT], &o),
			 0);
	assert_int_equal(o.retval, TC_ACT_REDIRECT);
	assert_int_equal(o.data_size_out, (__u32)len + 4);
	/* The capture worker overloaded: inspect_failure, not the veth. */
	set_busy(h, FG_XSK_CAPTURE_BASE, FG_INSP_OVERLOAD);
	assert_int_equal(run(h, FG_H_TC_OUT, dns, &d), TC_ACT_SHOT);
	assert_int_equal(d.drop[FG_DROP_INSPECT_UNAVAILABLE], 1);
	set_busy(h, FG_XSK_CAPTURE_BASE, 0);
	assert_memory_equal(out, in, 12);
	assert_int_equal(out[12] << 8 | out[13], 0x8100);
	assert_int_equal((out[14] << 8 | out[15]) & 0xfff,
			 FG_INSP_VID(0, FG_HOOK_EGRESS));
	assert_memory_equal(out + 16, in + 12, (size_t)len - 12);

	/* A re-injected frame the policy would deny: passes, uncounted. */
	len = pkt_build(in, sizeof(in), &denied);
	skb.mark = FG_MARK_REINJECTED;
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.data_in = in;
	o.data_size_in = (__u32)len;
	o.ctx_in = &skb;
	o.ctx_size_in = sizeof(skb);
	assert_int_equal(fg_h_counters(h, &a), 0);
	assert_int_equal(bpf_prog_test_run_opts(h->prog_fd[FG_H_TC_OUT], &o),
			 0);
	assert_int_equal(o.retval, TC_ACT_OK);
	assert_int_equal(fg_h_counters(h, &b), 0);
	fg_h_counters_delta(&a, &b, &d);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW] + d.verdict[FG_VERDICT_DENY],
			 0);
	/* Unmarked, the same frame is denied. */
	assert_int_equal(run(h, FG_H_TC_OUT, denied, &d), TC_ACT_SHOT);
	assert_int_equal(d.drop[FG_DROP_POLICY], 1);

	fg_h_close(h);
}

/* ---- fragments of inspected flows ---- */

/* The DNS flow of these tests: client (query) 5353 -> server 53. */
#define CL4 "10.0.0.1"
#define SV4 "10.0.0.2"
#define CL6 "fd00::1"
#define SV6 "fd00::2"

static struct pkt_spec dns_pkt(int family, bool query)
{
	const char *cl = family == 4 ? CL4 : CL6, *sv = family == 4 ? SV4 : SV6;
	struct pkt_spec s = { .family = family, .proto = IPPROTO_UDP,
			      .payload = 32 };

	s.src = query ? cl : sv;
	s.dst = query ? sv : cl;
	s.sport = query ? 5353 : 53;
	s.dport = query ? 53 : 5353;
	return s;
}

/* A fragment of datagram `id` of the DNS flow: offset 0 (the first: UDP
 * header and `payload` bytes) or `off` 8-byte units (payload only). */
static struct pkt_spec dns_frag(int family, bool query, uint32_t id,
				uint16_t off, bool more, uint16_t payload)
{
	struct pkt_spec s = dns_pkt(family, query);

	s.ip_id = id;
	s.mf = more;
	s.frag_off = off;
	s.no_l4 = off != 0;
	s.payload = payload;
	if (family == 6) {
		s.n_ext = 1;
		s.ext[0].type = PKT_EXT_FRAG;
	}
	return s;
}

/* Run s at XDP: expect rv and, if dropped, reason `drop` (else -1: none). */
static void expect_xdp(struct fg_h *h, struct pkt_spec s, int rv, int drop)
{
	struct fg_counters d;
	int i, drops = 0;

	assert_int_equal(run(h, FG_H_XDP, s, &d), rv);
	for (i = 0; i < FG_DROP_MAX; i++)
		drops += (int)d.drop[i];
	assert_int_equal(drops, drop >= 0);
	if (drop >= 0)
		assert_int_equal(d.drop[drop], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], rv == XDP_REDIRECT);
}

/* Exactly one event came since the last look, of rule dns: type, reason,
 * `flags` (FG_EV_F_MONITOR or 0). */
static void expect_event(struct fg_h *h, struct ring_buffer *rb,
			 struct fg_h_ev_log *l, __u8 type, __u8 reason,
			 __u8 flags)
{
	l->n = 0;
	ring_buffer__consume(rb);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->ev[0].type, type);
	assert_int_equal(l->ev[0].reason, reason);
	assert_int_equal(l->ev[0].flags, flags);
	assert_int_equal(l->ev[0].rule, fg_h_rule_id(h, "dns"));
}

/* ... an uninspectable fragment. */
static void expect_frag_event(struct fg_h *h, struct ring_buffer *rb,
			      struct fg_h_ev_log *l, __u8 flags)
{
	expect_event(h, rb, l, FG_EV_FRAG, FG_DROP_FRAG_UNINSPECTABLE, flags);
}

/*
 * A fragmented datagram in an inspected direction is dropped whole
 * (frag_uninspectable), also one whose first fragment is the UDP header
 * alone; the direction the rule does not inspect gets fragments through
 * like any allowed flow; after the inspector's allow, fragments are the
 * kernel's again.
 */
static void test_frag_inspected(void **state)
{
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		struct fg_h *h = open_live("dns", FG_INSPECT_DIR_ORIG);
		struct ring_buffer *rb;
		struct fg_h_ev_log l;
		struct fg_counters d;

		rb = fg_h_events_open(h, &l);
		assert_non_null(rb);

		/* A whole query goes to the inspector. */
		expect_xdp(h, dns_pkt(fam, true), XDP_REDIRECT, -1);
		/* A fragmented one is dropped, first and later fragments. */
		assert_int_equal(run(h, FG_H_XDP,
				     dns_frag(fam, true, 100, 0, true, 32), &d),
				 XDP_DROP);
		assert_int_equal(d.verdict[FG_VERDICT_DENY], 1);
		assert_int_equal(d.drop[FG_DROP_FRAG_UNINSPECTABLE], 1);
		assert_int_equal(d.cnt[FG_CNT_FRAG_FIRST], 1);
		assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);
		expect_frag_event(h, rb, &l, 0);
		expect_xdp(h, dns_frag(fam, true, 100, 5, true, 40), XDP_DROP,
			   FG_DROP_FRAG_UNINSPECTABLE);
		expect_xdp(h, dns_frag(fam, true, 100, 10, false, 40),
			   XDP_DROP, FG_DROP_FRAG_UNINSPECTABLE);
		/* The UDP header alone in the first fragment: the payload
		 * follows in the later ones, which must not pass either. */
		expect_xdp(h, dns_frag(fam, true, 101, 0, true, 0), XDP_DROP,
			   FG_DROP_FRAG_UNINSPECTABLE);
		expect_xdp(h, dns_frag(fam, true, 101, 1, false, 64),
			   XDP_DROP, FG_DROP_FRAG_UNINSPECTABLE);

		/* Answers are not inspected: a large fragmented one passes. */
		expect_xdp(h, dns_frag(fam, false, 200, 0, true, 1024),
			   XDP_PASS, -1);
		expect_xdp(h, dns_frag(fam, false, 200, 129, false, 400),
			   XDP_PASS, -1);
		assert_int_equal(flow_of(h, dns_pkt(fam, true)).action,
				 FG_ACTION_INSPECT);

		/* The inspector allows the flow: fragments are decided in
		 * the kernel like any allowed flow's. */
		set_verdict(h, dns_pkt(fam, true), FG_ACTION_ALLOW);
		expect_xdp(h, dns_frag(fam, true, 102, 0, true, 32), XDP_PASS,
			   -1);
		expect_xdp(h, dns_frag(fam, true, 102, 5, false, 40),
			   XDP_PASS, -1);
		/* A datagram dropped before the verdict stays dropped. */
		expect_xdp(h, dns_frag(fam, true, 100, 10, false, 40),
			   XDP_DROP, FG_DROP_FRAG_UNINSPECTABLE);

		ring_buffer__free(rb);
		fg_h_close(h);
	}
}

/* Monitor mode delivers uninspectable fragments, counted as would-deny,
 * with one event for the datagram. */
static void test_frag_monitor(void **state)
{
	struct fg_h *h = open_live("dns", FG_INSPECT_DIR_ORIG);
	struct ring_buffer *rb;
	struct fg_h_ev_log l;
	struct fg_counters d;

	policy_rule(h, "dns")->mode = FG_POLICY_MODE_MONITOR;
	install_inspect(h, "dns", FG_INSPECT_DIR_ORIG);
	rb = fg_h_events_open(h, &l);
	assert_non_null(rb);

	assert_int_equal(run(h, FG_H_XDP, dns_frag(4, true, 300, 0, true, 32),
			     &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_WOULD_DENY], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);
	assert_int_equal(run(h, FG_H_XDP, dns_frag(4, true, 300, 5, false, 40),
			     &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_WOULD_DENY], 1);
	expect_frag_event(h, rb, &l, FG_EV_F_MONITOR);
	/* A whole datagram still goes to the inspector. */
	expect_xdp(h, dns_pkt(4, true), XDP_REDIRECT, -1);

	ring_buffer__free(rb);
	fg_h_close(h);
}

/* A reply direction read only to log it (dns answers): a fragmented answer
 * passes uninspected; one the policy depends on is dropped whole; queries
 * are refused either way. */
static void test_frag_reply_log_only(void **state)
{
	const __u8 dirs[2] = {
		FG_INSPECT_DIR_ORIG | FG_INSPECT_DIR_REPLY,
		FG_INSPECT_DIR_ORIG | FG_INSPECT_DIR_REPLY |
			FG_INSPECT_REPLY_LOG_ONLY,
	};
	int i;

	for (i = 0; i < 2; i++) {
		struct fg_h *h = open_live("dns", dirs[i]);

		expect_xdp(h, dns_pkt(4, true), XDP_REDIRECT, -1);
		expect_xdp(h, dns_pkt(4, false), XDP_REDIRECT, -1);
		expect_xdp(h, dns_frag(4, true, 100, 0, true, 32), XDP_DROP,
			   FG_DROP_FRAG_UNINSPECTABLE);
		if (i) {
			expect_xdp(h, dns_frag(4, false, 200, 0, true, 1024),
				   XDP_PASS, -1);
			expect_xdp(h, dns_frag(4, false, 200, 129, false, 400),
				   XDP_PASS, -1);
		} else {
			expect_xdp(h, dns_frag(4, false, 200, 0, true, 1024),
				   XDP_DROP, FG_DROP_FRAG_UNINSPECTABLE);
			expect_xdp(h, dns_frag(4, false, 200, 129, false, 400),
				   XDP_DROP, FG_DROP_FRAG_UNINSPECTABLE);
		}
		fg_h_close(h);
	}
}

/* No inspector: inspect_failure decides fragments as it does any payload
 * (closed drops the datagram, open passes it); TC egress refuses a
 * fragment for the capture veth like XDP does for the XSK. */
static void test_frag_no_inspector_and_tc(void **state)
{
	struct fg_h *h = fg_h_open(policy);
	__u32 idx = FG_INSP_CAPTURE_IDX, lo = 1;
	struct fg_counters d;

	assert_non_null(h);
	install_inspect(h, "dns", FG_INSPECT_DIR_ORIG);

	expect_xdp(h, dns_frag(4, true, 400, 0, true, 32), XDP_DROP,
		   FG_DROP_INSPECT_UNAVAILABLE);
	expect_xdp(h, dns_frag(4, true, 400, 5, false, 40), XDP_DROP,
		   FG_DROP_FRAG_DENIED);
	h->dp.ctl->flags |= FG_CTL_F_INSPECT_OPEN;
	expect_xdp(h, dns_frag(4, true, 401, 0, true, 32), XDP_PASS, -1);
	expect_xdp(h, dns_frag(4, true, 401, 5, false, 40), XDP_PASS, -1);
	h->dp.ctl->flags &= ~FG_CTL_F_INSPECT_OPEN;

	/* Egress, a capture veth and a live inspector. */
	beat(h, 0, 0);
	assert_int_equal(bpf_map_update_elem(
		bpf_map__fd(h->dp.tc->maps.fg_insp_ifaces), &idx, &lo,
		BPF_ANY), 0);
	assert_int_equal(run(h, FG_H_TC_OUT, dns_frag(6, true, 402, 0, true, 32),
			     &d), TC_ACT_SHOT);
	assert_int_equal(d.drop[FG_DROP_FRAG_UNINSPECTABLE], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);
	assert_int_equal(run(h, FG_H_TC_OUT, dns_frag(6, true, 402, 5, false, 40),
			     &d), TC_ACT_SHOT);
	assert_int_equal(d.drop[FG_DROP_FRAG_UNINSPECTABLE], 1);
	assert_int_equal(run(h, FG_H_TC_OUT, dns_pkt(6, true), &d),
			 TC_ACT_REDIRECT);

	fg_h_close(h);
}

/* ---- frames longer than the inspector's path carries ---- */

/* Run s at TC egress as a GSO skb of segments gso_size long (0: none);
 * return the verdict, counter deltas in *d. */
static int run_gso(struct fg_h *h, struct pkt_spec s, __u32 gso_size,
		   struct fg_counters *d)
{
	struct __sk_buff skb = { .gso_size = gso_size,
				 .gso_segs = gso_size ? 2 : 0 };
	__u8 in[PKT_MAX], out[PKT_MAX + 4];
	struct fg_counters a, b;
	int len = pkt_build(in, sizeof(in), &s);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &skb,
		    .ctx_size_in = sizeof(skb));

	assert_true(len > 0);
	o.data_size_in = (__u32)len;
	assert_int_equal(fg_h_counters(h, &a), 0);
	assert_int_equal(bpf_prog_test_run_opts(h->prog_fd[FG_H_TC_OUT], &o),
			 0);
	assert_int_equal(fg_h_counters(h, &b), 0);
	fg_h_counters_delta(&a, &b, d);
	return (int)o.retval;
}

/* ... a packet too long for the inspector. */
static void expect_oversize_event(struct fg_h *h, struct ring_buffer *rb,
				  struct fg_h_ev_log *l, __u8 flags)
{
	expect_event(h, rb, l, FG_EV_DENY, FG_DROP_INSPECT_OVERSIZE, flags);
}

/*
 * A frame one byte over the limit user space set for its path is not
 * redirected (it would be lost on the way): closed drops it with reason
 * inspect_oversize and an event, open passes it; both count
 * inspect_oversize. At the limit it is redirected. XDP and TC egress; a
 * GSO skb is judged by its segments.
 */
static void test_oversize(void **state)
{
	struct fg_h *h = open_live("dns", FG_INSPECT_DIR_ORIG);
	struct pkt_spec q = dns_pkt(4, true);
	__u32 idx = FG_INSP_CAPTURE_IDX, lo = 1, *max;
	struct ring_buffer *rb;
	struct fg_h_ev_log l;
	struct fg_counters d;
	__u8 buf[PKT_MAX];
	__u32 len, seg;

	q.payload = 1000;
	len = (__u32)pkt_build(buf, sizeof(buf), &q);
	max = h->dp.ctl->insp_len_max;
	assert_int_equal(bpf_map_update_elem(
		bpf_map__fd(h->dp.tc->maps.fg_insp_ifaces), &idx, &lo,
		BPF_ANY), 0);
	rb = fg_h_events_open(h, &l);
	assert_non_null(rb);

	/* XDP: at the limit to the XSK, one byte over refused. */
	max[FG_INSP_PATH_XSK] = len;
	assert_int_equal(run(h, FG_H_XDP, q, &d), XDP_REDIRECT);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_OVERSIZE], 0);
	max[FG_INSP_PATH_XSK] = len - 1;
	assert_int_equal(run(h, FG_H_XDP, q, &d), XDP_DROP);
	assert_int_equal(d.drop[FG_DROP_INSPECT_OVERSIZE], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_OVERSIZE], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_FAIL_CLOSED], 0);
	expect_oversize_event(h, rb, &l, 0);
	h->dp.ctl->flags |= FG_CTL_F_INSPECT_OPEN;
	assert_int_equal(run(h, FG_H_XDP, q, &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_OVERSIZE], 1);
	assert_int_equal(d.drop[FG_DROP_INSPECT_OVERSIZE], 0);
	h->dp.ctl->flags &= ~FG_CTL_F_INSPECT_OPEN;
	/* The other path's limit does not matter to XDP. */
	max[FG_INSP_PATH_CAPTURE] = len - 1;
	max[FG_INSP_PATH_XSK] = len;
	assert_int_equal(run(h, FG_H_XDP, q, &d), XDP_REDIRECT);

	/* TC egress, through the capture veth. */
	max[FG_INSP_PATH_CAPTURE] = len;
	assert_int_equal(run_gso(h, q, 0, &d), TC_ACT_REDIRECT);
	max[FG_INSP_PATH_CAPTURE] = len - 1;
	assert_int_equal(run_gso(h, q, 0, &d), TC_ACT_SHOT);
	assert_int_equal(d.drop[FG_DROP_INSPECT_OVERSIZE], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_OVERSIZE], 1);
	expect_oversize_event(h, rb, &l, 0);
	h->dp.ctl->flags |= FG_CTL_F_INSPECT_OPEN;
	assert_int_equal(run_gso(h, q, 0, &d), TC_ACT_OK);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_OVERSIZE], 1);
	h->dp.ctl->flags &= ~FG_CTL_F_INSPECT_OPEN;

	/* GSO: segments of Ethernet + IPv4 + UDP headers + gso_size. At
	 * the limit redirected although the skb is longer, one byte over
	 * refused. */
	seg = len - 1 - (14 + 20 + 8);
	max[FG_INSP_PATH_CAPTURE] = 14 + 20 + 8 + seg / 2;
	assert_int_equal(run_gso(h, q, seg / 2, &d), TC_ACT_REDIRECT);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 1);
	assert_int_equal(run_gso(h, q, seg / 2 + 1, &d), TC_ACT_SHOT);
	assert_int_equal(d.drop[FG_DROP_INSPECT_OVERSIZE], 1);
	expect_oversize_event(h, rb, &l, 0);

	ring_buffer__free(rb);
	fg_h_close(h);
}

/* Monitor mode delivers an oversize frame as a would-deny (one event, flag
 * monitor); a reply read only to log it passes, counted, no event. */
static void test_oversize_monitor_and_log_only(void **state)
{
	struct pkt_spec q = dns_pkt(4, true), a = dns_pkt(4, false);
	struct ring_buffer *rb;
	struct fg_h_ev_log l;
	struct fg_h *h = open_monitor(&rb, &l);
	struct fg_counters d;

	xsk_register(h, &xsk);
	h->dp.ctl->insp_len_max[FG_INSP_PATH_XSK] = 100;
	q.payload = 200;
	assert_int_equal(run(h, FG_H_XDP, q, &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_OVERSIZE], 1);
	assert_int_equal(d.cnt[FG_CNT_WOULD_DENY], 1);
	assert_int_equal(d.drop[FG_DROP_INSPECT_OVERSIZE], 0);
	expect_oversize_event(h, rb, &l, FG_EV_F_MONITOR);

	/* Protect mode, answers read only to log them. */
	policy_rule(h, "dns")->mode = FG_POLICY_MODE_PROTECT;
	install_inspect(h, "dns", FG_INSPECT_DIR_ORIG | FG_INSPECT_DIR_REPLY |
			FG_INSPECT_REPLY_LOG_ONLY);
	q.payload = 32;
	assert_int_equal(run(h, FG_H_XDP, q, &d), XDP_REDIRECT);
	a.payload = 200;
	assert_int_equal(run(h, FG_H_XDP, a, &d), XDP_PASS);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_OVERSIZE], 1);
	assert_int_equal(d.drop[FG_DROP_INSPECT_OVERSIZE], 0);
	l.n = 0;
	ring_buffer__consume(rb);
	assert_int_equal(l.n, 0);
	/* A query that long is still refused. */
	q.payload = 200;
	assert_int_equal(run(h, FG_H_XDP, q, &d), XDP_DROP);
	assert_int_equal(d.drop[FG_DROP_INSPECT_OVERSIZE], 1);

	ring_buffer__free(rb);
	fg_h_close(h);
}

/* ---- ICMP errors related to inspected flows ---- */

/*
 * An ICMP error quoting a packet of a flow in inspection (port unreachable,
 * frag needed / packet too big for PMTU discovery) is related and allowed
 * in the kernel, never redirected; after the inspector's deny it is treated
 * as for any denied flow (not related: the policy decides it alone).
 */
static void test_icmp_related(void **state)
{
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		const char *cl = fam == 4 ? CL4 : CL6, *sv = fam == 4 ? SV4 : SV6;
		const char *rt = fam == 4 ? "10.7.0.1" : "fd00:7::1";
		struct pkt_spec q = dns_pkt(fam, true);
		struct pkt_spec syn = { .family = fam, .src = cl, .dst = sv,
					.proto = IPPROTO_TCP, .sport = 40000,
					.dport = 80, .tcp_flags = SYN };
		struct pkt_spec seg = with_payload(syn, 1400);
		__u8 ip = fam == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		/* port unreachable; frag needed (v4) / packet too big (v6) */
		struct pkt_spec unreach = { .family = fam, .src = sv, .dst = cl,
					    .proto = ip,
					    .icmp_type = fam == 4 ? 3 : 1,
					    .icmp_code = fam == 4 ? 3 : 4,
					    .inner = &q };
		struct pkt_spec too_big = { .family = fam, .src = rt, .dst = cl,
					    .proto = ip,
					    .icmp_type = fam == 4 ? 3 : 2,
					    .icmp_code = fam == 4 ? 4 : 0,
					    .inner = &seg };
		struct fg_h *h = open_live("dns", FG_INSPECT_DIR_ORIG);
		struct fg_counters d;

		seg.tcp_flags = ACK;
		seg.df = fam == 4;
		install_inspect(h, "web", FG_INSPECT_DIR_ORIG);

		/* Flows in inspection: a query, a connection. */
		expect_xdp(h, q, XDP_REDIRECT, -1);
		assert_int_equal(run(h, FG_H_TC_OUT, syn, &d), TC_ACT_OK);
		assert_int_equal(flow_of(h, syn).action, FG_ACTION_INSPECT);

		/* Port unreachable from the server, sent out and seen in. */
		assert_int_equal(run(h, FG_H_TC_OUT, unreach, &d), TC_ACT_OK);
		assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
		assert_int_equal(d.cnt[FG_CNT_RELATED], 1);
		assert_int_equal(d.cnt[FG_CNT_FLOW_NEW], 0);
		expect_xdp(h, unreach, XDP_PASS, -1);
		/* A router on the way cannot forward the segment. */
		assert_int_equal(run(h, FG_H_XDP, too_big, &d), XDP_PASS);
		assert_int_equal(d.cnt[FG_CNT_RELATED], 1);
		assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);
		/* Without a live inspector and inspect_failure closed: still
		 * related, not inspect_unavailable. */
		h->dp.ctl->inspector = 0;
		assert_int_equal(run(h, FG_H_XDP, too_big, &d), XDP_PASS);
		assert_int_equal(d.cnt[FG_CNT_RELATED], 1);
		assert_int_equal(d.cnt[FG_CNT_INSPECT_FAIL_CLOSED], 0);
		beat(h, 0, 0);

		/* The inspector allows the connection: still related. */
		set_verdict(h, syn, FG_ACTION_ALLOW);
		assert_int_equal(run(h, FG_H_XDP, too_big, &d), XDP_PASS);
		assert_int_equal(d.cnt[FG_CNT_RELATED], 1);
		/* It denies the query: its errors are no longer related, and
		 * nothing in the policy allows them. */
		set_verdict(h, q, FG_ACTION_DENY);
		assert_int_equal(run(h, FG_H_XDP, unreach, &d), XDP_DROP);
		assert_int_equal(d.cnt[FG_CNT_RELATED], 0);
		assert_int_equal(d.drop[FG_DROP_POLICY], 1);

		fg_h_close(h);
	}
}

/* An app rule with proto any takes TCP and UDP flows only: an ICMP echo
 * goes on to the next rule, decided in the kernel, never to the inspector
 * (which could not even find its flow: it keys ICMP without the id). */
static void test_app_any_other_protos(void **state)
{
	static const char any_app[] =
		"version: 1\n"
		"default: deny\n"
		"rules:\n"
		"  - name: any-dns\n"
		"    proto: any\n"
		"    app: dns\n"
		"    action: allow\n"
		"  - name: ping\n"
		"    proto: icmp\n"
		"    icmp_types: [echo-request]\n"
		"    action: allow\n";
	struct pkt_spec echo = ICMP4(NULL, NULL, 8, 0, 77);
	struct fg_h *h = fg_h_open(any_app);
	struct fg_counters d;

	assert_non_null(h);
	xsk_register(h, &xsk);
	beat(h, 0, 0);
	assert_int_equal(run(h, FG_H_XDP, echo, &d), XDP_PASS);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 1);
	assert_int_equal(d.cnt[FG_CNT_INSPECT_REDIRECT], 0);
	assert_int_equal(flow_of(h, echo).rule,
			 (__u32)fg_h_rule_id(h, "ping"));
	expect_xdp(h, dns_pkt(4, true), XDP_REDIRECT, -1);
	fg_h_close(h);
}

/* A namespace of our own; its lo is the test-run device. */
static int own_netns(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redirect_then_allow),
		cmocka_unit_test(test_deny_verdict),
		cmocka_unit_test(test_inspect_failure),
		cmocka_unit_test(test_inspect_failure_monitor),
		cmocka_unit_test(test_tc_capture_and_mark),
		cmocka_unit_test(test_frag_inspected),
		cmocka_unit_test(test_frag_monitor),
		cmocka_unit_test(test_frag_reply_log_only),
		cmocka_unit_test(test_frag_no_inspector_and_tc),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_oversize_monitor_and_log_only),
		cmocka_unit_test(test_icmp_related),
		cmocka_unit_test(test_app_any_other_protos),
	};

	if (fixture_need_root())
		return 77;
	if (own_netns()) {
		fprintf(stderr, "cannot create a network namespace\n");
		return 1;
	}
	return cmocka_run_group_tests_name("inspect", tests, xsk_open,
					   xsk_close);
}
