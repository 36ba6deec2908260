#!/bin/sh
# t_report: the daily LINE report's pieces that need no daemon (issue 14):
# the emulator's LINE endpoints (push, the retry-key rule with 409 and
# x-line-accepted-request-id, quota, consumption, member count, Bearer
# checking, the 5,000-unit 400 in LINE's error shape, /_fake/faults and
# /_fake/line), `syncd report --print` (the message, and nothing sent), and
# `syncd -t` on the report group's token file (78 naming the key; the token
# never printed).
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
fails=0

e2e_begin t_report
sheet_start tests/data/demo-chachoengsao.json
TO=C0123456789abcdef0123456789abcdef
KEY=123e4567-e89b-12d3-a456-426614174000
line() { fake_get _fake/line; }
push() {	# push KEY TEXT [TOKEN]: prints "STATUS ACCEPTED-ID"
	jq -nc --arg to "$TO" --arg t "$2" '{to: $to, messages: [{type: "text", text: $t}]}' \
	    > "$work/body"
	fake_curl -o "$work/ans" -D "$work/hdr" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer ${3-tok}" -H "X-Line-Retry-Key: $1" \
	    -H 'Content-Type: application/json' --data-binary @"$work/body" \
	    "$FAKE_URL/v2/bot/message/push"
	printf ' %s\n' "$(tr -d '\r' < "$work/hdr" | sed -n 's/^x-line-accepted-request-id: //ip')"
}

# ---- the emulator's LINE endpoints
got=$(push "$KEY" "สวัสดี")
check "push accepted" "${got% *}" "200"
first_id=$(tr -d '\r' < "$work/hdr" | sed -n 's/^x-line-request-id: //ip')
[ -n "$first_id" ] && ok "x-line-request-id on the answer" || bad "x-line-request-id"
got=$(push "$KEY" "สวัสดี")
check "the same retry key again: 409" "${got% *}" "409"
check "409 names the accepted request" "${got#* }" "$first_id"
check "409 body" "$(jq -r .message "$work/ans")" "The retry key is already accepted"
check "one push recorded" "$(line | jq '.pushes | length')" "1"
check "the push's key and text" "$(line | jq -r '.pushes[0] | .retry_key + " " + .messages[0].text')" \
    "$KEY สวัสดี"
check "both attempts recorded" "$(line | jq -c '[.attempts[].status]')" "[200,409]"
got=$(push 123e4567-e89b-12d3-a456-426614174001 "x" "")
check "no token: 401" "${got% *}" "401"
check "401 in LINE's shape" "$(jq -r '.message | test("access token")' "$work/ans")" "true"
fake_curl -X POST -d '{"token": "right"}' "$FAKE_URL/_fake/line" >/dev/null
got=$(push 123e4567-e89b-12d3-a456-426614174001 "x" wrong)
check "a wrong token once one is set: 401" "${got% *}" "401"
got=$(push 123e4567-e89b-12d3-a456-426614174001 "x" right)
check "the right token: 200" "${got% *}" "200"
fake_curl -X POST -d '{"token": ""}' "$FAKE_URL/_fake/line" >/dev/null
big=$(python3 -c 'print("ก" * 5001)')
got=$(push 123e4567-e89b-12d3-a456-426614174002 "$big")
check "5,001 units: 400" "${got% *}" "400"
check "400 names the property" "$(jq -r '.details[0].property' "$work/ans")" "messages[0].text"
emoji=$(python3 -c 'print("ก" * 4998 + "\U0001F34E")')
got=$(push 123e4567-e89b-12d3-a456-426614174003 "$emoji")
check "4,998 + an emoji (2 units) = 5,000: 200" "${got% *}" "200"
got=$(push not-a-uuid "x")
check "a retry key that is not a UUID: 400" "${got% *}" "400"
fake_curl -X POST -d '{"quota": 500, "used": 120, "members": 7}' "$FAKE_URL/_fake/line" \
    >/dev/null
auth="Authorization: Bearer tok"
check "quota" "$(fake_curl -H "$auth" "$FAKE_URL/v2/bot/message/quota" | jq -c .)" \
    '{"type":"limited","value":500}'
check "consumption" "$(fake_curl -H "$auth" "$FAKE_URL/v2/bot/message/quota/consumption" |
    jq -c .)" '{"totalUsage":120}'
check "member count" "$(fake_curl -H "$auth" "$FAKE_URL/v2/bot/group/$TO/members/count" |
    jq -c .)" '{"count":7}'
