#!/bin/sh
# Runs each test given (a Check suite binary or a tests/t_*.sh script), prints
# one line per test and a total, and fails if any failed.  RUNNER (e.g.
# valgrind) prefixes binaries; scripts read BUILD and RUNNER themselves.
set -u
: "${BUILD:=build}"
export BUILD RUNNER
failed=""
n=0
for t in "$@"; do
	n=$((n + 1))
	start=$(date +%s)
	case "$t" in
	*.sh) log=$("$t" 2>&1); rc=$? ;;
	*) log=$(${RUNNER:-} "$t" 2>&1); rc=$? ;;
	esac
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		printf 'PASS  %-40s %3ss\n' "$(basename "$t")" "$secs"
		# A script that could not run a part says so on a "SKIP:" line.
		printf '%s\n' "$log" | grep '^SKIP' | sed 's/^/      /'
	else
		printf 'FAIL  %-40s %3ss (exit %s)\n' "$(basename "$t")" "$secs" "$rc"
		printf '%s\n' "$log" | tail -n 40 | sed 's/^/      /'
		failed="$failed $(basename "$t")"
	fi
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all $n tests passed"
