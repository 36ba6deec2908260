#!/bin/sh
# t_notes: flags where district staff look (issue 13), end to end on the
# emulator with the demo workbook: syncd's notes on the offending cells
# (marked "⚠ syncd", in Thai), a person's note never replaced (its finding's
# row says so), notes gone when the finding is fixed, district values
# byte-identical throughout, row numbers linking to the cell, a filter view
# per district, protections and the chart made again after a person deletes
# them, views following the configured districts, the requests of each kind
# of cycle, and annotate_districts = false.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_notes
sheet_start tests/data/demo-chachoengsao.json
TODAY=2024-02-01
MARK="⚠ syncd"

once() {
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" >>"$work/stderr" 2>&1 ||
	    echo "exit $?" >>"$work/failed"
	fake_requests | jq -r '[.[] | .query as $q | .path |
	    if . == "/token" then empty
	    elif startswith("/drive/") then "drive"
	    elif endswith(":batchUpdate") then "batchUpdate"
	    elif endswith("values:batchGet") or endswith("values:batchGetByDataFilter") then "batchGet"
	    elif endswith(":getByDataFilter") then "getByDataFilter"
	    elif ($q // "" | test("note")) then "tabs+notes"
	    else "tabs" end] | join(" ")'
}
wb() { fake_get "_fake/spreadsheets/$ID"; }
# Every district tab's values, exactly as the emulator holds them.
districts() {
	wb | jq -c --arg s "$SUM" --arg d "$DISC" \
	    '[.sheets[] | select(.properties.title != $s and .properties.title != $d and
	    .properties.title != "ความก้าวหน้า" and (.properties.title | startswith("สรุป ") | not)) |
	    .values]'
}
# cells: "TAB<tab>A1" of every finding with a row and a column, from syncd
# check on the emulator's workbook (the column found by its heading in row 2).
cells() {
	wb >"$work/now.json"
	"$BUILD/syncd" check -c "$CONF" --workbook "$work/now.json" --today "$TODAY" \
	    --format json | jq -r --slurpfile w "$work/now.json" '
	    def letters: if . < 26 then [65 + .] | implode
	        else ((. / 26 | floor) - 1 | letters) + ([65 + . % 26] | implode) end;
	    def norm: gsub("\\s+"; " ") | ltrimstr(" ") | rtrimstr(" ");
	    .discrepancies[] | select(.row != null and .column != null and .tab != null) |
	    . as $f | ($w[0].sheets[] | select(.properties.title == $f.tab) | .values[1]) as $h |
	    ([range($h | length)] | map(select(($h[.] | tostring | norm) == $f.column)) | .[0]) as $c |
	    select($c != null) | "\($f.tab)\t\($c | letters)\($f.row)\t\($f.rule)"' | sort -u
}
# note TAB CELL: the note the emulator holds there ("" when none).
note() { wb | jq -r --arg t "$1" --arg c "$2" '.sheets[] | select(.properties.title == $t) | .notes[$c] // ""'; }
count() { wb | jq --arg t "$1" --arg k "$2" '[.sheets[] | select(.properties.title == $t) | .[$k] // [] | length] | add'; }

before=$(districts)
cells >"$work/cells"
n=$(wc -l <"$work/cells")
[ "$n" -gt 20 ] && ok "the demo has $n flagged cells" || bad "flagged cells: $n"
# A person's note on the first flagged cell, before syncd runs.  Far down
# the last district tab (6,000 rows, all but its data empty), so the tab
# list's answer pads thousands of rows with {}: a person's note at C4999 and
# E5000, and a note carrying syncd's mark at D5000 with no finding there
# (left by a lost state, say), which syncd removes, proving it read the
# padding to the right cell.
ptab=$(head -n 1 "$work/cells" | cut -f 1)
pcell=$(head -n 1 "$work/cells" | cut -f 2)
far=$(jq -r '.sheets[-1].properties.title' "$WB")
wb | jq --arg t "$ptab" --arg c "$pcell" --arg f "$far" --arg m "$MARK" \
    '(.sheets[] | select(.properties.title == $t) | .notes) |= ((. // {}) + {($c): "โทรหาผู้ใหญ่บ้านแล้ว (สมศรี)"})
     | (.sheets[] | select(.properties.title == $f) | .notes) |= ((. // {}) +
         {"C4999": "แถวว่าง", "D5000": ($m + "\nเก่า"), "E5000": "ของคน"})
     | del(.sheets[].properties.gridProperties)
     | (.sheets[] | select(.properties.title == $f) | .properties.gridProperties) = {"rowCount": 6000}' \
    >"$work/put.json"
fake_put_workbook "$work/put.json"

# --- the cycles and their requests ---
# Every changed cycle lists the tabs again (issue 12: an added, removed or
# renamed tab shows within one cycle), and that one read brings the notes
# and our tabs' objects too: two reads and one write, from the first cycle.
check "cold cycle: two reads (the tab list with the notes, the values), one write" \
    "$(once)" "drive tabs+notes batchGet batchUpdate"
cold_notes=$(wb | jq --arg m "$MARK" '[.sheets[] | .notes // {} | .[] | select(startswith($m))] | length')
check "notes on the first changed cycle of a new state" "$cold_notes" "$(($(cut -f 1,2 "$work/cells" | sort -u | wc -l) - 1))"
check "own write: two reads, nothing to write" "$(once)" "drive tabs+notes batchGet"
check "idle cycle: no Sheets request" "$(once)" "drive"
check "a marked note 5,000 rows down with no finding: removed" "$(note "$far" D5000)" ""
check "a person's notes down there: kept" "$(note "$far" C4999):$(note "$far" E5000)" "แถวว่าง:ของคน"

# --- notes on the right cells, in Thai, marked ---
ours=0; wrong=""
cut -f 1,2 "$work/cells" | sort -u >"$work/cellset"
n=$(wc -l <"$work/cellset")
while IFS="$(printf '\t')" read -r t c; do
	[ "$t" = "$ptab" ] && [ "$c" = "$pcell" ] && continue
	case "$(note "$t" "$c")" in "$MARK"*วิธีแก้ไข*) ours=$((ours + 1)) ;; *) wrong="$wrong $t!$c" ;; esac
