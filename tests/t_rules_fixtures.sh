#!/bin/sh
# t_rules_fixtures: whole workbooks through `syncd check --format json`.
#
# Each folder tests/data/rules/<case>/ holds workbook.json (DESIGN.md's
# workbook file format), args (extra arguments, e.g. --today 2024-02-01; run
# from the case folder, so a case may bring its own -c syncd.conf) and
# expected.json, written by hand from DOMAIN.md.  The comparison is jq -S
# after two normalisations: messages are free Thai text, so they are removed
# (each must still be a non-empty single line), and a null field equals an
# absent one (DESIGN.md allows both).  The exit status must be 1 when
# expected.json holds an error, else 0.
set -u
: "${BUILD:=build}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/syncd"
case "$BUILD" in /*) BIN="$BUILD/syncd" ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
n=0

probe=$("$BIN" check --workbook /dev/null 2>&1)
case "$probe" in
*"not implemented"*)
	echo "SKIP: syncd check is not implemented yet"
	exit 0 ;;
esac

NORM='.discrepancies |= map(del(.message) | with_entries(select(.value != null)))'

for dir in "$ROOT"/tests/data/rules/*/; do
	case=$(basename "$dir")
	n=$((n + 1))
	args=$(cat "$dir/args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	(cd "$dir" && ${RUNNER:-} "$BIN" check --workbook workbook.json $args \
	    --format json) >"$T/out" 2>"$T/err"
	rc=$?
	want_rc=0
	if jq -e '[.discrepancies[] | select(.severity == "error")] | length > 0' \
	    "$dir/expected.json" >/dev/null; then
		want_rc=1
	fi
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $case: exit $rc, want $want_rc"
		sed 's/^/    stderr: /' "$T/err" | head -5
		fails=$((fails + 1))
		continue
	fi
	if ! jq -e '[.discrepancies[].message | type == "string" and length > 0
	    and (test("\n") | not)] | all' "$T/out" >/dev/null; then
		echo "FAIL $case: a message is missing, empty or not one line"
		fails=$((fails + 1))
	fi
	jq -S "$NORM" "$dir/expected.json" >"$T/want" || { fails=$((fails + 1)); continue; }
	jq -S "$NORM" "$T/out" >"$T/got" || { fails=$((fails + 1)); continue; }
	if ! diff -u "$T/want" "$T/got" >"$T/diff"; then
		echo "FAIL $case: output differs from expected.json"
		head -60 "$T/diff" | sed 's/^/    /'
		fails=$((fails + 1))
	fi
done
if [ "$n" -eq 0 ]; then
	echo "FAIL: no cases in tests/data/rules"
	exit 1
fi
if [ "$fails" -ne 0 ]; then
	echo "$fails of $n rules fixtures failed"
	exit 1
fi
echo "all $n rules fixtures passed"
