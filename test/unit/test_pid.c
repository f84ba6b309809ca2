/*
 * test_pid.c - the pid provider's names and populate, and uelf.c: maps
 * lines, file offsets through PT_LOAD, function symbols and objects of a
 * live process (this test itself), and the -c handshake (a traced child of
 * ours run to its entry point, after which its libc is mapped).  No root
 * needed: nothing is attached here (the e2e tests tst.pidprov-* do that).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "provider.h"

/* A function of our own to find (noipa: a real, whole function). */
long test_pid_target(long a);
__attribute__((noipa, used)) long test_pid_target(long a)
{
	return a * 3 + 1;
}

Test(pid_names, provider_pid)
{
	cr_assert_eq(dt_pid_of("pid1234"), 1234);
	cr_assert_eq(dt_pid_of("pid1"), 1);
	cr_assert_eq(dt_pid_of("pid"), -1);
	cr_assert_eq(dt_pid_of("pid*"), -1);
	cr_assert_eq(dt_pid_of("pid12x"), -1);
	cr_assert_eq(dt_pid_of("pid0"), -1);
	cr_assert_eq(dt_pid_of("pid99999999999"), -1);
	cr_assert_eq(dt_pid_of("syscall"), -1);
	cr_assert_eq(dt_pid_of("python123"), -1);
}

Test(pid_names, offsets)
{
	uint64_t off = 99;

	cr_assert_eq(dt_pid_offset_of("1c", &off), 0);
	cr_assert_eq(off, 0x1c);
	cr_assert_eq(dt_pid_offset_of("0", &off), 0);
	cr_assert_eq(off, 0);
	cr_assert_eq(dt_pid_offset_of("ffffffffffffffff", &off), 0);
	cr_assert_eq(off, UINT64_MAX);
	cr_assert_eq(dt_pid_offset_of("01c", &off), -1);	/* not canonical */
	cr_assert_eq(dt_pid_offset_of("1C", &off), -1);
	cr_assert_eq(dt_pid_offset_of("0x1c", &off), -1);
	cr_assert_eq(dt_pid_offset_of("entry", &off), -1);
	cr_assert_eq(dt_pid_offset_of("", &off), -1);
	cr_assert_eq(dt_pid_offset_of("10000000000000000", &off), -1);
}

Test(uelf, parse_map)
{
	dt_umap_t m;
	const char *l = "7f12a0000000-7f12a0028000 r-xp 00028000 fd:01 1234567 "
			"          /usr/lib/x86_64-linux-gnu/libc.so.6\n";

	cr_assert_eq(dt_uproc_parse_map(l, &m), 0);
	cr_assert_eq(m.start, 0x7f12a0000000);
	cr_assert_eq(m.end, 0x7f12a0028000);
	cr_assert_eq(m.off, 0x28000);
	cr_assert_eq(m.dev, makedev(0xfd, 1));
	cr_assert_eq(m.ino, 1234567);
	cr_assert_str_eq(m.perms, "r-xp");
	cr_assert_eq(m.pathlen, strlen("/usr/lib/x86_64-linux-gnu/libc.so.6"));
	cr_assert_eq(strncmp(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6",
			     m.pathlen), 0);
	cr_assert_eq(dt_uproc_parse_map("7ffd1000-7ffd2000 rw-p 00000000 "
					"00:00 0 \n", &m), 0);
	cr_assert_eq(m.ino, 0);
	cr_assert_eq(m.pathlen, 0);
	cr_assert_eq(dt_uproc_parse_map("garbage\n", &m), -1);
}

Test(uelf, file_offsets)
{
	Elf64_Phdr ph[3] = {
		{ .p_type = PT_LOAD, .p_offset = 0, .p_vaddr = 0,
		  .p_filesz = 0x1000 },
		{ .p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = 0x201000,
		  .p_filesz = 0x800 },
		{ .p_type = PT_DYNAMIC, .p_offset = 0x1000, .p_vaddr = 0x5000,
		  .p_filesz = 0x100 },
	};
	uint64_t off;

	cr_assert_eq(dt_uelf_off(ph, 3, 0x10, &off), 0);
	cr_assert_eq(off, 0x10);
	cr_assert_eq(dt_uelf_off(ph, 3, 0x201234, &off), 0);
	cr_assert_eq(off, 0x1234);
	cr_assert_eq(dt_uelf_off(ph, 3, 0x201800, &off), -1);	/* past filesz */
	cr_assert_eq(dt_uelf_off(ph, 3, 0x5010, &off), -1);	/* not PT_LOAD */
}

/* Our own objects: the executable is marked, and test_pid_target's
   symbol plus our load address is its address. */
