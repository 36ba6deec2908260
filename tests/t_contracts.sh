#!/bin/sh
# t_contracts: DESIGN.md's contracts, read line by line and checked against
# the built binaries the way an outside acceptance test would:
#   - the command line: every form, --long=value spellings, exit statuses,
#     the default configuration path, --version/--help;
#   - `check --format json`: the document's keys, types, null rules, the
#     total row "รวมทั้งจังหวัด", percent as a two-decimal number;
#   - the workbook file: title-only properties, absent values, short rows,
#     numbers/booleans/nulls, unknown keys, a values.batchGet-shaped file;
#   - the configuration: DESIGN.md's "complete configuration" verbatim,
#     bad files refused with file:line (78), -t and the key file;
#   - the emulator: flags, plain HTTP, "listening on URL", control
#     endpoints, DESIGN.md's fault document verbatim, RS256 checking,
#     Drive's version rising on every write, error bodies;
#   - the audit log written by one --once cycle: line format and chain.
# Everything runs on loopback with keys made here; no real credential.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
SYNCD="${RUNNER:-} $BUILD/syncd"
# expect STATUS DESCRIPTION CMD...: stdout to $W/out, stderr to $W/err.
expect() {
	_want=$1 _what=$2
	shift 2
	"$@" >"$W/out" 2>"$W/err"
	_got=$?
	if [ "$_got" -eq "$_want" ]; then
		ok "$_what (exit $_want)"
	else
		bad "$_what: exit $_got, want $_want"
		sed 's/^/    stderr: /' "$W/err" | head -3
	fi
}
# jqok DESCRIPTION FILTER FILE: jq -e FILTER must hold (stdin closed, so a
# missing FILE cannot pass); jqs: the same over the file's lines slurped.
jqok() {
	if jq -e "$2" "$3" >/dev/null 2>&1 </dev/null; then ok "$1"; else bad "$1"; fi
}
jqs() {
	if jq -e -s "$2" "$3" >/dev/null 2>&1 </dev/null; then ok "$1"; else bad "$1"; fi
}

