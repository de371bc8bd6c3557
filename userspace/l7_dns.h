/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l7_dns.h - DNS messages (RFC 1035): questions for policy, answers for
 * logging; UDP (one datagram, one message) and TCP (2-byte length framing,
 * incremental) transport.
 */
#ifndef FG_L7_DNS_H
#define FG_L7_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FG_DNS_MAX_NAME		256	/* presentation form incl. NUL */
#define FG_DNS_MAX_QUESTIONS	4
#define FG_DNS_MAX_ANSWERS	16
#define FG_DNS_TCP_MAX		4096	/* largest message over TCP we buffer */

struct fg_dns_question {
	char name[FG_DNS_MAX_NAME];	/* lowercase, no trailing dot; "." = root */
	uint16_t type, class;
};

struct fg_dns_answer {
	char name[FG_DNS_MAX_NAME];
	uint16_t type, class;
	uint32_t ttl;
	char data[FG_DNS_MAX_NAME];	/* A, AAAA, CNAME, NS, PTR; else "" */
};

struct fg_dns_msg {
	uint16_t id;
	bool response;
	uint8_t opcode, rcode;
	unsigned int n_questions;
	struct fg_dns_question questions[FG_DNS_MAX_QUESTIONS];
	unsigned int n_answers;		/* stored; the rest are not parsed */
	bool answers_truncated;
	struct fg_dns_answer answers[FG_DNS_MAX_ANSWERS];
};

/*
 * Parse one message. 0; -EBADMSG malformed (bad label, pointer loop, name
 * over 255 bytes, a byte outside printable ASCII or a '.' inside a label,
 * short read); -E2BIG more questions than FG_DNS_MAX_QUESTIONS.
 */
int fg_dns_parse(const uint8_t *msg, size_t len, struct fg_dns_msg *out);

/* DNS over TCP: reassembles length-prefixed messages across chunks. */
struct fg_dns_tcp {
	int error;
	unsigned int hdr_len;
	uint8_t hdr[2];
	size_t need, have;
	uint8_t buf[FG_DNS_TCP_MAX];
};

typedef int (*fg_dns_msg_cb)(const uint8_t *msg, size_t len, void *arg);

void fg_dns_tcp_init(struct fg_dns_tcp *t);
/*
 * Calls cb for each complete message. 0 need more; the callback's
 * non-zero return; -E2BIG message over FG_DNS_TCP_MAX; -EBADMSG length 0.
 */
int fg_dns_tcp_feed(struct fg_dns_tcp *t, const void *data, size_t len,
		    fg_dns_msg_cb cb, void *arg);

#endif
