/*
 * test_printmem.c - tracemem()'s hex dump (libdtrace/printmem.c): the
 * layout DTrace prints (a new line, the column heading, rows of 16 bytes
 * with their offset, a short last row padded, unprintable bytes as '.').
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

static char *dump(const void *p, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	cr_assert(f != NULL);
	cr_assert_eq(dt_print_memdump(f, p, n), 0);
	fclose(f);
	return s;
}

#define HEAD "\n             0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f" \
	     "  0123456789abcdef\n"

Test(printmem, short_row)
{
	char *s = dump("hi\n", 3);

	cr_assert_str_eq(s, HEAD "         0: 68 69 0a"
			 "                                         hi.\n");
	free(s);
}

Test(printmem, rows)
{
	unsigned char b[33];
	for (int i = 0; i < 33; i++)
		b[i] = (unsigned char)(0x70 + i);
	char *s = dump(b, sizeof(b));

	cr_assert_str_eq(s, HEAD
		"         0: 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d 7e 7f"
		"  pqrstuvwxyz{|}~.\n"
		"        10: 80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f"
		"  ................\n"
		"        20: 90" "                                            "
		"   .\n");
	free(s);
}

Test(printmem, empty)
{
	char *s = dump("", 0);

	cr_assert_str_eq(s, HEAD);
	free(s);
}