W=$(mktemp -d "${TMPDIR:-/tmp}/t_contracts.XXXXXX")
PLAIN_PID=""
cleanup() {
	[ -n "$PLAIN_PID" ] && kill "$PLAIN_PID" 2>/dev/null
	fake_stop
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

# ---------------------------------------------------------------- workbooks
python3 - "$W" <<'PY'
import json, os, sys
d = sys.argv[1]
heads = ["ลำดับ", "รหัสบ้าน", "ชื่อ - สกุล หัวหน้าครัวเรือน", "บ้านเลขที่", "หมู่ที่", "ตำบล",
 "รายได้เฉลี่ย (บาท/คน/ปี)", "คร. ที่พัฒนาได้", "คร. ที่ขอรับการสงเคราะห์",
 "คร. ที่พึ่งตนเองได้\n(ไม่ขอรับความช่วยเหลือ)", "คร. อื่น ๆ (เช่น เสียชีวิต/ย้าย)",
 "ชื่อกิจกรรมพัฒนา", "วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา", "วันที่ดำเนินการ",
 "สถานที่ดำเนินการ", "หน่วยดำเนินการ (หลัก/ร่วม)", "ผลที่ได้รับ/ความสำเร็จของการดำเนินงาน"]
group = ["", "", "", "", "", "", "", "การจำแนกสถานะครัวเรือน (ใส่เลข 1 ในช่องที่เลือก)"]
act = ["อบรมอาชีพ", "ฝึกปฏิบัติ", "10/01/2567", "ศาลา", "พช.", "มีรายได้เพิ่ม"]
def hh(n, key, marks, activity=None):
    r = [n, key, "นาย ก", "1", "2", "หน้าเมือง", 30000] + marks
    if activity is not None:
        r += [""] * (11 - len(r)) + activity
    return r
# Tab A: 3 developable of which 2 developed (66.67), one welfare as a JSON
# boolean, one with a serial-number date; a short row; a null cell.
a = [group, heads,
     hh(1, "24010012345", [1], act),
     hh(2, "24010012346", [1, "", "", ""], act[:2] + [45301] + act[3:]),
     hh(3, "24010012347", [1]),
     hh(4, "24010012348", ["", True]),
     [5, "24010012349", None, "3", "2", "หน้าเมือง", 1, "", "", 1.0]]
# Tab B: no developable household (percent 0), two statuses in one row.
b = [group, heads, hh(1, "24020012345", ["", "", 1]), hh(2, "24020012346", [1, 1])]
full = {"spreadsheetId": "t-contracts",
        "properties": {"title": "ครัวเรือนยากจนเป้าหมาย 2566", "locale": "th_TH",
                       "timeZone": "Asia/Bangkok"},
        "sheets": [{"properties": {"sheetId": 0, "title": "บางคล้า", "index": 0}, "values": a},
                   {"properties": {"sheetId": 1, "title": "บางปะกง", "index": 1}, "values": b}]}
json.dump(full, open(os.path.join(d, "full.json"), "w"), ensure_ascii=False)
# The same tabs: properties with only a title, unknown keys everywhere,
# syncd's own tabs present without values.
lean = {"spreadsheetId": "t-contracts", "extra": {"nested": [1, {"x": None}]},
        "sheets": [{"properties": {"title": "บางคล้า"}, "values": a, "data": [{"y": 1}]},
                   {"properties": {"title": "บางปะกง", "gridProperties": {"rowCount": 9}},
                    "values": b},
                   {"properties": {"title": "สรุปข้อมูล"}},
                   {"properties": {"title": "ตรวจสอบข้อมูล"}, "values": []}]}
json.dump(lean, open(os.path.join(d, "lean.json"), "w"), ensure_ascii=False)
# A saved values.batchGet response of the same tabs.
bg = {"spreadsheetId": "t-contracts",
      "valueRanges": [{"range": "'บางคล้า'!A1:Z1000", "majorDimension": "ROWS", "values": a},
                      {"range": "บางปะกง!A1:Z1000", "majorDimension": "ROWS", "values": b}]}
json.dump(bg, open(os.path.join(d, "batchget.json"), "w"), ensure_ascii=False)
PY
printf '{"sheets": [' >"$W/broken.json"
: >"$W/empty.json"
mkdir "$W/dir.json"

# ------------------------------------------------------------ command line
expect 0 "--version" $SYNCD --version
grep -Eq '^syncd [0-9]' "$W/out" && ok "--version prints 'syncd VERSION'" || bad "--version text"
expect 0 "--help" $SYNCD --help
for form in 'syncd [-c FILE] [--once]' 'syncd -t [-c FILE]' 'syncd check [-c FILE] --workbook' \
    'syncd audit verify FILE [--head SEQ:HASH]' 'syncd --version | --help' '/etc/syncd/syncd.conf'; do
	grep -qF -- "$form" "$W/out" && ok "--help shows $form" || bad "--help lacks $form"
done
expect 64 "unknown option" $SYNCD --bogus
expect 64 "check: unknown option" $SYNCD check --workbook "$W/full.json" --bogus
expect 64 "audit: unknown subcommand" $SYNCD audit frobnicate
# check's option spellings: -c/--config, --workbook=FILE, --today=D, --format=json.
expect 1 "check, --opt=value forms" $SYNCD check --config=etc/syncd.conf --workbook="$W/full.json" \
	--today=2024-01-15 --format=json
cp "$W/out" "$W/eq.json"
expect 1 "check, --opt value forms" $SYNCD check -c etc/syncd.conf --workbook "$W/full.json" \
	--today 2024-01-15 --format json
cmp -s "$W/out" "$W/eq.json" && ok "both spellings give the same document" || bad "spellings differ"
expect 1 "check, text is the default format" $SYNCD check -c etc/syncd.conf --workbook "$W/full.json" \
	--today 2024-01-15
jq -e . "$W/out" >/dev/null 2>&1 && bad "default format is JSON" || ok "default format is text"
expect 1 "check, --format text" $SYNCD check -c etc/syncd.conf --workbook "$W/full.json" \
	--today 2024-01-15 --format text
expect 0 "check --help" $SYNCD check --help
grep -qF -- "--workbook FILE.json" "$W/out" && ok "check --help on stdout" || bad "check --help not on stdout"
# Without --today, today is the date in Asia/Bangkok.
expect 1 "check without --today" $SYNCD check -c etc/syncd.conf --workbook "$W/full.json" --format json
check "today defaults to Bangkok's date" "$(jq -r .today "$W/out")" "$(TZ=Asia/Bangkok date +%Y-%m-%d)"
# Exit statuses of check (sysexits.h).
expect 64 "check without --workbook" $SYNCD check -c etc/syncd.conf
expect 64 "check --format yaml" $SYNCD check --workbook "$W/full.json" --format yaml
expect 64 "check --today not a date" $SYNCD check --workbook "$W/full.json" --today 2024-13-01
expect 65 "check truncated JSON" $SYNCD check -c etc/syncd.conf --workbook "$W/broken.json"
expect 65 "check empty file" $SYNCD check -c etc/syncd.conf --workbook "$W/empty.json"
expect 66 "check missing workbook" $SYNCD check -c etc/syncd.conf --workbook "$W/none.json"
expect 66 "check workbook is a directory" $SYNCD check -c etc/syncd.conf --workbook "$W/dir.json"
expect 66 "check missing -c file" $SYNCD check -c "$W/none.conf" --workbook "$W/full.json"
printf 'poll_interval = 61;\nnot_a_key = 1;\n' >"$W/bad.conf"
expect 78 "check bad configuration" $SYNCD check -c "$W/bad.conf" --workbook "$W/full.json"
grep -qF "$W/bad.conf:2:" "$W/err" && ok "bad configuration: file:line" || bad "no file:line: $(cat "$W/err")"
grep -qF "not_a_key" "$W/err" && ok "bad configuration: what" || bad "no key named: $(cat "$W/err")"

# ------------------------------------------------------- check --format json
expect 1 "check json" $SYNCD check -c etc/syncd.conf --workbook "$W/full.json" --today 2024-01-15 \
	--format json
J=$W/full.out.json
cp "$W/out" "$J"
jqok "json: exactly today, summary, discrepancies" '(keys_unsorted == ["today","summary","discrepancies"])' "$J"
jqok "json: today as given" '.today == "2024-01-15"' "$J"
jqok "json: summary rows carry DESIGN.md's keys, in order" \
	'all(.summary[]; keys_unsorted == ["district","households","developable","welfare",
	"self_reliant","other","unclassified","developed","percent","errors","warnings"])' "$J"
