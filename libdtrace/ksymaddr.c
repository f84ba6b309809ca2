/*
 * ksymaddr.c - kernel symbol names to addresses, for backquoted symbols
 * in D (`jiffies, vmlinux`max_pfn, ext4`ext4_fill_super).
 *
 * The compiler asks through its ksym hook only when a script names a
 * symbol, so /proc/kallsyms is scanned then, line by line, for the name
 * (no table is kept: scripts name a handful of symbols at most).  A
 * module scope must be "vmlinux" or a module /proc/modules lists.  Data
 * symbols are in kallsyms only on kernels built with CONFIG_KALLSYMS_ALL;
 * addresses read as 0 when kptr_restrict hides them, which counts as
 * not found.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "libdtrace.h"

/* Is mod a module this kernel has loaded? */
static bool module_loaded(FILE *mods, const char *mod)
{
	char line[512];
	size_t n = strlen(mod);

	if (mods == NULL)
		return false;
	while (fgets(line, sizeof(line), mods) != NULL)
		if (strncmp(line, mod, n) == 0 && line[n] == ' ')
			return true;
	return false;
}

/* One kallsyms line: address, type letter, name and module ("vmlinux":
   the core's); false if it is not one. */
static bool ksym_parse(const char *line, uint64_t *addr, char *type,
		       char sym[512], char mod[256])
{
	unsigned long long a;

	strcpy(mod, "vmlinux");
	if (sscanf(line, "%llx %c %511s [%255[^]]]", &a, type, sym, mod) < 3)
		return false;
	*addr = a;
	return true;
}

static bool ksym_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

int dt_ksym_addr(FILE *kallsyms, FILE *mods, const char *mod,
		 const char *name, uint64_t *addr, bool *text)
{
	char line[1024], type, sym[512], m[256];
	uint64_t a;

	if (mod != NULL && strcmp(mod, "vmlinux") != 0 &&
	    !module_loaded(mods, mod))
		return -1;
	while (kallsyms != NULL && fgets(line, sizeof(line), kallsyms))
		if (ksym_parse(line, &a, &type, sym, m) && a != 0 &&
		    strcmp(sym, name) == 0 &&
		    (mod == NULL || strcmp(m, mod) == 0)) {
			*addr = a;
			*text = ksym_text(type);
			return 0;
		}
	return -2;
}

int dt_ksym_each_text(FILE *kallsyms, dt_ksym_f *fn, void *arg)
{
	char line[1024], type, sym[512], m[256];
	uint64_t a;
	int rc = 0;

	while (rc == 0 && fgets(line, sizeof(line), kallsyms))
		if (ksym_parse(line, &a, &type, sym, m) && a != 0 &&
		    ksym_text(type))
			rc = fn(arg, m, sym, a);
	return rc;
}

int dt_ksym_hook(void *arg, const char *mod, const char *name,
		 uint64_t *addr, bool *text)
{
	FILE *ks = fopen("/proc/kallsyms", "r");
	FILE *mods = mod != NULL ? fopen("/proc/modules", "r") : NULL;
	int rc;

	(void)arg;
	rc = dt_ksym_addr(ks, mods, mod, name, addr, text);
	if (ks != NULL)
		fclose(ks);
	if (mods != NULL)
		fclose(mods);
	return rc;
}
