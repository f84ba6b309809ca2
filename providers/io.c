/*
 * io.c - the io provider, DTrace's stable probes for block I/O, as
 * io:vmlinux::<name> (Oracle's names), on the block layer's raw
 * tracepoints (stable.c), so that it works on kernels without kprobes.
 *
 *	probe   raw tracepoint      fires in                  context
 *	start   block_bio_queue     the thread submitting     { struct bio * }
 *	done    block_bio_complete  whatever completes it     { struct
 *	                            (often an interrupt)        request_queue *,
 *	                                                        struct bio * }
 *	        block_rq_complete   the same                  { struct request
 *	                                                        *, blk_status_t,
 *	                                                        unsigned }
 *
 * start is per bio.  done is per bio for drivers that take bios
 * (device-mapper, md, brd, zram: block_bio_complete) and per request for
 * drivers that take requests (NVMe, SCSI, virtio, loop: the block layer
 * reports their bios' completion with block_rq_complete only), where it
 * is the request's first bio that DTrace sees: bios merged into a request
 * after the first have a start and no done, as in Oracle's DTrace, which
 * uses the same two tracepoints.  One program serves both: its second
 * argument tells which fired (a kernel address, or a small status).
 *
 * Arguments: DTrace's bufinfo_t *, devinfo_t * and fileinfo_t *; as in
 * Oracle's DTrace the first two are translated from the struct bio (the
 * D library's io.d) and the third is 0 on Linux.
 *
 * wait-start and wait-done, where no tracepoint fires, are on
 * submit_bio_wait(struct bio *) (stable.c), as in Oracle's DTrace: its
 * entry by kprobe (or fentry), its return by fexit, whose context still
 * has the argument (a kretprobe's registers no longer do): listed only
 * where the kernel can, with the same arguments.
 */
#include <linux/bpf.h>

#include "provider.h"

enum { I_START, I_DONE, I_WAIT_START, I_WAIT_DONE, I_NPROBES };

#define BUF "xlate<bufinfo_t *>(struct bio *)"
#define DEV "xlate<devinfo_t *>(struct bio *)"
static const dt_stprobe_t io_probes[I_NPROBES] = {
	[I_START] = { "start", .rawtp = "block_bio_queue", .nargs = 3,
		      .types = { BUF, DEV, "fileinfo_t *" } },
	[I_DONE] = { "done", .rawtp = "block_bio_complete",
		     .rawtp2 = "block_rq_complete", .btf = true, .nargs = 3,
		     .types = { BUF, DEV, "fileinfo_t *" } },
	[I_WAIT_START] = { "wait-start", .lacks = "no tracepoint fires where "
			   "a thread starts waiting for a buffer",
			   .kfuncs = { "submit_bio_wait" }, .nargs = 3,
			   .types = { BUF, DEV, "fileinfo_t *" } },
	[I_WAIT_DONE] = { "wait-done", .lacks = "no tracepoint fires where a "
			  "thread's wait for a buffer ends",
			  .kfuncs = { "submit_bio_wait" }, .kret = true,
			  .nargs = 3, .types = { BUF, DEV, "fileinfo_t *" } },
};

/* done's bio: block_bio_complete's second argument is the bio (a kernel
   address: bit 63 set), block_rq_complete's a blk_status_t (a small
   number) after the request, whose bio list starts with the one wanted. */
static ir_ref_t io_done_bio(dt_lowerenv_t *env, const dt_probe_t *prb)
{
	ir_func_t *fn = env->fn;
	int32_t slot = ir_frame_alloc(fn, 8);
	ir_blk_t *rq = ir_blk_new(fn), *join = ir_blk_new(fn);
	ir_ref_t a1 = dt_st_raw(env, 1);

	ir_store(fn, env->blk, 8, ir_reg(IR_FP), slot, a1);
	ir_jnz(env->blk, ir_bin(fn, env->blk, IR_SHR, a1, ir_con(fn, 63)),
	       join, rq);
	env->blk = rq;
	ir_store(fn, env->blk, 8, ir_reg(IR_FP), slot,
		 dt_st_read(env, dt_st_raw(env, 0), dt_st_btf(prb)->rq_bio, 8));
	ir_jmp(env->blk, join);
	env->blk = join;
	return ir_load(fn, env->blk, 8, ir_reg(IR_FP), slot);
}

static ir_ref_t io_arg(dt_lowerenv_t *env, const dt_probe_t *prb, int which,
		       int n)
{
	if (n == 2)
		return ir_con(env->fn, 0);
	if (which == I_WAIT_START || which == I_WAIT_DONE)
		return dt_st_farg(env, prb, 0);
	return which == I_START ? dt_st_raw(env, 0) : io_done_bio(env, prb);
}

static const dt_stprov_t io_st = {
	.ops = &dt_prov_io,
	.probes = io_probes,
	.nprobes = I_NPROBES,
	.arg = io_arg,
};

static int io_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	return dt_st_populate(dtp, pd, &io_st);
}

const dt_provops_t dt_prov_io = {
	.name = "io",
	.attr = &dt_st_attr,
	.argtypes = dt_st_argtypes,
	.populate = io_populate,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.kind = dt_st_kind,
	.lower = dt_st_lower,
	.attach = dt_st_attach,
	.prepare = dt_st_prepare,
	.prog_type_of = dt_st_prog_type_of,
};
