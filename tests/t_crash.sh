#!/bin/sh
# t_crash: syncd killed with SIGKILL at random points of many cycles.
#
# Each round edits a few district cells at random, starts `syncd --once`,
# kills it with SIGKILL after a random delay (before, during or after its
# reads, its write-ahead log lines, its one batchUpdate or its state file),
# and then checks what the issue promises:
#   - nothing half-written: our two tabs hold either what they held before
#     the round or the complete new render, never a mix;
#   - the log lines complete before the kill are still there, unchanged,
#     after the restart (no acknowledged event is lost; only a torn tail is
#     recovered);
#   - a restart (`syncd --once` to the end) exits 0, `syncd audit verify`
#     accepts the log, the tabs equal `syncd check` of the sheet, and the
#     discrepancies open in the log (opened, not resolved) are exactly the
#     findings of `syncd check`.
# CRASH_CYCLES rounds (default 10, about 12 s; `make crash` runs 200);
# CRASH_SEED replays a run (the seed is printed).
# RUNNER (make valgrind) wraps the restart of the first and last rounds.
set -u
: "${BUILD:=build}"
: "${CRASH_CYCLES:=10}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_crash
TODAY=2024-02-01
sheet_start tests/data/demo-chachoengsao.json

tab_values() {
	fake_get "_fake/spreadsheets/$ID" | jq --arg t "$1" -c \
	    '[.sheets[] | select(.properties.title == $t) | .values] | .[0] // []'
}
# Our tabs without the footer (time and audit head change every write).
our_tabs() {
	printf '%s %s\n' "$(tab_values "$SUM" | jq -c '[.[1:][] | select(length > 2)]')" \
	    "$(tab_values "$DISC" | jq -c '[.[1:][] | [.[0:7][]] | map(tostring)]')"
}
check_json() {
	"$BUILD/syncd" check -c "$CONF" --workbook "$1" --today "$TODAY" --format json
}
# The ids of the findings of `syncd check`, as the daemon builds them:
# rule|tab|key-or-#row|column, and "@ROW" after an identity already used.
check_ids() {
	check_json "$1" | jq -r 'reduce (.discrepancies[] | {id: "\(.rule)|\(.tab // "")|\(.key //
	    "#\(.row // 0)")|\(.column // "")", row: (.row // 0)}) as $f ({seen: {}, out: []};
	    if .seen[$f.id] then .out += ["\($f.id)@\($f.row)"]
	    else .seen[$f.id] = true | .out += [$f.id] end) | .out[]' | LC_ALL=C sort -u
}
# The ids the log holds open: opened and not resolved since.
log_open_ids() {
	jq -r 'select(.event == "discrepancy.opened" or .event == "discrepancy.resolved") |
	    [.event, .id] | @tsv' "$LOG" | awk -F '\t' '
	    $1 == "discrepancy.opened" { open[$2] = 1 }
	    $1 == "discrepancy.resolved" { delete open[$2] }
	    END { for (k in open) print k }' | LC_ALL=C sort -u
}
# tail_ok_bytes FILE: bytes up to and including its last newline (a torn
# last line has none).
tail_ok_bytes() {
	python3 -c 'import sys; b=open(sys.argv[1],"rb").read(); print(b.rfind(b"\n")+1)' "$1"
}
# same_prefix N A B: the first N bytes of A and B are equal.
same_prefix() { [ "$(head -c "$1" "$2" | md5sum)" = "$(head -c "$1" "$3" | md5sum)" ]; }
# edit SEED: change a few district cells of the emulator's sheet at random.
edit() {
	fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
	python3 - "$work/cur.json" "$1" "$SUM" "$DISC" > "$work/next.json" <<'PY'
import json, random, sys
doc = json.load(open(sys.argv[1]))
rnd = random.Random(int(sys.argv[2]))
ours = {sys.argv[3], sys.argv[4]}
tabs = [s for s in doc["sheets"] if s["properties"]["title"] not in ours and s.get("values")]
choices = ["", "1", "1", "x", "2", "=HYPERLINK(\"http://x\",\"y\")", "15/02/2567", "2024-13-05"]
for _ in range(rnd.randint(1, 4)):
    t = rnd.choice(tabs)
    v = t["values"]
    if len(v) < 4:
        continue
    r = rnd.randrange(3, len(v))
    width = max(len(x) for x in v[:3])
    c = rnd.randrange(0, width)
    while len(v[r]) <= c:
        v[r].append("")
    v[r][c] = rnd.choice(choices)
json.dump(doc, sys.stdout, ensure_ascii=False)
PY
	fake_put_workbook "$work/next.json"
}

