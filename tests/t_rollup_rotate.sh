#!/bin/sh
# t_rollup_rotate: the rollup's audit log rotates as a province's does:
#   - `syncd audit rotate` beside the running rollup daemon (SIGUSR1) exits
#     0, the old file is renamed, the new one opens with audit.rotated
#     (reason "command") naming it and its head, the rotation is logged, and
#     `syncd audit verify` follows the chain across the two files;
#   - with audit_rotate_bytes, a cycle that leaves the log past it rotates
#     it by itself;
#   - the daemon goes on (its next cycle appends to the new file).
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_rollup_rotate
for i in 1 2; do
	"$BUILD/tools/genwb" --households 50 --tabs 2 --seed $i --spreadsheet-id "prov-$i" \
	    --today 2024-02-01 -o "$work/p$i.json" || { echo "genwb failed"; exit 1; }
done
national_wb "$work/national.json"
fake_start "$work/p1.json" "$work/p2.json" "$work/national.json" ||
	{ echo "cannot start fakesheets"; exit 1; }
provinces_once 2
mkdir -p "$work/r"
LOG=$work/r/audit.jsonl
{
	fake_conf national "$work/r"
	echo 'rollup = { sources = ( { spreadsheet_id = "prov-1"; province = "หนึ่ง"; },'
	echo '  { spreadsheet_id = "prov-2"; province = "สอง"; } ); };'
} > "$work/rollup.conf"

lines() { _c=$(grep -c "$1" "$work/r.err" 2>/dev/null) || :; echo "${_c:-0}"; }
cycles() { [ "$(lines 'rollup: \(idle\|changed\):')" -ge "$1" ]; }
logged() { grep -q "$1" "$work/r.err"; }
first() { head -n 1 "$LOG" | jq -r ".$1"; }
head_of() { "$BUILD/syncd" audit verify "$@" 2>/dev/null | sed -n 's/^ok: .* head //p'; }

"$BUILD/syncd" -c "$work/rollup.conf" 2>"$work/r.err" &
spid=$!
wait_for 30 cycles 1 || bad "the first cycle"

"$BUILD/syncd" audit rotate -c "$work/rollup.conf" > "$work/rotate.out" 2>&1
check "audit rotate beside the rollup exits 0" "$?" 0
archive=$(ls "$work/r" | grep '^audit.jsonl-' | head -n 1)
[ -n "$archive" ] && ok "rotated to $archive" || bad "no audit.jsonl-* after rotate: $(cat "$work/rotate.out")"
check "the new file opens with audit.rotated" "$(first event) $(first reason)" "audit.rotated command"
check "it names the old file" "$(first previous_file)" "$archive"
check "and its head" "$(first previous_head)" "$(head_of "$work/r/$archive")"
wait_for 10 logged "rollup: audit log: .*$archive" && ok "the rotation is logged" ||
	bad "the rotation is logged: $(tail -n 3 "$work/r.err")"
kill -0 "$spid" 2>/dev/null && ok "the rollup runs on" || bad "the rollup died on SIGUSR1"

# One province moves: the next cycle appends source.changed to the new file.
n=$(lines 'rollup: \(idle\|changed\):')
jq '.sheets[0].values |= .[:-3]' "$work/p2.json" > "$work/p2e.json"
fake_put_workbook "$work/p2e.json"
"$BUILD/syncd" --once -c "$work/p2.conf" --today 2024-02-01 2>>"$work/prov.err" || bad "province 2 again"
wait_for 20 cycles $((n + 2)) || bad "cycles after the edit"
grep -q '"event":"source.changed"' "$LOG" && ok "the next changes go to the new file" ||
	bad "no source.changed in the new file: $(cat "$LOG")"
"$BUILD/syncd" audit verify "$work/r/$archive" "$LOG" >/dev/null
check "verify follows the chain across the two files" "$?" 0
kill -TERM "$spid"
wait "$spid"; rc=$?
spid=""
check "SIGTERM exits 0" "$rc" 0

# audit_rotate_bytes: a cycle that leaves the log past it rotates it.
echo 'audit_rotate_bytes = 100;' >> "$work/rollup.conf"
jq '.sheets[0].values |= .[:-3]' "$work/p1.json" > "$work/p1e.json"
fake_put_workbook "$work/p1e.json"
"$BUILD/syncd" --once -c "$work/p1.conf" --today 2024-02-01 2>>"$work/prov.err" || bad "province 1 again"
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r.err"
check "a changed cycle past audit_rotate_bytes exits 0" "$?" 0
# (Past 100 bytes every sync rotates: the cycle's two syncs make two files.)
[ "$(ls "$work/r" | grep -c '^audit.jsonl-')" -ge 2 ] && ok "it rotated by itself" ||
	bad "it rotated by itself: $(ls "$work/r")"
check "the new file says why" "$(first event) $(first reason)" "audit.rotated size"
grep -q 'rollup: audit log: .*rotated (size)' "$work/r.err" && ok "and it is logged" ||
	bad "and it is logged: $(cat "$work/r.err")"
# shellcheck disable=SC2046
"$BUILD/syncd" audit verify $(ls "$work/r"/audit.jsonl-* | sort) "$LOG" >/dev/null
check "verify follows the chain across all the files" "$?" 0

[ "$fails" -eq 0 ] || { echo "$fails failed"; sed 's/^/  /' "$work/r.err"; exit 1; }
echo "all passed"
