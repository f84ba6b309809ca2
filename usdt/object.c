/*
 * object.c - `dtrace -G`: the ELF relocatable object that defines the
 * probes' semaphores, written with libelf.
 *
 * The probe sites and their notes are already in the application's objects
 * (header.c's macros put them there); what those objects still need is the
 * semaphores their notes and _ENABLED() macros name.  Each is a 2-byte
 * global, hidden (each shared object keeps its own, as its notes say),
 * in a writable allocated section .probes, 2-byte aligned, initialised to
 * zero: where systemtap puts them, and where the kernel's uprobe reference
 * counter finds them through the notes.
 *
 * The object is built for the target of the input objects: their ELF
 * class, byte order, machine, flags and OS ABI, which must all agree (the
 * default, with no input objects as MariaDB's configure runs it, is the
 * machine dtrace runs on).  It also carries what a linker would otherwise
 * lose by adding it: .note.GNU-stack (no executable stack), and a
 * .note.gnu.property with each "AND" property every input has (x86 IBT
 * and SHSTK, AArch64 BTI and PAC) with the AND of their values, because
 * the linker keeps such a property only if every object has it.  Properties
 * an input lacks are lost anyway and are left out; "OR" properties (ISA
 * levels used) are left out, meaning "none needed".
 *
 * LLVM bitcode inputs (clang -flto) are skipped: they hold no ELF header
 * or notes to learn from.
 * The inputs are opened read-only and never written; the output is written
 * to a temporary file next to it and renamed, and may not be an input.
 * A script with no providers gives an object with no semaphores.
 * Semaphores an input already defines (an object that holds an earlier
 * -G object, linked in with ld -r) are not defined again: the link
 * would fail.
 *
 * The object also records the provider definitions (usdt.h: a
 * non-allocated note section, one note per probe with its argument
 * types), which linkers keep and the usdt provider reads back from the
 * executable or library to give args[] their types.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "usdt.h"

#ifndef NT_GNU_PROPERTY_TYPE_0
#define NT_GNU_PROPERTY_TYPE_0 5
#endif
#define USDT_MAXPROPS 32	/* "AND" properties kept */

typedef struct target {
	int cls;		/* ELFCLASS32 or ELFCLASS64 */
	int data;		/* ELFDATA2LSB or ELFDATA2MSB */
	unsigned machine, flags;
	unsigned char osabi;
	const char *from;	/* the input it came from, NULL: the default */
} target_t;

typedef struct props {
	uint32_t type[USDT_MAXPROPS], value[USDT_MAXPROPS];
	size_t n;
	bool seen;		/* set from at least one input */
} props_t;

typedef struct werr {
	char *buf;
	size_t len;
} werr_t;

static int fail(werr_t *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(werr_t *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->buf, w->len, fmt, ap);
	va_end(ap);
	return -1;
}

static target_t host_target(void)
{
	target_t t = { .cls = ELFCLASS64, .data = ELFDATA2LSB,
		       .machine = EM_X86_64 };
#if defined(__aarch64__)
	t.machine = EM_AARCH64;
#elif defined(__i386__)
	t.cls = ELFCLASS32;
	t.machine = EM_386;
#endif
	return t;
}

/* ---- reading the inputs' GNU properties ---------------------------------- */

