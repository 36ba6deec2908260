#!/bin/sh
# t_fake_objects: the emulator's notes, links, protected ranges, filter views
# and charts (issue 13): the workbook file's per-sheet "notes", "links",
# "protectedRanges", "filterViews", "charts" in and out of /_fake/spreadsheets,
# the batchUpdate requests that change them, Google's field checks (unknown
# field, missing field mask: 400 with Google's envelope; nothing applied),
# and spreadsheets.get with a field mask and grid data returning them.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_fake_objects
cat > "$work/wb.json" <<'JSON'
{"spreadsheetId": "t-obj-1",
 "sheets": [{"properties": {"sheetId": 0, "title": "สรุป", "index": 0},
             "values": [["อำเภอ", "ร้อยละ"], ["ก", 50], ["ข", 25]]},
            {"properties": {"sheetId": 7, "title": "บางคล้า", "index": 1},
             "values": [["h1", "h2", "h3"], ["24010012345", 3, "x"]],
             "notes": {"b2": "a person's note"},
             "links": {"A1": "https://example.org/"}}]}
JSON
fake_start "$work/wb.json" || { echo "cannot start fakesheets"; exit 1; }
ID=t-obj-1
V4="$FAKE_URL/v4/spreadsheets/$ID"
T=$(fake_token)
A="Authorization: Bearer $T"
api() { fake_curl -H "$A" "$@"; }
bu() { api -w '\n%{http_code}' -X POST --data-binary "$1" "$V4:batchUpdate"; }
state() { fake_get "/_fake/spreadsheets/$ID"; }

# --- the workbook file carries them ---
check "notes in, A1 normalised" "$(state | jq -c '.sheets[1].notes')" '{"B2":"a person'"'"'s note"}'
check "links in" "$(state | jq -c '.sheets[1].links')" '{"A1":"https://example.org/"}'
check "no empty extras on a plain sheet" "$(state | jq -c '.sheets[0] | keys')" '["properties","values"]'
r=$(fake_curl -w '%{http_code}' -o /dev/null -X PUT --data-binary \
	'{"spreadsheetId":"t-obj-2","sheets":[{"properties":{"title":"a"},"notes":{"A1:B2":"x"}}]}' \
	"$FAKE_URL/_fake/spreadsheets/t-obj-2")
check "a note on a range is refused" "$r" 400

# --- notes: field mask note only; values untouched ---
before=$(state | jq -c '.sheets[1].values')
r=$(bu '{"requests":[{"updateCells":{"start":{"sheetId":7,"rowIndex":1,"columnIndex":2},"rows":[{"values":[{"note":"⚠ syncd\nแก้ไข"}]}],"fields":"note"}}]}' | tail -1)
check "note written" "$r" 200
check "note stored" "$(state | jq -r '.sheets[1].notes.C2')" "$(printf '⚠ syncd\nแก้ไข')"
check "values byte-identical after a note" "$(state | jq -c '.sheets[1].values')" "$before"
r=$(bu '{"requests":[{"updateCells":{"start":{"sheetId":7,"rowIndex":1,"columnIndex":2},"rows":[{"values":[{}]}],"fields":"note"}}]}' | tail -1)
check "note cleared" "$r:$(state | jq -c '.sheets[1].notes')" '200:{"B2":"a person'"'"'s note"}'
check "values byte-identical after clearing" "$(state | jq -c '.sheets[1].values')" "$before"
r=$(bu '{"requests":[{"updateCells":{"start":{"sheetId":7,"rowIndex":1,"columnIndex":2},"rows":[{"values":[{"note":"x"}]}]}}]}')
check "no field mask: 400" "$(echo "$r" | tail -1)" 400
check "no field mask: Google's envelope" "$(echo "$r" | head -n -1 | jq -r '.error.status')" INVALID_ARGUMENT
r=$(bu '{"requests":[{"updateCells":{"start":{"sheetId":7,"rowIndex":1,"columnIndex":2},"rows":[{"values":[{"notes":"x"}]}],"fields":"note"}}]}')
check "unknown CellData field: 400" "$(echo "$r" | tail -1)" 400
check "unknown field named with its path" "$(echo "$r" | head -n -1 | jq -r '.error.message')" \
	"Invalid JSON payload received. Unknown name \"notes\" at 'requests[0].update_cells.rows[0].values[0]': Cannot find field."

# --- links: a cell-level link or a run at 0 ---
r=$(bu '{"requests":[{"updateCells":{"start":{"sheetId":0,"rowIndex":1,"columnIndex":0},"rows":[{"values":[{"userEnteredValue":{"stringValue":"ก"},"userEnteredFormat":{"textFormat":{"link":{"uri":"https://docs.google.com/spreadsheets/d/t-obj-1/edit#gid=7&range=A2"}}}},{"userEnteredValue":{"numberValue":50},"textFormatRuns":[{"startIndex":0,"format":{"link":{"uri":"https://x.example/"}}}]}]}],"fields":"userEnteredValue,userEnteredFormat.textFormat.link,textFormatRuns"}}]}' | tail -1)
check "links written" "$r:$(state | jq -c '.sheets[0].links')" '200:{"A2":"https://docs.google.com/spreadsheets/d/t-obj-1/edit#gid=7&range=A2","B2":"https://x.example/"}'

