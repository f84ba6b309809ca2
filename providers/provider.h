/*
 * provider.h - the providers, one file each, behind one ops table
 * (dt_provops_t in libdtrace.h).
 *
 *   dtrace.c   BEGIN, END, ERROR: fired from user space by running the
 *              program with BPF_PROG_TEST_RUN (raw tracepoint type); the
 *              probe id and arguments arrive in the context array.
 *   syscall.c  syscall:vmlinux:<name>:entry|return on the raw tracepoints
 *              sys_enter / sys_exit: one attachment per program whatever
 *              its number of probes, the program's own map turning the
 *              syscall number into the probe id (the syscalls:sys_enter_*
 *              tracepoints, through perf events, only for syscalls whose
 *              number this build does not know).
 *   profile.c  profile:::profile-N and tick-N on perf software clock events.
 *   pid.c      pid<PID>:<object>:<function>:entry|return|<offset> on
 *              uprobes (perf uprobe PMU events filtered to the process).
 */
#ifndef PROVIDERS_PROVIDER_H
#define PROVIDERS_PROVIDER_H

#include "libdtrace.h"

extern const dt_provops_t dt_prov_dtrace;
extern const dt_provops_t dt_prov_syscall;
extern const dt_provops_t dt_prov_profile;
extern const dt_provops_t dt_prov_pid;

/* All providers, in the order -l lists them; NULL-terminated. */
extern const dt_provops_t *const dt_providers[];

/* dtrace.c: fire BEGIN (1), END (2) on the current CPU. */
#define DT_PROBE_BEGIN 1
#define DT_PROBE_END 2
#define DT_PROBE_ERROR 3
int dt_dtrace_fire(dtrace_hdl_t *dtp, uint32_t probe_id, int prog_fd);

/* profile.c: parse "profile-N[unit]" / "tick-N[unit]" into an interval in
   ns.  Returns 0, or -1 with the reason in err. */
int dt_profile_parse(const char *name, uint64_t *period_ns, bool *tick,
		     char *err, size_t errsz);

/* pid.c: the pid of a provider name "pid1234" (-1 if it is not one), and
   the offset a probe name like "1c" stands for (0, or -1 if it is not
   one: lower-case hex without leading zeros). */
int dt_pid_of(const char *prov);
int dt_pid_offset_of(const char *name, uint64_t *off);

#endif /* PROVIDERS_PROVIDER_H */
