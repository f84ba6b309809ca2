/*
 * test_pid_usdt.c - the usdt provider's pure parts: SDT argument strings
 * (every operand form, sizes and signs, what is refused), provider names
 * with a pid, probe names, and reading our own SDT note back (an asm note
 * in this file, with a semaphore) through uelf.c, offsets included.
 */
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <asm/ptrace.h>
#include <criterion/criterion.h>

#include "provider.h"

#define OFF(r) ((int)offsetof(struct pt_regs, r))

static int parse(const char *s, dt_usdt_arg_t *argv, char *bad)
{
	return dt_usdt_parse_args(s, argv, 12, bad, 128);
}

Test(usdt_args, registers)
{
	dt_usdt_arg_t a[12];
	char bad[128];

	cr_assert_eq(parse("8@%rbp -4@%eax 2@%r12w -1@%r15b 1@%ah 8@%rsp",
			   a, bad), 6, "%s", bad);
	cr_assert_eq(a[0].kind, DT_UA_REG);
	cr_assert_eq(a[0].base, OFF(rbp));
	cr_assert_eq(a[0].size, 8);
	cr_assert(!a[0].is_signed);
	cr_assert_eq(a[1].base, OFF(rax));
	cr_assert_eq(a[1].size, 4);
	cr_assert(a[1].is_signed);
	cr_assert_eq(a[2].base, OFF(r12));
	cr_assert_eq(a[3].base, OFF(r15));
	cr_assert(a[3].is_signed);
	cr_assert_eq(a[4].base, OFF(rax));
	cr_assert_eq(a[4].shift, 8);
	cr_assert_eq(a[5].base, OFF(rsp));
	cr_assert_eq(a[5].shift, 0);
}

Test(usdt_args, memory_and_immediates)
{
	dt_usdt_arg_t a[12];
	char bad[128];

	cr_assert_eq(parse(" -4@112(%rsp)  8@(%rdi) 8@-0x10(%rbx,%rcx,8) "
			   "4@(,%rdx,4) 4@$200 -8@$-1 2@$0x10 ", a, bad), 7,
		     "%s", bad);
	cr_assert_eq(a[0].kind, DT_UA_MEM);
	cr_assert_eq(a[0].base, OFF(rsp));
	cr_assert_eq(a[0].index, -1);
	cr_assert_eq(a[0].val, 112);
	cr_assert_eq(a[1].val, 0);
	cr_assert_eq(a[1].base, OFF(rdi));
	cr_assert_eq(a[2].val, -16);
	cr_assert_eq(a[2].base, OFF(rbx));
	cr_assert_eq(a[2].index, OFF(rcx));
	cr_assert_eq(a[2].scale, 8);
	cr_assert_eq(a[3].base, -1);
	cr_assert_eq(a[3].index, OFF(rdx));
	cr_assert_eq(a[3].scale, 4);
	cr_assert_eq(a[4].kind, DT_UA_IMM);
	cr_assert_eq(a[4].val, 200);
	cr_assert_eq(a[5].val, -1);
	cr_assert(a[5].is_signed);
	cr_assert_eq(a[6].val, 16);
	cr_assert_eq(parse("", a, bad), 0);
}

Test(usdt_args, refused)
{
	static const char *const bads[] = {
		"8@sym(%rip)", "8@%fs:8", "3@%rax", "8@%xmm0", "8@%rax,",
		"8@(%rax,%rbx,3)", "8@(%ah)", "rax", "8@",
	};
	dt_usdt_arg_t a[12];
	char bad[128];

	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		cr_assert_eq(parse(bads[i], a, bad), -1, "%s", bads[i]);
	cr_assert_eq(parse("8@%rax 8@sym(%rip)", a, bad), -1);
	cr_assert_str_eq(bad, "argument 1's location \"8@sym(%rip)\" is not "
			 "supported");
	cr_assert_eq(dt_usdt_parse_args("1@%al 1@%bl", a, 1, bad, 128), -1);
	cr_assert_str_eq(bad, "more than 1 arguments");
}

