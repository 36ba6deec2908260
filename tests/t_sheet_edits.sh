#!/bin/sh
# t_sheet_edits: what sheet editors do (issue 12, items 6-12), end to end.
#   1. the emulator's values:batchGetByDataFilter: Google's request and
#      answer shapes (MatchedValueRange), gridRange by sheetId, errors;
#   2. the daemon (--once) on the demo sheet: the request economy (a changed
#      cycle lists the tabs (with the notes: annotating is on) and reads them
#      by sheetId, two reads and at most one write; an idle one costs one
#      Drive request); an instructions tab is not a district; an added tab
#      is in the summary after one cycle; a rename is one tab.renamed; a
#      removal one tab.removed and findings closed as tab_removed; a footer
#      head typed over is written again;
#   3. two syncd on one sheet: writer.conflict, no fight, and it clears;
#   4. 200 tabs with long Thai titles.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_sheet_edits

# --- 1. values:batchGetByDataFilter on the emulator ---
cat > "$work/wb.json" <<'JSON'
{"spreadsheetId": "t-edits-1",
 "properties": {"title": "ครัวเรือน", "locale": "th_TH", "timeZone": "Asia/Bangkok"},
 "sheets": [{"properties": {"sheetId": 0, "title": "Sheet1", "index": 0},
             "values": [["a", "b", null, ""], [], [1, 2.5, true, "x", "", ""], [], []]},
            {"properties": {"sheetId": 7, "title": "บาง คล้า's", "index": 1},
             "values": [["h1", "h2"], ["24010012345", 3]]}]}
JSON
fake_start "$work/wb.json" || { echo "cannot start fakesheets"; exit 1; }
V4="$FAKE_URL/v4/spreadsheets/t-edits-1"
A="Authorization: Bearer $(fake_token)"
bf() {
	fake_curl -H "$A" -H 'Content-Type: application/json' -X POST --data-binary "$1" \
	    "$V4/values:batchGetByDataFilter" -w "${2:-}"
}
r=$(bf '{"dataFilters": [{"gridRange": {"sheetId": 7}}, {"gridRange": {}},
    {"gridRange": {"sheetId": 99}}, {"a1Range": "Sheet1!A3:B3"},
    {"gridRange": {"sheetId": 0, "startRowIndex": 2, "endRowIndex": 3, "endColumnIndex": 2}}],
    "valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "ROWS"}')
check "by filter: spreadsheetId" "$(echo "$r" | jq -r .spreadsheetId)" t-edits-1
check "by filter: one MatchedValueRange per matching filter" \
    "$(echo "$r" | jq -c '[.valueRanges[] | keys]')" \
    '[["dataFilters","valueRange"],["dataFilters","valueRange"],["dataFilters","valueRange"],["dataFilters","valueRange"]]'
check "by filter: sheetId 7, whole tab, quoted echo" \
    "$(echo "$r" | jq -c '.valueRanges[0].valueRange')" \
    "{\"range\":\"'บาง คล้า''s'!A1:Z1000\",\"majorDimension\":\"ROWS\",\"values\":[[\"h1\",\"h2\"],[\"24010012345\",3]]}"
check "by filter: the matching filter echoed" \
    "$(echo "$r" | jq -c '.valueRanges[0].dataFilters')" '[{"gridRange":{"sheetId":7}}]'
check "by filter: an absent sheetId is sheet 0" \
    "$(echo "$r" | jq -c '.valueRanges[1].valueRange.values')" '[["a","b"],[],[1,2.5,true,"x"]]'
check "by filter: a1Range" "$(echo "$r" | jq -c '.valueRanges[2].valueRange | [.range, .values]')" \
    '["Sheet1!A3:B3",[[1,2.5]]]'
check "by filter: bounded gridRange" "$(echo "$r" | jq -c '.valueRanges[3].valueRange | [.range, .values]')" \
    '["Sheet1!A3:B3",[[1,2.5]]]'
