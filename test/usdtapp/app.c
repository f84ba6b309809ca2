/*
 * app.c - the sample application the usdt tests build with dtrace -h
 * and -G and trace: two queries, each probe's arguments of several
 * types, and whether a tracer holds query-start (_ENABLED()), written to
 * the file named by argv[1] (or stdout).
 */
#include <stdio.h>
#include "app.h"
int main(int argc, char **argv)
{
	FILE *out = argc > 1 ? fopen(argv[1], "w") : stdout;
	int enabled = 0;

	for (int i = 0; i < 2; i++) {
		char q[32];	/* on the stack: resident when the probe reads it */

		snprintf(q, sizeof(q), "query %d", i + 1);
		if (APP_QUERY_START_ENABLED())
			enabled++;
		APP_QUERY_START(q, -i - 1, 300 + i);	/* 300 -> 44 */
		APP_QUERY_DONE(i ? -2L : 7L);
	}
	fprintf(out, "enabled %d, unused enabled %d\n", enabled,
		(int)APP_UNUSED_ENABLED());
	return 0;
}
