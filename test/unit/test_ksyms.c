/*
 * test_ksyms.c - kallsyms parsing and lookups (ksyms.c), from text given
 * here: text symbols only, modules from the [module] column, hidden (zero)
 * addresses dropped, the last symbol at or below an address.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "libdtrace.h"

static const char kallsyms[] =
	"0000000000000000 A fixed_percpu_data\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81001000 T do_syscall_64\n"
	"ffffffff81000800 t helper_local\n"
	"ffffffff82000000 D some_data\n"
	"ffffffff81002000 W weak_fn\n"
	"ffffffff81003000 t __do_sys_getppid\n"
	"ffffffff81003000 T __ia32_sys_getppid\n"
	"ffffffff81003000 T __x64_sys_getppid\n"
	"ffffffffc0001000 t ext4_read\t[ext4]\n"
	"ffffffffc0000800 t ext4_init\t[ext4]\n"
	"ffffffffc0100000 T xfs_write\t[xfs]\n"
	"ffffffffc0200000 t bpf_prog_6deef7357e7b4530_dt_syscall_0\t[bpf]\n";

static dt_ksyms_t *parse(const char *text)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	dt_ksyms_t *ks = dt_ksyms_read(fp);

	fclose(fp);
	return ks;
}

Test(ksyms, vmlinux_functions)
{
	dt_ksyms_t *ks = parse(kallsyms);
	dt_symres_t r;

	cr_assert(dt_ksyms_lookup(ks, 0xffffffff8100105aull, &r));
	cr_assert_str_eq(r.mod, "vmlinux");
	cr_assert_str_eq(r.name, "do_syscall_64");
	cr_assert_eq(r.off, 0x5a);
	cr_assert_eq(r.base, 0xffffffff81000000ull);
	cr_assert(dt_ksyms_lookup(ks, 0xffffffff81000800ull, &r));
	cr_assert_str_eq(r.name, "helper_local");	/* sorted, local too */
	cr_assert_eq(r.off, 0);
	cr_assert(dt_ksyms_lookup(ks, 0xffffffff81002010ull, &r));
	cr_assert_str_eq(r.name, "weak_fn");
	cr_assert(dt_ksyms_lookup(ks, 0xffffffff81003001ull, &r));
	cr_assert_str_eq(r.name, "__do_sys_getppid");	/* aliases: first */
	cr_assert_eq(r.off, 1);
	dt_ksyms_free(ks);
}

Test(ksyms, modules)
{
	dt_ksyms_t *ks = parse(kallsyms);
	dt_symres_t r;

	cr_assert(dt_ksyms_lookup(ks, 0xffffffffc0001004ull, &r));
	cr_assert_str_eq(r.mod, "ext4");
	cr_assert_str_eq(r.name, "ext4_read");
	cr_assert_eq(r.off, 4);
	cr_assert_eq(r.base, 0xffffffffc0000800ull);	/* lowest of ext4 */
	cr_assert(dt_ksyms_lookup(ks, 0xffffffffc0100000ull, &r));
	cr_assert_str_eq(r.mod, "xfs");
	cr_assert_str_eq(r.name, "xfs_write");
	cr_assert(dt_ksyms_lookup(ks, 0xffffffffc0200176ull, &r));
	cr_assert_str_eq(r.mod, "bpf");
	dt_ksyms_free(ks);
}

Test(ksyms, data_and_hidden_dropped)
{
	dt_ksyms_t *ks = parse(kallsyms);
	dt_symres_t r;

	/* some_data is not text: the address belongs to the last function */
	cr_assert(dt_ksyms_lookup(ks, 0xffffffff82000000ull, &r));
	cr_assert_str_eq(r.name, "__do_sys_getppid");
	cr_assert_not(dt_ksyms_lookup(ks, 0xffffffff80000000ull, &r));
	cr_assert_not(dt_ksyms_lookup(ks, 0, &r));
	dt_ksyms_free(ks);
}

Test(ksyms, restricted)
{
	/* kptr_restrict: every address 0, nothing to look up */
	dt_ksyms_t *ks = parse("0000000000000000 T _stext\n"
			       "0000000000000000 T do_syscall_64\n");
	dt_symres_t r;

	cr_assert_not(dt_ksyms_lookup(ks, 0xffffffff81000000ull, &r));
	dt_ksyms_free(ks);
	ks = dt_ksyms_read(NULL);
	cr_assert_not(dt_ksyms_lookup(ks, 1, &r));
	dt_ksyms_free(ks);
}

/* ---- the compiler's side: record and key layouts, errors ---------------- */

#include "tsm.h"

