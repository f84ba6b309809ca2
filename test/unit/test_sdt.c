/*
 * test_sdt.c - tracepoint format files (providers/tpformat.c) and the sdt
 * provider's names.
 *
 * Without root: format texts parsed into fields (kinds, offsets, sizes,
 * signedness, DTrace's type names).  With root (the others skip): every
 * format file of the running kernel parses, and sched_process_exec has the
 * fields the sdt and proc tests rely on.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "provider.h"

static const char exec_format[] =
	"name: sched_process_exec\n"
	"ID: 365\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;"
	"\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:char comm[16];\toffset:16;\tsize:16;\tsigned:0;\n"
	"\tfield:const char * name;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:__rel_loc u8[] buf;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long long  x;\toffset:48;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"filename=%s\", __get_str(filename)\n";

Test(tpformat, fields)
{
	dt_tpformat_t f;

	cr_assert_eq(dt_tpformat_parse(exec_format, &f), 0);
	cr_assert_eq(f.id, 365);
	cr_assert_eq(f.nfields, 6);
	cr_assert_eq(f.fields[0].kind, DT_TF_DATALOC);
	cr_assert_str_eq(f.fields[0].type, "char[]");
	cr_assert_eq(f.fields[0].off, 8);
	cr_assert_eq(f.fields[1].kind, DT_TF_INT);
	cr_assert(f.fields[1].is_signed);
	cr_assert_eq(f.fields[1].size, 4);
	cr_assert_str_eq(f.fields[1].type, "pid_t");
	cr_assert_eq(f.fields[2].kind, DT_TF_ADDR);
	cr_assert_str_eq(f.fields[2].type, "char[16]");
	cr_assert_eq(f.fields[3].kind, DT_TF_INT);
	cr_assert(!f.fields[3].is_signed);
	cr_assert_str_eq(f.fields[3].type, "const char *");
	cr_assert_eq(f.fields[4].kind, DT_TF_RELLOC);
	cr_assert_str_eq(f.fields[4].type, "u8[]");
	cr_assert_str_eq(f.fields[5].type, "unsigned long long");
	cr_assert_eq(f.fields[5].off, 48);
}

Test(tpformat, odd_sizes_are_addresses)
{
	dt_tpformat_t f;
	const char *text = "ID: 7\nformat:\n"
		"\tfield:struct foo s;\toffset:8;\tsize:12;\tsigned:0;\n"
		"\tfield:u8 buf[];\toffset:20;\tsize:0;\tsigned:0;\n";

	cr_assert_eq(dt_tpformat_parse(text, &f), 0);
	cr_assert_eq(f.id, 7);
	cr_assert_eq(f.nfields, 2);
	cr_assert_eq(f.fields[0].kind, DT_TF_ADDR);
	cr_assert_str_eq(f.fields[0].type, "struct foo");
	cr_assert_eq(f.fields[1].kind, DT_TF_ADDR);
	cr_assert_str_eq(f.fields[1].type, "u8[]");
}

Test(tpformat, malformed)
{
	dt_tpformat_t f;

	cr_assert_eq(dt_tpformat_parse("name: x\nformat:\n", &f), -1);
	cr_assert_eq(dt_tpformat_parse("ID: 3\n\tfield:int x offset:8;\n", &f),
		     -1);
}

Test(tpformat, many_fields_counted)
{
	char *text = malloc(100 * 64 + 16);
	size_t n = (size_t)sprintf(text, "ID: 9\n");
	dt_tpformat_t f;

	for (int i = 0; i < 100; i++)
		n += (size_t)sprintf(text + n, "\tfield:int f%d;\toffset:%d;"
				     "\tsize:4;\tsigned:1;\n", i, 8 + 4 * i);
	cr_assert_eq(dt_tpformat_parse(text, &f), 0);
	cr_assert_eq(f.nfields, 100);
	cr_assert_eq(f.fields[DT_TP_MAX_FIELDS - 1].off,
		     8 + 4 * (DT_TP_MAX_FIELDS - 1));
	free(text);
}

/* Every format file of the running kernel parses (root: tracefs). */
Test(tpformat, live_kernel)
{
	const char *base = "/sys/kernel/tracing/events";
	const char *tfs = "/sys/kernel/tracing";
	dt_tpformat_t *f = malloc(sizeof(*f));
	struct dirent *g, *e;
	DIR *gd = opendir(base);
	int n = 0;

	if (gd == NULL || access("/sys/kernel/tracing/events/sched", F_OK) != 0)
		cr_skip_test("tracefs is not mounted (or not root)");
	while ((g = readdir(gd)) != NULL) {
		char path[512];
		DIR *ed;

		if (g->d_name[0] == '.' || g->d_type != DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, g->d_name);
		if ((ed = opendir(path)) == NULL)
			continue;
		while ((e = readdir(ed)) != NULL) {
			if (e->d_name[0] == '.' || e->d_type != DT_DIR)
				continue;
			cr_expect_eq(dt_tpformat_read(tfs, g->d_name,
						      e->d_name, f), 0,
				     "%s/%s", g->d_name, e->d_name);
			n++;
		}
		closedir(ed);
	}
	closedir(gd);
	cr_assert_gt(n, 100);
	cr_assert_eq(dt_tpformat_read(tfs, "sched", "sched_process_exec",
				      f), 0);
	cr_assert_eq(f->fields[0].kind, DT_TF_DATALOC);
	cr_assert_str_eq(f->fields[1].type, "pid_t");
	cr_assert_eq(dt_tpformat_read(tfs, "sched", "no_such_event", f), -1);
	free(f);
}