# A first, complete cycle: the tabs exist.  Its length is the window the
# kills fall in, so that on any machine, fast or loaded, they land during a
# cycle (a later cycle that runs faster may end first: a kill after the end).
t0=$(date +%s%N)
"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/stderr"
check "first --once exits 0" "$?" 0
window=$(($(date +%s%N) - t0))

seed=${CRASH_SEED:-$(date +%s)}
echo "# CRASH_SEED=$seed CRASH_CYCLES=$CRASH_CYCLES (kills within $((window / 1000000)) ms)"
i=1
killed_mid=0
while [ "$i" -le "$CRASH_CYCLES" ]; do
	s=$((seed + i))
	edit "$s"
	before=$(our_tabs)
	cp "$LOG" "$work/log.before"
	delay=$(python3 -c 'import random,sys; print("%.3f" % random.Random(int(sys.argv[1])).uniform(0, int(sys.argv[2]) / 1e9))' "$s" "$window")
	"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/stderr" &
	spid=$!
	sleep "$delay"
	kill -9 "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	rc=$?
	spid=""
	[ "$rc" -eq 137 ] && killed_mid=$((killed_mid + 1))
	after_kill=$(our_tabs)
	cp "$LOG" "$work/log.killed"
	# Restart: one whole cycle.
	if [ "$i" -eq 1 ] || [ "$i" -eq "$CRASH_CYCLES" ]; then
		# shellcheck disable=SC2086
		${RUNNER:-} "$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/stderr"
	else
		"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/stderr"
	fi
	rc=$?
	what="round $i (seed $s, kill after ${delay}s)"
	[ "$rc" -eq 0 ] || bad "$what: restart exits $rc"
	fake_get "_fake/spreadsheets/$ID" > "$work/now.json"
	now=$(our_tabs)
	want_sum=$(check_json "$work/now.json" | jq -c '[.summary[] | [.district,
	    .households, .developable, .welfare, .self_reliant, .other, .unclassified,
	    .developed, .percent, .errors, .warnings] | map(tostring)]')
	got_sum=$(tab_values "$SUM" | jq -c '[.[1:][] | select(length > 2) | map(tostring)]')
	[ "$got_sum" = "$want_sum" ] || bad "$what: summary tab differs from syncd check"
	if [ "$after_kill" != "$before" ] && [ "$after_kill" != "$now" ]; then
		bad "$what: our tabs were half-written"
	fi
	"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>"$work/verify.err" ||
	    bad "$what: audit verify: $(cat "$work/verify.err")"
	same_prefix "$(tail_ok_bytes "$work/log.killed")" "$LOG" "$work/log.killed" ||
	    bad "$what: a log line complete at the kill was lost or changed"
	same_prefix "$(tail_ok_bytes "$work/log.before")" "$LOG" "$work/log.before" ||
	    bad "$what: the log before the round changed"
	if [ "$(log_open_ids)" != "$(check_ids "$work/now.json")" ]; then
		bad "$what: open discrepancies in the log differ from syncd check"
		diff "$(printf '%s\n' "$(log_open_ids)" > "$work/a"; echo "$work/a")" \
		    "$(check_ids "$work/now.json" > "$work/b"; echo "$work/b")" | head -n 6
	fi
	i=$((i + 1))
done
ok "$CRASH_CYCLES rounds, $killed_mid killed mid-cycle"
[ "$killed_mid" -gt 0 ] || bad "no round was killed before it ended (kill too late?)"
if grep -q 'PRIVATE KEY\|ya29' "$work/stderr"; then bad "no secret in logs"; else ok "no secret in logs"; fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