r=$(bf '{"dataFilters": [{"gridRange": {"sheetId": 99}}]}' | jq -c .)
check "by filter: nothing matched, no valueRanges" "$r" '{"spreadsheetId":"t-edits-1"}'
r=$(bf '{"dataFilters": []}' ' %{http_code}')
check "by filter: no filter is 400" "${r##* }" 400
r=$(bf '{"dataFilters": [{"gridRange": {"sheetId": 0, "startRowIndex": -1}}]}' ' %{http_code}')
check "by filter: negative index is 400" "${r##* }" 400
r=$(bf '{"dataFilters": [{"gridRange": {"sheetId": 0}}], "valueRenderOption": "X"}' ' %{http_code}')
check "by filter: bad render option is 400" "${r##* }" 400
r=$(fake_curl -H "$A" "$V4/values:batchGetByDataFilter" -o /dev/null -w '%{http_code}')
check "by filter: GET is not served" "$r" 404
r=$(fake_requests | jq -r '[.[] | select(.path | endswith(":batchGetByDataFilter"))][0].method')
check "by filter: logged as a POST" "$r" POST
fake_stop

# --- 2. the daemon on the demo sheet ---
sheet_start tests/data/demo-chachoengsao.json
# Annotating (the default): the notes come with the tab list, so a changed
# cycle is the tab list, the read by sheetId and at most the write.
TOK=$(fake_token)
V4="$FAKE_URL/v4/spreadsheets/$ID"
# once [CONF [ARGS...]]: one --once cycle; prints its requests, one word each.
once() {
	_c=${1:-$CONF}
	[ $# -gt 0 ] && shift
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	"$BUILD/syncd" --once -c "$_c" --today 2024-02-01 "$@" 2>>"$work/stderr" ||
	    echo "syncd --once exited $?" >>"$work/failed"
	fake_requests | jq -r '[.[] | .path | if . == "/token" then empty
	    elif startswith("/drive/") then "drive"
	    elif endswith(":batchGetByDataFilter") then "byfilter"
	    elif endswith(":getByDataFilter") then "getByDataFilter"
	    elif endswith(":batchUpdate") then "batchUpdate"
	    elif endswith("values:batchGet") then "batchGet" else "get" end] | join(" ")'
}
post() {	# post PATH-SUFFIX JSON
	fake_curl -X POST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
	    --data-binary "$2" "$V4$1" >/dev/null
}
sheet() { fake_get "_fake/spreadsheets/$ID"; }
tabvals() { sheet | jq -c --arg t "$1" '.sheets[] | select(.properties.title == $t) | .values'; }
# events FROM: the audit events after line FROM, as "event" words.
events() { tail -n +"$(($1 + 1))" "$2" | jq -r 'select(.event != "config.loaded") | .event' |
	tr '\n' ' ' | sed 's/ $//'; }
lines() { wc -l < "$1" | tr -d ' '; }

check "cold cycle: list, one read by sheetId, one write" "$(once)" "drive get byfilter batchUpdate"
check "own write: read, nothing to write" "$(once)" "drive get byfilter"
check "idle: one Drive request, no Sheets request" "$(once)" "drive"
check "idle again" "$(once)" "drive"

# Item 6 and 7: an instructions tab and a new district tab, added by hand.
post :batchUpdate '{"requests": [{"addSheet": {"properties": {"sheetId": 424242, "title": "คำชี้แจง"}}},
    {"addSheet": {"properties": {"sheetId": 434343, "title": "อำเภอใหม่"}}}]}'
