/*
 * sema_printf.c - printf()'s compile-time checks, DTrace's way.
 *
 * Requires: the call's arguments typed by sema.  Produces: the parsed format
 * in a->pfmt and one record field per value argument ('*' widths and
 * precisions included, in order) in a->fields.  DTrace rejects at compile
 * time a format that is not a string constant, conversions without a value,
 * values without a conversion, and values whose type the conversion does
 * not take (dl_fmt_convinfo's table says which); so do we, with the same
 * tags, and DTrace's numbering: the format is argument #1.  Conversions
 * DTrace has but this dtrace cannot print yet are
 * D_UNSUPPORTED errors, never silently printed wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "dlang.h"
#include "fmt.h"

static const dl_node_t *nth_arg(const dl_node_t *args, size_t i)
{
	while (i-- > 0 && args != NULL)
		args = args->next;
	return args;
}

static unsigned arg_kind(const dl_type_t *t)
{
	switch (t->kind) {
	case TY_INT: case TY_ENUM:
		return DL_FA_INT;
	case TY_PTR:
		return DL_FA_PTR;
	case TY_STRING:
		return DL_FA_STR;
	case TY_ARRAY:
		return t->base->size == 1 ? DL_FA_STR : 0;
	default:
		return 0;
	}
}

/* Type check of one value against its conversion. */
static bool value_ok(const dl_fmtconvinfo_t *ci, const dl_type_t *t)
{
	unsigned k = arg_kind(t);
	bool ok = (k & ci->args) != 0;

	if (ok && k == DL_FA_INT) {
		if (ci->maxsize && t->size > ci->maxsize)
			ok = false;
		if (ci->needsize && t->size != ci->needsize)
			ok = false;
	}
	return ok;
}

bool dl_is_stack_arg(const dl_node_t *n)
{
	return n->kind == ND_CALL && (strcmp(n->name, "stack") == 0 ||
				      strcmp(n->name, "ustack") == 0);
}

/* A stack() argument goes with %k, and %k with nothing else. */
static void check_value(dl_ctx_t *cx, const dl_fmtconv_t *cv,
			const dl_fmtconvinfo_t *ci, const dl_node_t *arg,
			size_t argno, size_t convno)
{
	bool stack = dl_is_stack_arg(arg);

	if (stack != (cv->conv == 'k'))
		dl_error(cx, arg->loc, D_PRINTF_ARG_TYPE,
			 "printf( ) argument #%zu is incompatible with "
			 "conversion #%zu prototype:\n\tconversion: %.*s\n"
			 "\t prototype: %s\n\t  argument: %s", argno + 2,
			 convno, (int)cv->speclen, cv->spec, ci->proto,
			 stack ? arg->name : arg->type->name);
	if (!stack && !value_ok(ci, arg->type))
		dl_error(cx, arg->loc, D_PRINTF_ARG_TYPE,
			 "printf( ) argument #%zu is incompatible with "
			 "conversion #%zu prototype:\n\tconversion: %.*s\n"
			 "\t prototype: %s\n\t  argument: %s", argno + 2,
			 convno, (int)cv->speclen, cv->spec, ci->proto,
			 arg->type->name);
}

static void check_star(dl_ctx_t *cx, const dl_node_t *arg, size_t argno,
		       size_t convno)
{
	if (!dl_type_is_int(arg->type))
		dl_error(cx, arg->loc, D_PRINTF_DYN_TYPE,
			 "printf( ) argument #%zu is incompatible with "
			 "conversion #%zu prototype:\n\tconversion: * width or "
			 "precision\n\t prototype: int\n\t  argument: %s",
			 argno + 2, convno, arg->type->name);
}

static const dl_node_t *take(dl_ctx_t *cx, const dl_node_t *call,
			     const dl_node_t *args, size_t i,
			     const dl_fmtconv_t *cv, size_t convno)
{
	const dl_node_t *arg = nth_arg(args, i);

	if (arg == NULL)
		dl_error(cx, call->loc, D_PRINTF_ARG_PROTO,
			 "printf( ) prototype mismatch: conversion #%zu "
			 "(%.*s) is missing a corresponding value argument",
			 convno, (int)cv->speclen, cv->spec);
	return arg;
}

/* The pieces point into the parser's private copy of the format (the first
   piece starts at its first byte); point them at the same bytes in the
   AST's string instead, which lives as long as the program. */
static void rebase_pieces(dl_fmt_t *f, const char *from, const char *to)
{
	for (size_t i = 0; i < f->nconvs; i++) {
		dl_fmtconv_t *cv = &f->convs[i];
		cv->text = to + (cv->text - from);
		if (cv->spec != NULL)
			cv->spec = to + (cv->spec - from);
	}
}

/* The format of fmtnode, parsed, in the arena. */
static dl_fmt_t *parse_fmt(dl_ctx_t *cx, const dl_node_t *fmtnode)
{
	dl_fmt_t *f = dl_alloc(cx->arena, sizeof(*f));
	char err[256];

	if (dl_fmt_parse(fmtnode->sval, f, err, sizeof(err)) < 0)
		dl_error(cx, fmtnode->loc, D_SYNTAX, "%s", err);
	/* keep the pieces in the arena, with everything else compiled */
	dl_fmt_t kept = *f;
	kept.convs = dl_alloc(cx->arena, f->nconvs * sizeof(*kept.convs));
	memcpy(kept.convs, f->convs, f->nconvs * sizeof(*kept.convs));
	rebase_pieces(&kept, f->nconvs ? f->convs[0].text : NULL,
		      fmtnode->sval);
	dl_fmt_free(f);
	*f = kept;
	return f;
}

