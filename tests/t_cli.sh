#!/bin/sh
# t_cli: the command line contracts of DESIGN.md for `syncd check` and
# `syncd -t`: exit statuses 0/1/64/65/66/78, the JSON document's shape (jq),
# and the text form.  Small workbooks and configurations are written into a
# temporary directory; no network, no credentials.
set -u
: "${BUILD:=build}"
SYNCD="${RUNNER:-} $BUILD/syncd"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect STATUS DESCRIPTION CMD...: run CMD (stdout to $T/out, stderr to
# $T/err) and compare its exit status.
expect() {
	want=$1
	what=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$what: exit $got, want $want"
		sed 's/^/    stderr: /' "$T/err" | head -5
	fi
}

# contains FILE TEXT DESCRIPTION
contains() {
	grep -qF -- "$2" "$1" || { fail "$3: no \"$2\" in $(basename "$1")"; sed 's/^/    /' "$1" | head -5; }
}

heads='["ลำดับ", "รหัสบ้าน", "ชื่อ - สกุล หัวหน้าครัวเรือน", "บ้านเลขที่", "หมู่ที่", "ตำบล",
 "รายได้เฉลี่ย (บาท/คน/ปี)", "คร. ที่พัฒนาได้", "คร. ที่ขอรับการสงเคราะห์",
 "คร. ที่พึ่งตนเองได้\n(ไม่ขอรับความช่วยเหลือ)", "คร. อื่น ๆ (เช่น เสียชีวิต/ย้าย)",
 "ชื่อกิจกรรมพัฒนา", "วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา", "วันที่ดำเนินการ",
 "สถานที่ดำเนินการ", "หน่วยดำเนินการ (หลัก/ร่วม)", "ผลที่ได้รับ/ความสำเร็จของการดำเนินงาน"]'
group='["", "", "", "", "", "", "", "การจำแนกสถานะครัวเรือน (ใส่เลข 1 ในช่องที่เลือก)"]'
# A developed household (complete activity on 10 Jan 2024) and a welfare one.
good_rows='[1, "24010012345", "นาย ก", "1", "2", "หน้าเมือง", "30,000", 1, "", "", "",
  "อบรมอาชีพ", "ฝึกปฏิบัติ", "10/01/2567", "ศาลา", "พช.", "มีรายได้เพิ่ม"],
 [2, "๒๔๐๑๐๐๑๒๓๔๖", "นาง ข", "3", "2", "หน้าเมือง", 25000, "", true]'

cat >"$T/good.json" <<EOF
{"spreadsheetId": "t", "properties": {"title": "t"},
 "sheets": [{"properties": {"sheetId": 1, "title": "บางคล้า", "index": 0},
             "values": [$group, $heads, $good_rows]},
            {"properties": {"sheetId": 2, "title": "สรุปข้อมูล", "index": 1}, "values": []}]}
EOF
# Row 5: two statuses marked (status.multiple, an error).
cat >"$T/bad.json" <<EOF
{"spreadsheetId": "t", "properties": {"title": "t"},
 "sheets": [{"properties": {"sheetId": 1, "title": "บางคล้า", "index": 0},
             "values": [$group, $heads, $good_rows,
               [3, "24010012347", "นาย ค", "4", "2", "หน้าเมือง", 1000, 1, 1]]}]}
EOF
printf '{"sheets": [' >"$T/broken.json"
printf 'spreadsheet_id = "x";\nkey_file = "/etc/syncd/k.json";\npoll_interval = 61;\n' >"$T/ok.conf"
printf 'poll_interval = 61;\n\npol_interval = 3;\n' >"$T/typo.conf"
printf 'poll_interval = 61;\n' >"$T/nocreds.conf"
printf 'districts = [ "บางคล้า", "บางปะกง" ];\n' >"$T/districts.conf"

# ---- syncd check: exit statuses
expect 0 "check good workbook" $SYNCD check -c "$T/nocreds.conf" --workbook "$T/good.json" --today 2024-01-15
contains "$T/out" "บางคล้า" "text summary"
contains "$T/out" "province.below_minimum" "text findings"
expect 1 "check good workbook after the classification deadline" \
	$SYNCD check -c "$T/nocreds.conf" --workbook "$T/good.json" --today 2024-02-01
