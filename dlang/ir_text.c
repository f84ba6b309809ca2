/*
 * ir_text.c - the IR's text form: ir_print writes it, ir_parse reads it.
 *
 * The form is what `dtrace -S` and `-x ir` show and what the pass tests
 * are written in, so it aims to read like assembly:
 *
 *   function clause0 stage lowered frame 16 {
 *   @b0
 *           %t11 = copy %r1
 *           %t12 = call 14                  # get_current_pid_tgid
 *           %t14 = load4 %t11, 16
 *           store8 %r10, -8, %t13
 *           jnz %t13, @b1, @b2
 *   @b1
 *           ret 0
 *   @b2
 *           jcmp sgt %t14, 5, @b1, @b2
 *   }
 *
 * Operand shapes follow the opcode's flags: loads "base, off", stores
 * "base, off, value", ldmap and call print their .off, everything else
 * its nargs operands.  A jcmp prints its comparison without the leading
 * 'c' (ceq -> eq).  "# ..." to the end of a line is a comment (call lines
 * name the helper).  ir_parse accepts exactly this, so print(parse(print(f)))
 * == print(f); it recomputes ntmp and the constant pool.
 *
 * Requires/produces/invalidates: nothing; reads or builds a function.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static const char *const ir_stage_names[] = {
	[IR_STAGE_LOWERED] = "lowered",
	[IR_STAGE_SELECTED] = "selected",
	[IR_STAGE_ALLOCATED] = "allocated",
};

/* ---- printing ----------------------------------------------------------- */

static int ir_fmt_ref(char *buf, size_t sz, const ir_func_t *fn, ir_ref_t r)
{
	if (ir_is_con(r))
		return snprintf(buf, sz, "%" PRId64, ir_conval(fn, r));
	if (ir_is_tmp(r))
		return snprintf(buf, sz, "%%%c%u", r.val < IR_NPHYS ? 'r' : 't',
				(unsigned)r.val);
	return snprintf(buf, sz, "?");
}

/* Append ", " and an operand to buf at *len. */
static void ir_fmt_arg(char *buf, size_t sz, size_t *len, bool first,
		       const ir_func_t *fn, ir_ref_t r)
{
	if (*len >= sz)
		return;
	*len += (size_t)snprintf(buf + *len, sz - *len, "%s", first ? " " : ", ");
	if (*len < sz)
		*len += (size_t)ir_fmt_ref(buf + *len, sz - *len, fn, r);
}

static void ir_fmt_ins(char *buf, size_t sz, const ir_func_t *fn,
		       const ir_ins_t *in)
{
	const ir_opinfo_t *oi = &ir_opinfo[in->op];
	size_t len = 0;

	if (!ir_is_none(in->to)) {
		len += (size_t)ir_fmt_ref(buf, sz, fn, in->to);
		len += (size_t)snprintf(buf + len, sz - len, " = ");
	}
	len += (size_t)snprintf(buf + len, sz - len, "%s", oi->text);
	if (oi->flags & (IRF_LOAD | IRF_STORE)) {
		ir_fmt_arg(buf, sz, &len, true, fn, in->a[0]);
		len += (size_t)snprintf(buf + len, sz - len, ", %d", in->off);
		if (oi->flags & IRF_STORE)
			ir_fmt_arg(buf, sz, &len, false, fn, in->a[1]);
	} else if (oi->flags & IRF_ATOMIC) {
		ir_fmt_arg(buf, sz, &len, true, fn, in->a[0]);
		ir_fmt_arg(buf, sz, &len, false, fn, in->a[1]);
		len += (size_t)snprintf(buf + len, sz - len, ", %d", in->off);
	} else if (in->op == IR_LDMAP || in->op == IR_LDFN ||
		   in->op == IR_CALL) {
		snprintf(buf + len, sz - len, " %d", in->off);
	} else {
		for (int i = 0; i < oi->nargs; i++)
			ir_fmt_arg(buf, sz, &len, i == 0, fn, in->a[i]);
	}
}

static void ir_print_ins(FILE *out, const ir_func_t *fn, const ir_ins_t *in)
{
	char buf[160];
	const bpf_helper_t *h;

	ir_fmt_ins(buf, sizeof(buf), fn, in);
	if (in->op == IR_CALL && (h = bpf_helper_by_id(in->off)) != NULL)
		fprintf(out, "\t%-32s# %s\n", buf, h->name);
	else
		fprintf(out, "\t%s\n", buf);
}

