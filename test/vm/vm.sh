# vm.sh - the qemu VM of `make check-kernel` (test/vm/run.sh) and `make
# bench-kernel` (test/bench/kernel.sh), sourced by both: Debian 12's own 6.1
# kernel (which has kprobes, fentry and BTF, unlike the machines' 6.18) and
# a busybox initramfs with build/dtrace, booted under qemu.
#
#   1. vm_kernel: `apt-get download linux-image-6.1.0-N-amd64` (the newest
#      N the archive has, or $KERNEL_PKG); with VM_KERNEL=6.12, the newest
#      linux-image-6.12.N+deb12-amd64 of bookworm-backports instead (apt
#      with its own list of that suite, kept under $VM/apt, so the
#      machine's sources are left alone); unpacked with dpkg -x; only
#      vmlinuz, the config and the modules of $VM_MODULES with those they
#      depend on (the .ko files' own "depends=", the package has no
#      modules.dep; 6.12's are xz-compressed, kept decompressed) are kept,
#      under $VM/kernel (or $VM/kernel-$KERNEL_PKG, $VM/kernel-6.12), so
#      this happens once.  Debian builds the loop driver as a module:
#      without it the io tests have no loop device to do I/O on.
#   2. vm_initramfs: busybox-static for the shell and mount/poweroff, then
#      the host's own bash and the tools the tests use (copied over
#      busybox's applets where both exist: the tests want GNU options),
#      build/dtrace, the triggers, test/e2e, test/bench, and every shared
#      library all of these need (from ldd), the modules in
#      /lib/modules/dtrace (their load order in its file "order").  PID 1
#      is test/vm/init, which loads them, then runs the e2e suite, or
#      $VM_CMD (shell commands, run in /dtrace with $DTRACE and $TRIGGERS
#      set) instead if given.  Built in $W (the caller's work directory).
#   3. vm_boot APPEND: qemu-system-x86_64 -accel tcg (here faster than
#      /dev/kvm) with the kernel command line APPEND, the console on stdio,
#      copied to $W/console.log (vm_log); vm_qst is qemu's exit status
#      (124: $VM_TIMEOUT seconds passed), vm_t the seconds it ran.  init
#      ends with a line `check-kernel: RESULT PASS|FAIL|CMD status=N` and
#      powers off.
#
# The caller sets B (the build directory, absolute), top (the source tree),
# W and VM_NAME (the prefix of messages), and runs under set -euo pipefail.
# VM_TIMEOUT, VM_MEM, VM_SMP and VM_CPU change the VM, VM_KERNEL (6.1 or
# 6.12) or KERNEL_PKG the kernel package, VM_TOOLS='strace ...' adds host
# programs to the VM.

VM=$B/vm
: "${VM_TIMEOUT:=900}"
: "${VM_MEM:=1024}"
: "${VM_SMP:=2}"
: "${VM_CPU:=qemu64}"	# -cpu max: TCG faults the compat32 trigger's far return
: "${VM_MODULES:=loop}"	# kernel modules init loads (and theirs)
: "${VM_NAME:=check-kernel}"
: "${VM_KERNEL:=6.1}"	# 6.1: bookworm's; 6.12: bookworm-backports
: "${W:=$VM}"

say() { echo "$VM_NAME: $*"; }
die() { echo "$VM_NAME: $*" >&2; exit 2; }

# ---- 1. the kernel --------------------------------------------------------

# apt-get or apt-cache, on bookworm-backports' list alone for VM_KERNEL=6.12
vm_apt() {
	local cmd=$1
	shift
	if [ "$VM_KERNEL" = 6.1 ]; then
		"$cmd" "$@"
		return
	fi
	"$cmd" -o Dir::Etc::SourceList="$VM/apt/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$VM/apt/lists" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= "$@"
}

newest_kernel() {
	case $VM_KERNEL in
	6.1)	vm_apt apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
			awk '{ print $1 }' | sort -t- -k4,4n | tail -1 ;;
	6.12)	vm_apt apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
			awk '{ print $1 }' | sort -V | tail -1 ;;
	*)	die "VM_KERNEL is 6.1 or 6.12, not $VM_KERNEL" ;;
	esac
}