static uint32_t get32(const unsigned char *p, int data)
{
	if (data == ELFDATA2MSB)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

static void put32(unsigned char *p, uint32_t v, int data)
{
	for (int i = 0; i < 4; i++)
		p[data == ELFDATA2MSB ? 3 - i : i] = (unsigned char)(v >> 8 * i);
}

/* Properties whose values the linker ANDs (a missing one counts as 0). */
static bool is_and_prop(unsigned machine, uint32_t type)
{
	if (type >= 0xb0000000u && type <= 0xb0007fffu)
		return true;	/* GNU_PROPERTY_UINT32_AND_LO..HI */
	if (machine == EM_X86_64 || machine == EM_386)
		return type >= 0xc0000002u && type <= 0xc0007fffu;
	if (machine == EM_AARCH64 || machine == EM_RISCV)
		return type == 0xc0000000u;	/* FEATURE_1_AND */
	return false;
}

/* The "AND" properties of one NT_GNU_PROPERTY_TYPE_0 descriptor. */
static void desc_props(const target_t *t, const unsigned char *d, size_t len,
		       props_t *out)
{
	size_t align = t->cls == ELFCLASS64 ? 8 : 4;

	for (size_t off = 0; off + 8 <= len;) {
		uint32_t type = get32(d + off, t->data);
		uint32_t sz = get32(d + off + 4, t->data);

		if (sz > len - off - 8)
			return;
		if (sz == 4 && is_and_prop(t->machine, type) &&
		    out->n < USDT_MAXPROPS) {
			out->type[out->n] = type;
			out->value[out->n++] = get32(d + off + 8, t->data);
		}
		off += 8 + ((sz + align - 1) & ~(align - 1));
	}
}

static void file_props(Elf *e, const target_t *t, props_t *out)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, noff, doff;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_NOTE ||
		    (name = elf_strptr(e, shstrndx, sh.sh_name)) == NULL ||
		    strcmp(name, ".note.gnu.property") != 0 ||
		    (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0)
			if (nh.n_type == NT_GNU_PROPERTY_TYPE_0 &&
			    nh.n_namesz == 4 && memcmp((char *)data->d_buf +
						     noff, "GNU", 4) == 0)
				desc_props(t, (unsigned char *)data->d_buf +
					   doff, nh.n_descsz, out);
	}
}

/* Keep in acc what every input so far has, ANDing the values. */
static void props_meet(props_t *acc, const props_t *in)
{
	size_t k = 0;

	if (!acc->seen) {
		*acc = *in;
		acc->seen = true;
		return;
	}
	for (size_t i = 0; i < acc->n; i++)
		for (size_t j = 0; j < in->n; j++)
			if (in->type[j] == acc->type[i] &&
			    (acc->value[i] & in->value[j]) != 0) {
				acc->type[k] = acc->type[i];
				acc->value[k++] = acc->value[i] & in->value[j];
				break;
			}
	acc->n = k;
}

static bool same_target(const target_t *a, const target_t *b)
{
	return a->cls == b->cls && a->data == b->data &&
	       a->machine == b->machine && a->flags == b->flags;
}

/* clang -flto objects are LLVM bitcode (raw or in its wrapper): they say
   nothing of the target's ELF details, and the objects LTO makes of them
   carry their own property notes. */
static bool is_bitcode(int fd)
{
	static const unsigned char raw[] = { 'B', 'C', 0xc0, 0xde },
		wrapped[] = { 0xde, 0xc0, 0x17, 0x0b };
	unsigned char m[4];

	return pread(fd, m, sizeof(m), 0) == (ssize_t)sizeof(m) &&
	       (memcmp(m, raw, 4) == 0 || memcmp(m, wrapped, 4) == 0);
}

/* The names of the semaphores an input already defines (it holds an
   earlier -G object, linked in with ld -r): added to *have. */
typedef struct names {
	dl_arena_t *a;
	const char **v;
	size_t n, cap;
} names_t;

static bool names_have(const names_t *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i], name) == 0)
			return true;
	return false;
}

static void file_semas(Elf *e, names_t *have)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Sym sym;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_SYMTAB ||
		    sh.sh_entsize == 0 || (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			const char *name;
			size_t len;

			if (gelf_getsym(data, (int)i, &sym) == NULL ||
			    sym.st_shndx == SHN_UNDEF ||
			    GELF_ST_BIND(sym.st_info) == STB_LOCAL ||
			    (name = elf_strptr(e, sh.sh_link, sym.st_name)) ==
			    NULL || (len = strlen(name)) < 11 ||
			    strcmp(name + len - 10, "_semaphore") != 0 ||
			    names_have(have, name))
				continue;
			dl_vec_grow(have->a, (void **)&have->v, &have->cap,
				    have->n + 1, sizeof(*have->v));
			have->v[have->n++] = dl_strdup(have->a, name);
		}
	}
}

