/*
 * uelf.c - user processes for the pid provider: the objects a process maps,
 * the function symbols of an ELF file, and getting a -c process to the
 * point where its libraries are mapped.
 *
 * Objects.  /proc/PID/maps lists every mapping; an object is one file
 * (device and inode) with at least one executable mapping, in the order of
 * its first mapping, named by its basename (DTrace's module name: "libc.so.6",
 * the executable's own name).  The executable is the object whose file is
 * /proc/PID/exe (same device and inode, or same path).  Uprobes are given a
 * path, resolved by the kernel in our mount namespace: the mapped path when
 * it still names the mapped file, else the process's /proc/PID/map_files
 * link to that mapping (a file replaced or deleted since, another mount
 * namespace), which names exactly the mapped inode.
 *
 * Symbols.  A function is an STT_FUNC symbol of .symtab or .dynsym that is
 * defined (not SHN_UNDEF) and has a size; the same (name, address) in both
 * tables counts once.  The list is sorted by address, then name, so that
 * aliases (malloc and __libc_malloc) are neighbours.  A symbol's value is a
 * virtual address in the file's own layout (0-based for PIE executables and
 * shared libraries); the uprobe wants a file offset: the PT_LOAD segment
 * holding the address gives it, value - p_vaddr + p_offset.  The names point
 * into the ELF file's string tables, kept open (mapped) until dt_usyms_free.
 *
 * SDT notes (the usdt provider).  Every NT_STAPSDT (3) note of owner
 * "stapsdt" in a note section: the probe's address, the link-time address
 * of .stapsdt.base, the semaphore's address (0: none), then the provider,
 * probe and argument strings.  If the file has a .stapsdt.base section at
 * another address (prelink moved it), both addresses move by the
 * difference.  Both become file offsets through PT_LOAD, the semaphore's
 * too (the kernel's uprobe reference counter wants its file offset); notes
 * whose addresses are not in the file's image are skipped.
 *
 * Files for every process (the usdt provider's python*:::).  A probe of
 * every process is a uprobe on a file without a pid, so it also fires in
 * processes started later that map the file.  The candidates are the files
 * with a .note.stapsdt section that some running process maps (each
 * /proc/PID/maps read, each file once by device and inode), and, for a
 * module named exactly that no process maps, the first file of that name
 * with SDT notes in $PATH's directories, then in the library directories
 * (LD_LIBRARY_PATH's, /usr/local/lib, /lib/x86_64-linux-gnu,
 * /usr/lib/x86_64-linux-gnu, /lib, /usr/lib): `app:::` finds ./app when
 * dtrace runs with PATH=.:$PATH, before any app runs.  A program first
 * started after dtrace from a file found neither way is found when it
 * starts (uexec.c).
 *
 * The -c handshake.  dtrace -c holds its command with ptrace, stopped right
 * after execve: the executable and ld.so are mapped, the libraries it needs
 * are not.  dt_uproc_ready() sees such a process (in a tracing stop, traced
 * by us) and lets it run to the executable's entry point (AT_ENTRY in
 * /proc/PID/auxv) with a temporary int3 written there through ptrace: by then
 * ld.so has mapped every DT_NEEDED library, but neither their initialisers
 * nor main have run.  The original byte is put back and the PC rewound to the
 * entry point; the process stays stopped until the command releases it once
 * the probes are enabled.  Signals the process receives meanwhile are passed
 * on.  A child of ours held before its exec (where ptrace is refused:
 * dtrace -c under strace, say) still maps dtrace itself, and is refused.
 *
 * Contract: every function that fails sets the handle's error and returns
 * -1; a file that is not ELF has no symbols (not an error).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <elf.h>

#include "libdtrace.h"

#define ERR_NOMEM "Memory allocation failure"

/* ---- /proc/PID/maps ------------------------------------------------------ */