# The .ko of module $3 in the unpacked package $1 (a module's name has _
# where its file may have -).
find_module() {
	local m
	m=$(echo "$2" | tr _ -)
	find "$1/lib/modules" -name "$2.ko" -o -name "$m.ko" \
		-o -name "$2.ko.xz" -o -name "$m.ko.xz" | head -1
}

# Copy module $3 from the unpacked package $1 into $2, after the modules it
# depends on, and append it to $2/order (each module once).
add_module() {
	local ko dep
	grep -qx "$3.ko" "$2/order" && return 0
	ko=$(find_module "$1" "$3")
	[ -n "$ko" ] || die "module $3 is not in the kernel package"
	case $ko in
	*.xz)	xz -dc "$ko" >"$2/$3.ko"; ko=$2/$3.ko ;;
	esac
	for dep in $(objcopy -O binary -j .modinfo "$ko" /dev/stdout |
		     tr '\0' '\n' | sed -n 's/^depends=//p' | tr , ' '); do
		add_module "$1" "$2" "$dep"
	done
	[ "$ko" = "$2/$3.ko" ] || cp "$ko" "$2/$3.ko"
	echo "$3.ko" >>"$2/order"
}

fetch_kernel() {
	local pkg=${KERNEL_PKG:-} tmp deb
	if [ "$VM_KERNEL" != 6.1 ] && [ ! -f "$VM/apt/sources.list" ]; then
		mkdir -p "$VM/apt/lists/partial"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main" \
			>"$VM/apt/sources.list"
	fi
	# stale lists name a package the archive no longer has: update once
	if [ -z "$pkg" ] && { [ -z "$(newest_kernel)" ] ||
	     ! vm_apt apt-get download --print-uris -q "$(newest_kernel)" 2>/dev/null | grep -q .; }; then
		vm_apt apt-get update -qq || true
	fi
	if [ -z "$pkg" ]; then
		pkg=$(newest_kernel)
		[ -n "$pkg" ] || die "no linux-image-$VM_KERNEL kernel in the apt lists (apt-get update?)"
	fi
	say "downloading $pkg (once; cached in $K)"
	tmp=$(mktemp -d "$VM/dl.XXXXXX")
	(cd "$tmp" && vm_apt apt-get download -q "$pkg" >/dev/null 2>&1) ||
		{ rm -rf "$tmp"; die "apt-get download $pkg failed"; }
	deb=$(ls "$tmp"/*.deb)
	dpkg -x "$deb" "$tmp/x"
	mkdir -p "$K.new"
	cp "$tmp"/x/boot/vmlinuz-* "$K.new/vmlinuz"
	cp "$tmp"/x/boot/config-* "$K.new/config"
	mkdir -p "$K.new/modules"
	: >"$K.new/modules/order"
	for m in $VM_MODULES; do
		add_module "$tmp/x" "$K.new/modules" "$m"
	done
	echo "$VM_MODULES" >"$K.new/modules/wanted"
	echo "$pkg" >"$K.new/package"
	rm -rf "$tmp" "$K"
	mv "$K.new" "$K"
}

vm_kernel() {
	mkdir -p "$VM" "$W"
	K=$VM/kernel${KERNEL_PKG:+-$KERNEL_PKG}
	[ -n "${KERNEL_PKG:-}" ] || [ "$VM_KERNEL" = 6.1 ] || K=$VM/kernel-$VM_KERNEL
	# a kernel cached before modules were kept, or with others, is fetched anew
	[ -f "$K/vmlinuz" ] && [ "$(cat "$K/modules/wanted" 2>/dev/null)" = "$VM_MODULES" ] ||
		fetch_kernel
	say "kernel $(cat "$K/package")"
}

# ---- 2. the initramfs ----------------------------------------------------

# Host programs the suite runs (bash and GNU tools over busybox's applets).
TOOLS="bash env timeout taskset diff sed grep awk mawk sort mktemp seq sleep
cat head tail ls id rm mkdir chmod wc cut tr uniq kill true false nproc
basename dirname readlink stat touch cp mv ln printf expr cpp bpftool
setpriv unshare getconf losetup dd truncate readelf nm objdump ${VM_TOOLS:-}"

vm_initramfs() {
	local root=$W/root bb p t app cc1 lib bins=()

	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,etc,root,run}
	mkdir -p "$root/dtrace/build/test"
	bb=$(command -v busybox) || die "busybox is missing (scripts/setup.sh installs busybox-static)"
	cp "$bb" "$root/bin/busybox"
	for app in $("$bb" --list); do
		[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
	done

	for t in $TOOLS; do
		p=$(command -v "$t" 2>/dev/null) || continue
		case "$p" in /*) ;; *) continue ;; esac	# a shell builtin only
		p=$(readlink -f "$p")
		cp "$p" "$root/usr/bin/$t"
		ln -sfn ../usr/bin/"$t" "$root/bin/$t"	# for #!/bin/bash and such
		bins+=("$p")
	done
	cp "$B/dtrace" "$root/dtrace/build/dtrace"
	mkdir -p "$root/dtrace/build/lib"
	cp -r "$B/lib/dtrace" "$root/dtrace/build/lib/dtrace"	# the D library
	cp -r "$B/test/triggers" "$root/dtrace/build/test/triggers"
	mkdir -p "$root/dtrace/test"
	cp -r "$top/test/e2e" "$root/dtrace/test/e2e"
	mkdir -p "$root/dtrace/test/fuzz"	# the load test loads its corpus too
	cp -r "$top/test/fuzz/corpus" "$root/dtrace/test/fuzz/corpus"
	cp -r "$top/test/bench" "$root/dtrace/test/bench"	# make bench-kernel's
	cp "$top/test/vm/init" "$root/init"
	mkdir -p "$root/lib/modules"
	cp -r "$K/modules" "$root/lib/modules/dtrace"
	[ -n "${VM_CMD:-}" ] && printf '%s\n' "$VM_CMD" >"$root/dtrace/vm-cmd"
	chmod 755 "$root/init"
	bins+=("$B/dtrace" "$B"/test/triggers/*)
	# -C: the driver finds cc1 at its own built-in path, and cc1 reads
	# stdc-predef.h
	if cc1=$(cpp -print-prog-name=cc1 2>/dev/null) && [ -x "$cc1" ]; then
		mkdir -p "$root$(dirname "$cc1")" "$root/usr/include"
		cp "$cc1" "$root$cc1"
		bins+=("$cc1")
		cp /usr/include/stdc-predef.h "$root/usr/include/" 2>/dev/null || true
	fi

	# every shared library, and the dynamic loader, at the host's paths
	for lib in $(ldd "${bins[@]}" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	# the loader's cache, so programs start without searching (a test that
	# counts a trigger's failed openat calls would see the search)
	printf '%s\n' /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu >"$root/etc/ld.so.conf"
	ldconfig -r "$root"
	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
	echo "root:x:0:" >"$root/etc/group"
	echo "dtrace-vm" >"$root/etc/hostname"

	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$W/initramfs.cpio.gz"
	say "initramfs $(du -h "$W/initramfs.cpio.gz" | cut -f1)"
}

# ---- 3. boot ---------------------------------------------------------------

vm_boot() {
	local t0 t1
	vm_log=$W/console.log
	t0=$(date +%s.%N)
	set +e
	timeout --foreground -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg \
		-cpu "$VM_CPU" -smp "$VM_SMP" -m "$VM_MEM" -nographic -no-reboot \
		-kernel "$K/vmlinuz" -initrd "$W/initramfs.cpio.gz" \
		-append "$1" </dev/null 2>&1 | sed -u 's/\r//g' | tee "$vm_log"
	vm_qst=${PIPESTATUS[0]}
	set -e
	t1=$(date +%s.%N)
	vm_t=$(awk "BEGIN { print $t1 - $t0 }")
	say "VM ran $(awk "BEGIN { printf \"%.1f\", $vm_t }") s (qemu status $vm_qst)"
}
