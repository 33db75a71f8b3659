#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh BUILD_DIR PREFIX CC SOURCE_DIR: the install test (ctest "install"). Installs the build
# into the empty folder PREFIX, checks that the binary, the headers, the pkg-config file and
# the man page are there, then builds tests/install/consumer.c against the installed library
# with nothing but `pkg-config --cflags --libs apoflow` and runs it on a sample file.
set -eu
build=$1 prefix=$2 cc=$3 src=$4

rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

fail() { echo "install test: $*" >&2; exit 1; }
[ -x "$prefix/bin/apoflow" ] || fail "expected $prefix/bin/apoflow, found none"
man=$(find "$prefix" -path '*/man1/apoflow.1' | head -n 1)
[ -n "$man" ] || fail "expected the man page man1/apoflow.1 under $prefix, found none"
pc=$(find "$prefix" -name apoflow.pc | head -n 1)
[ -n "$pc" ] || fail "expected apoflow.pc under $prefix, found none"
for h in util/util.h fcs/fcs.h gating/gate.h assay/assay.h render/render.h report/report.h; do
    [ -f "$prefix/include/apoflow/$h" ] || fail "expected the header include/apoflow/$h, found none"
done
if find "$prefix/include" -name '*_internal.h' | grep -q .; then
    fail "expected no *_internal.h header under $prefix/include, found some"
fi

PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs apoflow) || fail "pkg-config --cflags --libs apoflow failed"
case $flags in
*"$prefix"*) ;;
*) fail "expected pkg-config's flags to point into $prefix, found: $flags" ;;
esac
# shellcheck disable=SC2086 # the flags are words
"$cc" -std=c17 -Wall -Wextra -Werror -o "$prefix/consumer" "$src/tests/install/consumer.c" $flags ||
    fail "the consumer program did not build with: $flags"
out=$("$prefix/consumer" "$src/samples/ctrl_unstained.fcs") || fail "the consumer program failed"
echo "$out"
echo "$out" | grep -q '^datasets 1 events [1-9][0-9]* params [1-9]' || fail "unexpected output: $out"
echo "$out" | grep -q '^sha256(abc) ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad$' ||
    fail "unexpected SHA-256 of abc: $out"
echo "$out" | grep -q '^logicle(262144) 1.000000$' || fail "unexpected logicle value: $out"
"$prefix/bin/apoflow" --version >/dev/null || fail "the installed apoflow --version failed"
echo "install test: binary, headers, pkg-config file and man page installed; consumer linked and ran"