done <"$work/cellset"
check "every flagged cell has syncd's note" "$ours:$wrong" "$((n - 1)):"
marked=$(wb | jq --arg m "$MARK" '[.sheets[] | .notes // {} | .[] | select(startswith($m))] | length')
check "no other cell has one" "$marked" "$((n - 1))"
check "a person's note survives" "$(note "$ptab" "$pcell")" "โทรหาผู้ใหญ่บ้านแล้ว (สมศรี)"
r=$(wb | jq -r --arg d "$DISC" --arg t "$ptab" --arg r "${pcell#"${pcell%%[0-9]*}"}" \
    '.sheets[] | select(.properties.title == $d) | .values[] | select(.[0] == $t and (.[1] | tostring) == $r) | [.[5], .[7], .[8]] | map(length > 0) | all' | head -n 1)
check "its finding's row carries the text (name, message, what to do)" "$r" true
check "district values byte-identical" "$(districts)" "$before"

# --- the discrepancy tab: links, Thai words, frozen headings ---
l=$(wb | jq -r --arg d "$DISC" '.sheets[] | select(.properties.title == $d) | .links.B2')
case "$l" in "https://docs.google.com/spreadsheets/d/$ID/edit#gid="*"&range="[A-Z]*[0-9]) ok "row number links to the cell ($l)" ;;
	*) bad "row number link: [$l]" ;; esac
check "severity in Thai" "$(wb | jq -r --arg d "$DISC" '[.sheets[] | select(.properties.title == $d) | .values[1:][][6]] | unique | join(",")')" "ข้อสังเกต,ต้องแก้ไข"
check "headings frozen" "$(wb | jq --arg d "$DISC" '.sheets[] | select(.properties.title == $d) | .properties.gridProperties.frozenRowCount')" 1

# --- views, protections, chart ---
nd=$(jq '.sheets | length' "$WB")
check "a filter view per district" "$(count "$DISC" filterViews)" "$nd"
check "views titled by district" "$(wb | jq -c --arg d "$DISC" '[.sheets[] | select(.properties.title == $d) | .filterViews[].title] | sort')" \
    "$(jq -c '[.sheets[].properties.title] | sort' "$WB")"
check "protections on our two tabs" "$(count "$SUM" protectedRanges):$(count "$DISC" protectedRanges)" "1:1"
check "warning only" "$(wb | jq '[.sheets[] | .protectedRanges // [] | .[] | .warningOnly] | all')" true
check "a chart on the summary" "$(count "$SUM" charts)" 1

# A person deletes the chart, a view and a protection: back after the next changed cycle.
T=$(fake_token)
ids=$(wb | jq -c --arg s "$SUM" --arg d "$DISC" '[(.sheets[] | select(.properties.title == $s) | .charts[0].chartId, .protectedRanges[0].protectedRangeId),
    (.sheets[] | select(.properties.title == $d) | .filterViews[0].filterViewId)]')
fake_curl -H "Authorization: Bearer $T" -X POST "$FAKE_URL/v4/spreadsheets/$ID:batchUpdate" --data-binary \
    "$(echo "$ids" | jq -c '{requests: [{deleteEmbeddedObject: {objectId: .[0]}}, {deleteProtectedRange: {protectedRangeId: .[1]}}, {deleteFilterView: {filterId: .[2]}}]}')" >/dev/null
check "deleted: chart, protection, view" "$(count "$SUM" charts):$(count "$SUM" protectedRanges):$(count "$DISC" filterViews)" "0:0:$((nd - 1))"
check "the next changed cycle makes them again" "$(once)" "drive tabs+notes batchGet batchUpdate"
check "back: chart, protection, view" "$(count "$SUM" charts):$(count "$SUM" protectedRanges):$(count "$DISC" filterViews)" "1:1:$nd"
check "then nothing to write" "$(once)" "drive tabs+notes batchGet"

