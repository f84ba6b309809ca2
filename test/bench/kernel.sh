#!/bin/bash
# kernel.sh - `make bench-kernel`: the fbt provider's scale benchmark
# (test/bench/fbt-scale.sh) in check-kernel's VM (test/vm/vm.sh: Debian
# 12's 6.1 kernel under qemu, which has the kprobes this machine's kernel
# lacks), once with kprobes (one kprobe perf event per probe on 6.1, which
# has no kprobe.multi) and once with fentry (a clause and a program per
# probe, one run each: compiling 70 typed clauses takes 20 s there), then
# the tables, also in BUILD_DIR/vm/bench/console.log.  TCG emulates the CPU,
# tens of times slower than native: compare the rows, not the times with
# `make bench`'s.  A few minutes.
#
# Usage: kernel.sh BUILD_DIR
# RUNS (runs per kprobe row, 3), DESCS (the kprobe rows' descriptions),
# FENTRY_DESCS (the fentry rows', "" for none); VM_TIMEOUT etc. as vm.sh.
# Exit status: 0 if the benchmark ran, 1 if not, 2 if the VM could not be
# built.
set -euo pipefail
B=$(cd "${1:?usage: kernel.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VM_NAME=bench-kernel
W=$B/vm/bench
: "${VM_TIMEOUT:=1800}"
: "${FENTRY_DESCS=fbt::vfs_read:entry fbt::vfs_*:entry}"
. "$top/test/vm/vm.sh"

VM_CMD="export RUNS=$(printf %q "${RUNS:-3}")"
[ -n "${DESCS:-}" ] && VM_CMD="$VM_CMD DESCS=$(printf %q "$DESCS")"
VM_CMD="$VM_CMD
bash test/bench/fbt-scale.sh"
[ -n "$FENTRY_DESCS" ] && VM_CMD="$VM_CMD
RUNS=1 METHOD=fentry DESCS=$(printf %q "$FENTRY_DESCS") bash test/bench/fbt-scale.sh"

vm_kernel
vm_initramfs
say "running in the VM (console: $W/console.log)"
vm_boot "console=ttyS0 panic=-1 quiet loglevel=3" >/dev/null
sed -n '/^fbt-scale: kernel/,/^check-kernel: RESULT/p' "$vm_log" |
	grep -v '^check-kernel: RESULT'
say "VM ran $(awk "BEGIN { printf \"%.1f\", $vm_t }") s"
if ! grep -q '^check-kernel: RESULT CMD' "$vm_log"; then
	[ "$vm_qst" = 124 ] && say "timed out after $VM_TIMEOUT s"
	say "FAIL: the benchmark did not finish (see $vm_log)"
	exit 1
fi
