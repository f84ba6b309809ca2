/*
 * dt_options.h - every -x option, once: DT_OPT(name, kind, default).
 * Defaults are DTrace's.  Sizes in bytes, times in nanoseconds.
 */
DT_OPT(quiet,       DT_OK_BOOL, 0)
DT_OPT(flowindent,  DT_OK_BOOL, 0)
DT_OPT(destructive, DT_OK_BOOL, 0)
DT_OPT(zdefs,       DT_OK_BOOL, 0)		/* -Z */
DT_OPT(errtags,     DT_OK_BOOL, 0)
DT_OPT(verbose,     DT_OK_BOOL, 0)
DT_OPT(strsize,     DT_OK_SIZE, 256)
DT_OPT(scratchsize, DT_OK_SIZE, 256)
DT_OPT(printsize,   DT_OK_SIZE, 8192)	/* print() cuts structs here */
DT_OPT(bufsize,     DT_OK_SIZE, 4 * 1024 * 1024)
DT_OPT(bufpolicy,   DT_OK_BUFPOLICY, DT_BUFPOLICY_SWITCH)
DT_OPT(bufresize,   DT_OK_BUFRESIZE, DT_BUFRESIZE_AUTO)
DT_OPT(switchrate,  DT_OK_TIME, 1000000000)
DT_OPT(statusrate,  DT_OK_TIME, 1000000000)
DT_OPT(aggrate,     DT_OK_TIME, 1000000000)
DT_OPT(cpp,         DT_OK_BOOL, 0)		/* -C */
DT_OPT(tree,        DT_OK_BOOL, 0)		/* -x tree: dump the AST */
DT_OPT(ir,          DT_OK_BOOL, 0)		/* -x ir: dump the IR */
DT_OPT(irchk,       DT_OK_BOOL, 0)		/* check IR after every pass */
DT_OPT(nolibs,      DT_OK_BOOL, 0)
DT_OPT(aggsortkey,  DT_OK_BOOL, 0)		/* sort by key, not value */
DT_OPT(aggsortkeypos, DT_OK_INT, 0)		/* the key to sort by first */
DT_OPT(aggsortpos,  DT_OK_INT,  0)		/* printa(@a, @b): whose value */
DT_OPT(aggsortrev,  DT_OK_BOOL, 0)		/* reverse every comparison */
DT_OPT(aggpercpu,   DT_OK_BOOL, 0)		/* values per CPU too */
DT_OPT(cpu,         DT_OK_INT,  -1)		/* trace this CPU only */
DT_OPT(loadonly,    DT_OK_BOOL, 0)		/* dtrace for Linux: stop
						   after the verifier */

/* Sizes and limits DTrace documents, kept for the parts that size maps,
   stacks and speculations from them (options.c only parses them). */
DT_OPT(aggsize,      DT_OK_SIZE, 4 * 1024 * 1024)
DT_OPT(dynvarsize,   DT_OK_SIZE, 1024 * 1024)
DT_OPT(nspec,        DT_OK_INT,  1)
DT_OPT(specsize,     DT_OK_SIZE, 4 * 1024 * 1024)
DT_OPT(stackframes,  DT_OK_INT,  20)
DT_OPT(ustackframes, DT_OK_INT,  100)
DT_OPT(jstackframes, DT_OK_INT,  50)
DT_OPT(stackindent,  DT_OK_INT,  14)		/* stack frames' indentation */
DT_OPT(argref,      DT_OK_BOOL, 0)	/* unreferenced $N allowed */
DT_OPT(defaultargs, DT_OK_BOOL, 0)	/* undefined $N: 0, $$N: "" */

/*
 * Options DTrace documents that this dtrace does not act on yet:
 * DT_OPT_UNSUP(name, kind).  Setting one fails with "Option is not supported
 * by this dtrace yet" instead of being ignored; move an entry up to DT_OPT
 * when its feature lands.  Includers that want DT_OPT alone need not define
 * DT_OPT_UNSUP.
 */
