/*
 * test_printtype.c - print()'s typed dump (libdtrace/printtype.c) from a
 * BTF built here: the struct of Oracle DTrace's print test (an int, a
 * char[5], a union, a struct, a bool-sized int and an enum), printed in
 * their layout; zero members left out, arrays always shown, printsize
 * cutting with "..." before the pending closing lines.
 */
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

struct test_struct {
	int a;
	char b[5];
	union { uint8_t c; uint64_t d; } u;
	struct { void *e; uint64_t f; } s;
	uint8_t g;
	int h;
};

static struct btf *btf;
static int sid;

static void build(void)
{
	btf = btf__new_empty();
	cr_assert(btf != NULL);
	int t_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	int t_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	int t_u8 = btf__add_int(btf, "unsigned char", 1, 0);
	int t_u64 = btf__add_int(btf, "long long unsigned int", 8, 0);
	int t__u8 = btf__add_typedef(btf, "__u8", t_u8);
	int t__u64 = btf__add_typedef(btf, "__u64", t_u64);
	int t_vp = btf__add_ptr(btf, 0);
	int t_arr = btf__add_array(btf, t_int, t_char, 5);
	int t_enum = btf__add_enum(btf, "eh", 4);
	btf__add_enum_value(btf, "FIRSTVAL", 0);
	btf__add_enum_value(btf, "SECONDVAL", 1);
	int t_un = btf__add_union(btf, NULL, 8);
	btf__add_field(btf, "c", t__u8, 0, 0);
	btf__add_field(btf, "d", t__u64, 0, 0);
	int t_st = btf__add_struct(btf, NULL, 16);
	btf__add_field(btf, "e", t_vp, 0, 0);
	btf__add_field(btf, "f", t__u64, 64, 0);
	sid = btf__add_struct(btf, "test_struct", sizeof(struct test_struct));
	btf__add_field(btf, "a", t_int, 0, 0);
	btf__add_field(btf, "b", t_arr, 32, 0);
	btf__add_field(btf, "u", t_un, 128, 0);
	btf__add_field(btf, "s", t_st, 192, 0);
	btf__add_field(btf, "g", t__u8, 320, 0);
	btf__add_field(btf, "h", t_enum, 352, 0);
	cr_assert(sid > 0);
}

static void destroy(void)
{
	btf__free(btf);
}

static char *show(const struct test_struct *t, size_t printsize)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	cr_assert(f != NULL);
	cr_assert_eq(dt_print_btf(f, btf, (uint32_t)sid, 0xffff888012345678,
				  t, sizeof(*t), printsize), 0);
	fclose(f);
	return s;
}

#define I "                                            "	/* 44 */

TestSuite(printtype, .init = build, .fini = destroy);

Test(printtype, full)
{
	struct test_struct t = { .a = 1, .b = "test", .g = 1, .h = 1 };
	t.u.d = 123456789;
	t.s.e = (void *)0xffff9b7aca7e0000;
	t.s.f = 987654321;
	char *s = show(&t, 8192);
	cr_assert_str_eq(s,
		"0xffff888012345678 = *\n"
		I "(struct test_struct) {\n"
		I " .a = (int)1,\n"
		I " .b = (char [5]) [\n"
		I "  (char)'t',\n"
		I "  (char)'e',\n"
		I "  (char)'s',\n"
		I "  (char)'t',\n"
		I " ],\n"
		I " .u = (union) {\n"
		I "  .c = (__u8)21,\n"
		I "  .d = (__u64)123456789,\n"
		I " },\n"
		I " .s = (struct) {\n"
		I "  .e = (void *)0xffff9b7aca7e0000,\n"
		I "  .f = (__u64)987654321,\n"
		I " },\n"
		I " .g = (__u8)1,\n"
		I " .h = (enum eh)SECONDVAL,\n"
		I "}\n");
	free(s);
}

Test(printtype, zeroes_left_out)
{
	struct test_struct t = { .g = 1 };
	char *s = show(&t, 8192);
	cr_assert_str_eq(s,
		"0xffff888012345678 = *\n"
		I "(struct test_struct) {\n"
		I " .b = (char [5]) [\n"
		I " ],\n"
		I " .g = (__u8)1,\n"
		I "}\n");
	free(s);
}

Test(printtype, printsize_cuts)
{
	struct test_struct t = { .a = 1, .b = "test", .g = 1, .h = 1 };
	t.u.d = 12345678;
	t.s.f = 100;
	char *s = show(&t, 8);
	cr_assert_str_eq(s,
		"0xffff888012345678 = *\n"
		I "(struct test_struct) {\n"
		I " .a = (int)1,\n"
		I " .b = (char [5]) [\n"
		I "  (char)'t',\n"
		I "  (char)'e',\n"
		I "  (char)'s',\n"
		I "  (char)'t',\n"
		I " ],\n"
		I " ...\n"
		I "}\n");
	free(s);
	s = show(&t, 24);	/* "..." before the union's closing line */
	cr_assert_str_eq(s,
		"0xffff888012345678 = *\n"
		I "(struct test_struct) {\n"
		I " .a = (int)1,\n"
		I " .b = (char [5]) [\n"
		I "  (char)'t',\n"
		I "  (char)'e',\n"
		I "  (char)'s',\n"
		I "  (char)'t',\n"
		I " ],\n"
		I " .u = (union) {\n"
		I "  .c = (__u8)78,\n"
		I "  .d = (__u64)12345678,\n"
		I " ...\n"
		I " },\n"
		I "}\n");
	free(s);
}