# --- protected range, filter view, chart: add, get, update, delete ---
r=$(bu '{"requests":[{"addProtectedRange":{"protectedRange":{"range":{"sheetId":0},"description":"syncd","warningOnly":true}}},{"addFilterView":{"filter":{"title":"บางคล้า","range":{"sheetId":0,"startRowIndex":0,"startColumnIndex":0,"endColumnIndex":2},"filterSpecs":[{"columnIndex":0,"filterCriteria":{"condition":{"type":"TEXT_EQ","values":[{"userEnteredValue":"ก"}]}}}]}}},{"addChart":{"chart":{"spec":{"title":"ร้อยละ","basicChart":{"chartType":"COLUMN","domains":[{"domain":{"sourceRange":{"sources":[{"sheetId":0,"startRowIndex":0,"endRowIndex":3,"startColumnIndex":0,"endColumnIndex":1}]}}}],"series":[{"series":{"sourceRange":{"sources":[{"sheetId":0,"startRowIndex":0,"endRowIndex":3,"startColumnIndex":1,"endColumnIndex":2}]}},"targetAxis":"LEFT_AXIS"}],"headerCount":1}},"position":{"overlayPosition":{"anchorCell":{"sheetId":0,"rowIndex":0,"columnIndex":4}}}}}}]}')
check "three adds: 200" "$(echo "$r" | tail -1)" 200
body=$(echo "$r" | head -n -1)
pr=$(echo "$body" | jq '.replies[0].addProtectedRange.protectedRange.protectedRangeId')
fv=$(echo "$body" | jq '.replies[1].addFilterView.filter.filterViewId')
ch=$(echo "$body" | jq '.replies[2].addChart.chart.chartId')
case "$pr$fv$ch" in *null*|"") bad "ids in the replies: $pr $fv $ch" ;; *) ok "ids in the replies" ;; esac
g=$(api "$V4?fields=sheets(properties.sheetId,protectedRanges(protectedRangeId,warningOnly),filterViews(filterViewId,title),charts.chartId)")
check "spreadsheets.get with a field mask" "$(echo "$g" | jq -c '.sheets[0]')" \
	"{\"properties\":{\"sheetId\":0},\"protectedRanges\":[{\"protectedRangeId\":$pr,\"warningOnly\":true}],\"filterViews\":[{\"filterViewId\":$fv,\"title\":\"บางคล้า\"}],\"charts\":[{\"chartId\":$ch}]}"
check "a sheet without them lists none" "$(echo "$g" | jq -c '.sheets[1]')" '{"properties":{"sheetId":7}}'
check "the workbook file holds them" "$(state | jq -c '[.sheets[0].protectedRanges[0].protectedRangeId, .sheets[0].filterViews[0].title, .sheets[0].charts[0].spec.title]')" "[$pr,\"บางคล้า\",\"ร้อยละ\"]"

r=$(bu "{\"requests\":[{\"updateFilterView\":{\"filter\":{\"filterViewId\":$fv,\"title\":\"ข\"}}}]}")
check "updateFilterView without fields: 400" "$(echo "$r" | tail -1)" 400
r=$(bu "{\"requests\":[{\"updateFilterView\":{\"filter\":{\"filterViewId\":$fv,\"title\":\"ข\"},\"fields\":\"title\"}},{\"updateChartSpec\":{\"chartId\":$ch,\"spec\":{\"title\":\"ใหม่\",\"basicChart\":{\"chartType\":\"COLUMN\"}}}}]}" | tail -1)
check "renamed view, new spec" "$r:$(state | jq -c '[.sheets[0].filterViews[0].title, .sheets[0].charts[0].spec.title, (.sheets[0].filterViews[0].filterSpecs|length)]')" '200:["ข","ใหม่",1]'
r=$(bu '{"requests":[{"addFilterView":{"filter":{"title":"x","range":{"sheetId":0},"colour":1}}}]}')
check "unknown FilterView field: 400" "$(echo "$r" | tail -1)" 400
check "unknown field path" "$(echo "$r" | head -n -1 | jq -r .error.message)" \
	"Invalid JSON payload received. Unknown name \"colour\" at 'requests[0].add_filter_view.filter': Cannot find field."
r=$(bu '{"requests":[{"addProtectedRange":{"protectedRange":{"range":{"sheetId":99}}}}]}' | tail -1)
check "protected range on no sheet: 400" "$r" 400

# A failing request leaves the batch unapplied.
n0=$(state | jq '.sheets[0].charts | length')
r=$(bu "{\"requests\":[{\"deleteEmbeddedObject\":{\"objectId\":$ch}},{\"deleteFilterView\":{\"filterId\":1}}]}" | tail -1)
check "atomic: a bad delete keeps the chart" "$r:$(state | jq '.sheets[0].charts | length')" "400:$n0"
r=$(bu "{\"requests\":[{\"deleteEmbeddedObject\":{\"objectId\":$ch}},{\"deleteFilterView\":{\"filterId\":$fv}},{\"deleteProtectedRange\":{\"protectedRangeId\":$pr}}]}" | tail -1)
check "three deletes" "$r:$(state | jq -c '.sheets[0] | keys')" '200:["links","properties","values"]'

