// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_l7_http.c - HTTP request parser: any bytes, any chunking; the
 * requests seen, the result and where a tunnel (Upgrade, CONNECT) starts
 * must not depend on the chunking.
 */
#include <string.h>

#include "fuzz_split.h"
#include "l7_http.h"

struct digest {
	unsigned int n;
	uint32_t h;
};

static uint32_t mix(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h * 16777619u;
}

static int on_req(const struct fg_http_request *r, void *arg)
{
	struct digest *d = arg;
	unsigned int i;

	d->n++;
	d->h = mix(d->h, r->method);
	d->h = mix(d->h, r->host);
	d->h = mix(d->h, r->path);
	d->h = mix(d->h, r->query);
	for (i = 0; i < r->n_headers; i++) {
		d->h = mix(d->h, r->headers[i].name);
		d->h = mix(d->h, r->headers[i].value);
	}
	/* a normalised path is absolute, has no "//", no "/./", no "/../" */
	if (r->path[0] == '/') {
		FUZZ_CHECK(!strstr(r->path, "//"));
		FUZZ_CHECK(!strstr(r->path, "/./"));
		FUZZ_CHECK(!strstr(r->path, "/../"));
	}
	return 0;
}

static struct fg_http_parser a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest da = { 0, 2166136261u }, db = { 0, 2166136261u };
	struct split s;
	const uint8_t *c;
	size_t n;
	int ra, rb = 0;
	char out[512];

	split_init(&s, data, size);
	fg_http_init(&a);
	ra = fg_http_feed(&a, s.d, s.n, on_req, &da);
	fg_http_init(&b);
	while ((n = split_next(&s, &c)) && !rb)
		rb = fg_http_feed(&b, c, n, on_req, &db);
	FUZZ_CHECK(ra == rb);
	FUZZ_CHECK(da.n == db.n && da.h == db.h);
	/* a tunnel starts at the same byte however the stream was cut, and
	 * only after a request that asked for one */
	if (!ra)
		FUZZ_CHECK(a.state == b.state && a.tunnel == b.tunnel);
	FUZZ_CHECK(a.state != FG_HTTP_TUNNEL || (a.tunnel && a.requests));

	if (s.n < sizeof(out) - 2)
		fg_http_normalize_path((const char *)s.d, s.n, out);
	return 0;
}
