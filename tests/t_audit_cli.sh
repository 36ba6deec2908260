#!/bin/sh
# t_audit_cli: `syncd audit verify` on good, tampered, truncated and torn logs
# (exit codes 0 intact, 1 broken, 64 usage, 66 missing file), and the same
# chain checked independently with sha256sum and jq, the way the README tells
# an auditor to do it: `prev` of line n+1 is the SHA-256 of line n without its
# newline, and the first `prev` is 64 zeros.
set -u
: "${BUILD:=build}"
SYNCD="${RUNNER:-} $BUILD/syncd"
GEN="$BUILD/tools/audit_gen"
T=$(mktemp -d /tmp/t_audit_cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS DESCRIPTION CMD...: run CMD, check its exit status.
expect() {
	want=$1; what=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "$what: exit $got, want $want: $(cat "$T/out" "$T/err")"
}

# jq_verify FILE: the independent check; prints the head "SEQ:HASH".
jq_verify() {
	prev=0000000000000000000000000000000000000000000000000000000000000000
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		p=$(printf '%s' "$line" | jq -r .prev) || return 1
		s=$(printf '%s' "$line" | jq -r .seq) || return 1
		[ "$p" = "$prev" ] || { echo "line $n: bad prev" >&2; return 1; }
		[ "$s" = "$n" ] || { echo "line $n: bad seq" >&2; return 1; }
		prev=$(printf '%s' "$line" | sha256sum | cut -c1-64)
	done <"$1"
	echo "$n:$prev"
}

ZERO=0000000000000000000000000000000000000000000000000000000000000000
head=$("$GEN" "$T/good.jsonl" 6) || { echo "audit_gen failed"; exit 1; }

# Intact log.
expect 0 "good log" $SYNCD audit verify "$T/good.jsonl"
grep -qx "ok: 6 lines, head $head" "$T/out" || fail "good log: output $(cat "$T/out"), want head $head"
expect 0 "good log, published head" $SYNCD audit verify "$T/good.jsonl" --head "$head"
expect 0 "good log, --head=SEQ:HASH spelling" $SYNCD audit verify "$T/good.jsonl" --head="$head"
expect 0 "audit --help" $SYNCD audit --help
[ "$(jq_verify "$T/good.jsonl")" = "$head" ] || fail "jq/sha256sum disagree with syncd on the head"
# Thai text is written as UTF-8, not escaped.
grep -q 'บางคล้า' "$T/good.jsonl" || fail "Thai text was escaped"
# Keys come first in a fixed order.
head -n 1 "$T/good.jsonl" | grep -q "^{\"seq\":1,\"ts\":\"[0-9-]*T[0-9:]*Z\",\"event\":\"cell.changed\",\"prev\":\"$ZERO\"," \
	|| fail "line 1 does not start with seq, ts, event, prev"
# An earlier head still matches the longer log.
sed -n 1,3p "$T/good.jsonl" >"$T/three.jsonl"
h3=$(jq_verify "$T/three.jsonl")
expect 0 "earlier head" $SYNCD audit verify "$T/good.jsonl" --head "$h3"

# A value changed in line 2: line 3's prev breaks.
sed '2s/"errors":1/"errors":7/' "$T/good.jsonl" >"$T/edit.jsonl"
cmp -s "$T/edit.jsonl" "$T/good.jsonl" && fail "the edit did not change the log"
expect 1 "edited line" $SYNCD audit verify "$T/edit.jsonl"
grep -q "line 3 (seq 3): bad prev hash" "$T/out" || fail "edited line: $(cat "$T/out")"
jq_verify "$T/edit.jsonl" >/dev/null 2>&1 && fail "jq check accepted the edited log"

# A deleted line.
sed '2d' "$T/good.jsonl" >"$T/del.jsonl"
expect 1 "deleted line" $SYNCD audit verify "$T/del.jsonl"
grep -q "line 2 (seq 3): seq gap" "$T/out" || fail "deleted line: $(cat "$T/out")"

# Swapped lines.
awk 'NR == 2 { held = $0; next } { print } NR == 3 { print held }' "$T/good.jsonl" >"$T/swap.jsonl"
[ "$(sed -n 2p "$T/swap.jsonl")" = "$(sed -n 3p "$T/good.jsonl")" ] || fail "swap did not swap"
expect 1 "swapped lines" $SYNCD audit verify "$T/swap.jsonl"

# Cut back on a line boundary: fine alone, caught by the published head.
sed -n 1,4p "$T/good.jsonl" >"$T/cut.jsonl"
expect 0 "cut log without head" $SYNCD audit verify "$T/cut.jsonl"
expect 1 "cut log with head" $SYNCD audit verify "$T/cut.jsonl" --head "$head"
grep -q "before the published head" "$T/out" || fail "cut log: $(cat "$T/out")"
# The last line rewritten: caught by the head's hash.
sed '$s/"errors":5/"errors":0/' "$T/good.jsonl" >"$T/last.jsonl"
expect 0 "rewritten last line without head" $SYNCD audit verify "$T/last.jsonl"
expect 1 "rewritten last line with head" $SYNCD audit verify "$T/last.jsonl" --head "$head"
grep -q "head mismatch" "$T/out" || fail "rewritten last line: $(cat "$T/out")"

# Torn last line: verify reports it; opening the log recovers it.
cp "$T/good.jsonl" "$T/torn.jsonl"
printf '{"seq":7,"ts":"2026-11-25T15:1' >>"$T/torn.jsonl"
expect 1 "torn last line" $SYNCD audit verify "$T/torn.jsonl"
grep -q "line 7: torn last line" "$T/out" || fail "torn: $(cat "$T/out")"
torn_sha=$(printf '{"seq":7,"ts":"2026-11-25T15:1' | sha256sum | cut -c1-64)
"$GEN" "$T/torn.jsonl" 1 >/dev/null || fail "audit_gen could not open the torn log"
expect 0 "recovered log" $SYNCD audit verify "$T/torn.jsonl"
sed -n 7p "$T/torn.jsonl" | jq -e --arg s "$torn_sha" \
	'.event == "recovery" and .sha256 == $s and .bytes == "{\"seq\":7,\"ts\":\"2026-11-25T15:1"' \
	>/dev/null || fail "line 7 is not the recovery event: $(sed -n 7p "$T/torn.jsonl")"
jq_verify "$T/torn.jsonl" >/dev/null || fail "jq check rejects the recovered log"
ls "$T"/torn.jsonl.torn-* >/dev/null 2>&1 && fail "a recovery side file was left"

# A chain broken in the middle is never appended to.
cp "$T/edit.jsonl" "$T/edit2.jsonl"
"$GEN" "$T/edit2.jsonl" 1 >/dev/null 2>"$T/err" && fail "audit_gen appended to a broken log"
cmp -s "$T/edit.jsonl" "$T/edit2.jsonl" || fail "a broken log was modified"

# Usage and missing files.
expect 66 "missing file" $SYNCD audit verify "$T/nonexistent.jsonl"
expect 64 "no file" $SYNCD audit verify
expect 64 "no subcommand" $SYNCD audit
expect 64 "bad head" $SYNCD audit verify "$T/good.jsonl" --head 3:abc
# Several files are segments in order: the same file twice does not continue itself.
expect 1 "the same file twice" $SYNCD audit verify "$T/good.jsonl" "$T/good.jsonl"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "t_audit_cli: all passed"
