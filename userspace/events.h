/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.h - consume the datapath's ring buffer (struct fg_event records)
 * and write one JSON line per event:
 *   {"ts":"2026-11-28T12:38:30.123456Z","type":"deny","iface":"eth0",
 *    "ifindex":2,"hook":"ingress","family":"ipv4","src":"10.0.0.1",
 *    "dst":"10.0.0.2","sport":40000,"dport":23,"proto":"tcp",
 *    "rule":"no-telnet","generation":1,"verdict":"deny","reason":"policy"}
 * Unknown values are null. Each line is flushed as it is written, so a
 * reader (tail -f, a log shipper) sees events as they happen. The L7
 * engine writes "type":"l7" lines to the same FILE (docs/inspector.md);
 * both hold the FILE's lock (flockfile) for a whole line.
 */
#ifndef FG_EVENTS_H
#define FG_EVENTS_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "flowgate.h"

struct ring_buffer;

/* Name lookups the writer needs from the daemon; may return NULL. */
struct fg_event_names {
	const char *(*rule_name)(void *arg, __u32 gen, __u32 rule);
	const char *(*ifname)(void *arg, __u32 ifindex);
	void *arg;
};

struct fg_events {
	struct ring_buffer *rb;
	FILE *out;
	__s64 mono_to_real_ns;	/* add to bpf_ktime_get_ns() for wall time */
	struct fg_event_names names;
	__u64 written;
	__u64 bad;		/* records of the wrong size */
	int write_err;		/* first write error (-errno), reported once */
};

/* CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns (the midpoint of two
 * monotonic reads around one realtime read). */
__s64 fg_clock_mono_to_real(void);

/* One event as one JSON line. size is the record's size: a record of the
 * wrong size is refused (-EINVAL), not misread. */
int fg_event_write_json(FILE *f, const void *data, size_t size,
			__s64 mono_to_real_ns, const struct fg_event_names *n);

/* Start consuming ring buffer map ringbuf_fd, writing to out. */
int fg_events_open(struct fg_events *ev, int ringbuf_fd, FILE *out,
		   const struct fg_event_names *names);
/* An fd that is readable when events wait (for poll/epoll). */
int fg_events_fd(const struct fg_events *ev);
/* Write every waiting event. Returns how many, or -errno. */
int fg_events_consume(struct fg_events *ev);
void fg_events_close(struct fg_events *ev);

#endif /* FG_EVENTS_H */
