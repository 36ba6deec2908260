#!/bin/sh
# t_fakesheets: the emulator over HTTPS with curl: token flow, auth, the
# batchGet shapes and echo quoting, atomic batchUpdate, RAW text, Drive
# version, every fault kind, error envelopes; then the gspread conformance
# replay (tests/fake_conformance.py).
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_fakesheets
cat > "$work/wb.json" <<'JSON'
{"spreadsheetId": "t-fake-1",
 "properties": {"title": "ครัวเรือน", "locale": "th_TH", "timeZone": "Asia/Bangkok"},
 "sheets": [{"properties": {"sheetId": 0, "title": "Sheet1", "index": 0},
             "values": [["a", "b", null, ""], [], [1, 2.5, true, "x", "", ""], [], []]},
            {"properties": {"sheetId": 7, "title": "บาง คล้า's", "index": 1},
             "values": [["h1", "h2"], ["24010012345", 3]]},
            {"properties": {"sheetId": 8, "title": "D3", "index": 2,
                            "gridProperties": {"rowCount": 4, "columnCount": 4}}}]}
JSON
fake_start "$work/wb.json" || { echo "cannot start fakesheets"; exit 1; }
ID=t-fake-1
V4="$FAKE_URL/v4/spreadsheets/$ID"

# --- token endpoint ---
T=$(fake_token)
case "$T" in ya29.fake-*) ok "token issued" ;; *) bad "token issued: $T" ;; esac
tok() { fake_curl -X POST -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \
	-d "assertion=$1" "$FAKE_URL/token"; }
r=$(tok "$(fake_jwt)" | jq -c '[.expires_in, .token_type]')
check "token response shape" "$r" '[3599,"Bearer"]'
now=$(date +%s)
r=$(tok "$(fake_jwt "$now" $((now + 7200)))" | jq -r .error_description)
check "exp-iat > 3600 refused" "$r" "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
r=$(tok "$(fake_jwt $((now + 3000)))" | jq -r .error)
check "iat in the future refused" "$r" "invalid_grant"
r=$(tok "$(fake_jwt $((now - 8000)) $((now - 4400)))" | jq -r .error)
check "expired assertion refused" "$r" "invalid_grant"
r=$(tok "$(fake_jwt "$now" $((now + 3600)) https://oauth2.googleapis.com/token)" | jq -r .error)
check "wrong aud refused" "$r" "invalid_grant"
j1=$(fake_jwt "$now"); j2=$(fake_jwt $((now - 1)))
r=$(tok "${j2%.*}.${j1##*.}" | jq -r .error_description)
check "bad signature refused" "$r" "Invalid JWT Signature."
r=$(fake_curl -o /dev/null -w '%{http_code}' -X POST -d grant_type=x -d assertion=y "$FAKE_URL/token")
check "bad grant_type 400" "$r" 400

# --- auth on the API ---
A="Authorization: Bearer $T"
api() { fake_curl -H "$A" "$@"; }
r=$(fake_curl -w ' %{http_code}' "$V4" | tr -d '\n ')
case "$r" in *'"status":"UNAUTHENTICATED"'*401) ok "401 without token" ;; *) bad "401 without token: $r" ;; esac
r=$(fake_curl -H "Authorization: Bearer ya29.forged" -o /dev/null -w '%{http_code}' "$V4")
check "401 with unknown token" "$r" 401

# --- batchGet shapes ---
THAI='%E0%B8%9A%E0%B8%B2%E0%B8%87+%E0%B8%84%E0%B8%A5%E0%B9%89%E0%B8%B2%27s'
bg=$(api "$V4/values:batchGet?ranges=Sheet1&ranges=$THAI!A1:C&ranges=%27D3%27!A1:B2&ranges=Sheet1!B2:C2&valueRenderOption=UNFORMATTED_VALUE&majorDimension=ROWS")
check "whole sheet echo" "$(echo "$bg" | jq -r '.valueRanges[0].range')" 'Sheet1!A1:Z1000'
check "trailing cells/rows omitted, middle [] kept" "$(echo "$bg" | jq -c '.valueRanges[0].values')" '[["a","b"],[],[1,2.5,true,"x"]]'
check "thai title quoted, apostrophe doubled" "$(echo "$bg" | jq -r '.valueRanges[1].range')" "'บาง คล้า''s'!A1:C1000"
check "unformatted numbers" "$(echo "$bg" | jq -c '.valueRanges[1].values[1]')" '["24010012345",3]'
check "title D3 quoted" "$(echo "$bg" | jq -r '.valueRanges[2].range')" "'D3'!A1:B2"
check "empty range has no values key" "$(echo "$bg" | jq -c '.valueRanges[2] | has("values")')" false
check "empty middle range no values" "$(echo "$bg" | jq -c '.valueRanges[3]')" '{"range":"Sheet1!B2:C2","majorDimension":"ROWS"}'
r=$(api "$V4/values:batchGet?ranges=Sheet1!A3:C3" | jq -c '.valueRanges[0].values')
check "formatted values are strings" "$r" '[["1","2.5","TRUE"]]'
r=$(api "$V4/values:batchGet?ranges=Sheet1!A1&ranges=Nope!A1" -w ' %{http_code}' | tr -d '\n')
case "$r" in *'"message": "Unable to parse range: Nope!A1"'*400) ok "unknown tab 400" ;; *) bad "unknown tab 400: $r" ;; esac
r=$(api "$V4/values/Sheet1!A1:B2" | jq -r .range)
check "values.get single range" "$r" 'Sheet1!A1:B2'
r=$(api "$V4?fields=sheets.properties(sheetId,title,index)" | jq -c '.sheets[1]')
check "fields mask" "$r" '{"properties":{"sheetId":7,"title":"บาง คล้า'"'"'s","index":1}}'
r=$(api -o /dev/null -w '%{http_code}' "$FAKE_URL/v4/spreadsheets/nope")
check "404 unknown spreadsheet" "$r" 404