tabvals "บ้านโพธิ์" > "$work/rows.json"
post /values:batchUpdate "{\"valueInputOption\": \"RAW\", \"data\": [
    {\"range\": \"'คำชี้แจง'!A1\", \"values\": [[\"คำชี้แจงการกรอกข้อมูล\"], [\"1. กรอกรหัสบ้าน 11 หลัก\"]]},
    {\"range\": \"'อำเภอใหม่'!A1\", \"values\": $(jq -c '[.[0], .[1], (.[2] | .[1] = "24999000001")]' "$work/rows.json")}]}"
check "added tabs: one cycle reads and writes" "$(once)" "drive get byfilter batchUpdate"
check "the added district is in the summary at once" \
    "$(tabvals "$SUM" | jq -c '[.[] | select(.[0] == "อำเภอใหม่") | .[1]]')" '[1]'
check "the instructions tab is not a district" \
    "$(tabvals "$SUM" | jq '[.[] | select(.[0] == "คำชี้แจง")] | length')" 0
# rules DISC: tab and rule id of each row (the rule column found by its heading).
rules() { tabvals "$DISC" | jq -c '(.[0] | index("รหัสกฎ")) as $k | [.[1:][] | [.[0], .[$k]]]'; }
check "it is named once" "$(rules | jq -c '[.[] | select(.[1] == "tab.not_district")]')" \
    '[["คำชี้แจง","tab.not_district"]]'
check "and no tab.header_missing for it" \
    "$(rules | jq '[.[] | select(.[0] == "คำชี้แจง" and .[1] == "tab.header_missing")] | length')" 0
once >/dev/null

# Item 10: a rename is one tab.renamed and nothing else.
n=$(lines "$LOG")
post :batchUpdate '{"requests": [{"updateSheetProperties": {"properties": {"sheetId": 1003812352,
    "title": "บางคล้า (ใหม่)"}, "fields": "title"}}]}'
check "rename: one cycle" "$(once)" "drive get byfilter batchUpdate"
check "rename: tab.renamed, the new summary, the cycle" "$(events "$n" "$LOG")" \
    "tab.renamed summary.written cycle"
check "rename: the event" "$(tail -n +"$((n + 1))" "$LOG" | jq -c 'select(.event == "tab.renamed") | [.sheetId, .old, .new]')" \
    '[1003812352,"บางคล้า","บางคล้า (ใหม่)"]'
check "rename: the summary row follows" \
    "$(tabvals "$SUM" | jq '[.[] | select(.[0] == "บางคล้า (ใหม่)")] | length')" 1

# Item 10: a removal is one tab.removed; its findings close as tab_removed.
hh=$(tabvals "$SUM" | jq '.[] | select(.[0] == "บางปะกง") | .[1]')
nf=$(tabvals "$DISC" | jq '[.[] | select(.[0] == "บางปะกง")] | length')
n=$(lines "$LOG")
post :batchUpdate '{"requests": [{"deleteSheet": {"sheetId": 1074078315}}]}'
check "removal: one cycle" "$(once)" "drive get byfilter batchUpdate"
check "removal: one tab.removed with its $hh households" \
    "$(tail -n +"$((n + 1))" "$LOG" | jq -c 'select(.event == "tab.removed") | [.tab, .households]')" \
    "[\"บางปะกง\",$hh]"
check "removal: no cell.changed" \
    "$(tail -n +"$((n + 1))" "$LOG" | jq -s '[.[] | select(.event == "cell.changed")] | length')" 0
check "removal: its $nf findings closed as tab_removed, none otherwise" \
    "$(tail -n +"$((n + 1))" "$LOG" | jq -s -c '[.[] | select(.event | startswith("discrepancy.")) | [.event, .reason]] | group_by(.) | map([.[0][0], .[0][1], length])')" \
    "[[\"discrepancy.resolved\",\"tab_removed\",$nf]]"
[ "$nf" -gt 0 ] && ok "the removed tab had findings ($nf)" || bad "the removed tab had no findings"
check "idle after the edits" "$(once)" "drive get byfilter"
check "idle after the edits, again" "$(once)" "drive"

# Item 11: the footer's audit head typed over is written again.
hr=$(tabvals "$SUM" | jq '[.[][0]] | index("บันทึกตรวจสอบ (audit log head)")')
post /values:batchUpdate "{\"valueInputOption\": \"RAW\", \"data\": [
    {\"range\": \"'$SUM'!B$((hr + 1))\", \"values\": [[\"1:tampered\"]]}]}"
check "footer head typed over: written again" "$(once)" "drive get byfilter batchUpdate"
head=$(tabvals "$SUM" | jq -r ".[$hr][1]")
case "$head" in *tampered*) bad "footer head still [$head]" ;; *)
	if "$BUILD/syncd" audit verify "$LOG" --head "$head" >/dev/null 2>&1; then
		ok "footer head is the log's ($head)"
	else bad "footer head [$head] is not in the log"; fi ;;