int dt_uproc_parse_map(const char *line, dt_umap_t *m)
{
	unsigned int maj, min;
	int n = 0;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64
		   " %n", &m->start, &m->end, m->perms, &m->off, &maj, &min,
		   &m->ino, &n) < 7 || n == 0)
		return -1;
	m->dev = makedev(maj, min);
	m->path = line + n;
	m->pathlen = strcspn(m->path, "\n");
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* The object of mapping m, found or added; NULL when out of memory. */
static dt_uobj_t *obj_of(dt_uobj_t **objs, size_t *n, size_t *cap,
			 const dt_umap_t *m)
{
	dt_uobj_t *o;

	for (size_t i = 0; i < *n; i++)
		if ((*objs)[i].dev == m->dev && (*objs)[i].ino == m->ino)
			return &(*objs)[i];
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;

		if ((o = realloc(*objs, c * sizeof(*o))) == NULL)
			return NULL;
		*objs = o;
		*cap = c;
	}
	o = &(*objs)[(*n)++];
	memset(o, 0, sizeof(*o));
	o->dev = m->dev;
	o->ino = m->ino;
	o->base = m->start - m->off;
	o->path = strndup(m->path, m->pathlen);
	if (o->path == NULL) {
		(*n)--;
		return NULL;
	}
	o->name = base_name(o->path);
	o->map_start = m->start;
	o->map_end = m->end;
	return o;
}

/* The path uprobes get: the mapped path if it is still that file, else
   the map_files link of one of its mappings. */
static int obj_attach_path(dt_uobj_t *o, int pid)
{
	struct stat st;

	if (stat(o->path, &st) == 0 && st.st_dev == o->dev &&
	    st.st_ino == o->ino) {
		o->attach = strdup(o->path);
	} else if (asprintf(&o->attach, "/proc/%d/map_files/%" PRIx64 "-%"
			    PRIx64, pid, o->map_start, o->map_end) < 0) {
		o->attach = NULL;
	}
	return o->attach != NULL ? 0 : -1;
}

static void mark_exe(dt_uobj_t *objs, size_t n, int pid)
{
	char link[64], exe[4096];
	struct stat st;
	bool have_st;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	have_st = stat(link, &st) == 0;
	len = readlink(link, exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if ((have_st && objs[i].dev == st.st_dev &&
		     objs[i].ino == st.st_ino) ||
		    (len > 0 && strcmp(objs[i].path, exe) == 0)) {
			objs[i].is_exe = true;
			return;
		}
	}
}

void dt_uproc_objs_free(dt_uobj_t *objs, size_t n)
{
	for (size_t i = 0; objs != NULL && i < n; i++) {
		free(objs[i].path);
		free(objs[i].attach);
	}
	free(objs);
}

/* Keep the objects with an executable mapping, in place; returns how
   many. */
static size_t keep_exec(dt_uobj_t *objs, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (objs[i].exec) {
			objs[k++] = objs[i];
		} else {
			free(objs[i].path);
			free(objs[i].attach);
		}
	}
	return k;
}

int dt_uproc_objs(dtrace_hdl_t *dtp, int pid, dt_uobj_t **objsp)
{
	char path[64], *line = NULL;
	size_t linecap = 0, n = 0, cap = 0;
	dt_uobj_t *objs = NULL, *o;
	bool nomem = false;
	FILE *fp;
	dt_umap_t m;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if ((fp = fopen(path, "re")) == NULL && errno == ENOENT)
		return dt_set_error(dtp, DTRACE_ERR_MATCH, "failed to grab "
				    "process %d", pid);
	if (fp == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to grab "
				    "process %d: %s", pid, strerror(errno));
	while (getline(&line, &linecap, fp) > 0) {
		if (dt_uproc_parse_map(line, &m) < 0 || m.ino == 0 ||
		    m.path[0] != '/')
			continue;
		if ((o = obj_of(&objs, &n, &cap, &m)) == NULL) {
			nomem = true;
			break;
		}
		o->exec |= m.perms[2] == 'x';
	}
	free(line);
	fclose(fp);
	if (nomem) {
		dt_uproc_objs_free(objs, n);
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, ERR_NOMEM);
	}
	n = keep_exec(objs, n);
	mark_exe(objs, n, pid);
	for (size_t i = 0; i < n; i++) {
		if (obj_attach_path(&objs[i], pid) < 0) {
			dt_uproc_objs_free(objs, n);
			return dt_set_error(dtp, DTRACE_ERR_SYSTEM, ERR_NOMEM);
		}
	}
	*objsp = objs;
	return (int)n;
}