jqok "json: counts are integers" 'all(.summary[]; all(to_entries[] | select(.key != "district"
	and .key != "percent"); (.value | type) == "number" and .value == (.value | floor)))' "$J"
jqok "json: percent is a number with at most two decimals" \
	'all(.summary[]; (.percent | type) == "number" and ((.percent * 100 | round) - .percent * 100 | fabs) < 1e-6)' "$J"
jqok "json: districts in tab order, then the total" \
	'[.summary[].district] == ["บางคล้า", "บางปะกง", "รวมทั้งจังหวัด"]' "$J"
jqok "json: percent = developed / developable, two decimals" \
	'.summary[0] | .developable == 3 and .developed == 2 and .percent == 66.67' "$J"
jqok "json: percent 0 where nothing is developable" '.summary[1] | .developable == 0 and .percent == 0' "$J"
jqok "json: booleans and serial dates are read" '.summary[0] | .households == 5 and .welfare == 1 and .self_reliant == 1' "$J"
jqok "json: total row sums the districts" '.summary as $s | $s[-1] as $t |
	all(["households","developable","welfare","self_reliant","other","unclassified","developed"][];
	. as $k | $t[$k] == ([$s[:-1][][$k]] | add))' "$J"
jqok "json: total percent recomputed from the sums" \
	'.summary[-1] | .percent == ((.developed / .developable * 10000 | round) / 100)' "$J"
