/*
 * dpath.c - d_path(struct path *): the absolute pathname of a file, built
 * in the probe by walking the dentries up to the root.
 *
 * The kernel's bpf_d_path helper is allowed only in a few fentry/LSM
 * programs, so the walk is done here, as the kernel's d_path() does it:
 * from path->dentry up the d_parent links, writing each name right to
 * left into a buffer; at the root dentry of a mount (vfsmount.mnt_root,
 * or a dentry that is its own parent) the walk crosses into the parent
 * mount (struct mount, the vfsmount's container: mnt_parent and the
 * dentry it is mounted on, mnt_mountpoint); it stops at the current
 * task's root (fs->root) or at a mount that is its own parent (the
 * global root: a path outside the task's root is shown from there, as
 * d_path() shows it).  An unlinked file gets " (deleted)" after it, as
 * d_path() writes it.
 *
 * Contract with lower.c (dl_dpath_env_t): code is appended at env->b,
 * which is left where code goes on; scratch space comes from
 * env->reserve(); env->fault() branches to DTrace's fault for a
 * condition.  Faults: the struct path itself unreadable, or a dentry or
 * mount on the way, is the invalid address fault at that address; a path
 * longer than strsize - 1 bytes (or deeper than the walk's bound) is
 * "out of scratch space", DTrace's fault for a string result that does
 * not fit.
 *
 * The walk is a loop the verifier follows iteration by iteration, at most
 * strsize / 2 names (each takes at least 2 bytes, "/x") plus
 * DL_DPATH_MOUNTS mount crossings.  Its state lives in 8-byte scratch
 * cells and its body has no branch but the exit (see lower.c's sloop
 * essay): an iteration computes both a name step and a mount step and
 * keeps one with selects; a name step reads the name into
 * buf + pos - len; a mount step reads zero bytes.  Offsets into the
 * buffer are masked, and the buffer (2 * pow2(strsize)) is sized so that
 * a masked offset plus a masked length stays inside it.
 */
#include "ir.h"

#define DL_DPATH_MOUNTS 16	/* mount crossings beyond strsize / 2 names */

typedef struct dp {
	dl_dpath_env_t *e;
	ir_func_t *fn;
	int32_t tmp;		/* the cell reads go through */
	ir_ref_t acc;		/* the reads' results ORed, since flush() */
} dp_t;

static ir_ref_t con(dp_t *d, int64_t v)
{
	return ir_con(d->fn, v);
}

static ir_ref_t bin(dp_t *d, ir_op_t op, ir_ref_t a, ir_ref_t b)
{
	return ir_bin(d->fn, d->e->b, op, a, b);
}

static int32_t cell(dp_t *d)
{
	return (int32_t)d->e->reserve(d->e, 8);
}

static ir_ref_t get(dp_t *d, int32_t c)
{
	return ir_load(d->fn, d->e->b, 8, d->e->scratch, c);
}

static void set(dp_t *d, int32_t c, ir_ref_t v)
{
	ir_store(d->fn, d->e->b, 8, d->e->scratch, c, v);
}

static ir_ref_t neg(dp_t *d, ir_ref_t a)
{
	ir_ref_t t = ir_tmp(d->fn);

	ir_emit(d->fn, d->e->b, IR_NEG, t, a, IR_NONE);
	return t;
}

/* Comparisons as 0 or 1 and selects, without a branch (lower.c's). */
static ir_ref_t nz(dp_t *d, ir_ref_t x)
{
	return bin(d, IR_SHR, bin(d, IR_OR, x, neg(d, x)), con(d, 63));
}

static ir_ref_t ne(dp_t *d, ir_ref_t a, ir_ref_t b)
{
	return nz(d, bin(d, IR_XOR, a, b));
}

static ir_ref_t eq(dp_t *d, ir_ref_t a, ir_ref_t b)
{
	return bin(d, IR_XOR, ne(d, a, b), con(d, 1));
}

static ir_ref_t not1(dp_t *d, ir_ref_t c)
{
	return bin(d, IR_XOR, c, con(d, 1));
}