esac
check "then quiet" "$(once)" "drive get byfilter"
old=$(python3 -c 'import hashlib, sys; l = open(sys.argv[1], "rb").readline().rstrip(b"\n"); print("1:" + hashlib.sha256(l).hexdigest())' "$LOG")
post /values:batchUpdate "{\"valueInputOption\": \"RAW\", \"data\": [
    {\"range\": \"'$SUM'!B$((hr + 1))\", \"values\": [[\"$old\"]]}]}"
check "footer head set back to an older head of the log: written again" "$(once)" \
    "drive get byfilter batchUpdate"
check "no writer.conflict for it" "$(jq -s '[.[] | select(.event == "writer.conflict")] | length' "$LOG")" 0

# --- 3. another syncd on the same sheet, evaluating differently ---
mkdir -p "$work/b/state" && chmod 700 "$work/b/state"
sed -e "s|^state_dir = .*|state_dir = \"$work/b/state\";|" \
    -e "s|^audit_log = .*|audit_log = \"$work/b/state/audit.jsonl\";|" "$CONF" > "$work/b.conf"
BLOG=$work/b/state/audit.jsonl
fhead() { tabvals "$SUM" | jq -r ".[$hr][1]"; }
inlog() { "$BUILD/syncd" audit verify "$1" --head "$(fhead)" >/dev/null 2>&1; }
inlog "$LOG" && ok "the footer holds A's head" || bad "the footer holds A's head [$(fhead)]"
check "B, new on the sheet, takes over (one write)" "$(once "$work/b.conf" --today 2024-03-25)" \
    "drive get byfilter batchUpdate"
inlog "$BLOG" && ok "the footer holds B's head" || bad "the footer holds B's head [$(fhead)]"
hb=$(fhead)
n=$(lines "$LOG")
check "A: the summary changed under it, another syncd: writes nothing" "$(once)" \
    "drive get byfilter"
check "A records writer.conflict" \
    "$(tail -n +"$((n + 1))" "$LOG" | jq -r 'select(.event == "writer.conflict") | .other_head')" "$hb"
grep -q "another syncd" "$work/stderr" && ok "A says so on stderr" || bad "A is silent about it"
check "A again: reads, writes nothing" "$(once)" "drive get byfilter"
check "B: its own summary, nothing to write" "$(once "$work/b.conf" --today 2024-03-25)" "drive get byfilter"
check "one writer.conflict, not one a cycle" \
    "$(tail -n +"$((n + 1))" "$LOG" | jq -s '[.[] | select(.event == "writer.conflict")] | length')" 1
check "the sheet keeps B's summary" "$(fhead)" "$hb"
# B stops; an editor changes a cell; B does not answer for three of A's
# cycles, and A writes again.
post /values:batchUpdate "{\"valueInputOption\": \"RAW\", \"data\": [
    {\"range\": \"'บ้านโพธิ์'!C3\", \"values\": [[\"นาย แก้ไข\"]]}]}"
for k in 1 2 3; do
	check "the sheet changed, B silent: A waits ($k)" "$(once)" "drive get byfilter"
done
check "B silent three cycles: the conflict clears, A writes" "$(once)" \
    "drive get byfilter batchUpdate"
grep -q "no longer writes" "$work/stderr" && ok "A says it writes again" || bad "A silent on resuming"
inlog "$LOG" && ok "the footer holds A's head again" || bad "the footer holds A's head again"
check "A then idle" "$(once)" "drive get byfilter"
check "A then idle, again" "$(once)" "drive"
fake_stop

# --- 4. 200 tabs with long Thai titles ---
wb_long_tabs "$work/wb200.json" t-edits-200
sheet_start "$work/wb200.json"
check "200 Thai-named tabs: one cycle reads and writes" "$(once)" "drive get byfilter batchUpdate"
check "200 district rows and the total" \
    "$(tabvals "$SUM" | jq '[.[] | select(.[0] | tostring | startswith("สำนักงานพัฒนาชุมชน"))] | length')" 200
check "600 households" "$(tabvals "$SUM" | jq '.[] | select(.[0] == "รวมทั้งจังหวัด") | .[1]')" 600
check "200 tabs idle" "$(once)" "drive get byfilter"
fake_stop

[ -s "$work/failed" ] && { bad "syncd failed: $(cat "$work/failed")"; head -5 "$work/stderr"; }
[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
