// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_l7_match.c - name patterns and path globs: pattern and subject are
 * the input cut at its first NUL. A pattern without '*' matches itself.
 */
#include <string.h>

#include "fuzz_split.h"
#include "l7_match.h"

static char pat[4096], subj[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t pl, sl;

	if (!nul)
		return 0;
	pl = nul - data;
	sl = size - pl - 1;
	if (pl >= sizeof(pat) || sl >= sizeof(subj))
		return 0;
	memcpy(pat, data, pl);
	pat[pl] = '\0';
	memcpy(subj, nul + 1, sl);
	subj[sl] = '\0';

	fg_l7_name_pattern_check(pat);
	fg_l7_path_pattern_check(pat);
	fg_l7_name_match(pat, subj, sl);
	if (pl < 512 && sl < 512)
		fg_l7_path_match(pat, subj, sl);
	if (!strchr(pat, '*')) {
		FUZZ_CHECK(fg_l7_path_match(pat, pat, pl));
		if (pl && pat[0] != '.' && !fg_l7_name_pattern_check(pat))
			FUZZ_CHECK(fg_l7_name_match(pat, pat, pl));
	}
	{
		const char *m[] = { "GET", pat };

		fg_l7_method_match(m, 2, subj, sl);
	}
	return 0;
}
