// SPDX-License-Identifier: GPL-2.0-only
/*
 * format.c - shared text formatting for the CLI (see format.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "format.h"
#include "policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define FG_X_STR(id, str) str,
static const char *const state_names[] = { FG_FLOW_STATES(FG_X_STR) };
static const char *const verdict_names[] = { FG_VERDICTS(FG_X_STR) };
static const char *const drop_names[] = { FG_DROP_REASONS(FG_X_STR) };
static const char *const counter_names[] = { FG_COUNTERS(FG_X_STR) };
static const char *const inspect_names[] = { FG_INSPECT_STATES(FG_X_STR) };

_Static_assert(ARRAY_SIZE(state_names) == FG_STATE_MAX, "state names");
_Static_assert(ARRAY_SIZE(verdict_names) == FG_VERDICT_MAX, "verdict names");
_Static_assert(ARRAY_SIZE(drop_names) == FG_DROP_MAX, "drop names");
_Static_assert(ARRAY_SIZE(counter_names) == FG_CNT_MAX, "counter names");
_Static_assert(ARRAY_SIZE(inspect_names) == FG_INSPECT_MAX, "inspect names");

const char *fg_state_name(unsigned int s)
{
	return s < FG_STATE_MAX ? state_names[s] : "?";
}

const char *fg_verdict_name(unsigned int v)
{
	return v < FG_VERDICT_MAX ? verdict_names[v] : "?";
}

const char *fg_drop_name(unsigned int r)
{
	return r < FG_DROP_MAX ? drop_names[r] : "?";
}

const char *fg_counter_name(unsigned int c)
{
	return c < FG_CNT_MAX ? counter_names[c] : "?";
}

const char *fg_inspect_state_name(unsigned int s)
{
	return s < FG_INSPECT_MAX ? inspect_names[s] : "?";
}

const char *fg_action_name(unsigned int a)
{
	switch (a) {
	case FG_ACTION_ALLOW: return "allow";
	case FG_ACTION_DENY: return "deny";
	case FG_ACTION_INSPECT: return "inspect";
	}
	return "?";
}

const char *fg_hook_name(unsigned int h)
{
	return h == FG_HOOK_INGRESS ? "ingress" :
	       h == FG_HOOK_EGRESS ? "egress" : "?";
}

const char *fg_event_type_name(unsigned int t)
{
	switch (t) {
	case FG_EV_DENY: return "deny";
	case FG_EV_MALFORMED: return "malformed";
	case FG_EV_FRAG: return "frag";
	}
	return NULL;
}

const char *fg_family_name(unsigned int family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : NULL;
}

const char *fg_fmt_addr(unsigned int family, const __u8 *addr, char *buf,
			size_t len)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

bool fg_proto_has_ports(unsigned int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

const char *fg_fmt_endpoint(unsigned int family, const __u8 *addr,
			    __u16 port, bool has_port, char *buf, size_t len)
{
	char a[FG_ADDR_STRLEN];

	fg_fmt_addr(family, addr, a, sizeof(a));
	if (!has_port)
		snprintf(buf, len, "%s", a);
	else if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

const char *fg_fmt_proto(unsigned int proto, char *buf, size_t len)
{
	const char *name = proto <= 255 ? fg_proto_name((int)proto) : NULL;

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", proto);
	return buf;
}

const char *fg_fmt_duration(__u64 ns, char *buf, size_t len)
{
	unsigned long long s = ns / 1000000000ULL;

	if (s < 60)
		snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, s % 86400 / 3600);
	return buf;
}

const char *fg_fmt_rfc3339(__u64 ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / 1000000000ULL);
	unsigned long usec = (unsigned long)(ns % 1000000000ULL / 1000);
	struct tm tm;
	char date[32];

	if (!gmtime_r(&secs, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(date, sizeof(date), "1970-01-01T00:00:00");
	snprintf(buf, len, "%s.%06luZ", date, usec);
	return buf;
}

const char *fg_fmt_hex(const __u8 *b, size_t n, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		buf[2 * i] = hex[b[i] >> 4];
		buf[2 * i + 1] = hex[b[i] & 15];
	}
	buf[2 * n] = '\0';
	return buf;
}

/* ---- tables ---- */

static char **table_row(const struct fg_table *t, size_t row)
{
	return &t->cells[row * t->ncols];
}

int fg_table_init(struct fg_table *t, size_t ncols,
		  const char *const *headers)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (!ncols || ncols > FG_TABLE_MAX_COLS)
		return -EINVAL;
	t->ncols = ncols;
	t->cap = 16;
	t->cells = calloc((t->cap + 1) * ncols, sizeof(char *));
	if (!t->cells)
		return -ENOMEM;
	for (i = 0; i < ncols; i++) {
		const char *h = headers[i];

		if (h[0] == '>') {
			t->numeric[i] = true;
			h++;
		}
		t->cells[i] = strdup(h);
		if (!t->cells[i])
			t->oom = true;
	}
	return t->oom ? -ENOMEM : 0;
}

int fg_table_add(struct fg_table *t, const char *const *cells)
{
	char **row;
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap * 2;
		char **c = realloc(t->cells, (cap + 1) * t->ncols * sizeof(*c));

		if (!c) {
			t->oom = true;
			return -ENOMEM;
		}
		t->cells = c;
		t->cap = cap;
	}
	row = table_row(t, t->nrows + 1);
	for (i = 0; i < t->ncols; i++) {
		row[i] = strdup(cells[i] ? cells[i] : "-");
		if (!row[i])
			t->oom = true;
	}
	t->nrows++;
	return 0;
}

void fg_table_print(const struct fg_table *t, FILE *f, const char *indent)
{
	size_t w[FG_TABLE_MAX_COLS] = { 0 };
	size_t r, c;

	for (r = 0; r <= t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			const char *s = table_row(t, r)[c];
			size_t l = s ? strlen(s) : 0;

			if (l > w[c])
				w[c] = l;
		}
	for (r = 0; r <= t->nrows; r++) {
		char **row = table_row(t, r);

		fputs(indent ? indent : "", f);
		for (c = 0; c < t->ncols; c++) {
			const char *s = row[c] ? row[c] : "";
			bool last = c + 1 == t->ncols;

			if (t->numeric[c])
				fprintf(f, "%*s", (int)w[c], s);
			else if (last)
				fputs(s, f);
			else
				fprintf(f, "%-*s", (int)w[c], s);
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
}

void fg_table_free(struct fg_table *t)
{
	size_t i;

	if (t->cells)
		for (i = 0; i < (t->nrows + 1) * t->ncols; i++)
			free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