static int read_input(const char *path, target_t *t, props_t *acc,
		      names_t *have, werr_t *w)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e;
	GElf_Ehdr eh;
	target_t mine;
	props_t p = { .n = 0 };
	int rc = 0;

	if (fd < 0)
		return fail(w, "failed to open %s: %s", path, strerror(errno));
	if (is_bitcode(fd)) {
		close(fd);
		return 0;
	}
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e == NULL || elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) ==
	    NULL || eh.e_type != ET_REL) {
		rc = fail(w, "%s is not an ELF relocatable object", path);
		goto out;
	}
	mine = (target_t){ .cls = eh.e_ident[EI_CLASS],
			   .data = eh.e_ident[EI_DATA],
			   .machine = eh.e_machine, .flags = eh.e_flags,
			   .osabi = eh.e_ident[EI_OSABI], .from = path };
	if (t->from != NULL && !same_target(t, &mine)) {
		rc = fail(w, "%s is for a different target than %s", path,
			  t->from);
		goto out;
	}
	if (t->from == NULL)
		*t = mine;
	file_props(e, &mine, &p);
	props_meet(acc, &p);
	file_semas(e, have);
out:
	if (e != NULL)
		elf_end(e);
	close(fd);
	return rc;
}

/* ---- writing ---------------------------------------------------------------- */

typedef struct strtab {
	char *buf;
	size_t len;
} strtab_t;

static size_t str_add(dl_arena_t *a, strtab_t *s, const char *str)
{
	size_t off = s->len, n = strlen(str) + 1;
	char *nb = dl_alloc(a, s->len + n);

	if (s->len > 0)
		memcpy(nb, s->buf, s->len);
	memcpy(nb + s->len, str, n);
	s->buf = nb;
	s->len += n;
	return off;
}

typedef struct writer {
	Elf *e;
	dl_arena_t *a;
	const target_t *t;
	strtab_t shstr;
} writer_t;

/* A new section holding size bytes at buf (libelf type dtype). */
static Elf_Scn *add_scn(writer_t *wr, const char *name, GElf_Word type,
			GElf_Xword flags, void *buf, size_t size,
			Elf_Type dtype, size_t align)
{
	Elf_Scn *scn = elf_newscn(wr->e);
	Elf_Data *d;
	GElf_Shdr sh;

	if (scn == NULL || (d = elf_newdata(scn)) == NULL ||
	    gelf_getshdr(scn, &sh) == NULL)
		return NULL;
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = dtype;
	d->d_align = align;
	d->d_version = EV_CURRENT;
	sh.sh_name = (GElf_Word)str_add(wr->a, &wr->shstr, name);
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_addralign = align;
	return gelf_update_shdr(scn, &sh) ? scn : NULL;
}

/* NT_GNU_PROPERTY_TYPE_0 "GNU" with props, in the target's byte order. */
static unsigned char *property_note(writer_t *wr, const props_t *p,
				    size_t *size)
{
	size_t align = wr->t->cls == ELFCLASS64 ? 8 : 4;
	size_t each = (8 + 4 + align - 1) & ~(align - 1);
	size_t desc = p->n * each;
	unsigned char *b = dl_alloc(wr->a, 16 + desc);
	int data = wr->t->data;

	put32(b, 4, data);
	put32(b + 4, (uint32_t)desc, data);
	put32(b + 8, NT_GNU_PROPERTY_TYPE_0, data);
	memcpy(b + 12, "GNU", 4);
	for (size_t i = 0; i < p->n; i++) {
		put32(b + 16 + i * each, p->type[i], data);
		put32(b + 16 + i * each + 4, 4, data);
		put32(b + 16 + i * each + 8, p->value[i], data);
	}
	*size = 16 + desc;
	return b;
}

/* ---- the provider definitions, for typed args[] (usdt.h) -------------------- */

typedef struct buf {
	unsigned char *p;
	size_t len, cap;
} buf_t;