jqok "json: errors+warnings of the total = every finding" \
	'(.summary[-1].errors + .summary[-1].warnings) == (.discrepancies | length)' "$J"
jqok "json: discrepancy keys in order, row/key/column may be null" \
	'all(.discrepancies[]; (keys_unsorted - ["row","key","column","tab"]) == ["rule","severity","message"])' "$J"
jqok "json: discrepancy types" 'all(.discrepancies[]; (.rule | type) == "string" and
	(.severity == "error" or .severity == "warning") and (.message | type) == "string" and
	((.row == null) or ((.row | type) == "number" and .row >= 1)) and
	((.tab == null) or ((.tab | type) == "string")) and ((.key == null) or ((.key | type) == "string")) and
	((.column == null) or ((.column | type) == "string")))' "$J"
jqok "json: status.multiple names tab, row, key" '[.discrepancies[] | select(.rule == "status.multiple")][0] |
	.severity == "error" and .tab == "บางปะกง" and .row == 4 and .key == "24020012346"' "$J"
jqok "json: a sheet-level finding has no tab or row" \
	'[.discrepancies[] | select(.rule == "province.below_minimum")][0] | .tab == null and .row == null' "$J"
jqok "json: errors first" '[.discrepancies[].severity] | (map(select(. == "error")) + map(select(. == "warning"))) == .' "$J"
grep -q 'รวมทั้งจังหวัด' "$J" && ok "json: Thai is not \\u-escaped" || bad "json: Thai escaped"

# ------------------------------------------------------ workbook variations
expect 1 "check lean workbook (title-only properties, unknown keys, no values)" \
	$SYNCD check -c etc/syncd.conf --workbook "$W/lean.json" --today 2024-01-15 --format json
cmp -s "$W/out" "$J" && ok "lean workbook = full workbook" || bad "lean workbook differs: $(diff "$W/out" "$J" | head -5)"
expect 1 "check batchGet-shaped file" $SYNCD check -c etc/syncd.conf --workbook "$W/batchget.json" \
	--today 2024-01-15 --format json
cmp -s "$W/out" "$J" && ok "batchGet file = full workbook" || bad "batchGet file differs: $(diff "$W/out" "$J" | head -5)"

# ----------------------------------------------------------- configuration
cat >"$W/design.conf" <<'EOF'
spreadsheet_id = "1AbC...";
key_file  = "/etc/syncd/service-account.json";  # token_uri is read from the key file
sheets_url = "https://sheets.googleapis.com";  # the emulator's URL in tests
drive_url  = "https://www.googleapis.com";
ca_file    = "";                               # extra CA bundle; "" = the system's
state_dir  = "/var/lib/syncd";
audit_log  = "/var/lib/syncd/audit.jsonl";
poll_interval = 60;                            # seconds
EOF
head -n 2 "$W/design.conf" >"$W/two.conf"
if [ ! -e /etc/syncd/service-account.json ]; then
	expect 0 "-t: DESIGN.md's complete configuration, verbatim" $SYNCD -t -c "$W/design.conf"
	expect 0 "-t: only the two keys without defaults" $SYNCD -t --config "$W/two.conf"
	expect 0 "-t --config=FILE" $SYNCD -t --config="$W/two.conf"
	grep -q "service-account.json" "$W/err" && ok "-t notes the absent key file" || bad "-t: no note on the key"
fi
expect 1 "check -c DESIGN.md's configuration" $SYNCD check -c "$W/design.conf" --workbook "$W/full.json" \
	--today 2024-01-15
