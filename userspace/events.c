// SPDX-License-Identifier: GPL-2.0-only
/*
 * events.c - ring buffer -> JSON lines (see events.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "events.h"
#include "format.h"
#include "json.h"
#include "policy.h"

static __s64 ts_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

__s64 fg_clock_mono_to_real(void)
{
	__s64 m1 = ts_ns(CLOCK_MONOTONIC);
	__s64 r = ts_ns(CLOCK_REALTIME);
	__s64 m2 = ts_ns(CLOCK_MONOTONIC);

	return r - (m1 + (m2 - m1) / 2);
}

int fg_event_write_json(FILE *f, const void *data, size_t size,
			__s64 offset, const struct fg_event_names *n)
{
	const struct fg_event *e = data;
	char buf[64], a[FG_ADDR_STRLEN];
	const char *fam, *name = NULL;
	struct fg_json j;
	bool ports;

	if (size != sizeof(*e))
		return -EINVAL;
	fam = fg_family_name(e->family);
	ports = fam && fg_proto_has_ports(e->proto);

	/* The inspector's workers write "l7" lines to the same FILE: hold
	 * its lock for the whole line so lines never interleave. */
	flockfile(f);
	fg_json_init(&j, f, false);
	fg_json_obj_open(&j);
	fg_json_kstr(&j, "ts", fg_fmt_rfc3339((__u64)((__s64)e->ts_ns + offset),
					      buf, sizeof(buf)));
	fg_json_kstr(&j, "type", fg_event_type_name(e->type));
	if (n && n->ifname)
		name = n->ifname(n->arg, e->ifindex);
	fg_json_kstr(&j, "iface", name);
	fg_json_ku64(&j, "ifindex", e->ifindex);
	fg_json_kstr(&j, "hook", e->hook <= FG_HOOK_EGRESS ?
				 fg_hook_name(e->hook) : NULL);
	fg_json_kstr(&j, "family", fam);
	fg_json_kstr(&j, "src", fam ? fg_fmt_addr(e->family, e->src, a, sizeof(a)) : NULL);
	fg_json_kstr(&j, "dst", fam ? fg_fmt_addr(e->family, e->dst, a, sizeof(a)) : NULL);
	if (ports) {
		fg_json_ku64(&j, "sport", ntohs(e->sport));
		fg_json_ku64(&j, "dport", ntohs(e->dport));
	} else {
		fg_json_knull(&j, "sport");
		fg_json_knull(&j, "dport");
	}
	fg_json_key(&j, "proto");
	if (!fam)
		fg_json_null(&j);
	else if (fg_proto_name(e->proto))
		fg_json_str(&j, fg_proto_name(e->proto));
	else
		fg_json_u64(&j, e->proto);
	name = NULL;
	if (e->rule != ~0U && n && n->rule_name)
		name = n->rule_name(n->arg, e->gen, e->rule);
	fg_json_kstr(&j, "rule", name);
	fg_json_ku64(&j, "generation", e->gen);
	fg_json_kstr(&j, "verdict", (e->flags & FG_EV_F_MONITOR) ? "would_deny" :
				    e->action == FG_ACTION_ALLOW ? "allow" : "deny");
	fg_json_kstr(&j, "reason", e->reason < FG_DROP_MAX ?
				   fg_drop_name(e->reason) : NULL);
	fg_json_obj_close(&j);
	fg_json_end(&j);
	funlockfile(f);
	return ferror(f) ? -EIO : 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct fg_events *ev = ctx;
	int err;

	err = fg_event_write_json(ev->out, data, size, ev->mono_to_real_ns,
				  &ev->names);
	if (err == -EINVAL) {
		ev->bad++;
		return 0;
	}
	if (err && !ev->write_err)
		ev->write_err = err;
	if (!err)
		ev->written++;
	return 0;	/* keep consuming: one bad write must not stall us */
}

int fg_events_open(struct fg_events *ev, int ringbuf_fd, FILE *out,
		   const struct fg_event_names *names)
{
	memset(ev, 0, sizeof(*ev));
	ev->out = out;
	ev->names = *names;
	ev->mono_to_real_ns = fg_clock_mono_to_real();
	ev->rb = ring_buffer__new(ringbuf_fd, on_event, ev, NULL);
	if (!ev->rb)
		return errno ? -errno : -EINVAL;
	return 0;
}

int fg_events_fd(const struct fg_events *ev)
{
	return ring_buffer__epoll_fd(ev->rb);
}

int fg_events_consume(struct fg_events *ev)
{
	int n = ring_buffer__consume(ev->rb);

	return n;
}

void fg_events_close(struct fg_events *ev)
{
	ring_buffer__free(ev->rb);
	ev->rb = NULL;
}
