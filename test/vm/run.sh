#!/bin/bash
# run.sh - `make check-kernel`: the end-to-end suite on a second kernel,
# Debian 12's own 6.1 kernel (which has kprobes, fentry and BTF, unlike the
# machines' 6.18), booted under qemu: the kernel, the initramfs and the boot
# are test/vm/vm.sh's; init (test/vm/init) prints the e2e output, then
# `check-kernel: RESULT PASS|FAIL status=N`, and powers off; no such line
# within $VM_TIMEOUT seconds is a failure.  The kernel, initramfs and
# console.log are in BUILD_DIR/vm.
#
# Usage: run.sh BUILD_DIR [pattern]   (pattern: run.sh's, e.g. "fbt")
# VM_CMD='shell commands' runs those in the VM instead of the suite (for
# debugging; $DTRACE and $TRIGGERS are set), VM_TIMEOUT, VM_MEM, VM_SMP and
# VM_CPU change the VM, KERNEL_PKG the kernel package, VM_APPEND adds to
# the kernel command line (e.g. preempt=full).
# Exit status: 0 if the suite passed in the VM, 1 if not, 2 if the VM could
# not be built or booted.
set -euo pipefail
B=$(cd "${1:?usage: run.sh BUILD_DIR [pattern]}" && pwd)
pattern=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VM_NAME=check-kernel
W=$B/vm
. "$here/vm.sh"

vm_kernel
vm_initramfs
append="console=ttyS0 panic=-1 quiet loglevel=3"
[ -n "$pattern" ] && append="$append dtrace_tests=$pattern"
[ -n "${VM_APPEND:-}" ] && append="$append $VM_APPEND"
vm_boot "$append"
log=$vm_log
qst=$vm_qst

result=$(sed -n 's/^check-kernel: RESULT \([A-Z]*\) .*/\1/p' "$log" | tail -1)
case "$result" in
PASS)	say "PASS"; exit 0 ;;
CMD)	exit 0 ;;
FAIL)	say "FAIL (see $log)"; exit 1 ;;
*)	[ "$qst" = 124 ] && say "timed out after $VM_TIMEOUT s"
	say "FAIL: no result from the VM (see $log)"; exit 1 ;;
esac