expect 78 "-t: bad configuration" $SYNCD -t -c "$W/bad.conf"
grep -qF "$W/bad.conf:2:" "$W/err" && ok "-t: file:line" || bad "-t: no file:line: $(cat "$W/err")"
printf 'spreadsheet_id = "x";\nkey_file = "/k.json";\n\npoll_interval = "often";\n' >"$W/type.conf"
expect 78 "-t: wrong type" $SYNCD -t -c "$W/type.conf"
grep -qF "$W/type.conf:4: poll_interval" "$W/err" && ok "-t: wrong type at its line" || bad "-t type: $(cat "$W/err")"
printf 'spreadsheet_id = "x";\nkey_file = "/k.json";\nsheets_url = "http://sheets.googleapis.com";\n' >"$W/http.conf"
expect 78 "-t: plain http to a remote host" $SYNCD -t -c "$W/http.conf"
printf 'spreadsheet_id = "x";\nkey_file = "/k.json";\npoll_interval = 61\n' >"$W/syntax.conf"
printf 'spreadsheet_id = "x" key_file = ;\n' >"$W/syntax.conf"
expect 78 "-t: syntax error" $SYNCD -t -c "$W/syntax.conf"
grep -qF "$W/syntax.conf:1:" "$W/err" && ok "-t: syntax error at its line" || bad "-t syntax: $(cat "$W/err")"
expect 78 "-t: missing -c file" $SYNCD -t -c "$W/none.conf"
if [ ! -e /etc/syncd/syncd.conf ]; then
	expect 78 "-t: default path /etc/syncd/syncd.conf" $SYNCD -t
	grep -qF "/etc/syncd/syncd.conf" "$W/err" && ok "-t reads /etc/syncd/syncd.conf by default" ||
		bad "-t default path: $(cat "$W/err")"
fi

# ------------------------------------------------ emulator over plain HTTP
mkfifo "$W/plain.out"
jq '.spreadsheetId = "t-second"' "$W/lean.json" >"$W/second.json"
"$BUILD/fakesheets" --workbook="$W/full.json" --workbook "$W/second.json" --port=0 \
	>"$W/plain.out" 2>"$W/plain.err" &