/* ---- files for every process ------------------------------------------- */

/* Has the ELF file a .note.stapsdt section? */
bool dt_uelf_has_sdt(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	bool found = false;
	size_t shstrndx;
	Elf *e;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e != NULL && elf_kind(e) == ELF_K_ELF &&
	    elf_getshdrstrndx(e, &shstrndx) == 0) {
		while (!found && (scn = elf_nextscn(e, scn)) != NULL) {
			GElf_Shdr sh;
			const char *n;

			found = gelf_getshdr(scn, &sh) != NULL &&
				sh.sh_type == SHT_NOTE &&
				(n = elf_strptr(e, shstrndx, sh.sh_name)) !=
				NULL && strcmp(n, ".note.stapsdt") == 0;
		}
	}
	if (e != NULL)
		elf_end(e);
	close(fd);
	return found;
}

typedef struct ufiles {
	dt_uobj_t *v;
	size_t n, cap;
	bool nomem;
} ufiles_t;

static bool ufiles_have(const ufiles_t *f, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].dev == dev && f->v[i].ino == ino)
			return true;
	return false;
}

/* Take o (its strings) into f, or free them. */
static void ufiles_take(ufiles_t *f, dt_uobj_t *o)
{
	dt_uobj_t *v;

	if (f->n == f->cap) {
		size_t c = f->cap ? f->cap * 2 : 16;

		if ((v = realloc(f->v, c * sizeof(*v))) == NULL) {
			f->nomem = true;
			free(o->path);
			free(o->attach);
			return;
		}
		f->v = v;
		f->cap = c;
	}
	f->v[f->n++] = *o;
}

static void scan_pid(dtrace_hdl_t *dtp, ufiles_t *f, int pid)
{
	dt_uobj_t *objs;
	int n = dt_uproc_objs(dtp, pid, &objs);

	for (int i = 0; i < n; i++) {
		if (!f->nomem && !ufiles_have(f, objs[i].dev, objs[i].ino) &&
		    dt_uelf_has_sdt(objs[i].attach)) {
			ufiles_take(f, &objs[i]);
			objs[i].path = objs[i].attach = NULL;
		}
	}
	if (n > 0)
		dt_uproc_objs_free(objs, (size_t)n);
}

/* The first file called name with SDT notes in the directories of the
   colon-separated list dirs, into *o; 0 if found. */
static int find_in(const char *dirs, const char *name, dt_uobj_t *o)
{
	char path[4096];
	struct stat st;

	while (dirs != NULL && *dirs != '\0') {
		size_t len = strcspn(dirs, ":");

		snprintf(path, sizeof(path), "%.*s/%s", (int)len,
			 len > 0 ? dirs : ".", name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    dt_uelf_has_sdt(path)) {
			memset(o, 0, sizeof(*o));
			o->path = strdup(path);
			o->attach = strdup(path);
			o->dev = st.st_dev;
			o->ino = st.st_ino;
			o->exec = true;
			return 0;
		}
		dirs += len + (dirs[len] == ':');
	}
	return -1;
}

