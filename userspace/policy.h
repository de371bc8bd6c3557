/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * policy.h - the policy file (YAML, version 1) as a validated tree.
 *
 * fg_policy_load() never returns a half-checked policy: either every key,
 * type, address, port and reference was valid, or it returns -EINVAL with
 * every error found in the diagnostics list (file:line:col: message).
 */
#ifndef FG_POLICY_H
#define FG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flowgate.h"
#include "diag.h"

#define FG_PROTO_ANY	(-1)

/* An IPv4 or IPv6 prefix, address in network byte order. */
struct fg_prefix {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 plen;		/* 0..32 or 0..128 */
	__u8 addr[16];		/* IPv4 in the first 4 bytes; host bits zero */
};

struct fg_group {
	char *name;
	struct fg_prefix *prefixes;
	size_t n_prefixes;
	int line, col;
};

/*
 * One item of a rule's from/to list: a literal prefix or a group reference
 * (index into fg_policy.groups, resolved by the parser).
 */
struct fg_addr_item {
	bool is_group;
	size_t group;
	struct fg_prefix prefix;
};

struct fg_addr_match {
	bool any;		/* "any" or key omitted */
	struct fg_addr_item *items;
	size_t n_items;
};

struct fg_port_range {
	__u16 lo, hi;		/* host order, lo <= hi */
};

struct fg_icmp_type {
	__u8 type;
	__s16 code;		/* -1 = any code */
};

/* `mode`: protect enforces; monitor delivers and logs what would be denied. */
enum fg_policy_mode {
	FG_POLICY_MODE_PROTECT = 0,
	FG_POLICY_MODE_MONITOR = 1,
};

/* `inspect_failure`: what inspected flows get when no inspector can take them. */
enum fg_policy_inspect_failure {
	FG_POLICY_INSPECT_CLOSED = 0,
	FG_POLICY_INSPECT_OPEN = 1,
};

/* Bit of an enum fg_app in fg_rule.apps. */
#define FG_APP_BIT(app)	(1u << (app))

/*
 * One item of an L7 condition list (see docs/policy.md):
 *  - host/SNI/DNS name: lower case; wildcard = "*.suffix" (one or more
 *    labels in front of suffix, never suffix itself);
 *  - HTTP path: as written, starts with '/'; wildcard = ends with '*'
 *    (every path that starts with the text before it);
 *  - HTTP method: upper-case token, never a wildcard.
 *  - HTTP header value: as written; wildcard = contains '*' (each '*'
 *    matches any run of characters, none included).
 * text is the normalised pattern, '*' included.
 */
struct fg_pat {
	char *text;
	bool wildcard;
	int line, col;
};

struct fg_pat_list {
	struct fg_pat *v;
	size_t n;		/* 0 = key absent: no condition */
};

/* `headers: {name: [values]}`: a request header named name (any
 * occurrence) whose value matches one of values. */
struct fg_http_hdr_cond {
	char *name;		/* lower case */
	struct fg_pat_list values;
	int line, col;		/* of the name */
};

/* An L7 block; set = present in the rule (an empty block is no condition). */
struct fg_http_cond {
	bool set;
	int line, col;		/* of the 'http' key */
	struct fg_pat_list hosts, methods, paths;
	struct fg_http_hdr_cond *headers;	/* all must hold */
	size_t n_headers;
};

struct fg_tls_cond {
	bool set;
	int line, col;
	struct fg_pat_list sni;
	struct fg_pat_list alpn;	/* exact protocol ids, e.g. "h2" */
	struct fg_pat_list versions;	/* "1.0" ... "1.3" */
	struct fg_pat_list ja3;		/* MD5 of the JA3 string, lower-case hex */
	struct fg_pat_list ja4;		/* JA4 fingerprints, lower case */
};

struct fg_dns_cond {
	bool set;
	int line, col;
	struct fg_pat_list names;
};

struct fg_rule {
	char *name;
	struct fg_addr_match from;	/* the flow's initiator */
	struct fg_addr_match to;	/* the flow's responder */
	int proto;			/* FG_PROTO_ANY or 0..255 */
	struct fg_port_range *ports;	/* responder ports; n_ports 0 = all */
	size_t n_ports;
	struct fg_icmp_type *icmp_types;	/* n_icmp_types 0 = all */
	size_t n_icmp_types;
	enum fg_action action;
	bool log;
	int line, col;
	/* L7 (issue 4): parsed and validated; enforced once the inspector lands. */
	__u32 apps;			/* FG_APP_BIT()s; 0 = no 'app': L3/L4 rule */
	int app_line, app_col;		/* of the 'app' key */
	enum fg_policy_mode mode;	/* the rule's own mode, else the policy's */
	bool mode_set;			/* the rule has its own 'mode' */
	int mode_line, mode_col;
	struct fg_http_cond http;
	struct fg_tls_cond tls;
	struct fg_dns_cond dns;
	/* Flow directions (FG_INSPECT_DIR_*) whose payload the AF_XDP
	 * inspector must see before an `allow` rule's verdict is final; 0 =
	 * none. Set by the L7 keys (app, http, tls, dns). */
	__u8 inspect_dirs;
};

