/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * format.h - how flowgate's commands print things: addresses, endpoints,
 * protocols, enum names (from the X-macros of flowgate.h), durations,
 * timestamps, and aligned text tables.
 */
#ifndef FG_FORMAT_H
#define FG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "flowgate.h"

#define FG_ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
#define FG_EP_STRLEN	56	/* "[addr]:port" */

/* Names of enum values; "?" (or NULL where noted) when out of range. */
const char *fg_state_name(unsigned int state);
const char *fg_verdict_name(unsigned int verdict);
const char *fg_drop_name(unsigned int reason);
const char *fg_counter_name(unsigned int cnt);
const char *fg_action_name(unsigned int action);	/* allow/deny/inspect */
const char *fg_inspect_state_name(unsigned int s);	/* none/pending/done */
const char *fg_hook_name(unsigned int hook);		/* ingress/egress */
const char *fg_event_type_name(unsigned int type);	/* NULL if unknown */
const char *fg_family_name(unsigned int family);	/* ipv4/ipv6, NULL */

/* Address (network order) as text; "?" for an unknown family. */
const char *fg_fmt_addr(unsigned int family, const __u8 *addr, char *buf,
			size_t len);
/* Protocols whose flows are keyed by ports (TCP, UDP, SCTP, UDP-Lite). */
bool fg_proto_has_ports(unsigned int proto);
/* "10.0.0.1:80", "[fd00::1]:80", or the bare address when !has_port. */
const char *fg_fmt_endpoint(unsigned int family, const __u8 *addr,
			    __u16 port, bool has_port, char *buf, size_t len);
/* Protocol name ("tcp") or its number ("47"). */
const char *fg_fmt_proto(unsigned int proto, char *buf, size_t len);
/* Compact duration: "45s", "12m05s", "3h07m", "2d04h"; "0s" below 1 s. */
const char *fg_fmt_duration(__u64 ns, char *buf, size_t len);
/* RFC 3339 UTC with microseconds: "2026-11-28T12:38:30.123456Z". */
const char *fg_fmt_rfc3339(__u64 realtime_ns, char *buf, size_t len);
/* Lower-case hex of n bytes; buf must hold 2n+1. */
const char *fg_fmt_hex(const __u8 *b, size_t n, char *buf);

/*
 * Aligned text tables: add a header and rows of cells, then print. Columns
 * marked numeric are right-aligned. Cells are copied.
 */
#define FG_TABLE_MAX_COLS	16

struct fg_table {
	size_t ncols;
	bool numeric[FG_TABLE_MAX_COLS];
	char **cells;		/* (nrows + 1) * ncols, row 0 is the header */
	size_t nrows, cap;	/* data rows */
	bool oom;
};

/* headers: ncols names; a name starting with '>' is a right-aligned
 * (numeric) column, the '>' is not printed. */
int fg_table_init(struct fg_table *t, size_t ncols, const char *const *headers);
/* Add a row of ncols cells (NULL prints as "-"). */
int fg_table_add(struct fg_table *t, const char *const *cells);
void fg_table_print(const struct fg_table *t, FILE *f, const char *indent);
void fg_table_free(struct fg_table *t);

#endif /* FG_FORMAT_H */