/* A printa key of type tname that conversion convno cannot print. */
_Noreturn static void printa_arg_type(dl_ctx_t *cx, const dl_node_t *call,
				       size_t argno, size_t convno,
				       const dl_fmtconv_t *cv,
				       const dl_fmtconvinfo_t *ci,
				       const char *tname)
{
	dl_error(cx, call->loc, D_PRINTF_ARG_TYPE, "printa( ) argument #%zu is "
		 "incompatible with conversion #%zu prototype:\n\tconversion: "
		 "%.*s\n\t prototype: %s\n\t  argument: %s", argno, convno,
		 (int)cv->speclen, cv->spec, ci->proto, tname);
}

/*
 * printa's format: conversions with the '@' flag print the aggregations'
 * values, one aggregation each in order (the last one repeats); the others
 * print the keys in order, each checked against the key's type as printf
 * checks its arguments.  Fewer key conversions than keys is fine.
 */
void dl_sema_printa_fmt(dl_ctx_t *cx, dl_node_t *call, dl_action_t *a)
{
	const dl_node_t *fmtnode = call->args;
	dl_fmt_t *f = parse_fmt(cx, fmtnode);
	const dl_agg_t *g = cx->aggs->aggs[a->aggs[0]];
	size_t key = 0, convno = 0;

	a->pfmt = f;
	for (size_t c = 0; c < f->nconvs; c++) {
		const dl_fmtconv_t *cv = &f->convs[c];
		const dl_fmtconvinfo_t *ci = dl_fmt_convinfo_of(cv);
		if (cv->conv == 0)
			continue;
		convno++;
		if (ci == NULL || ci->args == 0 || strchr(cv->flags, '@'))
			continue;
		if ((!ci->supported && cv->conv != 'k') || cv->width_star ||
		    cv->prec_star)
			dl_error(cx, fmtnode->loc, D_UNSUPPORTED,
				 "printa( ) conversion %.*s is not supported "
				 "yet", (int)cv->speclen, cv->spec);
		if (key == g->tup.nkeys)
			dl_error(cx, call->loc, D_PRINTF_ARG_PROTO,
				 "printa( ) prototype mismatch: conversion "
				 "#%zu (%.*s) is missing a corresponding value "
				 "argument", convno, (int)cv->speclen,
				 cv->spec);
		const dl_aggkey_t *k = &g->tup.keys[key++];
		bool stack = k->stk == DL_F_STACK || k->stk == DL_F_USTACK;
		if (cv->conv == 'k' && !stack)
			printa_arg_type(cx, call, key + 1, convno, cv, ci,
					k->is_str ? "string" :
					k->stk != DL_F_INT ? "symbol" :
					k->tname);
		if (cv->conv == 'k')
			continue;
		/* a sym()/func()/mod() key is its (function's, module's)
		   kernel address, for %a or an integer conversion; a
		   usym()... key the user address and its pid, for %A */
		if (k->stk == DL_F_USYM && cv->conv == 'A')
			continue;
		if (k->stk == DL_F_SYM && !value_ok(ci, &cx->types.t_ullong))
			printa_arg_type(cx, call, key + 1, convno, cv, ci,
					"_symaddr");
		if (k->stk == DL_F_SYM)
			continue;
		if (k->stk != DL_F_INT)
			dl_error(cx, fmtnode->loc, D_UNSUPPORTED, "printa( ) "
				 "format of a %s key (key #%zu) is not "
				 "supported yet", k->stk == DL_F_USYM ?
				 "user symbol key other than %A" : "stack",
				 key);
		const dl_type_t *t = k->is_str ? &cx->types.t_string :
				     dl_type_by_name(&cx->types, k->tname);
		if (t != NULL && !value_ok(ci, t))
			printa_arg_type(cx, call, key + 1, convno, cv, ci,
					t->name);
	}
}

void dl_sema_printf(dl_ctx_t *cx, dl_node_t *call, dl_action_t *a,
		    dl_field_t (*record)(void *arg, const dl_node_t *n),
		    void *rarg)
{
	const dl_node_t *fmtnode = call->args, *args = fmtnode->next;
	dl_fmt_t *f = parse_fmt(cx, fmtnode);
	size_t i = 0, convno = 0;

	a->pfmt = f;
	for (size_t c = 0; c < f->nconvs; c++) {
		const dl_fmtconv_t *cv = &f->convs[c];
		const dl_fmtconvinfo_t *ci = dl_fmt_convinfo_of(cv);
		if (cv->conv == 0)
			continue;
		convno++;	/* DTrace numbers every conversion, %% too */
		if (ci == NULL || ci->args == 0)
			continue;
		if (!ci->supported && cv->conv != 'k')
			dl_error(cx, fmtnode->loc, D_UNSUPPORTED,
				 "printf( ) conversion %.*s is not supported "
				 "yet", (int)cv->speclen, cv->spec);
		if (cv->width_star) {
			check_star(cx, take(cx, call, args, i, cv, convno), i,
				   convno);
			i++;
		}
		if (cv->prec_star) {
			check_star(cx, take(cx, call, args, i, cv, convno), i,
				   convno);
			i++;
		}
		check_value(cx, cv, ci, take(cx, call, args, i, cv, convno),
			    i, convno);
		i++;
	}
	if (i < a->nfields)
		dl_error(cx, nth_arg(args, i)->loc, D_PRINTF_ARG_EXTRA,
			 "printf( ) prototype mismatch: only %zu arguments "
			 "required by this format string", i);
	for (size_t k = 0; k < a->nfields; k++)
		a->fields[k] = record(rarg, nth_arg(args, k));
}