static void ir_print_jump(FILE *out, const ir_func_t *fn, const ir_jump_t *j)
{
	char a[32], b[32];

	ir_fmt_ref(a, sizeof(a), fn, j->arg[0]);
	ir_fmt_ref(b, sizeof(b), fn, j->arg[1]);
	switch (j->kind) {
	case IR_J_NONE:
		break;
	case IR_J_RET:
		fprintf(out, ir_is_none(j->arg[0]) ? "\tret\n" : "\tret %s\n", a);
		break;
	case IR_J_JMP:
		fprintf(out, "\tjmp @%s\n", j->s1 ? j->s1->name : "?");
		break;
	case IR_J_JNZ:
		fprintf(out, "\tjnz %s, @%s, @%s\n", a, j->s1 ? j->s1->name : "?",
			j->s2 ? j->s2->name : "?");
		break;
	case IR_J_JCMP:
		fprintf(out, "\tjcmp %s %s, %s, @%s, @%s\n",
			j->cmp < IR_NOPS && (ir_opinfo[j->cmp].flags & IRF_CMP)
				? ir_opinfo[j->cmp].text + 1 : "?",
			a, b, j->s1 ? j->s1->name : "?",
			j->s2 ? j->s2->name : "?");
		break;
	}
}

void ir_print(FILE *out, const ir_func_t *fn)
{
	fprintf(out, "function %s stage %s frame %d {\n", fn->name,
		ir_stage_names[fn->stage], fn->frame);
	for (size_t i = 0; i < fn->nblks; i++) {
		const ir_blk_t *b = fn->blks[i];
		fprintf(out, "@%s\n", b->name);
		for (size_t k = 0; k < b->nins; k++)
			ir_print_ins(out, fn, &b->ins[k]);
		ir_print_jump(out, fn, &b->jmp);
	}
	fprintf(out, "}\n");
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct ir_parser {
	ir_func_t *fn;
	const char *p;		/* cursor */
	int line;
	char *err;
	size_t errsz;
	jmp_buf jb;
	bool *defined;		/* per block id: label line seen */
	size_t defcap;
	ir_blk_t **order;	/* blocks in the order their labels appear */
	size_t norder, ordcap;
} ir_parser_t;

static _Noreturn void ir_perr(ir_parser_t *ps, const char *msg,
			      const char *what)
{
	snprintf(ps->err, ps->errsz, "line %d: %s%s%s", ps->line, msg,
		 what ? " " : "", what ? what : "");
	longjmp(ps->jb, 1);
}

/* Skip blanks and a comment, not the end of the line. */
static void ir_skip(ir_parser_t *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r')
		ps->p++;
	if (*ps->p == '#')
		while (*ps->p != '\0' && *ps->p != '\n')
			ps->p++;
}

static bool ir_at_eol(ir_parser_t *ps)
{
	ir_skip(ps);
	return *ps->p == '\n' || *ps->p == '\0';
}

/* A word: up to a blank or one of ",{}#%@=" into buf. */
static const char *ir_word(ir_parser_t *ps, char *buf, size_t sz)
{
	size_t n = 0;

	ir_skip(ps);
	while (*ps->p != '\0' && !strchr(" \t\r\n,{}#%@=", *ps->p)) {
		if (n + 1 >= sz)
			ir_perr(ps, "word too long", NULL);
		buf[n++] = *ps->p++;
	}
	buf[n] = '\0';
	if (n == 0)
		ir_perr(ps, "expected a word", NULL);
	return buf;
}

static void ir_expect(ir_parser_t *ps, char c)
{
	char what[4] = { '\'', c, '\'', '\0' };

	ir_skip(ps);
	if (*ps->p != c)
		ir_perr(ps, "expected", what);
	ps->p++;
}

static int64_t ir_int(ir_parser_t *ps)
{
	char *end;
	int64_t v;

	ir_skip(ps);
	errno = 0;
	if (*ps->p == '-')
		v = strtoll(ps->p, &end, 0);
	else
		v = (int64_t)strtoull(ps->p, &end, 0);
	if (end == ps->p || errno == ERANGE)
		ir_perr(ps, "expected an integer", NULL);
	ps->p = end;
	return v;
}

static ir_ref_t ir_parse_tmp(ir_parser_t *ps)
{
	char kind;
	int64_t n;

	ir_expect(ps, '%');
	kind = *ps->p++;
	if (kind != 't' && kind != 'r')
		ir_perr(ps, "expected %tN or %rN", NULL);
	if (!isdigit((unsigned char)*ps->p))
		ir_perr(ps, "expected a temporary number", NULL);
	n = ir_int(ps);
	if (kind == 'r' ? n >= IR_NPHYS : (n < IR_NPHYS || n >= (1 << 29)))
		ir_perr(ps, "temporary out of range", NULL);
	if ((uint32_t)n >= ps->fn->ntmp)
		ps->fn->ntmp = (uint32_t)n + 1;
	return ir_reg((int)n);
}

static ir_ref_t ir_parse_val(ir_parser_t *ps)
{
	ir_skip(ps);
	if (*ps->p == '%')
		return ir_parse_tmp(ps);
	return ir_con(ps->fn, ir_int(ps));
}

/* A label reference or definition; blocks are made on first mention. */
static ir_blk_t *ir_label(ir_parser_t *ps, bool define)
{
	char name[128];
	ir_func_t *fn = ps->fn;
	ir_blk_t *b = NULL;

	ir_expect(ps, '@');
	ir_word(ps, name, sizeof(name));
	for (size_t i = 0; i < fn->nblks && b == NULL; i++)
		if (strcmp(fn->blks[i]->name, name) == 0)
			b = fn->blks[i];
	if (b == NULL) {
		b = ir_blk_new(fn);
		b->name = dl_strdup(fn->arena, name);
		if (name[0] == 'b' && name[1] >= '0' && name[1] <= '9' &&
		    strtol(name + 1, NULL, 10) >= fn->nextlabel)
			fn->nextlabel = strtol(name + 1, NULL, 10) + 1;
		dl_vec_grow(fn->arena, (void **)&ps->defined, &ps->defcap,
			    fn->nblks, sizeof(bool));
	}
	if (define) {
		if (ps->defined[b->id])
			ir_perr(ps, "label defined twice:", name);
		ps->defined[b->id] = true;
		dl_vec_grow(fn->arena, (void **)&ps->order, &ps->ordcap,
			    ps->norder + 1, sizeof(*ps->order));
		ps->order[ps->norder++] = b;
	}
	return b;
}

static ir_op_t ir_parse_cmp(ir_parser_t *ps)
{
	char w[32];

	ir_word(ps, w, sizeof(w));
	for (int op = 0; op < IR_NOPS; op++)
		if ((ir_opinfo[op].flags & IRF_CMP) &&
		    strcmp(ir_opinfo[op].text + 1, w) == 0)
			return (ir_op_t)op;
	ir_perr(ps, "unknown comparison", w);
}

/* The terminators: ret [v] | jmp @l | jnz v, @l, @l | jcmp c v, v, @l, @l */
static bool ir_parse_jump(ir_parser_t *ps, ir_blk_t *b, const char *w)
{
	ir_jump_t *j = &b->jmp;

	if (strcmp(w, "ret") == 0) {
		j->kind = IR_J_RET;
		if (!ir_at_eol(ps))
			j->arg[0] = ir_parse_val(ps);
		return true;
	}
	if (strcmp(w, "jmp") == 0) {
		j->kind = IR_J_JMP;
		j->s1 = ir_label(ps, false);
		return true;
	}
	if (strcmp(w, "jnz") != 0 && strcmp(w, "jcmp") != 0)
		return false;
	j->kind = w[1] == 'n' ? IR_J_JNZ : IR_J_JCMP;
	if (j->kind == IR_J_JCMP)
		j->cmp = ir_parse_cmp(ps);
	j->arg[0] = ir_parse_val(ps);
	if (j->kind == IR_J_JCMP) {
		ir_expect(ps, ',');
		j->arg[1] = ir_parse_val(ps);
	}
	ir_expect(ps, ',');
	j->s1 = ir_label(ps, false);
	ir_expect(ps, ',');
	j->s2 = ir_label(ps, false);
	return true;
}

static ir_op_t ir_parse_op(ir_parser_t *ps, const char *w)
{
	for (int op = 0; op < IR_NOPS; op++)
		if (strcmp(ir_opinfo[op].text, w) == 0)
			return (ir_op_t)op;
	ir_perr(ps, "unknown instruction", w);
}

/* An integer that must fit an ir_ins_t's off. */
static int32_t ir_int32(ir_parser_t *ps, const char *range_msg)
{
	int64_t v = ir_int(ps);

	if (v < INT32_MIN || v > INT32_MAX)
		ir_perr(ps, range_msg, NULL);
	return (int32_t)v;
}

static void ir_parse_args(ir_parser_t *ps, ir_ins_t *in)
{
	const ir_opinfo_t *oi = &ir_opinfo[in->op];

	if (oi->flags & (IRF_LOAD | IRF_STORE)) {
		in->a[0] = ir_parse_val(ps);
		ir_expect(ps, ',');
		in->off = ir_int32(ps, "offset out of range");
		if (oi->flags & IRF_STORE) {
			ir_expect(ps, ',');
			in->a[1] = ir_parse_val(ps);
		}
		return;
	}
	if (oi->flags & IRF_ATOMIC) {
		in->a[0] = ir_parse_val(ps);
		ir_expect(ps, ',');
		in->a[1] = ir_parse_val(ps);
		ir_expect(ps, ',');
		in->off = ir_int32(ps, "offset out of range");
		return;
	}
	if (in->op == IR_LDMAP || in->op == IR_LDFN || in->op == IR_CALL) {
		in->off = ir_int32(ps, "number out of range");
		return;
	}
	for (int i = 0; i < oi->nargs; i++) {
		if (i > 0)
			ir_expect(ps, ',');
		in->a[i] = ir_parse_val(ps);
	}
}

/* One instruction or terminator line of block b. */
static void ir_parse_line(ir_parser_t *ps, ir_blk_t *b)
{
	ir_ref_t to = IR_NONE;
	char w[32];

	if (b->jmp.kind != IR_J_NONE)
		ir_perr(ps, "line after the terminator of", b->name);
	if (*ps->p == '%') {
		to = ir_parse_tmp(ps);
		ir_expect(ps, '=');
	}
	ir_word(ps, w, sizeof(w));
	if (ir_is_none(to) && ir_parse_jump(ps, b, w))
		return;
	ir_ins_t *in = ir_emit(ps->fn, b, ir_parse_op(ps, w), to, IR_NONE,
			       IR_NONE);
	ir_parse_args(ps, in);
}

static void ir_parse_header(ir_parser_t *ps)
{
	char w[128];

	while (*ps->p == '\n' || ir_at_eol(ps)) {
		if (*ps->p == '\0')
			ir_perr(ps, "expected 'function'", NULL);
		ps->p++;
		ps->line++;
	}
	if (strcmp(ir_word(ps, w, sizeof(w)), "function") != 0)
		ir_perr(ps, "expected 'function'", NULL);
	ps->fn->name = dl_strdup(ps->fn->arena, ir_word(ps, w, sizeof(w)));
	if (strcmp(ir_word(ps, w, sizeof(w)), "stage") != 0)
		ir_perr(ps, "expected 'stage'", NULL);
	ir_word(ps, w, sizeof(w));
	size_t st = 0;
	while (st < 3 && strcmp(ir_stage_names[st], w) != 0)
		st++;
	if (st == 3)
		ir_perr(ps, "unknown stage", w);
	ps->fn->stage = (ir_stage_t)st;
	if (strcmp(ir_word(ps, w, sizeof(w)), "frame") != 0)
		ir_perr(ps, "expected 'frame'", NULL);
	int64_t fr = ir_int(ps);
	if (fr < 0 || fr > 512)
		ir_perr(ps, "frame size out of range", NULL);
	ps->fn->frame = (int32_t)fr;
	ir_expect(ps, '{');
}

/* The body: labels, instructions, '}'. */
static void ir_parse_body(ir_parser_t *ps)
{
	ir_blk_t *b = NULL;

	for (;;) {
		if (!ir_at_eol(ps))
			ir_perr(ps, "junk at the end of the line", NULL);
		if (*ps->p == '\0')
			ir_perr(ps, "missing '}'", NULL);
		ps->p++;
		ps->line++;
		if (ir_at_eol(ps))
			continue;
		if (*ps->p == '}') {
			ps->p++;
			break;
		}
		if (*ps->p == '@') {
			b = ir_label(ps, true);
			continue;
		}
		if (b == NULL)
			ir_perr(ps, "instruction before the first label", NULL);
		ir_parse_line(ps, b);
	}
	for (;;) {
		if (!ir_at_eol(ps))
			ir_perr(ps, "junk after '}'", NULL);
		if (*ps->p == '\0')
			break;
		ps->p++;
		ps->line++;
	}
}

ir_func_t *ir_parse(dl_arena_t *a, const char *text, char *errbuf,
		    size_t errsz)
{
	ir_parser_t ps = { .p = text, .line = 1, .err = errbuf,
			   .errsz = errsz };
	ir_func_t *fn = ir_func_new(a, "f");

	ps.fn = fn;
	if (setjmp(ps.jb) != 0)
		return NULL;
	ir_parse_header(&ps);
	ir_parse_body(&ps);
	for (size_t i = 0; i < fn->nblks; i++)
		if (!ps.defined[i]) {
			snprintf(errbuf, errsz, "undefined label @%s",
				 fn->blks[i]->name);
			return NULL;
		}
	if (fn->nblks == 0) {
		snprintf(errbuf, errsz, "function without blocks");
		return NULL;
	}
	memcpy(fn->blks, ps.order, ps.norder * sizeof(*fn->blks));
	for (size_t i = 0; i < fn->nblks; i++)
		fn->blks[i]->id = (int)i;
	return fn;
}
