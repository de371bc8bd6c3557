// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_inspect.c - the kernel half of AF_XDP inspection (fg_inspect.h):
 * payload of a flow whose rule inspects is redirected (XDP: into the XSK of
 * its queue; TC: tagged onto the capture veth) while the handshake, empty
 * segments and the other direction stay in the kernel; with no inspector
 * (no socket, no heartbeat, stale heartbeat, overload) inspect_failure
 * decides; the verdict written into the flow entry takes effect on the next
 * packet and survives a reload; re-injected (marked) frames pass.
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

/* Mark `rule` for inspection (directions dirs) through the compiler and
 * install the result as a new generation. */
static void install_inspect(struct fg_h *h, const char *rule, __u8 dirs)
{
	struct fg_compiled c;
	struct fg_diags d = { 0 };
	size_t i;
	int gen, found = 0;

	for (i = 0; i < h->policy->n_rules; i++)
		if (!strcmp(h->policy->rules[i].name, rule)) {
			h->policy->rules[i].inspect_dirs = dirs;
			found = 1;
		}
	assert_true(found);
	assert_int_equal(fg_compile(h->policy, h->dp.max_rules, &c, &d), 0);
	fg_diags_free(&d);
	gen = fg_dp_install(&h->dp, &c);
	assert_true(gen > 0);
	fg_compiled_free(&h->comp);
	h->comp = c;
	h->gen = (__u32)gen;
}

static void beat(struct fg_h *h, __u64 ago_ns, __u32 extra)
{
	h->dp.ctl->inspector = FG_INSP_BEAT(fg_h_now_ns() - ago_ns) | extra;
}

static void xsk_register(struct fg_h *h, struct test_xsk *x)
{
	__u32 key = 0 * FG_XSK_QMAX + 0;	/* slot of lo, queue 0 */
	int fd = xsk_socket__fd(x->xsk);

	assert_int_equal(bpf_map_update_elem(
		bpf_map__fd(h->dp.tc->maps.fg_xsks), &key, &fd, BPF_ANY), 0);
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
	struct fg_h *h = fg_h_open(policy);
	struct pkt_spec pad_ack = WEB_ACK;
	struct fg_counters d;
	struct fg_flow f;

	assert_non_null(h);
	install_inspect(h, "web", FG_INSPECT_DIR_ORIG);
	xsk_register(h, &xsk);
	beat(h, 0, 0);

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
	struct fg_h *h = fg_h_open(policy);
	struct fg_counters d;

	assert_non_null(h);
	install_inspect(h, "web", FG_INSPECT_DIR_ORIG);
	xsk_register(h, &xsk);
	beat(h, 0, 0);

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
		cmocka_unit_test(test_tc_capture_and_mark),
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
