#!/bin/bash
# run.sh - `make check-kernel`: the end-to-end suite on a second kernel,
# Debian 12's own 6.1 kernel (which has kprobes, fentry and BTF, unlike the
# machines' 6.18), booted under qemu.
#
#   1. The kernel: `apt-get download linux-image-6.1.0-N-amd64` (the newest
#      N the archive has, or $KERNEL_PKG), unpacked with dpkg -x; only
#      vmlinuz, the config and the modules of $VM_MODULES with those they
#      depend on (the .ko files' own "depends=", the package has no
#      modules.dep) are kept, under $VM/kernel (or $VM/kernel-$KERNEL_PKG),
#      so this happens once.  Debian builds the loop driver as a module:
#      without it the io tests have no loop device to do I/O on.
#   2. The initramfs: busybox-static for the shell and mount/poweroff, then
#      the host's own bash and the tools run.sh and the tests use (copied
#      over busybox's applets where both exist: the tests want GNU
#      options), build/dtrace, the triggers, test/e2e, and every shared
#      library all of these need (from ldd), the modules in
#      /lib/modules/dtrace (their load order in its file "order").  PID 1
#      is test/vm/init, which loads them.
#   3. Boot: qemu-system-x86_64 -accel tcg (here faster than /dev/kvm), the
#      console on stdio, copied to $VM/console.log.  init prints the e2e
#      output, then `check-kernel: RESULT PASS|FAIL status=N`, and powers
#      off; no such line within $VM_TIMEOUT seconds is a failure.
#
# Usage: run.sh BUILD_DIR [pattern]   (pattern: run.sh's, e.g. "fbt")
# VM_CMD='shell commands' runs those in the VM instead of the suite (for
# debugging; $DTRACE and $TRIGGERS are set), VM_TIMEOUT, VM_MEM, VM_SMP and
# VM_CPU change the VM, KERNEL_PKG the kernel package.
# Exit status: 0 if the suite passed in the VM, 1 if not, 2 if the VM could
# not be built or booted.
set -euo pipefail
B=$(cd "${1:?usage: run.sh BUILD_DIR [pattern]}" && pwd)
pattern=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VM=$B/vm
: "${VM_TIMEOUT:=900}"
: "${VM_MEM:=1024}"
: "${VM_SMP:=2}"
: "${VM_CPU:=qemu64}"	# -cpu max: TCG faults the compat32 trigger's far return
: "${VM_MODULES:=loop}"	# kernel modules init loads (and theirs)

say() { echo "check-kernel: $*"; }
die() { echo "check-kernel: $*" >&2; exit 2; }

# ---- 1. the kernel --------------------------------------------------------

newest_kernel() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
		awk '{ print $1 }' | sort -t- -k4,4n | tail -1
}

# The .ko of module $3 in the unpacked package $1 (a module's name has _
# where its file may have -).
find_module() {
	find "$1/lib/modules" -name "$2.ko" -o -name "$(echo "$2" | tr _ -).ko" |
		head -1
}

# Copy module $3 from the unpacked package $1 into $2, after the modules it
# depends on, and append it to $2/order (each module once).
add_module() {
	local ko dep
	grep -qx "$3.ko" "$2/order" && return 0
	ko=$(find_module "$1" "$3")
	[ -n "$ko" ] || die "module $3 is not in the kernel package"
	for dep in $(objcopy -O binary -j .modinfo "$ko" /dev/stdout |
		     tr '\0' '\n' | sed -n 's/^depends=//p' | tr , ' '); do
		add_module "$1" "$2" "$dep"
	done
	cp "$ko" "$2/$3.ko"
	echo "$3.ko" >>"$2/order"
}

fetch_kernel() {
	local pkg=${KERNEL_PKG:-} tmp deb
	# stale lists name a package the archive no longer has: update once
	if [ -z "$pkg" ] && { [ -z "$(newest_kernel)" ] ||
	     ! apt-get download --print-uris -q "$(newest_kernel)" 2>/dev/null | grep -q .; }; then
		apt-get update -qq || true
	fi
	if [ -z "$pkg" ]; then
		pkg=$(newest_kernel)
		[ -n "$pkg" ] || die "no linux-image-6.1.0-*-amd64 in the apt lists (apt-get update?)"
	fi
	say "downloading $pkg (once; cached in $K)"
	tmp=$(mktemp -d "$VM/dl.XXXXXX")
	(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
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

mkdir -p "$VM"
K=$VM/kernel${KERNEL_PKG:+-$KERNEL_PKG}
# a kernel cached before modules were kept, or with others, is fetched anew
[ -f "$K/vmlinuz" ] && [ "$(cat "$K/modules/wanted" 2>/dev/null)" = "$VM_MODULES" ] ||
	fetch_kernel
say "kernel $(cat "$K/package")"

# ---- 2. the initramfs ----------------------------------------------------

# Host programs the suite runs (bash and GNU tools over busybox's applets).
TOOLS="bash env timeout taskset diff sed grep awk mawk sort mktemp seq sleep
cat head tail ls id rm mkdir chmod wc cut tr uniq kill true false nproc
basename dirname readlink stat touch cp mv ln printf expr cpp bpftool
setpriv unshare getconf losetup dd truncate"

root=$VM/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,etc,root,run}
mkdir -p "$root/dtrace/build/test"
bb=$(command -v busybox) || die "busybox is missing (scripts/setup.sh installs busybox-static)"
cp "$bb" "$root/bin/busybox"
for app in $("$bb" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done

bins=()
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
cp "$here/init" "$root/init"
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

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$VM/initramfs.cpio.gz"
say "initramfs $(du -h "$VM/initramfs.cpio.gz" | cut -f1)"

# ---- 3. boot ---------------------------------------------------------------

append="console=ttyS0 panic=-1 quiet loglevel=3"
[ -n "$pattern" ] && append="$append dtrace_tests=$pattern"
log=$VM/console.log
t0=$(date +%s.%N)
set +e
timeout --foreground -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg \
	-cpu "$VM_CPU" -smp "$VM_SMP" -m "$VM_MEM" -nographic -no-reboot \
	-kernel "$K/vmlinuz" -initrd "$VM/initramfs.cpio.gz" \
	-append "$append" </dev/null 2>&1 | tr -d '\r' | tee "$log"
qst=${PIPESTATUS[0]}
set -e
t1=$(date +%s.%N)
say "VM ran $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s (qemu status $qst)"

result=$(sed -n 's/^check-kernel: RESULT \([A-Z]*\) .*/\1/p' "$log" | tail -1)
case "$result" in
PASS)	say "PASS"; exit 0 ;;
CMD)	exit 0 ;;
FAIL)	say "FAIL (see $log)"; exit 1 ;;
*)	[ "$qst" = 124 ] && say "timed out after $VM_TIMEOUT s"
	say "FAIL: no result from the VM (see $log)"; exit 1 ;;
esac