push 123e4567-e89b-12d3-a456-426614174004 "x" >/dev/null
check "a group push counts once per member" "$(line | jq .used)" "127"
fake_curl -X POST -d '{"quota": 130}' "$FAKE_URL/_fake/line" >/dev/null
got=$(push 123e4567-e89b-12d3-a456-426614174005 "x")
check "past the month's quota: 429" "${got% *}" "429"
fake_faults '[{"status": 503}]'
got=$(push 123e4567-e89b-12d3-a456-426614174006 "x")
check "/_fake/faults applies to LINE" "${got% *}" "503"
check "a fault in LINE's error shape" "$(jq -r 'has("message")' "$work/ans")" "true"
fake_curl -X DELETE "$FAKE_URL/_fake/line" >/dev/null
check "DELETE /_fake/line clears the pushes" "$(line | jq '.pushes | length')" "0"

# ---- syncd report --print: the message, and nothing sent
umask 077
printf 'channel-token-SECRET\n' > "$work/line-token"
cp "$CONF" "$work/syncd.conf"
cat >> "$work/syncd.conf" <<EOF
report = {
  at = "08:30";
  line_to = "$TO";
  line_token_file = "$work/line-token";
  line_url = "$FAKE_URL";
};
EOF
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" report -c "$work/syncd.conf" --workbook "$WB" --now 2024-02-15T08:30 --print \
    > "$work/msg" 2> "$work/err"
check "report --print exit status" "$?" "0"
grep -q '15 ก.พ. 2567' "$work/msg" && ok "the date in Thai, BE year" || bad "Thai date"
grep -q '422 ครัวเรือน' "$work/msg" && ok "the province's households" || bad "households"
grep -q '^- พนมสารคาม 5 รายการ$' "$work/msg" && ok "the district with the most errors" ||
    bad "districts with errors"
grep -q "spreadsheets/d/$ID/edit" "$work/msg" && ok "the sheet's link" || bad "link"
grep -q 'เหลืออีก 34 วัน' "$work/msg" && ok "days to the activity deadline" || bad "deadline"
check "--print sent no request" "$(fake_requests | jq length)" "0"
check "--print pushed nothing" "$(line | jq '.pushes | length')" "0"
# Without --workbook: the live sheet, read once; nothing written, LINE untouched.
"$BUILD/syncd" report -c "$work/syncd.conf" --now 2024-02-15T08:30 --print \
    > "$work/msg2" 2> "$work/err"
check "report --print on the live sheet" "$?" "0"
cmp -s "$work/msg" "$work/msg2" && ok "the live sheet's message is the workbook file's" ||
    bad "the live sheet's message is the workbook file's"
check "no write, no LINE request" \
    "$(fake_requests | jq '[.[] | select(.method != "GET" and .path != "/token"
        and (.path | endswith(":batchGetByDataFilter") | not)
        or (.path | startswith("/v2/bot/")))] | length')" "0"
check "--print on the live sheet pushed nothing" "$(line | jq '.pushes | length')" "0"
"$BUILD/syncd" report -c "$work/syncd.conf" --workbook "$WB" > /dev/null 2>&1
check "report without --print: usage" "$?" "64"
"$BUILD/syncd" report -c "$work/syncd.conf" --workbook "$WB" --now 2024-02-15 --print \
    > /dev/null 2>&1
check "report --now without a time: usage" "$?" "64"
"$BUILD/syncd" report -c "$work/syncd.conf" --workbook "$work/none.json" --print \
    > /dev/null 2>&1
check "report --workbook missing: 66" "$?" "66"

# ---- syncd -t and the token file
"$BUILD/syncd" -t -c "$work/syncd.conf" > "$work/out" 2> "$work/err"
check "-t with a good token file" "$?" "0"
chmod 644 "$work/line-token"
"$BUILD/syncd" -t -c "$work/syncd.conf" > "$work/out" 2> "$work/err"
check "-t with a token file others can read" "$?" "78"
grep -q 'report.line_token_file' "$work/err" && ok "the message names the key" ||
    bad "the message names the key: $(cat "$work/err")"
grep -q 'SECRET' "$work/err" "$work/out" && bad "the token was printed" ||
    ok "the token is never printed"
chmod 600 "$work/line-token"
printf 'two words\n' > "$work/line-token"
"$BUILD/syncd" -t -c "$work/syncd.conf" > /dev/null 2>&1
check "-t with a token file that is not a token" "$?" "78"
rm -f "$work/line-token"
"$BUILD/syncd" -t -c "$work/syncd.conf" > /dev/null 2> "$work/err"
check "-t with no token file yet: a note" "$?" "0"
grep -q 'note:.*report.line_token_file' "$work/err" && ok "the note names the key" ||
    bad "the note names the key"
printf 'report = { at = "8:30"; };\n' >> "$work/syncd.conf"
"$BUILD/syncd" -t -c "$work/syncd.conf" > /dev/null 2> "$work/err"
check "-t with a bad report group" "$?" "78"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "t_report: all passed"