#ifndef DT_OPT_UNSUP
#define DT_OPT_UNSUP(name, kind)
#define DT_OPT_UNSUP_DEFAULTED_
#endif
/* compile time */
DT_OPT_UNSUP(amin,          DT_OK_STR)
DT_OPT_UNSUP(core,          DT_OK_BOOL)
DT_OPT_UNSUP(cppargs,       DT_OK_STR)
DT_OPT_UNSUP(cpphdrs,       DT_OK_BOOL)
DT_OPT_UNSUP(cpppath,       DT_OK_STR)
DT_OPT_UNSUP(ctfpath,       DT_OK_STR)
DT_OPT_UNSUP(ctypes,        DT_OK_STR)
DT_OPT_UNSUP(debug,         DT_OK_BOOL)
DT_OPT_UNSUP(debugassert,   DT_OK_STR)
DT_OPT_UNSUP(disasm,        DT_OK_INT)
DT_OPT_UNSUP(droptags,      DT_OK_BOOL)
DT_OPT_UNSUP(dtypes,        DT_OK_STR)
DT_OPT_UNSUP(empty,         DT_OK_BOOL)
DT_OPT_UNSUP(evaltime,      DT_OK_STR)
DT_OPT_UNSUP(iregs,         DT_OK_INT)
DT_OPT_UNSUP(kdefs,         DT_OK_BOOL)
DT_OPT_UNSUP(knodefs,       DT_OK_BOOL)
DT_OPT_UNSUP(late,          DT_OK_STR)
DT_OPT_UNSUP(lazyload,      DT_OK_BOOL)
DT_OPT_UNSUP(ldpath,        DT_OK_STR)
DT_OPT_UNSUP(linkmode,      DT_OK_STR)
DT_OPT_UNSUP(linknommap,    DT_OK_BOOL)
DT_OPT_UNSUP(linktype,      DT_OK_STR)
DT_OPT_UNSUP(modpath,       DT_OK_STR)
DT_OPT_UNSUP(pgmax,         DT_OK_INT)
DT_OPT_UNSUP(preallocate,   DT_OK_SIZE)
DT_OPT_UNSUP(procfspath,    DT_OK_STR)
DT_OPT_UNSUP(pspec,         DT_OK_BOOL)
DT_OPT_UNSUP(stdc,          DT_OK_STR)
DT_OPT_UNSUP(strip,         DT_OK_BOOL)
DT_OPT_UNSUP(syslibdir,     DT_OK_STR)
DT_OPT_UNSUP(sysslice,      DT_OK_STR)
DT_OPT_UNSUP(tregs,         DT_OK_INT)
DT_OPT_UNSUP(udefs,         DT_OK_BOOL)
DT_OPT_UNSUP(unodefs,       DT_OK_BOOL)
DT_OPT_UNSUP(useruid,       DT_OK_INT)
DT_OPT_UNSUP(version,       DT_OK_STR)
/* run time */
DT_OPT_UNSUP(bpflog,        DT_OK_BOOL)
DT_OPT_UNSUP(bpflogsize,    DT_OK_SIZE)
DT_OPT_UNSUP(cleanrate,     DT_OK_TIME)
DT_OPT_UNSUP(grabanon,      DT_OK_BOOL)
DT_OPT_UNSUP(jstackstrsize, DT_OK_SIZE)
DT_OPT_UNSUP(lockmem,       DT_OK_SIZE)
DT_OPT_UNSUP(maxframes,     DT_OK_INT)
DT_OPT_UNSUP(noresolve,     DT_OK_BOOL)
DT_OPT_UNSUP(pcapsize,      DT_OK_SIZE)
/* dynamic run time */
DT_OPT_UNSUP(agghist,       DT_OK_BOOL)
DT_OPT_UNSUP(aggpack,       DT_OK_BOOL)
DT_OPT_UNSUP(aggzoom,       DT_OK_BOOL)
DT_OPT_UNSUP(quietresize,   DT_OK_BOOL)
DT_OPT_UNSUP(rawbytes,      DT_OK_BOOL)
DT_OPT_UNSUP(temporal,      DT_OK_BOOL)
#ifdef DT_OPT_UNSUP_DEFAULTED_
#undef DT_OPT_UNSUP
#undef DT_OPT_UNSUP_DEFAULTED_
#endif