static void find_module(ufiles_t *f, const char *mod)
{
	const char *lib = getenv("LD_LIBRARY_PATH");
	dt_uobj_t o;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, mod) == 0)
			return;
	if (strchr(mod, '/') != NULL ||
	    (find_in(getenv("PATH"), mod, &o) < 0 &&
	     find_in(lib, mod, &o) < 0 &&
	     find_in("/usr/local/lib:/lib/x86_64-linux-gnu:"
		     "/usr/lib/x86_64-linux-gnu:/lib:/usr/lib", mod, &o) < 0))
		return;
	if (o.path == NULL || o.attach == NULL || ufiles_have(f, o.dev, o.ino)) {
		free(o.path);
		free(o.attach);
		return;
	}
	ufiles_take(f, &o);
}

int dt_usdt_files(dtrace_hdl_t *dtp, const char *mod, dt_uobj_t **objsp)
{
	ufiles_t f = { 0 };
	struct dirent *de;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot read "
				    "/proc: %s", strerror(errno));
	while (!f.nomem && (de = readdir(d)) != NULL) {
		int pid = atoi(de->d_name);

		if (pid > 0 && pid != getpid())
			scan_pid(dtp, &f, pid);
	}
	closedir(d);
	if (!f.nomem && *mod != '\0' && strpbrk(mod, "*?[\\") == NULL)
		find_module(&f, mod);
	for (size_t i = 0; i < f.n; i++)	/* names into the moved paths */
		f.v[i].name = base_name(f.v[i].path);
	if (f.nomem) {
		dt_uproc_objs_free(f.v, f.n);
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, ERR_NOMEM);
	}
	*objsp = f.v;
	return (int)f.n;
}

/* ---- ELF function symbols ------------------------------------------------ */

int dt_uelf_off(const Elf64_Phdr *ph, size_t nph, uint64_t vaddr,
		uint64_t *off)
{
	for (size_t i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_LOAD || vaddr < ph[i].p_vaddr ||
		    vaddr - ph[i].p_vaddr >= ph[i].p_filesz)
			continue;
		*off = vaddr - ph[i].p_vaddr + ph[i].p_offset;
		return 0;
	}
	return -1;
}

static int usym_cmp(const void *a, const void *b)
{
	const dt_usym_t *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int usym_add(dt_usyms_t *s, const char *name, const GElf_Sym *sym,
		    const GElf_Phdr *ph, size_t nph)
{
	uint64_t off;
	dt_usym_t *v;

	if (dt_uelf_off(ph, nph, sym->st_value, &off) < 0)
		return 0;		/* not in the file's loaded image */
	if (s->n == s->cap) {
		size_t c = s->cap ? s->cap * 2 : 256;

		if ((v = realloc(s->v, c * sizeof(*v))) == NULL)
			return -1;
		s->v = v;
		s->cap = c;
	}
	s->v[s->n++] = (dt_usym_t){ name, sym->st_value, sym->st_size, off };
	return 0;
}

static int read_symtab(dt_usyms_t *s, Elf_Scn *scn, const GElf_Shdr *sh,
		       const GElf_Phdr *ph, size_t nph)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; data != NULL && i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (gelf_getsym(data, (int)i, &sym) == NULL ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_size == 0)
			continue;
		name = elf_strptr(s->elf, sh->sh_link, sym.st_name);
		if (name == NULL || *name == '\0')
			continue;
		if (usym_add(s, name, &sym, ph, nph) < 0)
			return -1;
	}
	return 0;
}

/* Sort, and drop the second of two equal (address, name) entries. */
static void usyms_sort(dt_usyms_t *s)
{
	size_t k = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), usym_cmp);
	for (size_t i = 1; i < s->n; i++)
		if (usym_cmp(&s->v[k], &s->v[i]) != 0)
			s->v[++k] = s->v[i];
	s->n = k + 1;
}

