/*
 * cpp.c - `dtrace -C`: the program text goes through the system C
 * preprocessor before the compiler sees it, with -D, -U and -I passed on.
 *
 * Like DTrace, we undefine the compiler's own macros and define D's
 * (__linux, __unix, __SUNW_D, __SUNW_D_64, the architecture).  The text is
 * handed to cpp on a memfd as stdin, prefixed with a line marker naming the
 * script, so the markers cpp writes keep errors pointing at the user's file
 * and lines (the lexer follows them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libdtrace.h"

static const char *const cpp_predefined[] = {
	"-undef", "-D__linux", "-D__linux__", "-D__unix", "-D__unix__",
	"-D__SUNW_D=1", "-D__SUNW_D_64", "-D__x86_64", "-D__x86_64__",
	"-D__amd64", "-D__amd64__",
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* -D, -U and -I arrive as the options define, undef and incdir. */
static const struct {
	const char *opt, *flag;
} cpp_opts[] = {
	{ "define", "-D" }, { "undef", "-U" }, { "incdir", "-I" },
};

int dt_cpp_setopt(dtrace_hdl_t *dtp, const char *name, const char *value)
{
	for (size_t i = 0; name != NULL && i < NELEMS(cpp_opts); i++) {
		if (strcmp(name, cpp_opts[i].opt) != 0)
			continue;
		if (value == NULL || *value == '\0')
			return dt_set_error(dtp, DTRACE_ERR_USAGE,
					    "Invalid value for specified "
					    "option");
		char **v = realloc(dtp->cpp_argv, (dtp->cpp_argc + 1) *
				   sizeof(char *));
		if (v == NULL)
			abort();
		dtp->cpp_argv = v;
		if (asprintf(&v[dtp->cpp_argc++], "%s%s", cpp_opts[i].flag,
			     value) < 0)
			abort();
		return 0;
	}
	return 1;	/* not a preprocessor option */
}

static int cpp_input(const char *text, const char *file)
{
	int fd = memfd_create("dtrace-cpp", MFD_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(dup(fd), "w");

	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "# 1 \"%s\"\n%s", file ? file : "<command line>", text);
	if (fclose(f) != 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void cpp_exec(dtrace_hdl_t *dtp, int in, int out)
{
	size_t n = 0;
	const char **argv = calloc(NELEMS(cpp_predefined) + dtp->cpp_argc + 4,
				   sizeof(char *));

	argv[n++] = "cpp";
	for (size_t i = 0; i < NELEMS(cpp_predefined); i++)
		argv[n++] = cpp_predefined[i];
	for (size_t i = 0; i < dtp->cpp_argc; i++)
		argv[n++] = dtp->cpp_argv[i];
	argv[n++] = "-";
	dup2(in, 0);
	dup2(out, 1);
	execvp("cpp", (char **)argv);
	_exit(127);
}

static char *read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	while (buf != NULL && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2048)
			buf = realloc(buf, cap *= 2);
	}
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

char *dt_cpp(dtrace_hdl_t *dtp, const char *text, const char *file)
{
	int in = cpp_input(text, file), out[2];
	char *res = NULL;
	int st;

	if (in < 0 || pipe2(out, O_CLOEXEC) < 0) {
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to run cpp: %s",
			     strerror(errno));
		return NULL;
	}
	pid_t pid = fork();
	if (pid == 0)
		cpp_exec(dtp, in, out[1]);
	close(out[1]);
	close(in);
	if (pid > 0)
		res = read_all(out[0]);
	close(out[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		free(res);
		dt_set_error(dtp, DTRACE_ERR_COMPILE, "preprocessor failed%s",
			     pid > 0 && WIFEXITED(st) &&
			     WEXITSTATUS(st) == 127 ? ": cpp not found" : "");
		return NULL;
	}
	return res;
}