static void buf_put(dl_arena_t *a, buf_t *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *np = dl_alloc(a, cap);
		if (b->len > 0)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void buf_str(dl_arena_t *a, buf_t *b, const char *s)
{
	buf_put(a, b, s, strlen(s) + 1);
}

static void buf_num(dl_arena_t *a, buf_t *b, size_t n)
{
	buf_str(a, b, dl_sprintf(a, "%zu", n));
}

static void buf_pad4(dl_arena_t *a, buf_t *b)
{
	static const unsigned char zero[4];

	buf_put(a, b, zero, (4 - b->len % 4) % 4);
}

/* One probe's note: its descriptor's strings, then the header before. */
static void probedef_note(writer_t *wr, buf_t *out, const usdt_prov_t *p,
			  const usdt_probe_t *pr)
{
	buf_t desc = { .p = NULL };
	unsigned char h[12];

	buf_str(wr->a, &desc, p->name);
	buf_str(wr->a, &desc, pr->name);
	buf_num(wr->a, &desc, pr->nargs);
	for (size_t i = 0; i < pr->nargs; i++)
		buf_str(wr->a, &desc, pr->args[i].dtype);
	buf_num(wr->a, &desc, pr->nxargs);
	for (size_t i = 0; i < pr->nxargs; i++) {
		buf_str(wr->a, &desc, pr->xtypes[i]);
		buf_num(wr->a, &desc, (size_t)pr->xmap[i]);
	}
	put32(h, sizeof(USDT_DEFS_OWNER), wr->t->data);
	put32(h + 4, (uint32_t)desc.len, wr->t->data);
	put32(h + 8, USDT_NT_PROBEDEF, wr->t->data);
	buf_put(wr->a, out, h, sizeof(h));
	buf_str(wr->a, out, USDT_DEFS_OWNER);
	buf_pad4(wr->a, out);
	buf_put(wr->a, out, desc.p, desc.len);
	buf_pad4(wr->a, out);
}

/* The non-allocated note section of every probe's definition. */
static int add_probedefs(writer_t *wr, const usdt_defs_t *d)
{
	buf_t b = { .p = NULL };

	for (size_t i = 0; i < d->nprovs; i++)
		for (size_t j = 0; j < d->provs[i].nprobes; j++)
			probedef_note(wr, &b, &d->provs[i],
				      &d->provs[i].probes[j]);
	if (b.len == 0)
		return 0;
	return add_scn(wr, USDT_DEFS_SECTION, SHT_NOTE, 0, b.p, b.len,
		       ELF_T_BYTE, 4) == NULL ? -1 : 0;
}

static size_t count_semas(const usdt_defs_t *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nprovs; i++)
		n += d->provs[i].nprobes;
	return n;
}