static GElf_Phdr *read_phdrs(Elf *e, size_t *nph)
{
	GElf_Phdr *ph;
	size_t n;

	if (elf_getphdrnum(e, &n) != 0 ||
	    (ph = calloc(n + 1, sizeof(*ph))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(e, (int)i, &ph[i]) == NULL)
			ph[i].p_type = PT_NULL;
	*nph = n;
	return ph;
}

/* ---- SDT notes ----------------------------------------------------------- */

/* sh_addr of the section called name, or 0. */
static uint64_t section_addr(Elf *e, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return 0;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) != NULL &&
		    (n = elf_strptr(e, shstrndx, sh.sh_name)) != NULL &&
		    strcmp(n, name) == 0)
			return sh.sh_addr;
	}
	return 0;
}

static int note_add(dt_usyms_t *s, const dt_unote_t *n)
{
	dt_unote_t *v;

	if (s->nnotes == s->notecap) {
		size_t c = s->notecap ? s->notecap * 2 : 16;

		if ((v = realloc(s->notes, c * sizeof(*v))) == NULL)
			return -1;
		s->notes = v;
		s->notecap = c;
	}
	s->notes[s->nnotes++] = *n;
	return 0;
}

/* One stapsdt note's descriptor: pc, base, semaphore (64-bit), then the
   provider, name and argument strings. */
static int note_parse(dt_usyms_t *s, const char *desc, size_t len,
		      uint64_t base, const Elf64_Phdr *ph, size_t nph)
{
	dt_unote_t n = { 0 };
	uint64_t a[3];
	const char *p = desc + sizeof(a), *end = desc + len;

	if (len < sizeof(a) + 3)
		return 0;
	memcpy(a, desc, sizeof(a));
	n.prov = p;
	n.name = p += strnlen(p, (size_t)(end - p)) + 1;
	if (p >= end)
		return 0;
	n.args = p += strnlen(p, (size_t)(end - p)) + 1;
	if (p >= end || memchr(p, '\0', (size_t)(end - p)) == NULL)
		return 0;
	n.pc = a[0] + (base != 0 ? base - a[1] : 0);
	if (dt_uelf_off(ph, nph, n.pc, &n.off) < 0)
		return 0;
	if (a[2] != 0 &&
	    dt_uelf_off(ph, nph, a[2] + (base != 0 ? base - a[1] : 0),
			&n.sem_off) < 0)
		return 0;
	return note_add(s, &n);
}

static int read_notes(dt_usyms_t *s, Elf_Scn *scn, const Elf64_Phdr *ph,
		      size_t nph)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	uint64_t base = section_addr(s->elf, ".stapsdt.base");
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (data != NULL && (off = gelf_getnote(data, off, &nh, &name_off,
						   &desc_off)) > 0) {
		const char *d = data->d_buf;

		if (nh.n_type != 3 || nh.n_namesz != 8 ||
		    memcmp(d + name_off, "stapsdt", 8) != 0)
			continue;
		if (note_parse(s, d + desc_off, nh.n_descsz, base, ph, nph) < 0)
			return -1;
	}
	return 0;
}

const dt_usym_t *dt_usyms_at(const dt_usyms_t *s, uint64_t vaddr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {	/* the last symbol at or below vaddr */
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0) {	/* aliases and nested sizes: look back */
		const dt_usym_t *f = &s->v[lo];

		if (vaddr - f->value < f->size)
			return f;
		if (lo > 0 && s->v[lo - 1].value != f->value)
			break;
	}
	return NULL;
}

int dt_usyms_read(dtrace_hdl_t *dtp, const char *path, dt_usyms_t *s)
{
	GElf_Phdr *ph = NULL;
	Elf_Scn *scn = NULL;
	size_t nph = 0;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	elf_version(EV_CURRENT);
	if ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot open %s: "
				    "%s", path, strerror(errno));
	s->elf = elf_begin(s->fd, ELF_C_READ_MMAP, NULL);
	if (s->elf == NULL || elf_kind(s->elf) != ELF_K_ELF)
		return 0;		/* not ELF: no functions */
	if ((ph = read_phdrs(s->elf, &nph)) == NULL)
		return 0;
	while (rc == 0 && (scn = elf_nextscn(s->elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM)
			rc = read_symtab(s, scn, &sh, ph, nph);
		else if (sh.sh_type == SHT_NOTE)
			rc = read_notes(s, scn, ph, nph);
	}
	free(ph);
	if (rc < 0) {
		dt_usyms_free(s);
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, ERR_NOMEM);
	}
	usyms_sort(s);
	return 0;
}

