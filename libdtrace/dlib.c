/*
 * dlib.c - the D library: the .d files of declarations (types,
 * translators, inlines) every program may use without declaring them,
 * psinfo_t and curpsinfo among them.
 *
 * Where: the directory installed with dtrace ($(PREFIX)/lib/dtrace), or,
 * for a dtrace run from its build tree, the lib/dtrace beside the binary
 * (the build stages the library there, so tests use the tree's own);
 * then each -L directory, in order.  A file whose name an earlier
 * directory already had is skipped, as in DTrace.  -x nolibs loads none.
 *
 * Cost: the files are read once per handle.  A compilation parses, ahead
 * of the program and in the same compiler context (so the lexer knows
 * their type names), only the files that have, as a word that is not a
 * member name (after -> or .), one of the identifiers of the program's
 * text other than keywords, built-in variables and functions and D's
 * standard types; and the files those depend on.  A false match costs a
 * parse, never a wrong result.  `BEGIN { exit(0) }` parses none (our lexer takes about 2 us a line, so
 * parsing all of them would cost a few hundred microseconds).  A parsed
 * file's declarations are recorded, not resolved (the compiler's
 * lazy_decls): a type, translator or inline is only checked, and kernel
 * types it names only looked up in BTF, when the program uses it.
 * A provider whose args[] are translated (e.g. to psinfo_t) names its
 * types in its own argtype hook, not in the program text: the program's
 * use of a member (pr_pid) is what loads the file.
 *
 * `#pragma D depends_on`, as DTrace: in a library file, an unmet
 * dependency on a provider or module skips that file, and `library x.d`
 * orders the files (x.d first; a missing one skips the file); in a
 * program, an unmet provider or module is an error (D_PRAGMA_DEPEND
 * "program requires provider x"), and a library must be one that loaded.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libdtrace.h"
#include "provider.h"

#ifndef DT_LIBDIR
#define DT_LIBDIR "/usr/local/lib/dtrace"
#endif

typedef struct dlfile {
	const char *path;	/* dir/name.d */
	const char *name;	/* name.d */
	const char *text;
	const char *code;	/* text without its comments */
	const char **deps;	/* `depends_on library` names */
	bool wanted;		/* by the compilation being prepared */
	size_t ndeps, depcap;
	int state;		/* 0 not placed, 1 placing, 2 placed,
				   3 skipped */
	bool failed;		/* a dependency was not met when parsed */
} dlfile_t;

struct dt_dlib {
	const char **dirs;	/* -L directories, in order */
	size_t ndirs, dircap;
	dlfile_t **files;	/* in load order once read */
	size_t nfiles, filecap;
	bool read;
	const char *loading;	/* the file being parsed, or NULL */
};

static struct dt_dlib *dlib(dtrace_hdl_t *dtp)
{
	if (dtp->dlib == NULL)
		dtp->dlib = dl_alloc(dtp->arena, sizeof(*dtp->dlib));
	return dtp->dlib;
}

int dt_dlib_setopt(dtrace_hdl_t *dtp, const char *name, const char *value)
{
	struct dt_dlib *d;

	if (name == NULL || strcmp(name, "libdir") != 0)
		return 1;
	if (value == NULL || *value == '\0')
		return dt_set_error(dtp, DTRACE_ERR_USAGE, "Invalid value for "
				    "specified option");
	d = dlib(dtp);
	dl_vec_grow(dtp->arena, (void **)&d->dirs, &d->dircap, d->ndirs + 1,
		    sizeof(*d->dirs));
	d->dirs[d->ndirs++] = dl_strdup(dtp->arena, value);
	return 0;
}

/* The installed library, or the build tree's beside the binary. */
static const char *system_dir(dtrace_hdl_t *dtp)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;

	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			const char *dir = dl_sprintf(dtp->arena, "%s/lib/dtrace",
						     exe);
			if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
				return dir;
		}
	}
	return DT_LIBDIR;
}

/* The text a file's words are looked for in (want_word): comments
   blanked out (new lines kept), so that words of comments match nothing. */
