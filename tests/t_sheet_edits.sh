#!/bin/sh
# t_sheet_edits: what sheet editors do (issue 12, items 6-12), end to end.
#   1. the emulator's values:batchGetByDataFilter: Google's request and
#      answer shapes (MatchedValueRange), gridRange by sheetId, errors.
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

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
