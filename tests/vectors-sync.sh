#!/bin/bash
# tests/vectors/spec is the project's copy of the shared conformance vectors (shared/spec/vectors
# beside the checkout), so that the tests and the release tarball carry them. When the shared
# folder is there, the copy must be identical: a vector changed upstream must reach the tests.
set -u
: "${top_srcdir:=.}"
shared=$top_srcdir/../shared/spec/vectors
if [ ! -d "$shared" ]; then
	echo "1..0 # SKIP no shared/spec/vectors beside the source tree"
	exit 0
fi
echo "1..1"
if out=$(diff -r "$shared" "$top_srcdir/tests/vectors/spec" 2>&1); then
	echo "ok 1 - tests/vectors/spec is identical to shared/spec/vectors"
else
	echo "not ok 1 - tests/vectors/spec differs from shared/spec/vectors (copy it again)"
	printf '%s\n' "$out" | head -n 20 | sed 's/^/# /'
	exit 1
fi
