/*
 * tpformat.c - a kernel tracepoint's format file, read once, and the walk
 * of tracefs's events/<group>/<event> directories, for the
 * providers that serve probes from tracepoints (syscall, sdt, rawtp, proc).
 *
 * tracefs describes each event in events/<group>/<event>/format: its id
 * ("ID: 365") and the fields of the record a tracepoint program gets as
 * its context, one line each:
 *
 *	field:__data_loc char[] filename;  offset:8;  size:4;  signed:0;
 *	field:pid_t pid;  offset:12;  size:4;  signed:1;
 *	field:char comm[16];  offset:20;  size:16;  signed:0;
 *
 * The four common_* fields (type, flags, preempt count, pid) come first in
 * every record and are skipped: the rest are the event's own fields, in
 * order, which is what DTrace calls the probe's arguments.  Each field is
 * classified by how a program turns it into a 64-bit argument:
 *
 *	DT_TF_INT     a scalar of 1, 2, 4 or 8 bytes: loaded and sign- or
 *	              zero-extended as the format says (pointers included);
 *	DT_TF_ADDR    anything else held in the record (char comm[16], a
 *	              flexible array, a struct): the field's address;
 *	DT_TF_DATALOC a __data_loc field (a variable-length string or array
 *	              stored after the fixed fields): a 32-bit word holding
 *	              the data's offset from the record's start in its low
 *	              16 bits and its length in the high 16; the argument is
 *	              the data's address;
 *	DT_TF_RELLOC  a __rel_loc field: the same, the offset counted from
 *	              the end of the field itself.
 *
 * Type names are DTrace's reading of the declaration: the last word
 * before any array bounds is the field's name, the rest (bounds kept) its
 * type, and a __data_loc/__rel_loc prefix is dropped: "char comm[16]"
 * is char[16], "__data_loc char[] filename" is char[], "const char *
 * filename" is const char *.
 *
 * Contract: dt_tpformat_parse never fails on a well-formed file with more
 * fields than DT_TP_MAX_FIELDS (the extra ones are counted, not kept).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider.h"

#define FIELD "\tfield:"
#define COMMON "common_"
#define FORMAT_MAX 16384

/* The type of a field from its declaration, decl[0..len): see above. */
void dt_tpformat_type(const char *decl, size_t len, char *out, size_t size)
{
	static const char *const prefixes[] = { "__data_loc ", "__rel_loc " };
	size_t bounds = len, name;

	for (size_t i = 0; i < 2; i++) {
		size_t pl = strlen(prefixes[i]);

		if (len > pl && strncmp(decl, prefixes[i], pl) == 0) {
			decl += pl;
			len -= pl;
		}
	}
	while (len > 0 && decl[len - 1] == ' ')
		len--;
	bounds = len;		/* trailing "[16]" groups follow the name */
	while (bounds > 0 && decl[bounds - 1] == ']') {
		while (bounds > 0 && decl[bounds - 1] != '[')
			bounds--;
		if (bounds > 0)
			bounds--;
		while (bounds > 0 && decl[bounds - 1] == ' ')
			bounds--;
	}
	name = bounds;
	while (name > 0 && decl[name - 1] == ' ')
		name--;
	while (name > 0 && decl[name - 1] != ' ')
		name--;
	while (name > 0 && decl[name - 1] == ' ')
		name--;
	snprintf(out, size, "%.*s%.*s", (int)name, decl, (int)(len - bounds),
		 decl + bounds);
}

/* The number after key on the line [p, eol), or -1. */
static long field_num(const char *p, const char *eol, const char *key)
{
	const char *k = strstr(p, key);

	if (k == NULL || k > eol)
		return -1;
	return strtol(k + strlen(key), NULL, 10);
}

/* Is the field declared in decl[0..len) one of the common_* ones? */
static bool is_common(const char *decl, size_t len)
{
	size_t end = len, start;

	for (size_t i = 0; i < len; i++)
		if (decl[i] == '[') {
			end = i;
			break;
		}
	while (end > 0 && decl[end - 1] == ' ')
		end--;
	start = end;
	while (start > 0 && decl[start - 1] != ' ')
		start--;
	return end - start > strlen(COMMON) &&
	       strncmp(decl + start, COMMON, strlen(COMMON)) == 0;
}

static int field_kind(const char *decl, size_t len, long size)
{
	if (strncmp(decl, "__data_loc ", 11) == 0)
		return DT_TF_DATALOC;
	if (strncmp(decl, "__rel_loc ", 10) == 0)
		return DT_TF_RELLOC;
	if (memchr(decl, '[', len) != NULL)
		return DT_TF_ADDR;
	if (size == 1 || size == 2 || size == 4 || size == 8)
		return DT_TF_INT;
	return DT_TF_ADDR;
}

