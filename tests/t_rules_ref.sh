#!/bin/sh
# t_rules_ref: syncd check against an independent reading of DOMAIN.md.
#
# tests/ref/rules_ref.py is a second implementation of the rules, written
# from DOMAIN.md and DESIGN.md alone.  This script runs it and
# `syncd check --format json` on the same workbooks (the demo, three genwb
# workbooks on both sides of the deadlines, and every rules fixture whose
# configuration the reference reads) and fails on any difference in the
# summary rows or in the multiset of findings (rule, severity, tab, row,
# key, column); messages are not compared.  tests/ref/rules_cmp.py says
# what differs.
set -u
: "${BUILD:=build}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) B="$BUILD" ;; *) B="$ROOT/$BUILD" ;; esac
REF="$ROOT/tests/ref/rules_ref.py"
CMP="$ROOT/tests/ref/rules_cmp.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
n=0

probe=$("$B/syncd" check --workbook /dev/null 2>&1)
case "$probe" in
*"not implemented"*)
	echo "SKIP: syncd check is not implemented yet"
	exit 0 ;;
esac

# compare NAME DIR WORKBOOK ARGS...: both implementations, run from DIR.
compare() {
	name=$1 dir=$2
	shift 2
	n=$((n + 1))
	(cd "$dir" && python3 "$REF" --workbook "$@") >"$T/ref.json" 2>"$T/ref.err"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "FAIL $name: the reference failed ($rc)"
		head -5 "$T/ref.err" | sed 's/^/    /'
		fails=$((fails + 1))
		return
	fi
	(cd "$dir" && ${RUNNER:-} "$B/syncd" check --format json --workbook "$@") \
	    >"$T/got.json" 2>"$T/got.err"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "FAIL $name: syncd check exited $rc"
		head -5 "$T/got.err" | sed 's/^/    /'
		fails=$((fails + 1))
		return
	fi
	if ! python3 "$CMP" "$T/ref.json" "$T/got.json" >"$T/diff"; then
		echo "FAIL $name: syncd check and the reference differ"
		head -30 "$T/diff" | sed 's/^/    /'
		fails=$((fails + 1))
	fi
}

compare "demo 2024-02-01" "$ROOT" tests/data/demo-chachoengsao.json --today 2024-02-01

# Generated workbooks, checked on a day other than the one they were made
# for, so dates fall on both sides of today and of each deadline.
set -- "11 2024-01-20 2024-01-31" "12 2024-02-10 2024-02-01" "13 2024-03-15 2024-03-21"
for spec in "$@"; do
	# shellcheck disable=SC2086
	set -- $spec
	if ! "$B/tools/genwb" --households 1000 --seed "$1" --today "$2" \
	    -o "$T/wb.json" 2>"$T/gen.err"; then
		echo "FAIL genwb --seed $1"
		fails=$((fails + 1))
		continue
	fi
	compare "genwb seed $1 today $3" "$T" wb.json --today "$3"
done

# The fixtures too, except those whose configuration changes the layout or
# the marks (the reference knows only DOMAIN.md's).
for dir in "$ROOT"/tests/data/rules/*/; do
	case=$(basename "$dir")
	args=$(cat "$dir/args" 2>/dev/null || true)
	conf=$(printf '%s\n' "$args" | sed -n 's/.*-c[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p')
	if [ -n "$conf" ] && (cd "$dir" && grep -Eq \
	    '^[[:space:]]*(columns|marks_set|marks_empty)[[:space:]]*=' "$conf"); then
		continue
	fi
	# shellcheck disable=SC2086
	compare "fixture $case" "$dir" workbook.json $args
done

if [ "$fails" -ne 0 ]; then
	echo "$fails of $n comparisons with the reference failed"
	exit 1
fi
echo "all $n comparisons with the reference agree"