static const char *uncomment(dtrace_hdl_t *dtp, const char *text)
{
	char *t = dl_strdup(dtp->arena, text), *p = t;

	while (*p != '\0') {
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			while (*p != '\0' && *p != q && *p != '\n')
				p += p[0] == '\\' && p[1] != '\0' ? 2 : 1;
			if (*p == q)
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");
			char *end = e ? e + 2 : p + strlen(p);
			for (; p < end; p++)
				if (*p != '\n')
					*p = ' ';
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p != '\0' && *p != '\n')
				*p++ = ' ';
		} else {
			p++;
		}
	}
	return t;
}

static char *slurp(dtrace_hdl_t *dtp, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (f == NULL)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	char chunk[8192];
	size_t k;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, k, m);
	fclose(f);
	fclose(m);
	char *text = dl_strdup(dtp->arena, buf);
	free(buf);
	return text;
}

/* `#pragma D depends_on library NAME` lines: the order to parse in. */
static void scan_deps(dtrace_hdl_t *dtp, dlfile_t *f)
{
	for (const char *p = f->text; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char cls[16], name[256];
		const char *s = p;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' && sscanf(s, "#pragma D depends_on %15s %255s",
					cls, name) == 2 &&
		    strcmp(cls, "library") == 0 && (size_t)(s - p) < len) {
			dl_vec_grow(dtp->arena, (void **)&f->deps, &f->depcap,
				    f->ndeps + 1, sizeof(*f->deps));
			f->deps[f->ndeps++] = dl_strdup(dtp->arena, name);
		}
		p = eol ? eol + 1 : NULL;
	}
}

static dlfile_t *find_file(struct dt_dlib *d, const char *name)
{
	for (size_t i = 0; i < d->nfiles; i++)
		if (strcmp(d->files[i]->name, name) == 0)
			return d->files[i];
	return NULL;
}

