#!/bin/bash
# Replay every fuzz target's seed corpus once (TAP). Without --enable-fuzzing the targets carry
# fuzz/replay.c as their main; with it they are libFuzzer programs, which also run the files they
# are given and exit. Either way a crash, an abort or a sanitizer report fails the test.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"

n=0
failed=0
for target in "$top_builddir"/fuzz/fuzz_*; do
	[ -x "$target" ] || continue
	name=$(basename "$target")
	corpus=$top_srcdir/fuzz/corpus/${name#fuzz_}
	n=$((n + 1))
	seeds=$(find "$corpus" -type f 2>/dev/null | wc -l)
	if [ "$seeds" -eq 0 ]; then
		echo "not ok $n - $name: no seed corpus in $corpus"
		failed=$((failed + 1))
		continue
	fi
	if out=$(find "$corpus" -type f -print0 | xargs -0 "$target" 2>&1); then
		echo "ok $n - $name replays $seeds seeds"
	else
		echo "not ok $n - $name crashed on its corpus"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