expect 1 "check bad workbook" $SYNCD check -c "$T/ok.conf" --workbook "$T/bad.json" --today 2024-01-15
contains "$T/out" "row 5" "text finding row"
contains "$T/out" "status.multiple" "text finding rule"
contains "$T/out" "24010012347" "text finding key"
expect 64 "check without --workbook" $SYNCD check -c "$T/ok.conf"
expect 64 "check --format xml" $SYNCD check --workbook "$T/good.json" --format xml
expect 64 "check --today bad" $SYNCD check --workbook "$T/good.json" --today 2024-02-30
expect 64 "check --today short" $SYNCD check --workbook "$T/good.json" --today 2024-2-1
# --now sets the date too: 2024-02-01T00:10 in Bangkok is past the deadline.
expect 0 "check --now before the classification deadline" \
	$SYNCD check -c "$T/nocreds.conf" --workbook "$T/good.json" --now 2024-01-31T23:59
expect 1 "check --now after the classification deadline" \
	$SYNCD check -c "$T/nocreds.conf" --workbook "$T/good.json" --now 2024-02-01T00:10
expect 64 "check --now bad" $SYNCD check --workbook "$T/good.json" --now 2024-02-01T25:00
expect 64 "check --now without time" $SYNCD check --workbook "$T/good.json" --now 2024-02-01
expect 64 "check --today and --now" $SYNCD check --workbook "$T/good.json" \
	--today 2024-02-01 --now 2024-02-01T08:30
contains "$T/err" "cannot be used together" "--today with --now"
expect 64 "check extra argument" $SYNCD check --workbook "$T/good.json" extra
expect 64 "check unknown option" $SYNCD check --workbook "$T/good.json" --bogus
expect 64 "check option without value" $SYNCD check --workbook
expect 65 "check broken JSON" $SYNCD check -c "$T/ok.conf" --workbook "$T/broken.json"
printf '[1, 2]' >"$T/notwb.json"
expect 65 "check JSON that is not a workbook" $SYNCD check -c "$T/ok.conf" --workbook "$T/notwb.json"
expect 66 "check missing workbook" $SYNCD check -c "$T/ok.conf" --workbook "$T/nonexistent.json"
expect 78 "check bad configuration" $SYNCD check -c "$T/typo.conf" --workbook "$T/good.json"
contains "$T/err" "typo.conf:3: unknown key 'pol_interval'" "config error names file and line"
# A missing -c file is a missing input file (66, DESIGN.md); the daemon's -t
# below calls it a configuration error (78: systemd must not restart).
expect 66 "check missing configuration" $SYNCD check -c "$T/none.conf" --workbook "$T/good.json"
# Configuration errors come before workbook errors.
expect 78 "check bad configuration and missing workbook" \
	$SYNCD check -c "$T/typo.conf" --workbook "$T/nonexistent.json"
if [ ! -e /etc/syncd/syncd.conf ]; then
	expect 0 "check with the built-in defaults" \
		$SYNCD check --workbook "$T/good.json" --today 2024-01-15
fi
expect 0 "check with the shipped configuration" \
	$SYNCD check -c etc/syncd.conf --workbook "$T/good.json" --today 2024-01-15

# ---- syncd check --format json: the document's shape
expect 1 "check bad workbook, json" $SYNCD check -c "$T/ok.conf" --workbook "$T/bad.json" \
	--today 2024-01-15 --format json
cp "$T/out" "$T/bad.out.json"
jq -e '.today == "2024-01-15"' "$T/bad.out.json" >/dev/null || fail "json: today"
jq -e '[.[]] | length == 3' "$T/bad.out.json" >/dev/null || fail "json: three members"
jq -e '[keys_unsorted[]] == ["today", "summary", "discrepancies"]' "$T/bad.out.json" \
	>/dev/null || fail "json: member order"
jq -e '.summary | length == 2' "$T/bad.out.json" >/dev/null || fail "json: district + total"
jq -e '.summary[] | [keys_unsorted[]] == ["district", "households", "developable",
	"welfare", "self_reliant", "other", "unclassified", "developed", "percent",
	"errors", "warnings"]' "$T/bad.out.json" >/dev/null || fail "json: summary keys"