static void read_dir(dtrace_hdl_t *dtp, const char *dir)
{
	struct dt_dlib *d = dlib(dtp);
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t len = strlen(nm);
		if (len > 2 && strcmp(nm + len - 2, ".d") == 0 &&
		    find_file(d, nm) == NULL) {
			dlfile_t *f = dl_alloc(dtp->arena, sizeof(*f));
			f->name = dl_strdup(dtp->arena, nm);
			f->path = dl_sprintf(dtp->arena, "%s/%s", dir, nm);
			f->text = slurp(dtp, f->path);
			if (f->text != NULL) {
				f->code = uncomment(dtp, f->text);
				scan_deps(dtp, f);
				dl_vec_grow(dtp->arena, (void **)&d->files,
					    &d->filecap, d->nfiles + 1,
					    sizeof(*d->files));
				d->files[d->nfiles++] = f;
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

/* ---- the index of names ----------------------------------------------- */

static const char *const not_names[] = {	/* D keywords */
	"auto", "break", "case", "char", "const", "continue", "counter",
	"default", "do", "double", "else", "enum", "extern", "float", "for",
	"goto", "if", "import", "inline", "int", "long", "offsetof", "probe",
	"provider", "register", "restrict", "return", "self", "short",
	"signed", "sizeof", "static", "string", "stringof", "struct",
	"switch", "this", "translator", "typedef", "union", "unsigned",
	"void", "volatile", "while", "xlate",
};

static bool is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool not_name(const dl_types_t *T, const char *w)
{
	static const char *const vars[] = {
#define DL_VAR(name, type, ok) #name,
#define DL_FUNC(name, kind, min, max, ok) #name,
#include "dl_idents.h"
#undef DL_FUNC
#undef DL_VAR
	};

	for (size_t i = 0; i < sizeof(not_names) / sizeof(*not_names); i++)
		if (strcmp(w, not_names[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		if (strcmp(w, vars[i]) == 0)
			return true;
	return dl_type_by_name(T, w) != NULL;
}

/* Call fn for each identifier of text outside comments, strings,
   character constants and # lines; member says whether -> or . comes
   just before it. */
static void each_word(const char *s, void (*fn)(void *, const char *,
						size_t, bool), void *arg)
{
	bool member = false, bol = true;

	while (*s != '\0') {
		if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");
			s = e ? e + 2 : s + strlen(s);
		} else if (s[0] == '/' && s[1] == '/') {
			s += strcspn(s, "\n");
		} else if (*s == '"' || *s == '\'') {
			char q = *s++;
			while (*s != '\0' && *s != q && *s != '\n')
				s += s[0] == '\\' && s[1] != '\0' ? 2 : 1;
			if (*s == q)
				s++;
			member = false;
		} else if (*s == '#' && bol) {
			s += strcspn(s, "\n");
		} else if (is_word(*s) && !(*s >= '0' && *s <= '9')) {
			size_t n = 1;
			while (is_word(s[n]))
				n++;
			fn(arg, s, n, member);
			s += n;
			member = false;
		} else if (is_word(*s)) {	/* a number */
			while (is_word(*s))
				s++;
			member = false;
		} else {
			if (*s == '.' || (s[0] == '-' && s[1] == '>'))
				member = true;
			else if (*s != ' ' && *s != '\t' && *s != '\n')
				member = false;
			if (*s == '\n')
				bol = true;
			else if (*s != ' ' && *s != '\t')
				bol = false;
			s += (s[0] == '-' && s[1] == '>') ? 2 : 1;
			continue;
		}
		bol = false;
	}
}

typedef struct seen {
	const char *w;		/* in the program's text */
	size_t n;
} seen_t;

typedef struct want {
	struct dt_dlib *d;
	dl_arena_t *arena;
	dl_types_t types;
	seen_t *seen;		/* words looked up already: open addressing */
	size_t nseen, seencap;	/* (a power of two) */
	char buf[256];
} want_t;

/* Has the program's word w been looked up before?  Adds it if not: a
   script of thousands of clauses repeats a few words thousands of times,
   and each look-up searches every library file. */
static bool seen_before(want_t *x, const char *w, size_t n)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	if (2 * (x->nseen + 1) > x->seencap) {
		seen_t *old = x->seen;
		size_t oldcap = x->seencap;
		x->seencap = oldcap != 0 ? 2 * oldcap : 256;
		x->seen = dl_alloc(x->arena, x->seencap * sizeof(*x->seen));
		x->nseen = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].w != NULL)
				seen_before(x, old[i].w, old[i].n);
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 1099511628211ull;
	for (size_t i = h & (x->seencap - 1);; i = (i + 1) & (x->seencap - 1)) {
		seen_t *s = &x->seen[i];
		if (s->w == NULL) {
			*s = (seen_t){ w, n };
			x->nseen++;
			return false;
		}
		if (s->n == n && memcmp(s->w, w, n) == 0)
			return true;
	}
}

/* Does text have w as a word of its own, other than a member name (after
   -> or .)? */
static bool has_word(const char *text, const char *w, size_t n)
{
	for (const char *p = text; (p = strstr(p, w)) != NULL; p += n) {
		const char *q = p;
		if ((p > text && is_word(p[-1])) || is_word(p[n]))
			continue;
		while (q > text && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if ((q > text && q[-1] == '.') ||
		    (q - text >= 2 && q[-2] == '-' && q[-1] == '>'))
			continue;
		return true;
	}
	return false;
}

/* A word of the program: every file that has it is wanted. */
static void want_word(void *arg, const char *w, size_t n, bool member)
{
	want_t *x = arg;

	if (n >= sizeof(x->buf) || seen_before(x, w, n))
		return;
	memcpy(x->buf, w, n);
	x->buf[n] = '\0';
	if (not_name(&x->types, x->buf))
		return;
	for (size_t i = 0; i < x->d->nfiles; i++) {
		dlfile_t *f = x->d->files[i];
		if (!f->wanted && has_word(f->code, x->buf, n))
			f->wanted = true;
	}
}

/* A wanted file's libraries are wanted too. */
static void want_deps(struct dt_dlib *d, dlfile_t *f)
{
	for (size_t k = 0; k < f->ndeps; k++) {
		dlfile_t *g = find_file(d, f->deps[k]);
		if (g != NULL && !g->wanted) {
			g->wanted = true;
			want_deps(d, g);
		}
	}
}

/* Depth first: a file after the libraries it depends on; one whose
   dependency is missing (or circular) is skipped. */
static bool place(struct dt_dlib *d, dlfile_t *f, dlfile_t **out, size_t *n)
{
	if (f->state == 2)
		return true;
	if (f->state != 0)
		return false;
	f->state = 1;
	for (size_t i = 0; i < f->ndeps; i++) {
		dlfile_t *g = find_file(d, f->deps[i]);
		if (g == NULL || !place(d, g, out, n)) {
			f->state = 3;
			return false;
		}
	}
	f->state = 2;
	out[(*n)++] = f;
	return true;
}

static void read_library(dtrace_hdl_t *dtp)
{
	struct dt_dlib *d = dlib(dtp);

	if (d->read)
		return;
	d->read = true;
	read_dir(dtp, system_dir(dtp));
	for (size_t i = 0; i < d->ndirs; i++)
		read_dir(dtp, d->dirs[i]);
	dlfile_t **order = dl_alloc(dtp->arena, (d->nfiles + 1) *
				    sizeof(*order));
	size_t n = 0;
	for (size_t i = 0; i < d->nfiles; i++)
		place(d, d->files[i], order, &n);
	d->files = order;
	d->nfiles = n;
}

/* ---- depends_on ----------------------------------------------------------- */

static bool have_provider(const char *name)
{
	for (size_t i = 0; dt_providers[i] != NULL; i++)
		if (strcmp(dt_providers[i]->name, name) == 0)
			return true;
	return false;
}

static bool have_module(const char *name)
{
	struct stat st;
	char path[PATH_MAX];

	if (strcmp(name, "vmlinux") == 0)
		return true;
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

static const char *depends_on(void *arg, const char *cls, const char *name)
{
	dtrace_hdl_t *dtp = arg;
	struct dt_dlib *d = dlib(dtp);

	if (strcmp(cls, "library") == 0) {
		if (d->loading != NULL)	/* ordered by read_library */
			return NULL;
		dlfile_t *f = find_file(d, name);
		if (f != NULL && !f->failed)
			return NULL;
		return dl_sprintf(dtp->arena, "program requires library \"%s\" "
				  "which failed to load", name);
	}
	if ((strcmp(cls, "provider") == 0 && have_provider(name)) ||
	    (strcmp(cls, "module") == 0 && have_module(name)))
		return NULL;
	return dl_sprintf(dtp->arena, "program requires %s %s", cls, name);
}

/* ---- loading into a compilation ---------------------------------------- */

int dt_dlib_load(dtrace_hdl_t *dtp, dl_ctx_t *cx, const char *src)
{
	struct dt_dlib *d = dlib(dtp);
	want_t *w = dl_alloc(cx->arena, sizeof(*w));

	cx->depends_on = depends_on;
	cx->depends_on_arg = dtp;
	if (dt_opt(dtp, DT_OPT_nolibs))
		return 0;
	read_library(dtp);
	for (size_t i = 0; i < d->nfiles; i++)
		d->files[i]->wanted = false;
	w->d = d;
	w->arena = cx->arena;
	dl_types_init(&w->types);
	each_word(src, want_word, w);
	for (size_t i = 0; i < d->nfiles; i++)
		if (d->files[i]->wanted)
			want_deps(d, d->files[i]);
	for (size_t i = 0; i < d->nfiles; i++) {
		dlfile_t *f = d->files[i];
		dl_node_t *ast = NULL;
		bool skip = false;

		if (!f->wanted)
			continue;
		for (size_t k = 0; k < f->ndeps; k++)
			skip = skip || find_file(d, f->deps[k])->failed;
		if (skip || f->failed) {
			f->failed = true;
			continue;
		}
		d->loading = f->name;
		int rc = dl_compile_parse(cx, f->text, f->path, &ast);
		d->loading = NULL;
		if (rc < 0 && cx->err.tag == D_PRAGMA_DEPEND) {
			f->failed = true;	/* skipped, as in DTrace */
			continue;
		}
		if (rc < 0)
			return dt_compile_error(dtp, cx, NULL);
		cx->lazy_decls = true;
		for (dl_node_t *n = ast; n != NULL; n = n->next) {
			if (n->kind == ND_CLAUSE || n->kind == ND_PROVIDER) {
				dl_error_t *e = &cx->err;
				e->tag = D_UNSUPPORTED;
				e->loc = n->loc;
				snprintf(e->msg, sizeof(e->msg), "a D library "
					 "file may only declare");
				rc = -1;
			} else {
				rc = dl_compile_decl(cx, n);
			}
			if (rc < 0) {
				cx->lazy_decls = false;
				return dt_compile_error(dtp, cx, NULL);
			}
		}
		cx->lazy_decls = false;
	}
	return 0;
}
