/*
 * printmem.c - tracemem()'s hex dump, as DTrace lays it out.
 *
 * A heading line naming the 16 byte columns, then one row per 16 bytes:
 * the offset in hex right-aligned in 10 columns and a colon, the bytes
 * as " %02x", padding for a short last row, two spaces and the bytes
 * again as characters ('.' for anything not printable ASCII).  Like
 * DTrace, the dump starts on a new line:
 *
 *                  0  1  2  3 ...  f  0123456789abcdef
 *              0: 68 69 00 ...        hi..
 */
#include <stdint.h>
#include <stdio.h>

#include "libdtrace.h"

int dt_print_memdump(FILE *out, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (fprintf(out, "\n%11s", "") < 0)
		return -1;
	for (int i = 0; i < 16; i++)
		fprintf(out, "  %x", i);
	fprintf(out, "  0123456789abcdef\n");
	for (size_t i = 0; i < n; i += 16) {
		size_t j;
		fprintf(out, "%10zx:", i);
		for (j = i; j < i + 16 && j < n; j++)
			fprintf(out, " %02x", p[j]);
		for (; j < i + 16; j++)
			fputs("   ", out);
		fputs("  ", out);
		for (j = i; j < i + 16 && j < n; j++)
			fputc(p[j] < ' ' || p[j] > '~' ? '.' : p[j], out);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