/* c ? a : b, c 0 or 1 */
static ir_ref_t sel(dp_t *d, ir_ref_t c, ir_ref_t a, ir_ref_t b)
{
	return bin(d, IR_XOR, b, bin(d, IR_AND, bin(d, IR_XOR, a, b),
				     neg(d, c)));
}

/* bad = bad ? bad : (r != 0 ? addr : 0): the first failed read */
static void note_bad(dp_t *d, int32_t bad, ir_ref_t r, ir_ref_t addr)
{
	ir_ref_t was = get(d, bad);

	set(d, bad, sel(d, bin(d, IR_AND, nz(d, r), eq(d, was, con(d, 0))),
			addr, was));
}

/*
 * size bytes of kernel memory at addr: the value (0 if it cannot be
 * read).  A failure is not branched on, so that the loop body stays
 * straight: the results are ORed into d->acc, which flush() turns into
 * the first bad address in cell bad.
 */
static ir_ref_t rd(dp_t *d, ir_ref_t addr, int size)
{
	ir_ref_t a[3] = { bin(d, IR_ADD, d->e->scratch, con(d, d->tmp)),
			  con(d, size), addr };
	ir_ref_t r = ir_call(d->fn, d->e->b, 113, 3, a); /* probe_read_kernel */

	d->acc = ir_is_none(d->acc) ? r : bin(d, IR_OR, d->acc, r);
	return ir_load(d->fn, d->e->b, size, d->e->scratch, d->tmp);
}

/* The reads since the last flush failed: addr is the bad address. */
static void flush(dp_t *d, int32_t bad, ir_ref_t addr)
{
	if (bad >= 0)
		note_bad(d, bad, d->acc, addr);
	d->acc = IR_NONE;
}

static uint32_t moff(dp_t *d, dl_loc_t loc, const char *sname,
		     const char *member)
{
	const dl_type_t *st = dl_btf_struct(d->e->cx, loc, sname, false);
	uint32_t off;

	if (dl_btf_member(d->e->cx, loc, st, member, &off) == NULL)
		dl_error(d->e->cx, loc, D_UNSUPPORTED, "d_path( ): this "
			 "kernel's struct %s has no member %s", sname, member);
	return off;
}

typedef struct offs {
	uint32_t p_mnt, p_dentry, d_parent, d_name, d_hash, q_len, q_name,
		 hb_pprev, v_root, m_mnt, m_parent, m_point, t_fs, fs_root;
} offs_t;

static offs_t offsets(dp_t *d, dl_loc_t loc)
{
	return (offs_t){
		moff(d, loc, "path", "mnt"), moff(d, loc, "path", "dentry"),
		moff(d, loc, "dentry", "d_parent"),
		moff(d, loc, "dentry", "d_name"),
		moff(d, loc, "dentry", "d_hash"), moff(d, loc, "qstr", "len"),
		moff(d, loc, "qstr", "name"),
		moff(d, loc, "hlist_bl_node", "pprev"),
		moff(d, loc, "vfsmount", "mnt_root"),
		moff(d, loc, "mount", "mnt"),
		moff(d, loc, "mount", "mnt_parent"),
		moff(d, loc, "mount", "mnt_mountpoint"),
		moff(d, loc, "task_struct", "fs"),
		moff(d, loc, "fs_struct", "root"),
	};
}

static uint32_t pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