jq -e '.summary[0] | .district == "บางคล้า" and .households == 3 and .developable == 1
	and .welfare == 1 and .unclassified == 1 and .developed == 1 and .percent == 100'\
	"$T/bad.out.json" >/dev/null || fail "json: summary counts"
jq -e '.summary[-1].district == "รวมทั้งจังหวัด"' "$T/bad.out.json" >/dev/null ||
	fail "json: total row last"
jq -e '.discrepancies[] | [keys_unsorted[]] == ["rule", "severity", "tab", "row", "key",
	"column", "message"]' "$T/bad.out.json" >/dev/null || fail "json: discrepancy keys"
jq -e '.discrepancies[0] | .rule == "status.multiple" and .severity == "error"
	and .tab == "บางคล้า" and .row == 5 and .key == "24010012347"' "$T/bad.out.json" \
	>/dev/null || fail "json: first discrepancy"
jq -e '[.discrepancies[] | select(.rule == "province.below_minimum")][0] |
	.tab == null and .row == null and .key == null and .severity == "warning"' \
	"$T/bad.out.json" >/dev/null || fail "json: sheet-level finding"
jq -e '[.discrepancies[].severity] | . == sort' "$T/bad.out.json" >/dev/null ||
	fail "json: errors first"
grep -q 'บางคล้า' "$T/bad.out.json" || fail "json: Thai must not be escaped"
expect 1 "check with configured districts" $SYNCD check -c "$T/districts.conf" \
	--workbook "$T/good.json" --today 2024-01-15 --format json
jq -e '[.discrepancies[] | select(.rule == "tab.missing")][0].tab == "บางปะกง"' "$T/out" \
	>/dev/null || fail "json: tab.missing for a configured district"

# ---- syncd -t
expect 0 "-t good" $SYNCD -t -c "$T/ok.conf"
contains "$T/out" "configuration $T/ok.conf is valid" "-t message"
# The shipped files name no spreadsheet: refused, naming the placeholder.
expect 78 "-t shipped configuration" $SYNCD -t -c etc/syncd.conf
contains "$T/err" 'spreadsheet_id is still the placeholder "REPLACE-WITH-SPREADSHEET-ID"' \
	"-t placeholder"
expect 78 "-t shipped indicator-4 example" $SYNCD -t -c etc/indicator4.conf
expect 78 "run with the placeholder" $SYNCD --once -c etc/syncd.conf
contains "$T/err" "REPLACE-WITH-SPREADSHEET-ID" "run placeholder"
# Under systemd with no key file, the units hand over the marker SYNCD-NO-KEY.
mkdir -p "$T/creds"
printf 'SYNCD-NO-KEY' > "$T/creds/service-account.json"
expect 78 "-t, systemd found no key" env CREDENTIALS_DIRECTORY="$T/creds" \
	$SYNCD -t -c "$T/ok.conf"
contains "$T/err" "no service-account key" "-t no key message"
expect 0 "-t --config" $SYNCD -t --config "$T/ok.conf"
expect 78 "-t typo" $SYNCD -t -c "$T/typo.conf"
contains "$T/err" "typo.conf:3: unknown key 'pol_interval'" "-t error line"
expect 78 "-t without credentials" $SYNCD -t -c "$T/nocreds.conf"
contains "$T/err" "spreadsheet_id is required" "-t credentials"
expect 78 "-t missing file" $SYNCD -t -c "$T/none.conf"
expect 64 "-t extra argument" $SYNCD -t -c "$T/ok.conf" extra
expect 64 "-c without value" $SYNCD -t -c
expect 64 "--today bad" $SYNCD --today 20240201 -c "$T/ok.conf"
expect 64 "--now bad" $SYNCD --once --now 2024-02-01T8:30 -c "$T/ok.conf"
contains "$T/err" "--now 2024-02-01T8:30" "--now error names the value"
expect 64 "--today and --now" $SYNCD --once --today 2024-02-01 --now 2024-02-01T08:30 \
	-c "$T/ok.conf"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "t_cli: all passed"