void dt_usyms_free(dt_usyms_t *s)
{
	free(s->v);
	free(s->notes);
	if (s->elf != NULL)
		elf_end(s->elf);
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* ---- the -c handshake ---------------------------------------------------- */

/* From /proc/PID/status: the state letter, the tracer's and the parent's
   pids. */
static int proc_status(int pid, char *state, int *tracer, int *ppid)
{
	char path[64], line[256];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	*state = '?';
	*tracer = *ppid = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "State:", 6) == 0)
			sscanf(line + 6, " %c", state);
		else if (strncmp(line, "TracerPid:", 10) == 0)
			*tracer = atoi(line + 10);
		else if (strncmp(line, "PPid:", 5) == 0)
			*ppid = atoi(line + 5);
	}
	fclose(fp);
	return 0;
}

static uint64_t auxv_entry(int pid)
{
	char path[64];
	uint64_t av[2], entry = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while (read(fd, av, sizeof(av)) == sizeof(av) && av[0] != AT_NULL)
		if (av[0] == AT_ENTRY)
			entry = av[1];
	close(fd);
	return entry;
}

/* Is pid our child still running dtrace, i.e. held before its exec? */
static bool before_exec(int pid)
{
	char link[64];
	struct stat self, st;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	return stat("/proc/self/exe", &self) == 0 && stat(link, &st) == 0 &&
	       self.st_dev == st.st_dev && self.st_ino == st.st_ino;
}

/* Continue with sig until the int3 at entry is hit (0) or the process is
   gone (-1, errno set). */
static int run_to(int pid, uint64_t entry)
{
	struct user_regs_struct regs;
	int st, sig = 0;

	for (;;) {
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(intptr_t)sig) < 0)
			return -1;
		while (waitpid(pid, &st, __WALL) < 0)
			if (errno != EINTR)
				return -1;
		if (!WIFSTOPPED(st)) {
			errno = ESRCH;
			return -1;
		}
		sig = WSTOPSIG(st);
		if (sig != SIGTRAP)
			continue;
		if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
			return -1;
		if (regs.rip == entry + 1)
			return 0;
	}
}

int dt_uproc_ready(dtrace_hdl_t *dtp, int pid)
{
	struct user_regs_struct regs;
	uint64_t entry;
	long word;
	char state;
	int tracer, ppid;

	if (proc_status(pid, &state, &tracer, &ppid) < 0)
		return 0;		/* gone: the caller will say */
	if (ppid == getpid() && before_exec(pid))
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "process %d has "
				    "not run its command yet (it is held "
				    "before its exec: ptrace is not "
				    "allowed)", pid);
	if (tracer != getpid() || state != 't')
		return 0;		/* not held by us: nothing to do */
	if ((entry = auxv_entry(pid)) == 0 ||
	    ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
		goto fail;
	if (regs.rip == entry)
		return 0;		/* done before */
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, (void *)entry, NULL);
	if (errno != 0 || ptrace(PTRACE_POKETEXT, pid, (void *)entry,
				 (void *)((word & ~0xffL) | 0xcc)) < 0)
		goto fail;
	if (run_to(pid, entry) < 0) {
		if (errno == ESRCH)
			return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "process "
					    "%d exited before reaching its "
					    "entry point", pid);
		goto fail;
	}
	if (ptrace(PTRACE_POKETEXT, pid, (void *)entry, (void *)word) < 0 ||
	    ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
		goto fail;
	regs.rip = entry;
	if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0)
		goto fail;
	return 0;
fail:
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to run process "
			    "%d to its entry point: %s", pid, strerror(errno));
}