# --- gzip ---
r=$(api -H 'Accept-Encoding: gzip' -o "$work/gz" -w '%{content_type}' "$V4/values:batchGet?ranges=Sheet1")
check "gzip body" "$(gzip -dc "$work/gz" | jq -r .spreadsheetId)" "$ID"

# --- writes, version ---
v0=$(api "$FAKE_URL/drive/v3/files/$ID?fields=version" | jq -r .version)
r=$(api -X POST -H 'Content-Type: application/json' -d '{"valueInputOption":"RAW","data":[{"range":"Sheet1!A10:B10","values":[["=HYPERLINK(\"http://x\",\"y\")","+1"]]}]}' "$V4/values:batchUpdate" | jq -c '[.totalUpdatedCells, .responses[0].updatedRange]')
check "values:batchUpdate reply" "$r" '[2,"Sheet1!A10:B10"]'
r=$(api "$V4/values/Sheet1!A10:B10?valueRenderOption=UNFORMATTED_VALUE" | jq -c .values)
check "RAW keeps formula text" "$r" '[["=HYPERLINK(\"http://x\",\"y\")","+1"]]'
v1=$(api "$FAKE_URL/drive/v3/files/$ID?fields=version" | jq -r .version)
check "version is a string that rose" "$([ "$v1" -gt "$v0" ] && echo yes)" yes
r=$(api -X POST -d '{"valueInputOption":"USER_ENTERED","data":[{"range":"Sheet1!C10","values":[["=4/2"]]}]}' "$V4/values:batchUpdate" >/dev/null; api "$V4/values/Sheet1!C10?valueRenderOption=UNFORMATTED_VALUE" | jq -c .values)
check "USER_ENTERED evaluates" "$r" '[[2]]'
r=$(api -X POST -d '{"valueInputOption":"RAW","data":[{"range":"Sheet1!A1","values":[["zz"]]},{"range":"Sheet1!A1:B1","values":[["1","2","3"]]}]}' "$V4/values:batchUpdate" -w ' %{http_code}' | tr -d '\n')
case "$r" in *400) ok "values:batchUpdate overflow 400" ;; *) bad "overflow 400: $r" ;; esac
check "values:batchUpdate atomic" "$(api "$V4/values/Sheet1!A1" | jq -c .values)" '[["a"]]'
r=$(api -X POST -d '{"requests":[{"addSheet":{"properties":{"title":"New"}}},{"deleteSheet":{"sheetId":12345}}]}' "$V4:batchUpdate" -w ' %{http_code}' | tr -d '\n')
case "$r" in *400) ok "batchUpdate bad request 400" ;; *) bad "batchUpdate 400: $r" ;; esac
check "batchUpdate atomic (no New sheet)" "$(api "$V4?fields=sheets.properties.title" | jq -c '[.sheets[].properties.title]')" '["Sheet1","บาง คล้า'"'"'s","D3"]'
r=$(api -X POST -d '{"requests":[{"addSheet":{"properties":{"title":"New","gridProperties":{"rowCount":5,"columnCount":3}}}}]}' "$V4:batchUpdate" | jq -c '.replies[0].addSheet.properties | [.title,.index,.gridProperties.rowCount]')
check "addSheet reply" "$r" '["New",3,5]'
sid=$(api "$V4?fields=sheets.properties" | jq '.sheets[3].properties.sheetId')
api -X POST -d '{"requests":[{"updateCells":{"start":{"sheetId":'"$sid"',"rowIndex":1,"columnIndex":0},"rows":[{"values":[{"userEnteredValue":{"stringValue":"s"}},{"userEnteredValue":{"numberValue":4}},{"userEnteredValue":{"boolValue":false}}]}],"fields":"userEnteredValue"}}]}' "$V4:batchUpdate" >/dev/null
r=$(api "$V4/values/New?valueRenderOption=UNFORMATTED_VALUE" | jq -c '[.range,.values]')
check "updateCells" "$r" '["New!A1:C5",[[],["s",4,false]]]'
r=$(api -X POST -d '{"ranges":["New!B2"]}' "$V4/values:batchClear" | jq -c .clearedRanges)
check "batchClear" "$r" '["New!B2"]'
r=$(api -X PUT -d '{"values":[["x","y","z","w"]]}' "$V4/values/New!A1?valueInputOption=RAW" | jq -r .error.message)
check "write past the grid refused" "$r" "Range (New!A1:D1) exceeds grid limits. Max rows: 5, max columns: 3"
v2=$(api "$FAKE_URL/drive/v3/files/$ID?fields=version" | jq -r .version)
fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
fake_put_workbook "$work/cur.json"
v3=$(api "$FAKE_URL/drive/v3/files/$ID?fields=version" | jq -r .version)
check "PUT /_fake raises version" "$([ "$v3" -gt "$v2" ] && echo yes)" yes
check "export round-trips" "$(fake_get "_fake/spreadsheets/$ID" | jq -c '.sheets[3].values')" '[[],["s","",false]]'