Test(uelf, self)
{
	dtrace_hdl_t *dtp = dtrace_open();
	dt_uobj_t *objs;
	dt_usyms_t syms;
	int n = dt_uproc_objs(dtp, getpid(), &objs), exe = -1;
	const dt_usym_t *s = NULL;

	cr_assert_gt(n, 1, "%s", dtrace_errmsg(dtp));
	for (int i = 0; i < n; i++)
		if (objs[i].is_exe)
			exe = i;
	cr_assert_geq(exe, 0);
	cr_assert_str_eq(objs[exe].attach, objs[exe].path);
	cr_assert_eq(dt_usyms_read(dtp, objs[exe].path, &syms), 0);
	for (size_t i = 0; i < syms.n; i++) {
		if (i > 0)
			cr_assert_leq(syms.v[i - 1].value, syms.v[i].value);
		if (strcmp(syms.v[i].name, "test_pid_target") == 0) {
			cr_assert_null(s, "one entry per (address, name)");
			s = &syms.v[i];
		}
	}
	cr_assert_not_null(s);
	cr_assert_eq(objs[exe].base + s->value,
		     (uint64_t)(uintptr_t)test_pid_target);
	cr_assert_gt(s->size, 0);
	dt_usyms_free(&syms);
	dt_uproc_objs_free(objs, (size_t)n);
	dtrace_close(dtp);
}

Test(uelf, not_elf)
{
	dtrace_hdl_t *dtp = dtrace_open();
	dt_usyms_t syms;

	cr_assert_eq(dt_usyms_read(dtp, "/proc/self/status", &syms), 0);
	cr_assert_eq(syms.n, 0);
	dt_usyms_free(&syms);
	cr_assert_eq(dt_usyms_read(dtp, "/no/such/file", &syms), -1);
	dtrace_close(dtp);
}

/* Populate on ourselves: probes named as DTrace does, a.out resolved. */
Test(pid_prov, populate_self)
{
	dtrace_hdl_t *dtp = dtrace_open();
	char prov[32];
	dt_pdesc_t pd;
	int n;

	snprintf(prov, sizeof(prov), "pid%d", (int)getpid());
	snprintf(pd.prov, sizeof(pd.prov), "%s", prov);
	snprintf(pd.mod, sizeof(pd.mod), "a.out");
	snprintf(pd.func, sizeof(pd.func), "test_pid_targe?");
	snprintf(pd.name, sizeof(pd.name), "*t*");	/* no hex offset */
	cr_assert_eq(dt_prov_pid.resolve(dtp, &pd), 0);
	cr_assert_str_neq(pd.mod, "a.out");
	n = dt_probe_iter(dtp, &pd, NULL, NULL);
	cr_assert_eq(n, 2, "entry and return: %d", n);
	snprintf(pd.name, sizeof(pd.name), "1");
	cr_assert_eq(dt_probe_iter(dtp, &pd, NULL, NULL), 1, "an offset in "
		     "every function a glob matches");
	snprintf(pd.func, sizeof(pd.func), "test_pid_target");
	cr_assert_eq(dt_probe_iter(dtp, &pd, NULL, NULL), 1, "the same");
	snprintf(pd.name, sizeof(pd.name), "100000");
	cr_assert_eq(dt_probe_iter(dtp, &pd, NULL, NULL), 0, "past the end");
	cr_assert_eq(dtp->nprobes, 7, "ids 4, 5, 6");
	for (size_t id = 4; id < dtp->nprobes; id++) {
		static const char *const names[] = { "entry", "return", "1" };
		dt_probe_t *p = dt_probe_by_id(dtp, (uint32_t)id);

		cr_assert_str_eq(p->name, names[id - 4]);
		cr_assert_str_eq(p->prov, prov);
		cr_assert_str_eq(p->mod, pd.mod);
		cr_assert_str_eq(p->func, "test_pid_target");
		cr_assert_eq(p->ops->kind(p), (int)id - 4);
	}
	pd.name[0] = '\0';	/* entry, return and every instruction */
	n = dt_probe_iter(dtp, &pd, NULL, NULL);
	cr_assert_gt(n, 4, "instructions too: %d", n);
	snprintf(pd.name, sizeof(pd.name), "0");
	cr_assert_eq(dt_probe_iter(dtp, &pd, NULL, NULL), 1, "offset 0");
	dtrace_close(dtp);
}

static bool maps_libc(dtrace_hdl_t *dtp, pid_t pid)
{
	dt_uobj_t *objs;
	int n = dt_uproc_objs(dtp, pid, &objs);
	bool found = false;

	cr_assert_geq(n, 0, "%s", dtrace_errmsg(dtp));
	for (int i = 0; i < n; i++)
		found |= strcmp(objs[i].name, "libc.so.6") == 0;
	dt_uproc_objs_free(objs, (size_t)n);
	return found;
}

/* The -c handshake: a child stopped by ptrace right after its exec has no
   libc yet; dt_uproc_ready runs it to its entry point, where it has. */