Test(stack_sema, record_layout)
{
	tsm_t t = tsm_sema("BEGIN { trace(1); stack(5); ustack(3); "
			   "usym(arg0); mod(arg1); }");

	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	cr_assert_eq(t.clause.nacts, 5);
	const dl_field_t *s = &t.clause.acts[1].fields[0];
	cr_expect_eq(t.clause.acts[1].kind, DL_ACT_STACK);
	cr_expect_eq(s->kind, DL_F_STACK);
	cr_expect_eq(s->off, 24);		/* 8-aligned after the int */
	cr_expect_eq(s->size, (5 + DL_STACK_EXTRA) * 8);
	const dl_field_t *u = &t.clause.acts[2].fields[0];
	cr_expect_eq(u->kind, DL_F_USTACK);
	cr_expect_eq(u->size, 8 + 3 * 8);	/* pid, 3 pcs */
	cr_expect_eq(t.clause.acts[3].fields[0].kind, DL_F_USYM);
	cr_expect_eq(t.clause.acts[3].fields[0].size, 16);
	cr_expect_eq(t.clause.acts[3].fields[0].symfmt, DL_SYM_SYM);
	cr_expect_eq(t.clause.acts[4].fields[0].kind, DL_F_SYM);
	cr_expect_eq(t.clause.acts[4].fields[0].symfmt, DL_SYM_MOD);
	cr_expect_eq(t.clause.recsize, 24 + 104 + 32 + 16 + 8);
	dl_ctx_destroy(t.cx);
}

Test(stack_sema, default_depths)
{
	tsm_t t = tsm_sema("BEGIN { stack(); ustack(); }");

	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	cr_expect_eq(t.clause.acts[0].fields[0].size,
		     (20 + DL_STACK_EXTRA) * 8);
	cr_expect_eq(t.clause.acts[1].fields[0].size, 8 + 100 * 8);
	dl_ctx_destroy(t.cx);
}

Test(stack_sema, agg_keys)
{
	tsm_t t = tsm_sema("BEGIN { @a[ustack(4), pid, ufunc(arg0)] = "
			   "count(); }");

	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	dl_agg_t *a = dl_agg_find(t.cx->aggs, "a");
	cr_assert_not_null(a);
	cr_assert_eq(a->tup.nkeys, 3);
	cr_expect_eq(a->tup.keys[0].stk, DL_F_USTACK);
	cr_expect_eq(a->tup.keys[0].size, 40);
	cr_expect_eq(a->tup.keys[1].stk, DL_F_INT);
	cr_expect_eq(a->tup.keys[1].off, 40);
	cr_expect_eq(a->tup.keys[2].stk, DL_F_USYM);
	cr_expect_eq(a->tup.keys[2].off, 48);
	cr_expect_eq(a->tup.keysize, 64);
	dl_ctx_destroy(t.cx);
}

Test(stack_sema, errors)
{
	tsm_expect_error("BEGIN { stack(0); }", D_STACK_SIZE, 1, 15);
	tsm_expect_error("BEGIN { stack(arg0); }", D_STACK_SIZE, 1, 15);
	tsm_expect_error("BEGIN { stack(500); }", D_LIMIT, 1, 15);
	tsm_expect_error("BEGIN { ustack(0); }", D_USTACK_FRAMES, 1, 16);
	tsm_expect_error("BEGIN { ustack(1, \"x\"); }", D_PROTO_ARG, 1, 19);
	tsm_expect_error("BEGIN { ustack(1, -1); }", D_USTACK_STRSIZE, 1, 19);
	tsm_expect_error("BEGIN { jstack(0); }", D_USTACK_FRAMES, 1, 16);
	tsm_expect_error("BEGIN { x = func(arg0); }", D_ACT_SPEC, 1, 13);
	tsm_expect_error("BEGIN { sym(\"x\"); }", D_PROTO_ARG, 1, 13);
	tsm_expect_error("BEGIN { @[stack()] = count(); @[ustack()] = "
			 "count(); }", D_PROTO_ARG, 1, 33);
	tsm_expect_error("BEGIN { @[stack()] = count(); printa(\"%d %@d\\n\", "
			 "@); }", D_UNSUPPORTED, 1, 38);
}

/* Every form compiles to BPF the checker accepts: into the record, into
   a key built in scratch, and the variables. */
Test(stack_sema, codegen)
{
	const char *srcs[] = {
		"BEGIN { stack(); ustack(2); sym(arg0); uaddr(arg1); }",
		"BEGIN { @[stack(), ustack(), umod(arg0), 1] = count(); }",
		"BEGIN { @[mod(arg0)] = sum(arg1); }",
		"BEGIN { trace(caller); trace(ucaller); trace(stackdepth); "
		"trace(ustackdepth); }",
	};

	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		cr_expect_gt(tsm_codegen(srcs[i], NULL), 0, "%s", srcs[i]);
}