ir_ref_t dl_dpath_lower(dl_dpath_env_t *e, dl_loc_t loc, ir_ref_t path)
{
	dp_t dd = { e, e->fn, 0, IR_NONE }, *d = &dd;
	offs_t o = offsets(d, loc);
	uint32_t size = e->cx->strsize, P = pow2(size), cap = size - 1;
	uint32_t buf = e->reserve(e, 2 * P);
	int32_t bad = cell(d), cd = cell(d), cm = cell(d),
		rdn = cell(d), rmn = cell(d), cpos = cell(d), cend = cell(d);
	ir_ref_t B = bin(d, IR_ADD, e->scratch, con(d, buf));

	d->tmp = cell(d);

	/* the struct path itself: a bad one is the fault at its address */
	set(d, bad, con(d, 0));
	ir_ref_t mnt = rd(d, bin(d, IR_ADD, path, con(d, o.p_mnt)), 8);
	ir_ref_t den = rd(d, bin(d, IR_ADD, path, con(d, o.p_dentry)), 8);
	flush(d, bad, path);
	e->fault(e, get(d, bad), DL_FLT_BADADDR, get(d, bad));
	set(d, cd, den);
	set(d, cm, mnt);

	/* the root: the current task's fs->root (none: the global root) */
	ir_ref_t task = ir_call(d->fn, e->b, 35, 0, NULL); /* current_task */
	ir_ref_t fs = rd(d, bin(d, IR_ADD, task, con(d, o.t_fs)), 8);
	set(d, rmn, rd(d, bin(d, IR_ADD, fs, con(d, o.fs_root + o.p_mnt)),
		       8));
	set(d, rdn, rd(d, bin(d, IR_ADD, fs, con(d, o.fs_root + o.p_dentry)),
		       8));
	flush(d, -1, IR_NONE);

	/* " (deleted)" when the dentry is unhashed and not a root */
	ir_ref_t pprev = rd(d, bin(d, IR_ADD, den,
			      con(d, o.d_hash + o.hb_pprev)), 8);
	ir_ref_t dpar = rd(d, bin(d, IR_ADD, den, con(d, o.d_parent)), 8);
	flush(d, bad, den);
	ir_ref_t gone = bin(d, IR_AND, eq(d, pprev, con(d, 0)),
			    ne(d, dpar, den));
	ir_store(d->fn, e->b, 1, B, (int32_t)cap, con(d, 0));
	if (cap >= 10) {
		ir_store(d->fn, e->b, 8, B, (int32_t)cap - 10,
			 con(d, 0x6574656c65642820LL));	/* " (delete" */
		ir_store(d->fn, e->b, 2, B, (int32_t)cap - 2,
			 con(d, 0x2964));		/* "d)" */
		set(d, cpos, sel(d, gone, con(d, cap - 10), con(d, cap)));
	} else {
		set(d, cpos, con(d, cap));
	}
	set(d, cend, con(d, 0));

	/* the walk */
	int64_t n = size / 2 + DL_DPATH_MOUNTS;
	ir_ref_t i = ir_tmp(d->fn);
	ir_blk_t *head = ir_blk_new(d->fn), *body = ir_blk_new(d->fn),
		 *done = ir_blk_new(d->fn);
	ir_emit(d->fn, e->b, IR_COPY, i, con(d, 0), IR_NONE);
	ir_jmp(e->b, head);
	ir_jnz(head, ir_bin(d->fn, head, IR_CULT, i, con(d, n)), body, done);
	e->b = body;

	ir_ref_t dn = get(d, cd), m = get(d, cm);
	ir_ref_t at_root = bin(d, IR_AND, eq(d, dn, get(d, rdn)),
			       eq(d, m, get(d, rmn)));
	ir_ref_t par = rd(d, bin(d, IR_ADD, dn, con(d, o.d_parent)), 8);
	ir_ref_t len = rd(d, bin(d, IR_ADD, dn, con(d, o.d_name + o.q_len)),
			  4);
	ir_ref_t name = rd(d, bin(d, IR_ADD, dn,
				  con(d, o.d_name + o.q_name)), 8);
	flush(d, bad, dn);
	ir_ref_t mt = bin(d, IR_SUB, m, con(d, o.m_mnt));	/* container */
	ir_ref_t mroot = rd(d, bin(d, IR_ADD, m, con(d, o.v_root)), 8);
	ir_ref_t mp = rd(d, bin(d, IR_ADD, mt, con(d, o.m_parent)), 8);
	ir_ref_t mpt = rd(d, bin(d, IR_ADD, mt, con(d, o.m_point)), 8);
	flush(d, bad, m);
	ir_ref_t is_mroot = eq(d, dn, mroot);
	ir_ref_t top = bin(d, IR_OR, is_mroot, eq(d, dn, par));
	/* the top of a mount with no parent, or a disconnected dentry */
	ir_ref_t stop = bin(d, IR_AND, top, bin(d, IR_OR, eq(d, mp, mt),
						not1(d, is_mroot)));
	ir_ref_t comp = not1(d, top);			/* a name step */
	ir_ref_t clen = sel(d, comp, len, con(d, 0));
	ir_ref_t pos = get(d, cpos);
	ir_ref_t npos = bin(d, IR_SUB, bin(d, IR_SUB, pos, clen), con(d, 1));
	ir_ref_t toolong = bin(d, IR_AND, comp, bin(d, IR_SHR, npos,
						    con(d, 63)));
	ir_ref_t fin = bin(d, IR_OR, at_root, stop);
	set(d, cend, sel(d, fin, con(d, 1), con(d, 0)));
	ir_ref_t leave = bin(d, IR_OR, bin(d, IR_OR, fin, toolong),
			     nz(d, get(d, bad)));
	ir_blk_t *out = ir_blk_new(d->fn), *go = ir_blk_new(d->fn);
	ir_jnz(e->b, bin(d, IR_CEQ, leave, con(d, 0)), go, out);
	ir_store(d->fn, out, 8, d->e->scratch, d->tmp, i);	/* a block of its own */
	ir_jmp(out, done);
	e->b = go;

	/* the name at pos - len, a '/' before it; a mount step writes its
	   '/' past the buffer's string (at P) and reads nothing */
	ir_ref_t a[3] = { bin(d, IR_ADD, B, bin(d, IR_AND, bin(d, IR_ADD, npos,
							      con(d, 1)),
					     con(d, P - 1))),
			  bin(d, IR_AND, clen, con(d, P - 1)), name };
	d->acc = ir_call(d->fn, e->b, 113, 3, a);	/* probe_read_kernel */
	flush(d, bad, name);
	ir_ref_t slash = sel(d, comp, npos, con(d, P));
	ir_store(d->fn, e->b, 1, bin(d, IR_ADD, B, bin(d, IR_AND, slash,
						     con(d, 2 * P - 1))),
		 0, con(d, '/'));
	set(d, cpos, sel(d, comp, npos, pos));
	ir_ref_t cross = bin(d, IR_AND, top, not1(d, stop));
	set(d, cd, sel(d, cross, mpt, par));
	set(d, cm, sel(d, cross, bin(d, IR_ADD, mp, con(d, o.m_mnt)), m));
	ir_emit(d->fn, e->b, IR_ADD, i, i, con(d, 1));
	ir_jmp(e->b, head);
	e->b = done;

	/* a bad dentry or mount on the way; a path that did not fit */
	ir_ref_t b = get(d, bad);
	e->fault(e, b, DL_FLT_BADADDR, b);
	e->fault(e, bin(d, IR_CEQ, get(d, cend), con(d, 0)), DL_FLT_NOSCRATCH,
		 con(d, 0));
	/* nothing written: the root itself, "/" */
	ir_ref_t p = get(d, cpos);
	ir_ref_t empty = eq(d, p, con(d, cap));
	if (cap >= 1) {
		ir_ref_t last = ir_load(d->fn, e->b, 1, B, (int32_t)cap - 1);
		ir_store(d->fn, e->b, 1, B, (int32_t)cap - 1,
			 sel(d, empty, con(d, '/'), last));
		set(d, cpos, sel(d, empty, con(d, cap - 1), p));
	}
	ir_ref_t dst = bin(d, IR_ADD, e->scratch,
			   con(d, e->reserve(e, size)));
	ir_ref_t ca[3] = { dst, con(d, size),
			   bin(d, IR_ADD, B, bin(d, IR_AND, get(d, cpos),
						 con(d, P - 1))) };
	ir_call(d->fn, e->b, 115, 3, ca);	/* probe_read_kernel_str */
	return dst;
}