/* .symtab and .strtab: the file, .probes' section symbol, the semaphores. */
static int add_symbols(writer_t *wr, const usdt_defs_t *d,
		       const char *srcname, size_t probes_ndx)
{
	size_t nsem = count_semas(d), nsyms = 3 + nsem, k = 0, i = 0;
	size_t symsz = gelf_fsize(wr->e, ELF_T_SYM, 1, EV_CURRENT);
	strtab_t str = { .buf = NULL, .len = 0 };
	void *symbuf = dl_alloc(wr->a, nsyms * symsz);
	GElf_Sym *syms = dl_alloc(wr->a, nsyms * sizeof(*syms));
	const char *base = strrchr(srcname, '/');
	Elf_Scn *symscn, *strscn;
	Elf_Data *sd;
	GElf_Shdr sh;

	str_add(wr->a, &str, "");
	syms[++k] = (GElf_Sym){
		.st_name = (GElf_Word)str_add(wr->a, &str,
					      base ? base + 1 : srcname),
		.st_info = GELF_ST_INFO(STB_LOCAL, STT_FILE),
		.st_shndx = SHN_ABS };
	if (probes_ndx != 0)
		syms[++k] = (GElf_Sym){
			.st_info = GELF_ST_INFO(STB_LOCAL, STT_SECTION),
			.st_shndx = (GElf_Half)probes_ndx };
	size_t nlocal = k + 1;
	for (size_t p = 0; p < d->nprovs; p++)
		for (size_t j = 0; j < d->provs[p].nprobes; j++, i++)
			syms[++k] = (GElf_Sym){
				.st_name = (GElf_Word)str_add(wr->a, &str,
					usdt_sema_name(wr->a, d->provs[p].name,
					d->provs[p].probes[j].name)),
				.st_info = GELF_ST_INFO(STB_GLOBAL, STT_OBJECT),
				.st_other = STV_HIDDEN,
				.st_shndx = (GElf_Half)probes_ndx,
				.st_value = 2 * i, .st_size = 2 };
	nsyms = k + 1;
	strscn = add_scn(wr, ".strtab", SHT_STRTAB, 0, str.buf, str.len,
			 ELF_T_BYTE, 1);
	symscn = add_scn(wr, ".symtab", SHT_SYMTAB, 0, symbuf, nsyms * symsz,
			 ELF_T_SYM, wr->t->cls == ELFCLASS64 ? 8 : 4);
	if (strscn == NULL || symscn == NULL ||
	    (sd = elf_getdata(symscn, NULL)) == NULL)
		return -1;
	for (size_t s = 0; s < nsyms; s++)
		if (gelf_update_sym(sd, (int)s, &syms[s]) == 0)
			return -1;
	if (gelf_getshdr(symscn, &sh) == NULL)
		return -1;
	sh.sh_link = (GElf_Word)elf_ndxscn(strscn);
	sh.sh_info = (GElf_Word)nlocal;
	sh.sh_entsize = symsz;
	return gelf_update_shdr(symscn, &sh) ? 0 : -1;
}

static int build(writer_t *wr, const usdt_defs_t *d, const props_t *p,
		 const char *srcname)
{
	GElf_Ehdr eh;
	size_t nsem = count_semas(d), probes_ndx = 0;
	Elf_Scn *scn;

	if (gelf_newehdr(wr->e, wr->t->cls) == NULL ||
	    gelf_getehdr(wr->e, &eh) == NULL)
		return -1;
	eh.e_ident[EI_DATA] = (unsigned char)wr->t->data;
	eh.e_ident[EI_OSABI] = wr->t->osabi;
	eh.e_type = ET_REL;
	eh.e_machine = (GElf_Half)wr->t->machine;
	eh.e_version = EV_CURRENT;
	eh.e_flags = wr->t->flags;
	if (!gelf_update_ehdr(wr->e, &eh))
		return -1;
	str_add(wr->a, &wr->shstr, "");
	if (nsem > 0) {
		scn = add_scn(wr, ".probes", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
			      dl_alloc(wr->a, 2 * nsem), 2 * nsem, ELF_T_BYTE,
			      2);
		if (scn == NULL)
			return -1;
		probes_ndx = elf_ndxscn(scn);
	}
	if (add_scn(wr, ".note.GNU-stack", SHT_PROGBITS, 0, NULL, 0,
		    ELF_T_BYTE, 1) == NULL)
		return -1;
	if (p->n > 0) {
		size_t sz;
		unsigned char *note = property_note(wr, p, &sz);
		if (add_scn(wr, ".note.gnu.property", SHT_NOTE, SHF_ALLOC, note,
			    sz, ELF_T_BYTE, wr->t->cls == ELFCLASS64 ? 8 : 4) ==
		    NULL)
			return -1;
	}
	if (add_probedefs(wr, d) < 0 ||
	    add_symbols(wr, d, srcname, probes_ndx) < 0)
		return -1;
	scn = add_scn(wr, ".shstrtab", SHT_STRTAB, 0, NULL, 0, ELF_T_BYTE, 1);
	if (scn == NULL)
		return -1;
	Elf_Data *sd = elf_getdata(scn, NULL);
	sd->d_buf = wr->shstr.buf;	/* complete now: its own name is in */
	sd->d_size = wr->shstr.len;
	if (gelf_getehdr(wr->e, &eh) == NULL)
		return -1;
	eh.e_shstrndx = (GElf_Half)elf_ndxscn(scn);
	if (!gelf_update_ehdr(wr->e, &eh))
		return -1;
	return elf_update(wr->e, ELF_C_WRITE) < 0 ? -1 : 0;
}