# --- a finding fixed: its note goes; values as the person left them ---
# A household with two status marks: clearing the first (the flagged cell)
# leaves one.
fixtab=$(grep '	status.multiple$' "$work/cells" | head -n 1 | cut -f 1)
fixcell=$(grep '	status.multiple$' "$work/cells" | head -n 1 | cut -f 2)
case "$(note "$fixtab" "$fixcell")" in "$MARK"*) ok "status.multiple noted at $fixtab!$fixcell" ;; *) bad "no note at [$fixtab!$fixcell]" ;; esac
fake_curl -H "Authorization: Bearer $T" -X PUT --data-binary '{"values": [[""]]}' \
    "$FAKE_URL/v4/spreadsheets/$ID/values/$(printf "'%s'!%s" "$fixtab" "$fixcell" | jq -sRr @uri)?valueInputOption=RAW" >/dev/null
edited=$(districts)
check "an edit: two reads, one write" "$(once)" "drive tabs+notes batchGet batchUpdate"
cells >"$work/cells2"
check "the finding is gone" "$(grep -c "^$fixtab	$fixcell	" "$work/cells2")" 0
check "and so is its note" "$(note "$fixtab" "$fixcell")" ""
check "district values byte-identical after the fix" "$(districts)" "$edited"

# --- the configured districts change: views follow ---
last=$(jq -r '.sheets[-1].properties.title' "$WB")
list=$(jq -c '[.sheets[:-1][].properties.title]' "$WB" | sed 's/^\[/[ /; s/\]$/ ]/')
printf 'districts = %s;\n' "$list" >>"$CONF"
check "a changed configuration: the views follow in the same cycle" "$(once)" "drive tabs+notes batchGet batchUpdate"
check "then nothing to write" "$(once)" "drive tabs+notes batchGet"
check "one view fewer" "$(count "$DISC" filterViews)" "$((nd - 1))"
check "the chart's range follows the districts" "$(wb | jq --arg s "$SUM" '.sheets[] | select(.properties.title == $s) | .charts[0].spec.basicChart.domains[0].domain.sourceRange.sources[0].endRowIndex')" "$nd"
check "not the one that went" "$(wb | jq --arg d "$DISC" --arg l "$last" '[.sheets[] | select(.properties.title == $d) | .filterViews[] | select(.title == $l)] | length')" 0

# --- the tab list with the notes refused as invalid never keeps the tabs
# from being written: recorded, the plain list read instead ---
fake_curl -H "Authorization: Bearer $T" -X PUT --data-binary '{"values": [["y"]]}' \
    "$FAKE_URL/v4/spreadsheets/$ID/values/$(printf "'%s'!A2" "$fixtab" | jq -sRr @uri)?valueInputOption=RAW" >/dev/null
# token and Drive pass; the tab list with the notes gets a 400.
fake_faults '[{"delay_ms": 1}, {"delay_ms": 1}, {"status": 400}]'
wb | jq --arg m "$MARK" '[.sheets[] | .notes // {} | .[] | select(startswith($m))] | length' >"$work/marked_before"
r=$(once)
check "tab list with notes refused: the plain list, the cycle goes on" "$r" "drive tabs+notes tabs batchGet"
check "and records it" "$(tail -n 3 "$LOG" | jq -r 'select(.event == "api.error") | .step')" "notes"
fake_faults '[]' 2>/dev/null
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null

# --- the values read refused after the tab list (a tab renamed in between):
# the plain list once more, the values again, the notes as read ---
fake_curl -H "Authorization: Bearer $T" -X PUT --data-binary '{"values": [["z"]]}' \
    "$FAKE_URL/v4/spreadsheets/$ID/values/$(printf "'%s'!A2" "$fixtab" | jq -sRr @uri)?valueInputOption=RAW" >/dev/null
fake_faults '[{"delay_ms": 1}, {"delay_ms": 1}, {"delay_ms": 1}, {"status": 400}]'
r=$(once)
case "$r" in "drive tabs+notes batchGet tabs batchGet"*) ok "values read refused: listed again, read again ($r)" ;;
	*) bad "values read refused: [$r]" ;; esac
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
check "and the notes stay as they were" "$(wb | jq --arg m "$MARK" '[.sheets[] | .notes // {} | .[] | select(startswith($m))] | length')" \
    "$(cat "$work/marked_before")"

# --- annotate_districts = false: no notes read ---
printf 'annotate_districts = false;\n' >>"$CONF"
once >/dev/null
fake_curl -H "Authorization: Bearer $T" -X PUT --data-binary '{"values": [["x"]]}' \
    "$FAKE_URL/v4/spreadsheets/$ID/values/$(printf "'%s'!A2" "$fixtab" | jq -sRr @uri)?valueInputOption=RAW" >/dev/null
edited=$(districts)
check "annotate_districts = false: the plain tab list" "$(once)" "drive tabs batchGet"
check "district values never changed" "$(districts)" "$edited"

if [ -s "$work/failed" ]; then
	bad "a cycle failed: $(head -n 1 "$work/failed"): $(grep -v '^<6>' "$work/stderr" | head -n 3)"
fi
[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
