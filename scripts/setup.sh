#!/bin/sh
# setup.sh - README command 1: install what the build and the tests need
# (Debian 12 packages), build dtrace, and run a real trace.  Idempotent:
# packages already installed are not fetched again.  Run as root.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config bison flex libbpf-dev libelf-dev zlib1g-dev
binutils-dev libdwarf-dev libcriterion-dev bpftrace bpftool clang
libclang-rt-14-dev qemu-system-x86 busybox-static cpio xz-utils"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

make -j"$(nproc)" ${WERROR:+WERROR=$WERROR}

if [ "$(id -u)" = 0 ]; then
	echo "setup: a first trace:"
	build/dtrace -n 'BEGIN { printf("hello, %s %d\n", "world", 42); exit(0); }'
else
	echo "setup: built build/dtrace; run it as root to trace"
fi