# --- faults ---
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
fake_faults '[{"status": 429}, {"status": 503, "retry_after": 2}, {"drop": true}, {"truncate": true}, {"delay_ms": 300}]'
r=$(api -D "$work/h" "$V4" | jq -r '.error.status')
check "fault 429" "$r" RESOURCE_EXHAUSTED
check "429 has no Retry-After" "$(grep -ci '^retry-after' "$work/h")" 0
r=$(api -D "$work/h" "$V4" | jq -r '.error.status')
check "fault 503" "$r" UNAVAILABLE
check "503 Retry-After asked for" "$(grep -i '^retry-after' "$work/h" | tr -d '\r')" "Retry-After: 2"
api -o /dev/null "$V4" 2>/dev/null; check "fault drop: transport error" "$?" 52
api -o /dev/null "$V4" 2>/dev/null; r=$?
case "$r" in 18|56|92) ok "fault truncate: short body ($r)" ;; *) bad "fault truncate: curl exit $r" ;; esac
r=$(api -o /dev/null -w '%{http_code}' "$V4")
check "fault delay then 200" "$r" 200
check "request log" "$(fake_requests | jq -c '[.[].status]')" '[429,503,0,200,200]'
check "log keeps raw query" "$(api -o /dev/null "$V4/values:batchGet?ranges=%27D3%27!A1"; fake_requests | jq -r '.[-1].query')" "ranges=%27D3%27!A1"
# A delayed write is applied and logged when it arrives; only its answer
# waits.  (Sleeping first let a write the client had given up on land
# seconds later, in the middle of the next test step.)
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
fake_faults '[{"delay_ms": 2000}]'
api -o /dev/null --max-time 0.3 -X PUT -d '{"values":[["late"]]}' \
    "$V4/values/New!A1?valueInputOption=RAW" 2>/dev/null
check "fault delay: the client gave up" "$?" 28
check "fault delay: the write is logged on arrival" "$(fake_requests | jq -c '[.[].status]')" '[200]'
check "fault delay: the write is applied on arrival" \
    "$(fake_get "_fake/spreadsheets/$ID" | jq -r '.sheets[] | select(.properties.title == "New") | .values[0][0]')" late

# --- 403 ---
jq '. + {"spreadsheetId": "t-private", "_fake": {"forbidden": true}}' "$work/wb.json" > "$work/p.json"
fake_put_workbook "$work/p.json"
r=$(api "$FAKE_URL/v4/spreadsheets/t-private" | jq -c .error)
check "403 envelope" "$r" '{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}'

# --- conformance replay of the gspread cassettes ---
CASSETTES=${CASSETTES:-/work/shared/conformance/gspread}
if [ ! -d "$CASSETTES" ]; then
	echo "skip conformance: no $CASSETTES"
elif python3 tests/fake_conformance.py "$FAKE_URL" "$FAKE_DIR/ca.pem" "$T" "$CASSETTES" > "$work/conf" 2>&1; then
	ok "conformance: $(tail -n 1 "$work/conf")"
else
	bad "conformance"; tail -n 30 "$work/conf"
fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