PLAIN_PID=$!
exec 8<"$W/plain.out"
read -r line <&8
case "$line" in
'listening on http://127.0.0.1:'[0-9]*) ok "plain HTTP without TLS flags; first line 'listening on URL'" ;;
*) bad "plain first line: [$line]" ;;
esac
PURL=${line#listening on }
r=$(curl -sS "$PURL/_fake/spreadsheets/t-contracts" | jq -c '[.spreadsheetId, [.sheets[].properties.title]]')
check "GET /_fake/spreadsheets/{id} over plain HTTP" "$r" '["t-contracts",["บางคล้า","บางปะกง"]]'
r=$(curl -sS "$PURL/_fake/spreadsheets/t-second" | jq -c '[.spreadsheetId, [.sheets[].properties.title]]')
check "--workbook is repeatable" "$r" '["t-second",["บางคล้า","บางปะกง","สรุปข้อมูล","ตรวจสอบข้อมูล"]]'
kill "$PLAIN_PID" 2>/dev/null
wait "$PLAIN_PID" 2>/dev/null
PLAIN_PID=""
exec 8<&-
expect 0 "fakesheets --help" "$BUILD/fakesheets" --help
expect 64 "fakesheets: --tls-cert without --tls-key" "$BUILD/fakesheets" --tls-cert x --port 0

# ------------------------------------------------------ emulator over HTTPS
fake_start "$W/full.json" || { echo "cannot start fakesheets"; exit 1; }
ID=t-contracts
case "$FAKE_URL" in https://127.0.0.1:*) ok "HTTPS with --tls-cert/--tls-key" ;; *) bad "HTTPS URL: $FAKE_URL" ;; esac
# -t loads the key the daemon would: refused when others can read it or it
# is not a key; the systemd credential is preferred when present.
expect 0 "-t with a good key file" $SYNCD -t -c "$FAKE_DIR/syncd.conf"
[ -s "$W/err" ] && bad "-t good key: stderr $(cat "$W/err")" || ok "-t good key: nothing on stderr"
cp "$FAKE_DIR/sa.json" "$W/open-key.json"
chmod 644 "$W/open-key.json"
sed "s#^key_file = .*#key_file = \"$W/open-key.json\";#" "$FAKE_DIR/syncd.conf" >"$W/open.conf"
expect 78 "-t with a key file others can read" $SYNCD -t -c "$W/open.conf"
grep -q "chmod 600" "$W/err" && ok "-t says how to fix the mode" || bad "-t mode message: $(cat "$W/err")"
printf '{"type": "authorized_user"}\n' >"$W/notkey.json"
chmod 600 "$W/notkey.json"
sed "s#^key_file = .*#key_file = \"$W/notkey.json\";#" "$FAKE_DIR/syncd.conf" >"$W/notkey.conf"
expect 78 "-t with a file that is not a service-account key" $SYNCD -t -c "$W/notkey.conf"
mkdir -m 700 "$W/creds"
cp "$FAKE_DIR/sa.json" "$W/creds/service-account.json"
expect 0 "-t with the key from \$CREDENTIALS_DIRECTORY" env CREDENTIALS_DIRECTORY="$W/creds" \
	$SYNCD -t -c "$W/design.conf"
[ -s "$W/err" ] && bad "-t credential: stderr $(cat "$W/err")" || ok "-t credential: nothing on stderr"
# The control GET is the workbook file format: syncd check reads it.
fake_get "_fake/spreadsheets/$ID" >"$W/export.json"
expect 1 "the emulator's export is a workbook file" $SYNCD check -c etc/syncd.conf \
	--workbook "$W/export.json" --today 2024-01-15 --format json
cmp -s "$W/out" "$J" && ok "export evaluates like the file it was loaded from" || bad "export differs"
r=$(fake_curl -w ' %{http_code}' "$FAKE_URL/_fake/spreadsheets/nope" | jq -c '.error | keys' 2>/dev/null)
check "unknown id: error body" "$r" '["code","message","status"]'
# Token endpoint: RS256 against the configured key.
T=$(fake_token)
[ -n "$T" ] && [ "$T" != null ] && ok "token for a JWT signed with the configured key" || bad "no token"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/other.key" 2>/dev/null
jwt=$(fake_jwt)
sig=$(printf '%s' "${jwt%.*}" | openssl dgst -sha256 -sign "$W/other.key" -binary | _b64url)
r=$(fake_curl -X POST -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \
	-d "assertion=${jwt%.*}.$sig" -w ' %{http_code}' "$FAKE_URL/token" | tr -d '\n' | sed 's/.* //')
check "JWT signed by another key refused" "$r" 400
A="Authorization: Bearer $T"
ver() { fake_curl -H "$A" "$FAKE_URL/drive/v3/files/$ID?fields=version" | jq -r .version; }
v0=$(ver)
case "$v0" in ''|null|*[!0-9]*) bad "Drive version: [$v0]" ;; *) ok "Drive files.get?fields=version: $v0" ;; esac
fake_curl -H "$A" -H 'Content-Type: application/json' -X POST \
	--data '{"valueInputOption": "RAW", "data": [{"range": "บางปะกง!R1", "values": [["x"]]}]}' \
	"$FAKE_URL/v4/spreadsheets/$ID/values:batchUpdate" >/dev/null
v1=$(ver)
[ "$v1" -gt "$v0" ] 2>/dev/null && ok "version rises on values:batchUpdate" || bad "version after write: $v0 -> $v1"
fake_curl -H "$A" -H 'Content-Type: application/json' -X POST \
	--data '{"requests": [{"addSheet": {"properties": {"title": "ใหม่"}}}]}' \
	"$FAKE_URL/v4/spreadsheets/$ID:batchUpdate" >/dev/null
