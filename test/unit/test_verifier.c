/*
 * test_verifier.c - a verifier rejection names the probe, the clause and
 * its D line (libdtrace/run.c), from the clause every emitted instruction
 * is tagged with (dlang/emit.c).
 *
 * The compiler's programs are meant to always load, so a rejection is
 * forced here by damaging one instruction of the second clause of a
 * compiled program (a read above the frame pointer, which the verifier
 * always refuses) before dtrace_load(): that needs root, the rest does
 * not.
 */
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <string.h>
#include <unistd.h>

#include "libdtrace.h"

#define TVF_LDDW (BPF_LD | BPF_IMM | BPF_DW)

Test(verifier, insn_from_log)
{
	cr_expect_eq(dt_verifier_insn(""), -1);
	cr_expect_eq(dt_verifier_insn("back-edge from insn 7 to 3\n"), -1);
	cr_expect_eq(dt_verifier_insn(
		"0: R1=ctx() R10=fp0\n"
		"0: (bf) r6 = r1                       ; R1=ctx() R6_w=ctx()\n"
		"1: (b7) r0 = 0\n"
		"12: (79) r0 = *(u64 *)(r10 +8)\n"
		"invalid read from stack R10 off=8 size=8\n"
		"processed 13 insns (limit 1000000)\n"), 12);
	/* state lines after the last instruction do not count */
	cr_expect_eq(dt_verifier_insn("3: (95) exit\n4: R0=1\n"), 3);
}

/* The clause tag of every instruction of a two-clause program: the
   prologue and exit 0, then clause 1's, then clause 2's, in layout. */
Test(verifier, instructions_know_their_clause)
{
	dtrace_hdl_t *dtp = dtrace_open();
	dtrace_prog_t *pgp;

	dtp->feat.probed = true;	/* no tracefs needed for BEGIN */
	pgp = dtrace_program_compile(dtp, "BEGIN { x = 1; }\nBEGIN\n/x == 1/"
				     "\n{\n\ttrace(2);\n}", NULL,
				     DTRACE_SPEC_NAME);
	cr_assert_not_null(pgp, "%s", dtrace_errmsg(dtp));
	cr_assert_eq(pgp->nprogs, 1);
	bpf_code_t *code = &pgp->progs[0].code;
	size_t seen[3] = { 0 };
	for (size_t i = 0; i < code->ninsns; i++) {
		cr_assert(code->clause[i] >= 0 && code->clause[i] <= 2);
		seen[code->clause[i]]++;
	}
	cr_expect_gt(seen[0], 0);
	cr_expect_gt(seen[1], 0);
	cr_expect_gt(seen[2], 0);

	char where[512];
	size_t first2 = 0;
	while (code->clause[first2] != 2)
		first2++;
	dt_verifier_where(&pgp->progs[0], (int)first2, where, sizeof(where));
	char want[512];
	snprintf(want, sizeof(want), "for probe dtrace:::BEGIN: clause 2 "
		 "(BEGIN) at line 2 of the -n program, instruction %zu of %zu",
		 first2, code->ninsns);
	cr_expect_str_eq(where, want);
	dt_verifier_where(&pgp->progs[0], -1, where, sizeof(where));
	cr_expect_str_eq(where, "for probe dtrace:::BEGIN: outside its 2 "
			 "clauses (the first at line 1)");
	dtrace_close(dtp);
}

Test(verifier, rejection_names_the_clause)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	dtrace_hdl_t *dtp = dtrace_open();
	dtrace_prog_t *pgp = dtrace_program_compile(
		dtp, "BEGIN { x = 1; }\nBEGIN\n/x == 1/\n{\n\ttrace(2);\n}",
		NULL, DTRACE_SPEC_NAME);
	cr_assert_not_null(pgp, "%s", dtrace_errmsg(dtp));
	bpf_code_t *code = &pgp->progs[0].code;
	size_t i = 0;
	while (i < code->ninsns && (code->clause[i] != 2 ||
	       code->insns[i].code == TVF_LDDW ||
	       (i > 0 && code->insns[i - 1].code == TVF_LDDW)))
		i++;
	cr_assert_lt(i, code->ninsns);
	code->insns[i] = (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_DW,
					    .dst_reg = 0, .src_reg = 10,
					    .off = 8 };
	cr_assert_eq(dtrace_load(dtp), -1);
	char want[256];
	snprintf(want, sizeof(want), "the kernel's verifier rejected dt_dtrace_0"
		 " for probe dtrace:::BEGIN: clause 2 (BEGIN) at line 2 of the "
		 "-n program, instruction %zu of %zu: Permission denied [this "
		 "is a dtrace bug: please report it]\n", i, code->ninsns);
	cr_expect(strncmp(dtrace_errmsg(dtp), want, strlen(want)) == 0,
		  "got: %s", dtrace_errmsg(dtp));
	cr_expect_not_null(strstr(dtrace_errmsg(dtp), "invalid"),
			   "no verifier log: %s", dtrace_errmsg(dtp));
	dtrace_close(dtp);
}