Test(usdt_names, provider_and_probe)
{
	char name[64];

	cr_assert_eq(dt_usdt_split("python1234", name, sizeof(name)), 1234);
	cr_assert_str_eq(name, "python");
	cr_assert_eq(dt_usdt_split("my_prov2x7", name, sizeof(name)), 7);
	cr_assert_str_eq(name, "my_prov2x");
	cr_assert_eq(dt_usdt_split("pid1234", name, sizeof(name)), -1);
	cr_assert_eq(dt_usdt_split("python", name, sizeof(name)), -1);
	cr_assert_eq(dt_usdt_split("1234", name, sizeof(name)), -1);
	cr_assert_eq(dt_usdt_split("python*", name, sizeof(name)), -1);
	cr_assert_eq(dt_usdt_split("py*1234", name, sizeof(name)), -1);
	cr_assert_eq(dt_usdt_split("python0123", name, sizeof(name)), -1);
	dt_usdt_probename("function__entry", name, sizeof(name));
	cr_assert_str_eq(name, "function-entry");
	dt_usdt_probename("a__b__c_d", name, sizeof(name));
	cr_assert_str_eq(name, "a-b-c_d");
	dt_usdt_probename("x___y", name, sizeof(name));
	cr_assert_str_eq(name, "x-_y");
}

/* A note of our own: "utest:here", one argument, with a semaphore. */
__asm__(".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n"
	".weak _.stapsdt.base\n.hidden _.stapsdt.base\n"
	"_.stapsdt.base: .space 1\n.size _.stapsdt.base, 1\n.popsection\n");
unsigned short utest_here_semaphore __attribute__((section(".probes"), used));
void utest_probe_site(long v);
__attribute__((noipa, used)) void utest_probe_site(long v)
{
	__asm__ __volatile__("990: nop\n"
		".pushsection .note.stapsdt,\"\",\"note\"\n.balign 4\n"
		".4byte 992f-991f, 994f-993f, 3\n991: .asciz \"stapsdt\"\n"
		"992: .balign 4\n993: .8byte 990b\n.8byte _.stapsdt.base\n"
		".8byte utest_here_semaphore\n.asciz \"utest\"\n"
		".asciz \"here\"\n.asciz \"-8@%0\"\n994: .balign 4\n"
		".popsection\n" :: "r"(v));
}

Test(usdt_notes, our_own)
{
	dtrace_hdl_t *dtp = dtrace_open();
	dt_uobj_t *objs;
	dt_usyms_t syms;
	const dt_unote_t *n = NULL;
	int nobj = dt_uproc_objs(dtp, getpid(), &objs), exe = -1;

	cr_assert_gt(nobj, 0);
	for (int i = 0; i < nobj; i++)
		if (objs[i].is_exe)
			exe = i;
	cr_assert_geq(exe, 0);
	cr_assert_eq(dt_usyms_read(dtp, objs[exe].path, &syms), 0);
	for (size_t i = 0; i < syms.nnotes; i++)
		if (strcmp(syms.notes[i].prov, "utest") == 0)
			n = &syms.notes[i];
	cr_assert_not_null(n);
	cr_assert_str_eq(n->name, "here");
	cr_assert_eq(strncmp(n->args, "-8@%r", 5), 0, "%s", n->args);
	cr_assert_str_eq(dt_usyms_at(&syms, n->pc)->name, "utest_probe_site");
	/* the semaphore's file offset is where the process has it: in a
	   writable mapping of the executable at base + its address, and the
	   probe's offset is a nop (0x90) in the file */
	cr_assert_eq(objs[exe].base + n->pc >=
		     (uint64_t)(uintptr_t)utest_probe_site, true);
	cr_assert_neq(n->sem_off, 0);
	cr_assert_lt(objs[exe].base + n->pc -
		     (uint64_t)(uintptr_t)utest_probe_site, 64);
	cr_assert_eq(*(unsigned char *)(uintptr_t)(objs[exe].base + n->pc),
		     0x90);
	dt_usyms_free(&syms);
	dt_uproc_objs_free(objs, (size_t)nobj);
	dtrace_close(dtp);
}