v2=$(ver)
[ "$v2" -gt "$v1" ] 2>/dev/null && ok "version rises on batchUpdate" || bad "version after batchUpdate: $v1 -> $v2"
fake_put_workbook "$W/full.json"
v3=$(ver)
[ "$v3" -gt "$v2" ] 2>/dev/null && ok "version rises on PUT /_fake/spreadsheets/{id}" || bad "version after PUT: $v2 -> $v3"
r=$(fake_get "_fake/spreadsheets/$ID" | jq -c '[.sheets[].properties.title]')
check "PUT replaces the workbook" "$r" '["บางคล้า","บางปะกง"]'
r=$(fake_curl -H "$A" -w ' %{http_code}' "$FAKE_URL/v4/spreadsheets/nope" | tr -d '\n' | sed 's/  */ /g')
case "$r" in *'"error": {'*'"code": 404'*'"message":'*'"status": "NOT_FOUND"'*'} 404') ok "API 404 error body" ;;
*) bad "API 404 body: $r" ;; esac
# Request log: method, path, query, status; DELETE empties; control calls not in it.
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
check "DELETE /_fake/requests empties" "$(fake_requests | jq -c .)" '[]'
fake_curl -H "$A" -o /dev/null "$FAKE_URL/drive/v3/files/$ID?fields=version"
fake_get "_fake/spreadsheets/$ID" >/dev/null
r=$(fake_requests | jq -c '[.[] | [.method, .path, .query, .status]]')
check "request log entry" "$r" "[[\"GET\",\"/drive/v3/files/$ID\",\"fields=version\",200]]"
# DESIGN.md's fault document, verbatim: one fault per next API request.
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
fake_curl -X POST -w '%{http_code}' -o /dev/null --data-binary \
	'{"faults": [{"status": 429, "retry_after": 1}, {"status": 503}, {"drop": true}, {"delay_ms": 2000}, {"truncate": true}]}' \
	"$FAKE_URL/_fake/faults" >"$W/code"
check "POST /_fake/faults accepted" "$(cat "$W/code")" 200
D="$FAKE_URL/drive/v3/files/$ID?fields=version"
fake_curl -H "$A" -D "$W/h" -o "$W/b" "$D"
check "fault 1: 429" "$(jq -c '.error | [.code, .status]' "$W/b")" '[429,"RESOURCE_EXHAUSTED"]'
check "fault 1: Retry-After: 1" "$(grep -i '^retry-after:' "$W/h" | tr -d '\r' | sed 's/.*: *//')" 1
check "fault 2: 503" "$(fake_curl -H "$A" "$D" | jq -c '.error | [.code, .status]')" '[503,"UNAVAILABLE"]'
fake_curl -H "$A" -o /dev/null "$D" 2>/dev/null
r=$?
[ "$r" -ne 0 ] && ok "fault 3: dropped connection (curl exit $r)" || bad "fault 3: drop answered"
check "fault 4: delayed, then answered" "$(fake_curl -H "$A" "$D" | jq -r .version)" "$v3"
fake_curl -H "$A" -o /dev/null "$D" 2>/dev/null
r=$?
[ "$r" -ne 0 ] && ok "fault 5: truncated body (curl exit $r)" || bad "fault 5: truncate answered whole"
check "faults used up: answered" "$(fake_curl -H "$A" "$D" | jq -r .version)" "$v3"
fake_faults '[{"status": 500}]'
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
check "DELETE /_fake/faults empties the queue" "$(fake_curl -H "$A" "$D" | jq -r .version)" "$v3"
fake_faults '[{"status": 503}]'
r=$(fake_curl -X POST -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \
	-d "assertion=$(fake_jwt)" -o /dev/null -w '%{http_code}' "$FAKE_URL/token")
check "faults apply to the token endpoint too" "$r" 503