# --- grid data: notes (and values) with ranges and a mask ---
g=$(api "$V4?includeGridData=true&ranges=%E0%B8%9A%E0%B8%B2%E0%B8%87%E0%B8%84%E0%B8%A5%E0%B9%89%E0%B8%B2!B1:C&fields=sheets(properties(sheetId,title),data(startRow,startColumn,rowData.values.note))")
check "grid data: only the sheet named" "$(echo "$g" | jq '.sheets | length')" 1
check "grid data: notes of the range (Google's shape: zero startRow omitted, trailing {} dropped)" \
	"$(echo "$g" | jq -c '.sheets[0].data')" \
	'[{"startColumn":1,"rowData":[{},{"values":[{"note":"a person'"'"'s note"}]}]}]'
g=$(api "$V4?includeGridData=true&fields=sheets.data.rowData.values(formattedValue,hyperlink)")
check "grid data: values and links" "$(echo "$g" | jq -c '.sheets[0].data[0].rowData[1]')" \
	'{"values":[{"formattedValue":"ก","hyperlink":"https://docs.google.com/spreadsheets/d/t-obj-1/edit#gid=7&range=A2"},{"formattedValue":"50","hyperlink":"https://x.example/"}]}'

# --- getByDataFilter: the same answer by sheetId and grid range ---
gb() { api -w '\n%{http_code}' -X POST --data-binary "$1" "$V4:getByDataFilter?fields=$2"; }
r=$(gb '{"dataFilters":[{"gridRange":{"sheetId":7,"startRowIndex":0,"startColumnIndex":1,"endColumnIndex":3}}],"includeGridData":true}' \
	'sheets(properties.sheetId,data(startColumn,rowData.values.note))')
check "getByDataFilter: 200" "$(echo "$r" | tail -1)" 200
check "getByDataFilter: the notes of the range" "$(echo "$r" | head -n -1 | jq -c .sheets)" \
	'[{"properties":{"sheetId":7},"data":[{"startColumn":1,"rowData":[{},{"values":[{"note":"a person'"'"'s note"}]}]}]}]'
r=$(gb '{"dataFilters":[{"gridRange":{"sheetId":99}}]}' 'sheets.properties')
check "getByDataFilter: no such sheet matches nothing" "$(echo "$r" | tail -1):$(echo "$r" | head -n -1 | jq -c .)" '200:{"sheets":[]}' 
r=$(gb '{"dataFilters":[{"gridRange":{"sheetId":7}}],"includeGridDat":true}' 'sheets.properties')
check "getByDataFilter: unknown field 400" "$(echo "$r" | tail -1)" 400

# --- the tab list with the notes (syncd's changed cycle, issue 13): one GET,
# no ranges, a mask that selects grid data (includeGridData then ignored) ---
fake_curl -X PUT --data-binary "$(state | jq -c '.sheets[1].notes = {"C2": "far", "A5": "down", "B5": "here"}
    | .sheets[1].values += [[], [], []]')" "$FAKE_URL/_fake/spreadsheets/$ID" >/dev/null
M='sheets(properties(sheetId,title,index),data(startRow,startColumn,rowData.values.note),protectedRanges.protectedRangeId,filterViews.filterViewId,charts.chartId)'
g=$(api "$V4?fields=$(printf %s "$M" | jq -sRr @uri)")
check "combined mask: a tab without a note is data:[{}]" "$(echo "$g" | jq -c '.sheets[0].data')" '[{}]'
check "combined mask: {} before a noted row and cell, trailing ones dropped" \
	"$(echo "$g" | jq -c '.sheets[1].data')" \
	'[{"rowData":[{},{"values":[{},{},{"note":"far"}]},{},{},{"values":[{"note":"down"},{"note":"here"}]}]}]'
check "combined mask: properties as asked" "$(echo "$g" | jq -c '.sheets[1].properties')" \
	'{"sheetId":7,"title":"บางคล้า","index":1}'
check "combined mask: no ranges, every tab" "$(echo "$g" | jq '.sheets | length')" 2
r=$(api -w '\n%{http_code}' "$V4?fields=sheets(properties.sheetId,data.rowData.values.notes)")
check "a mask naming no field: 400" "$(echo "$r" | tail -1)" 400
check "in Google's envelope, naming the path" "$(echo "$r" | head -n -1 | jq -r '.error.status + " " + .error.message')" \
	"INVALID_ARGUMENT Error expanding 'fields' parameter. Cannot find matching fields for path 'sheets.data.rowData.values.notes'."

# --- frozen rows ---
r=$(bu '{"requests":[{"updateSheetProperties":{"properties":{"sheetId":0,"gridProperties":{"frozenRowCount":1}},"fields":"gridProperties.frozenRowCount"}}]}' | tail -1)
check "frozen row" "$r:$(state | jq '.sheets[0].properties.gridProperties.frozenRowCount')" 200:1

exit $((fails > 0))
