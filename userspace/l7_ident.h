/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l7_ident.h - application identification from a flow's first payload
 * bytes, per direction, independent of ports.
 *
 * One struct per flow (fixed size, no allocation kept between calls). Feed
 * in-order payload chunks of either direction (TCP: reassembled stream
 * bytes; UDP: one datagram per call). Every signature is checked on the
 * first FG_IDENT_BUF bytes of each direction; a flow is identified as soon
 * as one signature holds, as FG_APP_OTHER once the client's bytes rule out
 * every known protocol, and gives up when the byte budget is spent first.
 */
#ifndef FG_L7_IDENT_H
#define FG_L7_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "flowgate.h"

#define FG_IDENT_BUF	1024	/* bytes kept per direction */

enum fg_l7_dir { FG_L7_C2S = 0, FG_L7_S2C = 1 };

enum fg_ident_status {
	FG_IDENT_MORE = 0,	/* need more bytes */
	FG_IDENT_DONE = 1,	/* id->app is the answer (maybe FG_APP_OTHER) */
	FG_IDENT_GAVE_UP = 2,	/* budget spent or buffer full, still unsure */
};

struct fg_l7_ident {
	uint8_t l4proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t status;		/* enum fg_ident_status */
	uint8_t app;		/* enum fg_app, valid when DONE */
	uint8_t provisional;	/* app to settle on if it ends now (h2 preface) */
	uint32_t budget;	/* bytes (both directions) before giving up */
	uint32_t seen;
	uint16_t len[2];
	uint8_t buf[2][FG_IDENT_BUF];
};

/* budget 0 means the default, 4 * FG_IDENT_BUF. */
void fg_l7_ident_init(struct fg_l7_ident *id, uint8_t l4proto, uint32_t budget);
/* enum fg_ident_status, or -EINVAL for a bad direction. */
int fg_l7_ident_feed(struct fg_l7_ident *id, enum fg_l7_dir dir,
		     const void *data, size_t len);
/* The flow ends or the caller needs an answer now: DONE or GAVE_UP. */
int fg_l7_ident_finish(struct fg_l7_ident *id);

const char *fg_app_name(enum fg_app app);
/* The app of a policy name ("http", "grpc"...), or -ENOENT. */
int fg_app_from_name(const char *name);

#endif
