#!/bin/sh
# Runs each libFuzzer binary given for $FUZZ_SECONDS seconds (default 60) and
# prints one line per target: executions, corpus size, and PASS or CRASH.
#
# Each target NAME keeps a working corpus in $BUILD/fuzz/corpus/NAME, seeded
# on every run from tests/fuzz/corpus/NAME/ and the files of tests/data/
# (fixtures are good starting points for every parser); a dictionary
# tests/fuzz/NAME.dict is used when present.  Crashing inputs are saved as
# $BUILD/fuzz/artifacts/NAME-crash-*; the libFuzzer log of each target is
# $BUILD/fuzz/NAME.log.  Exits 1 if any target crashed or failed to run.
# Usage: BUILD=build FUZZ_SECONDS=60 tests/fuzz/run.sh build/fuzz/fuzz_x ...
set -u
: "${BUILD:=build}"
: "${FUZZ_SECONDS:=60}"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
failed=""
for bin in "$@"; do
	name=$(basename "$bin")
	corpus="$BUILD/fuzz/corpus/$name"
	artifacts="$BUILD/fuzz/artifacts"
	log="$BUILD/fuzz/$name.log"
	mkdir -p "$corpus" "$artifacts"
	if [ -d "$here/corpus/$name" ]; then
		find "$here/corpus/$name" -maxdepth 1 -type f -exec cp {} "$corpus/" \;
	fi
	if [ -d "$top/tests/data" ]; then
		find "$top/tests/data" -maxdepth 1 -type f -exec cp {} "$corpus/" \;
	fi
	# (The for list above was expanded once, so "$@" is free to reuse.)
	set -- -max_total_time="$FUZZ_SECONDS" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$artifacts/$name-"
	if [ -f "$here/$name.dict" ]; then
		set -- "$@" -dict="$here/$name.dict"
	fi
	"$bin" "$@" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	files=$(find "$corpus" -type f | wc -l)
	if [ $rc -eq 0 ]; then
		printf 'PASS   %-20s %10s executions in %ss, corpus %s files\n' \
			"$name" "${execs:-?}" "$FUZZ_SECONDS" "$files"
	else
		printf 'CRASH  %-20s %10s executions (exit %s), see %s\n' \
			"$name" "${execs:-?}" "$rc" "$log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5 | \
			sed 's/^/       /'
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: crashed:$failed"
	exit 1
fi