/* d without the probes whose semaphores the inputs define already: an
   input that holds an earlier -G object has them (and their
   definitions), and defining them again would not link. */
static const usdt_defs_t *without(dl_arena_t *a, const usdt_defs_t *d,
				  const names_t *have)
{
	usdt_defs_t *o = dl_alloc(a, sizeof(*o));

	o->arena = a;
	o->provs = dl_alloc(a, (d->nprovs ? d->nprovs : 1) *
			       sizeof(*o->provs));
	o->nprovs = d->nprovs;
	for (size_t i = 0; i < d->nprovs; i++) {
		const usdt_prov_t *p = &d->provs[i];
		usdt_prov_t *q = &o->provs[i];

		q->name = p->name;
		q->probes = dl_alloc(a, (p->nprobes ? p->nprobes : 1) *
					sizeof(*q->probes));
		for (size_t j = 0; j < p->nprobes; j++)
			if (!names_have(have, usdt_sema_name(a, p->name,
							     p->probes[j].name)))
				q->probes[q->nprobes++] = p->probes[j];
	}
	return o;
}

static bool is_input(const char *ofile, int objc, char *const objv[])
{
	struct stat os, is;

	if (stat(ofile, &os) != 0)
		return false;
	for (int i = 0; i < objc; i++)
		if (stat(objv[i], &is) == 0 && is.st_dev == os.st_dev &&
		    is.st_ino == os.st_ino)
			return true;
	return false;
}

/* Write to a temporary file next to ofile, then rename it. */
static int write_file(const usdt_defs_t *d, const char *ofile,
		      const char *srcname, const target_t *t,
		      const props_t *p, werr_t *w)
{
	dl_arena_t *a = dl_arena_create();
	char *tmp = dl_sprintf(a, "%s.XXXXXX", ofile);
	int fd = mkstemp(tmp), rc = -1;
	mode_t um = umask(0);
	writer_t wr = { .a = a, .t = t };

	umask(um);
	if (fd < 0) {
		fail(w, "failed to create %s: %s", ofile, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0666 & ~um) != 0 ||
	    (wr.e = elf_begin(fd, ELF_C_WRITE, NULL)) == NULL ||
	    build(&wr, d, p, srcname) < 0) {
		fail(w, "failed to write %s: %s", ofile, elf_errno() ?
		     elf_errmsg(-1) : strerror(errno));
	} else {
		rc = 0;
	}
	if (wr.e != NULL)
		elf_end(wr.e);
	if (close(fd) != 0 && rc == 0)
		rc = fail(w, "failed to write %s: %s", ofile, strerror(errno));
	if (rc == 0 && rename(tmp, ofile) != 0)
		rc = fail(w, "failed to create %s: %s", ofile,
			  strerror(errno));
	if (rc != 0)
		unlink(tmp);
out:
	dl_arena_destroy(a);
	return rc;
}

int usdt_object_write(const usdt_defs_t *d, const char *ofile,
		      const char *srcname, int objc, char *const objv[],
		      char *err, size_t errlen)
{
	werr_t w = { err, errlen };
	target_t t = host_target();
	props_t p = { .n = 0 };
	names_t have = { .a = dl_arena_create() };
	int rc = -1;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		fail(&w, "libelf is out of date");
		goto out;
	}
	if (is_input(ofile, objc, objv)) {
		fail(&w, "output file %s is also an input object", ofile);
		goto out;
	}
	for (int i = 0; i < objc; i++)
		if (read_input(objv[i], &t, &p, &have, &w) < 0)
			goto out;
	rc = write_file(have.n > 0 ? without(have.a, d, &have) : d, ofile,
			srcname, &t, &p, &w);
out:
	dl_arena_destroy(have.a);
	return rc;
}
