/*
 * sema_sym.c - backquoted kernel symbols: `jiffies, vmlinux`max_pfn.
 *
 * A symbol's address comes from /proc/kallsyms through the library's
 * hook (cx->ksym: the compiler reads no files), its type from the
 * kernel's BTF: a VAR of that name gives the type of data; a function,
 * or data BTF does not describe (BTF has VARs only for per-CPU data on
 * most kernels), has no type, and may then only have its address taken
 * (&`sym).  Per-CPU variables are refused, saying why (BTF knows them
 * even where kallsyms lists no data symbols): kallsyms would give their
 * offset in the per-CPU area, not an address.
 *
 * The scope before the backquote names the module ("vmlinux", or a
 * loaded module as /proc/modules lists it); none ("`sym") searches
 * every one.  "``sym" asks for a user symbol, which DTrace refuses for
 * kernel ones (D_SYM_BADREF).  Unknown modules and symbols are
 * D_IDENT_UNDEF, with DTrace's words.
 */
#include <string.h>

#include "dlang.h"

const char *dl_sym_display(dl_ctx_t *cx, const char *name)
{
	const char *q = strrchr(name, '`');

	if (q == name || (q == name + 1 && name[0] == '`'))
		return dl_sprintf(cx->arena, "vmlinux`%s", q + 1);
	return name;
}

/* A per-CPU variable (BTF's VAR in .data..percpu) is refused, saying
   why; anything else returns. */
static void percpu_refused(dl_ctx_t *cx, const dl_node_t *n, const char *sym)
{
	if (dl_btf_is_percpu(cx, sym))
		dl_error(cx, n->loc, D_UNSUPPORTED, "%s is a per-CPU variable: "
			 "reading one needs its address in this CPU's area "
			 "(bpf_this_cpu_ptr of a BTF-typed ksym), which is not "
			 "supported yet", dl_sym_display(cx, n->name));
}

const dl_type_t *dl_sym_resolve(dl_ctx_t *cx, const dl_node_t *n,
				uint64_t *addr)
{
	const char *q = strrchr(n->name, '`'), *sym = q + 1;
	bool user = q > n->name && q[-1] == '`';
	const char *mod = NULL;
	bool text = false, percpu = false;

	if (q - user > n->name)
		mod = dl_strndup(cx->arena, n->name, (size_t)(q - user -
							      n->name));
	if (*sym == '\0')
		dl_error(cx, n->loc, D_SYNTAX, "syntax error near \"%s\"",
			 n->name);
	int rc = cx->ksym == NULL ? -2 : cx->ksym(cx->ksym_arg, mod, sym, addr,
						  &text);
	if (rc == -2 && (mod == NULL || strcmp(mod, "vmlinux") == 0) && !user)
		percpu_refused(cx, n, sym);	/* kallsyms lacks them here */
	if (rc == -1)
		dl_error(cx, n->loc, D_IDENT_UNDEF, "failed to resolve %s: "
			 "Unknown module name", n->name);
	if (rc < 0)
		dl_error(cx, n->loc, D_IDENT_UNDEF, "failed to resolve %s: "
			 "Unknown symbol name", n->name);
	if (user)
		dl_error(cx, n->loc, D_SYM_BADREF, "kernel module '%s' symbol "
			 "'%s' may not be referenced as a user symbol",
			 mod != NULL ? mod : "vmlinux", sym);
	if (text)
		return NULL;
	const dl_type_t *t = dl_btf_var(cx, n->loc, sym, &percpu);
	if (percpu)
		percpu_refused(cx, n, sym);
	return t != NULL && t->kind != TY_VOID ? t : NULL;
}