int dt_tpformat_parse(const char *text, dt_tpformat_t *fmt)
{
	const char *p = strstr(text, "\nID: ");

	memset(fmt, 0, sizeof(*fmt));
	if (strncmp(text, "ID: ", 4) == 0)
		p = text - 1;
	if (p == NULL || sscanf(p + 5, "%d", &fmt->id) != 1)
		return -1;
	for (p = strstr(text, FIELD); p != NULL; p = strstr(p + 1, FIELD)) {
		const char *decl = p + strlen(FIELD);
		const char *eol = strchr(decl, '\n'), *semi = strchr(decl, ';');
		long off, size;
		size_t len;
		dt_tpfield_t *f;

		if (eol == NULL)
			eol = decl + strlen(decl);
		off = field_num(decl, eol, "offset:");
		size = field_num(decl, eol, "size:");
		if (semi == NULL || semi > eol || off < 0 || size < 0)
			return -1;
		len = (size_t)(semi - decl);
		if (is_common(decl, len))
			continue;
		if (fmt->nfields++ >= DT_TP_MAX_FIELDS)
			continue;
		f = &fmt->fields[fmt->nfields - 1];
		f->off = (uint32_t)off;
		f->size = (uint32_t)size;
		f->is_signed = field_num(decl, eol, "signed:") == 1;
		f->kind = field_kind(decl, len, size);
		dt_tpformat_type(decl, len, f->type, sizeof(f->type));
	}
	return 0;
}

int dt_tpformat_read(const char *tracefs, const char *group,
		     const char *event, dt_tpformat_t *fmt)
{
	char path[512], *text = malloc(FORMAT_MAX);
	int fd, rc = -1, err = ENOMEM;
	ssize_t n;

	if (text == NULL)
		goto out;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format",
		 tracefs, group, event);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err = errno;
		goto out;
	}
	for (size_t len = 0;; len += (size_t)n) {
		n = len + 1 < FORMAT_MAX ?
		    read(fd, text + len, FORMAT_MAX - 1 - len) : 0;
		if (n <= 0) {
			err = errno;
			text[len] = '\0';
			break;
		}
	}
	close(fd);
	if (n < 0)
		goto out;
	err = EINVAL;
	rc = dt_tpformat_parse(text, fmt);
out:
	free(text);
	if (rc < 0)
		errno = err;
	return rc;
}

/* ---- walking tracefs's events --------------------------------------------- */

/* Groups that hold no tracepoints of their own for sdt and rawtp: syscalls
   (the syscall provider's), kprobes and uprobes (made by other tools; we
   never write tracefs), ftrace (the tracer's own events). */
static const char *const tp_skip[] = {
	"syscalls", "kprobes", "uprobes", "ftrace",
};

static bool tp_has_glob(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

static bool tp_group_ok(const char *group)
{
	if (group[0] == '.' || strchr(group, '/') != NULL)
		return false;
	for (size_t i = 0; i < sizeof(tp_skip) / sizeof(tp_skip[0]); i++)
		if (strcmp(group, tp_skip[i]) == 0)
			return false;
	return true;
}

/* The events of one group that match epat: a name costs one access(),
   a pattern a readdir. */
static int tp_walk_group(dtrace_hdl_t *dtp, const char *group,
			 const char *epat, dt_tpwalk_f *fn)
{
	char path[512];
	struct dirent *de;
	DIR *dir;
	int n = 0, r = 0;

	snprintf(path, sizeof(path), "%s/events/%s", dtp->feat.tracefs, group);
	if (epat[0] != '\0' && !tp_has_glob(epat)) {
		if (strchr(epat, '/') != NULL || epat[0] == '.')
			return 0;
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
			 "/%s/format", epat);
		return access(path, R_OK) == 0 ?
		       fn(dtp, group, epat, true) : 0;
	}
	if ((dir = opendir(path)) == NULL)
		return 0;	/* not a group (header_page, enable, ...) */
	while (r >= 0 && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR ||
		    !dt_gmatch(de->d_name, epat))
			continue;
		r = fn(dtp, group, de->d_name, false);
		n += r > 0 ? r : 0;
	}
	closedir(dir);
	return r < 0 ? -1 : n;
}

int dt_tracefs_walk(dtrace_hdl_t *dtp, const dt_pdesc_t *pd, dt_tpwalk_f *fn)
{
	const char *gpat = pd->mod, *epat = pd->name;
	char path[512];
	struct dirent *de;
	DIR *dir;
	int n = 0, r = 0;

	if (!dt_gmatch("", pd->func))
		return 0;	/* the function field is always empty */
	if (dt_features_probe(dtp) < 0)
		return -1;
	if (dtp->feat.tracefs[0] == '\0')	/* no tracefs: no tracepoints */
		return 0;
	if (gpat[0] != '\0' && !tp_has_glob(gpat))
		return tp_group_ok(gpat) ?
		       tp_walk_group(dtp, gpat, epat, fn) : 0;
	snprintf(path, sizeof(path), "%s/events", dtp->feat.tracefs);
	if ((dir = opendir(path)) == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot read %s: "
				    "%s", path, strerror(errno));
	while (r >= 0 && (de = readdir(dir)) != NULL) {
		if (de->d_type != DT_DIR || !tp_group_ok(de->d_name) ||
		    !dt_gmatch(de->d_name, gpat))
			continue;
		r = tp_walk_group(dtp, de->d_name, epat, fn);
		n += r > 0 ? r : 0;
	}
	closedir(dir);
	return r < 0 ? -1 : n;
}
