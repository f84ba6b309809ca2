/*
 * btf.c - kernel types from the running kernel's BTF, lazily.
 *
 * /sys/kernel/btf/vmlinux is parsed only the first time a compilation asks
 * for a kernel type (one parse per compilation, released with the context),
 * so scripts that name no kernel type never pay for it.  The spine needs
 * struct member offsets (ppid reads curthread->real_parent->tgid); the
 * language-core work imports whole types through here.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <string.h>

#include "dlang.h"

static struct btf *vmlinux(dl_ctx_t *cx, dl_loc_t loc)
{
	if (cx->btf == NULL) {
		cx->btf = btf__load_vmlinux_btf();
		if (cx->btf == NULL)	/* libbpf's ESRCH: it found none */
			dl_error(cx, loc, D_UNSUPPORTED,
				 "kernel type information (BTF) is not "
				 "available: %s", errno == ESRCH ?
				 "/sys/kernel/btf/vmlinux is missing" :
				 strerror(errno));
	}
	return cx->btf;
}

uint32_t dl_btf_member_off(dl_ctx_t *cx, dl_loc_t loc, const char *sname,
			   const char *member)
{
	struct btf *btf = vmlinux(cx, loc);
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);

	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_member *m = btf_members(t);
		for (int i = 0; i < btf_vlen(t); i++, m++) {
			const char *name = btf__name_by_offset(btf, m->name_off);
			if (name != NULL && strcmp(name, member) == 0)
				return btf_member_bit_offset(t, i) / 8;
		}
	}
	dl_error(cx, loc, D_UNSUPPORTED,
		 "this kernel's BTF has no member %s in struct %s", member,
		 sname);
}

void dl_btf_release(dl_ctx_t *cx)
{
	btf__free(cx->btf);
	cx->btf = NULL;
}
