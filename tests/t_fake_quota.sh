#!/bin/sh
# t_fake_quota: the emulator's Drive changes feed (changes.getStartPageToken,
# changes.list: one entry per changed spreadsheet, pages, newStartPageToken,
# bad tokens, forbidden and "unlisted" spreadsheets never listed) and
# --quota reads=N,writes=N,project=N (per minute; past a limit Google's 429
# RESOURCE_EXHAUSTED with the per-user or per-project limit named; Drive and
# refused requests are not counted).
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_fake_quota
for p in a b c; do
	jq --arg id "prov-$p" '.spreadsheetId = $id' tests/data/demo-chachoengsao.json > "$work/$p.json"
done
jq '._fake = {"unlisted": true}' "$work/c.json" > "$work/c2.json"
FAKE_ARGS="--quota reads=10,writes=1,project=2" fake_start "$work/a.json" "$work/b.json" "$work/c2.json" ||
	{ echo "cannot start fakesheets"; exit 1; }
T=$(fake_token)
api() { fake_curl -H "Authorization: Bearer $T" "$@"; }
D=$FAKE_URL/drive/v3

# ---- the changes feed
start=$(api "$D/changes/startPageToken" | jq -r .startPageToken)
[ -n "$start" ] && [ "$start" != null ] && ok "startPageToken $start" || bad "startPageToken"
check "kind" "$(api "$D/changes/startPageToken" | jq -r .kind)" "drive#startPageToken"
r=$(api "$D/changes?pageToken=$start")
check "no change yet" "$(echo "$r" | jq -c '[(.changes | length), .newStartPageToken]')" "[0,\"$start\"]"
fake_put_workbook "$work/b.json"
fake_put_workbook "$work/a.json"
fake_put_workbook "$work/c2.json"
r=$(api "$D/changes?pageToken=$start")
check "two changes, oldest first, the unlisted one left out" \
    "$(echo "$r" | jq -c '[.changes[].fileId]')" '["prov-b","prov-a"]'
check "a change's file carries its version" \
    "$(echo "$r" | jq -r '.changes[1].file.version')" \
    "$(api "$FAKE_URL/drive/v3/files/prov-a?fields=version" | jq -r .version)"
next=$(echo "$r" | jq -r .newStartPageToken)
[ "$next" -gt "$start" ] && ok "newStartPageToken moved on ($next)" || bad "newStartPageToken moved on"
check "nothing since" "$(api "$D/changes?pageToken=$next" | jq -c '.changes')" '[]'
r=$(api "$D/changes?pageToken=$start&pageSize=1")
check "a page of one" "$(echo "$r" | jq -c '[.changes[].fileId, has("newStartPageToken")]')" '["prov-b",false]'
r=$(api "$D/changes?pageToken=$(echo "$r" | jq -r .nextPageToken)&pageSize=1")
check "the next page" "$(echo "$r" | jq -c '[.changes[].fileId, .newStartPageToken]')" "[\"prov-a\",\"$next\"]"
check "pageToken required" "$(api "$D/changes" | jq -r .error.code)" 400
check "a bad pageToken" "$(api "$D/changes?pageToken=zz" | jq -r '.error.errors[0].location')" pageToken
jq '._fake = {"forbidden": true}' "$work/b.json" > "$work/b403.json"
fake_put_workbook "$work/b403.json"
check "a file no longer shared is not listed" "$(api "$D/changes?pageToken=$next" | jq -c '[.changes[].fileId]')" '[]'

# ---- quotas: reads=10,writes=1,project=2 (so reads meet the project's limit first)
V=$FAKE_URL/v4/spreadsheets/prov-a
code() { api -o "$work/body" -w '%{http_code}' "$@"; }
check "read 1" "$(code "$V?fields=sheets.properties.title")" 200
check "read 2" "$(code "$V/values/A1:B2")" 200
check "read 3: over the project's 2 a minute" "$(code "$V?fields=sheets.properties.title")" 429
check "429 status" "$(jq -r .error.status "$work/body")" RESOURCE_EXHAUSTED
grep -q "limit 'Read requests per minute' of service 'sheets.googleapis.com'" "$work/body" &&
	ok "429 names the project's read limit" || bad "429 names the project's read limit: $(cat "$work/body")"
check "429 ErrorInfo" "$(jq -r '.error.details[0] | [.reason, .metadata.quota_limit, .metadata.quota_metric] | join(" ")' "$work/body")" \
    "RATE_LIMIT_EXCEEDED ReadRequestsPerMinutePerProject sheets.googleapis.com/read_requests"
check "Drive is not counted" "$(code "$FAKE_URL/drive/v3/files/prov-a?fields=version")" 200
check "nor the changes feed" "$(code "$D/changes/startPageToken")" 200
check "write 1" "$(code -X POST -d '{"ranges":["Z1"]}' "$V/values:batchClear")" 200
check "write 2: over the user's 1 a minute" "$(code -X POST -d '{"ranges":["Z1"]}' "$V/values:batchClear")" 429
grep -q "limit 'Write requests per minute per user'" "$work/body" &&
	ok "429 names the user's write limit" || bad "429 names the user's write limit: $(cat "$work/body")"
check "write 429 ErrorInfo" "$(jq -r '.error.details[0].metadata | [.quota_limit, .quota_metric] | join(" ")' "$work/body")" \
    "WriteRequestsPerMinutePerUser sheets.googleapis.com/write_requests"
check "the log shows the 429s" "$(fake_requests | jq -c '[.[] | select(.status == 429)] | length')" 2

# Bad --quota values are refused with 64.
"$BUILD/fakesheets" --quota reads=0 >/dev/null 2>"$work/err"; check "--quota reads=0" "$?" 64
grep -q 'reads=N,writes=N,project=N' "$work/err" && ok "--quota usage named" || bad "--quota usage named"
"$BUILD/fakesheets" --quota bogus=3 >/dev/null 2>&1; check "--quota bogus=3" "$?" 64

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