/* failsafe: [tcp/22, udp/53, tcp/8000-8010] */
struct fg_failsafe {
	int proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	struct fg_port_range ports;
	int line, col;
};

struct fg_timeouts {
	__u32 tcp_established, tcp_syn, tcp_closing, udp, icmp, other; /* s */
};

/*
 * `inspect`: bounds of the inspector's L7 engine (l7_engine.h, which takes
 * this struct as it is). 0 in a field: key absent, the engine's default.
 */
struct fg_l7_limits {
	__u32 max_flows;	/* flows with engine state at once */
	__u32 ident_bytes;	/* payload bytes (both directions) to identify */
	__u32 ident_pkts;	/* payload packets (both directions) to identify */
	__u32 monitor_items;	/* would_deny requests/queries logged per flow
				 * in monitor mode before it is allowed */
	/* Per app checked item by item: payload bytes (both directions) read
	 * from one flow, after which the flow is allowed for good at the next
	 * boundary between items that all held (0: no budget). */
	__u32 budget_http;
	__u32 budget_dns;
};

struct fg_policy {
	char *path;
	int version;
	enum fg_action default_action;
	struct fg_group *groups;
	size_t n_groups;
	struct fg_rule *rules;
	size_t n_rules;
	struct fg_failsafe *failsafe;
	size_t n_failsafe;
	struct fg_timeouts timeouts;
	__u8 sha256[32];	/* of the file's bytes, for `status` */
	/* issue 4: parsed and validated; enforced once the inspector lands */
	enum fg_policy_mode mode;
	int mode_line, mode_col;		/* 0 = key absent (protect) */
	enum fg_policy_inspect_failure inspect_failure;
	int inspect_failure_line, inspect_failure_col;	/* 0 = absent (closed) */
	struct fg_l7_limits inspect;
	int inspect_line, inspect_col;		/* 0 = key absent */
};

/* Defaults applied when `timeouts` (or one of its keys) is absent. */
#define FG_TIMEOUT_TCP_ESTABLISHED	3600
#define FG_TIMEOUT_TCP_SYN		30
#define FG_TIMEOUT_TCP_CLOSING		10
#define FG_TIMEOUT_UDP			60
#define FG_TIMEOUT_ICMP			10
#define FG_TIMEOUT_OTHER		60

/* Largest values of the `inspect` keys (the smallest is 1). */
#define FG_INSPECT_MAX_FLOWS		(1u << 20)
#define FG_INSPECT_MAX_IDENT_BYTES	(1u << 20)
#define FG_INSPECT_MAX_IDENT_PACKETS	65536
#define FG_INSPECT_MAX_MONITOR_ITEMS	65536
#define FG_INSPECT_MAX_BUDGET		0xffffffffu

/* Parse and validate a policy file. 0, or -EINVAL with diagnostics, or
 * another -errno (file unreadable: also reported in diagnostics). */
int fg_policy_load(const char *path, struct fg_policy **out,
		   struct fg_diags *diags);

/* Same for an in-memory document; `name` is used in diagnostics. */
int fg_policy_parse(const char *name, const char *buf, size_t len,
		    struct fg_policy **out, struct fg_diags *diags);

void fg_policy_free(struct fg_policy *p);


/*
 * Does value (len bytes, not NUL-terminated) match pat? Names compare
 * without regard to ASCII case; paths and methods exactly. The reference
 * for the inspector's matching.
 */
bool fg_pat_match_name(const struct fg_pat *pat, const char *value, size_t len);
bool fg_pat_match_path(const struct fg_pat *pat, const char *value, size_t len);
bool fg_pat_match_method(const struct fg_pat *pat, const char *value, size_t len);
/* Header values: exactly, each '*' of a wildcard matching any run. */
bool fg_pat_match_header(const struct fg_pat *pat, const char *value, size_t len);
/* ALPN protocol ids compare exactly (bytes, RFC 7301). */
bool fg_pat_match_alpn(const struct fg_pat *pat, const char *value, size_t len);
/* Is version (wire value, 0x0303 = TLS 1.2) the one pat ("1.2") names? */
bool fg_pat_match_tls_version(const struct fg_pat *pat, __u16 version);

/* Parsing helpers shared with the CLI and tests. 0 or -EINVAL. */
int fg_prefix_parse(const char *s, struct fg_prefix *out);
int fg_proto_parse(const char *s, int *proto);	/* name or number */
const char *fg_proto_name(int proto);		/* "tcp", ..., or NULL */
int fg_icmp_type_parse(const char *s, int proto, struct fg_icmp_type *out);

#endif /* FG_POLICY_H */
