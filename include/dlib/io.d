/*
 * io.d - DTrace's io(4) types for Linux: bufinfo_t, devinfo_t and
 * fileinfo_t, the arguments of the io provider's probes, translated from
 * the kernel's struct bio (as in Oracle Linux DTrace; fileinfo_t has no
 * source on Linux: the provider passes 0 and no member is translated).
 * Part of the D library: nothing here is compiled unless a program uses
 * it.
 */

/* b_flags */
inline int B_BUSY = 0x000001;
inline int B_DONE = 0x000002;
inline int B_ERROR = 0x000004;
inline int B_PAGEIO = 0x000010;
inline int B_PHYS = 0x000020;
inline int B_READ = 0x000040;
inline int B_WRITE = 0x000100;
inline int B_ASYNC = 0x000400;
#pragma D binding "1.0" B_READ
#pragma D binding "1.0" B_WRITE

typedef struct bufinfo {
	int b_flags;		/* B_READ or B_WRITE, B_ASYNC... */
	size_t b_bcount;	/* bytes */
	caddr_t b_addr;
	uint64_t b_lblkno;
	uint64_t b_blkno;	/* the first 512-byte sector */
	size_t b_resid;
	size_t b_bufsize;
	caddr_t b_iodone;
	int b_error;
	dev_t b_edev;		/* the device (getmajor(), getminor()) */
} bufinfo_t;

typedef struct devinfo {
	int dev_major;
	int dev_minor;
	int dev_instance;
	char dev_name[32];	/* the disk: "loop0", "nvme0n1" */
	char dev_statname[32];	/* the same */
	char dev_pathname[40];
} devinfo_t;

typedef struct fileinfo {
	char fi_name[32];
	char fi_dirname[32];
	char fi_pathname[64];
	long long fi_offset;
	char fi_fs[16];
	char fi_mount[32];
	int fi_oflags;
} fileinfo_t;

/* REQ_OP_WRITE and the other write operations have bit 0 set */
translator bufinfo_t < struct bio *B > {
	b_flags = (B->bi_opf & 1) != 0 ? B_WRITE : B_READ;
	b_bcount = B->bi_iter.bi_size;
	b_lblkno = B->bi_iter.bi_sector;
	b_blkno = B->bi_iter.bi_sector;
	b_addr = 0;
	b_resid = 0;
	b_bufsize = B->bi_iter.bi_size;
	b_iodone = (caddr_t)B->bi_end_io;
	b_error = B->bi_status;
	b_edev = B->bi_bdev->bd_dev;
};

translator devinfo_t < struct bio *B > {
	dev_major = B->bi_bdev->bd_dev >> 20;
	dev_minor = B->bi_bdev->bd_dev & 0xfffff;
	dev_instance = 0;
	dev_name = B->bi_bdev->bd_disk->disk_name;
	dev_statname = B->bi_bdev->bd_disk->disk_name;
};