# ----------------------------------------- one cycle, then the audit log
LOG=$FAKE_DIR/state/audit.jsonl
# Under strace (when there and no RUNNER) to see the write-ahead: one write()
# per audit line, and an fdatasync of the log before the sheet is written.
TRACE=""
if [ -z "${RUNNER:-}" ] && command -v strace >/dev/null 2>&1 &&
    strace -o /dev/null true 2>/dev/null; then
	TRACE="strace -f -o $W/strace.txt -e trace=socket,openat,write,sendto,sendmsg,fdatasync,fsync"
fi
$TRACE $SYNCD --once -c "$FAKE_DIR/syncd.conf" --today 2024-01-15 >"$W/once.out" 2>"$W/once.err"
r=$?
case "$r" in 0|1) ok "--once against the emulator (exit $r)" ;; *) bad "--once exit $r: $(tail -n 3 "$W/once.err")" ;; esac
if [ -s "$LOG" ]; then
	jqs "audit: every line has seq, ts, event, prev" 'all(.[]; has("seq") and has("ts") and has("event") and has("prev"))' "$LOG"
	jqs "audit: seq is 1, 2, ..." '[.[].seq] == [range(1; length + 1)]' "$LOG"
	jqs "audit: ts is RFC 3339 UTC" 'all(.[]; .ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"))' "$LOG"
	jqs "audit: known events only" 'all(.[]; .event | IN("cycle", "discrepancy.opened",
		"discrepancy.resolved", "cell.changed", "summary.written", "api.error", "config.loaded", "recovery",
		"record.complete", "seal"))' "$LOG"
	jqs "audit: a cycle event" 'any(.[]; .event == "cycle")' "$LOG"
	jqs "audit: every finding opened" "[.[] | select(.event == \"discrepancy.opened\")] | length == $(jq '.discrepancies | length' "$J")" "$LOG"
	prev=0000000000000000000000000000000000000000000000000000000000000000
	n=0 chain=ok
	while IFS= read -r l; do
		n=$((n + 1))
		[ "$(printf '%s' "$l" | jq -r .prev)" = "$prev" ] || { chain="broken at $n"; break; }
		prev=$(printf '%s' "$l" | sha256sum | cut -d' ' -f1)
	done <"$LOG"
	check "audit: prev = SHA-256 of the previous line's bytes" "$chain" ok
	if [ -n "$TRACE" ]; then
		# awk: the log's fd, writes to it, socket fds; after the cycle's
		# last line, the log's fdatasync must come before the next send
		# (the sheet's write).
		r=$(awk -v lines="$n" '
		/openat\(.*audit\.jsonl"/ { fd = $NF }
		/ socket\(/ { sock[$NF] = 1 }
		fd != "" && index($0, "write(" fd ", ") { w++; last = NR; sync = 0; send = 0 }
		last && !sync && fd != "" && index($0, "fdatasync(" fd ")") { sync = NR }
		last && !send && (/ sendto\(| sendmsg\(/ || (match($0, / write\([0-9]+,/) &&
		    (substr($0, RSTART + 7, RLENGTH - 8) in sock))) { send = NR }
		END { printf "%s writes for %s lines, %s", w, lines,
		    (sync && (!send || sync < send)) ? "synced first" : "sent before fdatasync" }
		' "$W/strace.txt")
		check "audit: one write() per line; fdatasync before the sheet" "$r" \
			"$n writes for $n lines, synced first"
	fi
	expect 0 "audit verify" $SYNCD audit verify "$LOG"
	grep -qF "$n:$prev" "$W/out" && ok "audit verify prints the head SEQ:HASH" || bad "head: $(cat "$W/out")"
	expect 0 "audit verify --head (the published head)" $SYNCD audit verify "$LOG" --head "$n:$prev"
	sed '1s/"seq":1/"seq": 1/' "$LOG" >"$W/edited.jsonl"
	expect 1 "audit verify: an edited line" $SYNCD audit verify "$W/edited.jsonl"
else
	bad "no audit log at $LOG"
fi

fake_stop
if [ "$fails" -ne 0 ]; then
	echo "t_contracts: $fails failure(s)"
	exit 1
fi
echo "t_contracts: all passed"
