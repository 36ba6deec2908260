#!/bin/sh
# t_audit_show: `syncd audit show` on a log the daemon wrote against the
# emulator.  The audit-chain scenario (a household's status.multiple is
# fixed in the sheet), then `audit show --key`: the household's story in
# order (opened, each cell change, resolved); discrepancy.resolved carries
# the fields of discrepancy.opened; --format json is the logged lines,
# --format csv parses with Python's csv module; filters (--tab, --rule,
# --since/--until); a broken chain still shows, names the first bad line and
# exits 65; a line of a newer format is refused; bad arguments exit 64.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_audit_show
sheet_start tests/data/demo-chachoengsao.json
SYNCD="$BUILD/syncd"

once() { "$SYNCD" --once -c "$CONF" --today 2024-02-01 2>>"$work/stderr"; }

once; check "first --once exits 0" "$?" 0
f=$(jq -r 'select(.event == "discrepancy.opened" and .rule == "status.multiple" and .key != null) |
    [.tab, .row, .key, .id] | @tsv' "$LOG" | head -n 1)
tab=$(printf '%s' "$f" | cut -f1); row=$(printf '%s' "$f" | cut -f2)
key=$(printf '%s' "$f" | cut -f3); fid=$(printf '%s' "$f" | cut -f4)
[ -n "$key" ] && ok "a keyed status.multiple finding ($key)" || bad "a keyed status.multiple finding"
# Fix it: clear every status mark of the row but the first.
fake_get "_fake/spreadsheets/$ID" | jq --arg t "$tab" --argjson r "$row" '
    (.sheets[] | select(.properties.title == $t) | .values) |=
    (. as $v | ($v[1] | [to_entries[] | select(.value | tostring |
        startswith("คร. ")) | .key]) as $cols |
     reduce ($cols[1:][]) as $c ($v; .[$r - 1][$c] = ""))' > "$work/fixed.json"
fake_put_workbook "$work/fixed.json"
once; check "--once after the fix exits 0" "$?" 0

# discrepancy.resolved is self-describing.
check "resolved carries opened's fields" \
    "$(jq -c --arg id "$fid" 'select(.event == "discrepancy.resolved" and .id == $id) |
        [.rule, .severity, .tab, .row, .key, (.column // "-"), (.first_seen | type)]' "$LOG")" \
    "$(jq -c --arg id "$fid" 'select(.event == "discrepancy.opened" and .id == $id) |
        [.rule, .severity, .tab, .row, .key, (.column // "-"), "number"]' "$LOG")"

# The household's story, in order.
"$SYNCD" audit show "$LOG" --key "$key" --format json > "$work/story.jsonl"
check "show --key exits 0" "$?" 0
ev=$(jq -r 'select((.id == null or .id == $id) and .event != "record.complete") | .event' \
    --arg id "$fid" "$work/story.jsonl" | uniq | tr '\n' ' ')
check "story: opened, changed, resolved" "$ev" "discrepancy.opened cell.changed discrepancy.resolved "
check "story: every event is the household's" \
    "$(jq -r --arg k "$key" 'select(.key != $k) | .seq' "$work/story.jsonl" | wc -l)" 0
check "story: oldest first" "$(jq -r .seq "$work/story.jsonl" | sort -n | tr '\n' ' ')" \
    "$(jq -r .seq "$work/story.jsonl" | tr '\n' ' ')"
# --format json: the lines exactly as logged.
n=0
while IFS= read -r line; do
	grep -qxF -- "$line" "$LOG" || n=$((n + 1))
done < "$work/story.jsonl"
check "json lines are the logged bytes" "$n" 0
# A key typed with hyphens and spaces is the same household.
spaced=$(printf '%s' "$key" | sed 's/^\(.\)\(...\)/\1-\2 /')
check "--key normalised" "$("$SYNCD" audit show "$LOG" --key "$spaced" --format json | wc -l)" \
    "$(wc -l < "$work/story.jsonl")"
# Text: Thai, Bangkok times (the log's ts + 7 h).
"$SYNCD" audit show "$LOG" --key "$key" > "$work/story.txt"
check "text: one line per event" "$(wc -l < "$work/story.txt")" "$(wc -l < "$work/story.jsonl")"
grep -q "แก้ไขแล้ว" "$work/story.txt" && ok "text: resolved in Thai" || bad "text: resolved in Thai: $(cat "$work/story.txt")"
grep -q "รหัสบ้าน $key" "$work/story.txt" && ok "text: names the key" || bad "text: names the key"
ts=$(head -n 1 "$work/story.jsonl" | jq -r .ts)
bkk=$(date -u -d "$(printf '%s' "$ts" | sed 's/T/ /; s/Z$//') 7 hours" '+%Y-%m-%d %H:%M')
case "$(head -n 1 "$work/story.txt")" in
"$bkk "*) ok "text: Asia/Bangkok time ($bkk)" ;;
*) bad "text: Asia/Bangkok time: want $bkk: $(head -n 1 "$work/story.txt")" ;;
esac

# CSV: a header row, one row per event, parses with Python's csv module.
"$SYNCD" audit show "$LOG" --format csv > "$work/all.csv"
check "csv exits 0" "$?" 0
got=$(python3 - "$work/all.csv" "$key" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
mine = [r["event"] for r in rows if r["key"] == sys.argv[2]]
print(len(rows), rows[0]["seq"], rows[0]["event"], "resolved" if "discrepancy.resolved" in mine else "-",
      all(r["verified"] == "yes" for r in rows))
PY
)
check "csv parses: rows, first row, the key's resolution" "$got" \
    "$(wc -l < "$LOG") 1 config.loaded resolved True"

# Filters.
check "--rule" "$("$SYNCD" audit show "$LOG" --rule status.multiple --format json |
    jq -r .rule | sort -u)" status.multiple
check "--tab" "$("$SYNCD" audit show "$LOG" --tab "$tab" --format json | jq -r .tab | sort -u)" "$tab"
check "--since tomorrow: nothing" "$("$SYNCD" audit show "$LOG" --since "$(date -u -d '+2 days' +%F)" | wc -l)" 0
check "--until yesterday: nothing" "$("$SYNCD" audit show "$LOG" --until "$(date -u -d '-2 days' +%FT%H:%M)" | wc -l)" 0
check "--since yesterday: everything" "$("$SYNCD" audit show "$LOG" --since "$(date -u -d '-2 days' +%F)" --format json | wc -l)" \
    "$(wc -l < "$LOG")"

# Bad arguments: 64, and a missing file: 66.
"$SYNCD" audit show "$LOG" --since 2024-13-01 > /dev/null 2> "$work/err"
check "malformed --since exits 64" "$?" 64
grep -q -- '--since "2024-13-01"' "$work/err" && ok "malformed --since named" || bad "malformed --since named: $(cat "$work/err")"
"$SYNCD" audit show "$LOG" --since yesterday > /dev/null 2>&1; check "--since yesterday (a word) exits 64" "$?" 64
"$SYNCD" audit show "$LOG" --format xml > /dev/null 2>&1; check "--format xml exits 64" "$?" 64
"$SYNCD" audit show > /dev/null 2>&1; check "no file exits 64" "$?" 64
"$SYNCD" audit show "$work/none.jsonl" > /dev/null 2>&1; check "missing file exits 66" "$?" 66

# A broken chain: what can be read is shown, the first bad line is named, 65.
total=$(wc -l < "$LOG")
mid=$((total / 2))
sed "${mid}s/\"seq\":/\"x\":0,\"seq\":/" "$LOG" > "$work/broken.jsonl"
"$SYNCD" audit show "$work/broken.jsonl" --format json > "$work/out" 2> "$work/err"
check "broken chain exits 65" "$?" 65
check "broken chain: every line still shown" "$(wc -l < "$work/out")" "$total"
grep -q "line $((mid + 1)) (seq $((mid + 1)))" "$work/err" && ok "broken chain: first bad line named" ||
    bad "broken chain: first bad line named (want line $((mid + 1))): $(cat "$work/err")"
"$SYNCD" audit show "$work/broken.jsonl" > "$work/out" 2>/dev/null
grep -c "ยังไม่ผ่านการตรวจสอบ" "$work/out" > "$work/n"
check "text marks the unverified lines" "$(cat "$work/n")" "$((total - mid))"

# A line of a newer log format, properly chained: refused clearly.
cp "$LOG" "$work/newer.jsonl"
prev=$(tail -n 1 "$LOG" | tr -d '\n' | sha256sum | cut -c1-64)
printf '{"seq":%d,"ts":"2030-01-01T00:00:00Z","event":"cycle","prev":"%s","format":2}\n' \
    "$((total + 1))" "$prev" >> "$work/newer.jsonl"
"$SYNCD" audit show "$work/newer.jsonl" > /dev/null 2> "$work/err"
check "newer format exits 65" "$?" 65
grep -q "format 2, newer than this syncd" "$work/err" && ok "newer format named" || bad "newer format named: $(cat "$work/err")"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "t_audit_show: all passed"
