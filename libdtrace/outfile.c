/*
 * outfile.c - freopen() and ftruncate(): where trace output goes.
 *
 * freopen(fmt, ...) formats a file name as printf would and sends all
 * later output (probe lines, printf, printa, END's and the final
 * aggregations) there, appending; freopen("") sends it back to where it
 * went before the first freopen() (stdout, or the -o file).  A file that
 * cannot be opened is reported and output stays where it was, as in
 * DTrace.  ftruncate() empties the current output file (a terminal or a
 * pipe is left alone).  The file freopen() opened is closed by the next
 * freopen() and by dtrace_close().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libdtrace.h"

void dt_freopen(dtrace_hdl_t *dtp, const dl_action_t *a, const void *rec,
		size_t size)
{
	char *name = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&name, &len);

	if (f == NULL)
		return;
	dt_printf(dtp, f, a->pfmt, a->fields, a->nfields, rec, size);
	fclose(f);
	fflush(dtp->out);
	FILE *base = dtp->out_orig != NULL ? dtp->out_orig : dtp->out;
	FILE *nf = base;
	fflush(base);
	if (name[0] != '\0' && (nf = fopen(name, "a")) == NULL) {
		fprintf(stderr, "dtrace: failed to freopen to \"%s\": %s\n",
			name, strerror(errno));
		free(name);
		return;
	}
	if (dtp->out_orig != NULL && dtp->out != dtp->out_orig)
		fclose(dtp->out);
	dtp->out_orig = base;
	dtp->out = nf;
	free(name);
}

void dt_ftruncate(dtrace_hdl_t *dtp)
{
	fflush(dtp->out);
	int fd = fileno(dtp->out);
	if (fd >= 0 && lseek(fd, 0, SEEK_SET) == 0)
		(void)ftruncate(fd, 0);
}

void dt_outfile_close(dtrace_hdl_t *dtp)
{
	if (dtp->out_orig != NULL && dtp->out != dtp->out_orig) {
		fclose(dtp->out);
		dtp->out = dtp->out_orig;
	}
}