Test(pid_prov, ready_runs_to_entry)
{
	dtrace_hdl_t *dtp = dtrace_open();
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	cr_assert_gt(pid, 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP);
	cr_assert(!maps_libc(dtp, pid), "libc before ld.so ran");
	cr_assert_eq(dt_uproc_ready(dtp, pid), 0, "%s", dtrace_errmsg(dtp));
	cr_assert(maps_libc(dtp, pid), "libc at the entry point");
	cr_assert_eq(dt_uproc_ready(dtp, pid), 0, "twice is harmless");
	/* released, it runs to its end normally */
	cr_assert_eq(ptrace(PTRACE_DETACH, pid, NULL, NULL), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	dtrace_close(dtp);
}

/* x86len.c: instruction lengths, checked against the assembler's. */
static int insn_len(const char *hex)
{
	uint8_t b[32] = { 0 };
	size_t n = 0;
	unsigned v;
	int k;

	while (n < sizeof(b) && sscanf(hex, "%2x%n", &v, &k) == 1) {
		b[n++] = (uint8_t)v;
		hex += k;
		while (*hex == ' ')
			hex++;
	}
	return dt_x86_insn_len(b, n);
}

Test(pid_x86, lengths)
{
	cr_assert_eq(insn_len("55"), 1);			/* push %rbp */
	cr_assert_eq(insn_len("48 89 e5"), 3);			/* mov */
	cr_assert_eq(insn_len("f3 0f 1e fa"), 4);		/* endbr64 */
	cr_assert_eq(insn_len("48 b8 88 77 66 55 44 33 22 11"), 10);
	cr_assert_eq(insn_len("66 b8 34 12"), 4);		/* mov $,%ax */
	cr_assert_eq(insn_len("b8 78 56 34 12"), 5);
	cr_assert_eq(insn_len("81 05 b8 2e 00 00 a0 86 01 00"), 10);
	cr_assert_eq(insn_len("48 8b 04 25 10 00 00 00"), 8);	/* SIB, no base */
	cr_assert_eq(insn_len("48 8d 44 24 08"), 5);		/* SIB disp8 */
	cr_assert_eq(insn_len("f6 c7 01"), 3);			/* test ib */
	cr_assert_eq(insn_len("f7 c7 01 00 00 00"), 6);		/* test iz */
	cr_assert_eq(insn_len("f7 df"), 2);			/* neg */
	cr_assert_eq(insn_len("66 66 48 e8 b1 3a ff ff"), 8);	/* TLS call */
	cr_assert_eq(insn_len("0f 84 10 00 00 00"), 6);		/* jcc rel32 */
	cr_assert_eq(insn_len("c2 08 00"), 3);			/* ret $8 */
	cr_assert_eq(insn_len("c8 10 00 01"), 4);		/* enter */
	cr_assert_eq(insn_len("a1 00 00 00 00 00 00 00 00"), 9);	/* moffs */
	cr_assert_eq(insn_len("66 0f 3a 0f c1 08"), 6);		/* palignr */
	cr_assert_eq(insn_len("66 0f 38 00 c1"), 5);		/* pshufb */
	cr_assert_eq(insn_len("c5 f9 6f c0"), 4);		/* vmovdqa */
	cr_assert_eq(insn_len("c4 e3 79 0f c1 08"), 6);		/* vpalignr */
	cr_assert_eq(insn_len("c5 f8 77"), 3);			/* vzeroupper */
	cr_assert_eq(insn_len("62 f1 fd 48 6f 44 24 01"), 8);	/* EVEX */
	cr_assert_eq(insn_len("d9 7c 24 02"), 4);		/* fnstcw */
	cr_assert_eq(insn_len("06"), -1);			/* push %es */
	cr_assert_eq(insn_len("0f 0f c1 b4"), -1);		/* 3DNow! */
	cr_assert_eq(insn_len("48 8b"), -1);			/* cut short */
	cr_assert_eq(insn_len("66 66 66 66 66 66 66 66 66 66 66 66 66 66 90"),
		     15);
	cr_assert_eq(insn_len("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90"),
		     -1);						/* > 15 */
}

Test(pid_x86, uprobe_ok)
{
	cr_assert(dt_x86_uprobe_ok((const uint8_t *)"\x55", 1));
	cr_assert(dt_x86_uprobe_ok((const uint8_t *)"\x64\x48\x8b\x04\x25", 5));
	cr_assert(!dt_x86_uprobe_ok((const uint8_t *)"\xf0\xff\x05", 3));
	cr_assert(!dt_x86_uprobe_ok((const uint8_t *)"\x3e\xff\xe0", 3));
	cr_assert(!dt_x86_uprobe_ok((const uint8_t *)"\xc5\xf9\x6f\xc0", 4));
	cr_assert(!dt_x86_uprobe_ok((const uint8_t *)"\xcc", 1));
}
