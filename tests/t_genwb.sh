#!/bin/sh
# t_genwb: the workbook generator writes valid workbook files with the
# requested number of households, deterministically from its seed, in
# DOMAIN.md's layout; and the committed demo workbook is exactly what the
# committed generator writes (so nobody hand-edits the fixture by accident).
# Needs $BUILD/tools/genwb and jq.
set -eu
: "${BUILD:=build}"
top=$(cd "$(dirname "$0")/.." && pwd)
genwb="$BUILD/tools/genwb"
demo="$top/tests/data/demo-chachoengsao.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() { echo "t_genwb: FAIL: $*" >&2; exit 1; }
[ -x "$genwb" ] || fail "$genwb not built"

# Household rows: rows after the two header rows whose key cell is filled.
# The key column is found by its heading, as the checker does.
count_households() {
	jq '[.sheets[] | .values as $v
	    | ($v[1] | map(if type == "string" then gsub("[\\s\u00a0\u200b]+"; " ")
	        | ltrimstr(" ") | rtrimstr(" ") else "" end) | index("รหัสบ้าน")) as $k
	    | $v[2:][] | select((.[$k] // "") != "")] | length' "$1"
}

# 1. The demo fixture regenerates byte for byte.
"$genwb" --demo -o "$tmp/demo.json" || fail "genwb --demo failed"
cmp -s "$tmp/demo.json" "$demo" ||
	fail "tests/data/demo-chachoengsao.json differs from genwb --demo output (regenerate and commit it)"
jq -e . "$demo" >/dev/null || fail "demo is not valid JSON"

# 2. Generated workbooks: valid JSON, the requested household count, the
#    requested tabs, deterministic from the seed.
"$genwb" --households 1234 --tabs 5 --seed 7 -o "$tmp/a.json" || fail "genwb failed"
"$genwb" --households 1234 --tabs 5 --seed 7 >"$tmp/b.json" || fail "genwb to stdout failed"
"$genwb" --households 1234 --tabs 5 --seed 8 -o "$tmp/c.json" || fail "genwb seed 8 failed"
jq -e . "$tmp/a.json" >/dev/null || fail "generated workbook is not valid JSON"
n=$(count_households "$tmp/a.json")
[ "$n" -eq 1234 ] || fail "asked for 1234 households, got $n"
t=$(jq '.sheets | length' "$tmp/a.json")
[ "$t" -eq 5 ] || fail "asked for 5 tabs, got $t"
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "same seed, different output"
cmp -s "$tmp/a.json" "$tmp/c.json" && fail "different seeds, same output"
"$genwb" --households 0 --tabs 3 --seed 1 -o "$tmp/z.json" || fail "genwb 0 households failed"
[ "$(count_households "$tmp/z.json")" -eq 0 ] || fail "0 households: rows found"
"$genwb" --households 20000 --tabs 16 --seed 3 -o "$tmp/big.json" || fail "genwb 20000 failed"
[ "$(count_households "$tmp/big.json")" -eq 20000 ] || fail "20000 households: wrong count"
jq -e '.spreadsheetId == "genwb-7" and .properties.locale == "th_TH"
    and .properties.timeZone == "Asia/Bangkok"
    and ([.sheets[].properties.index] == [range(0; 5)])' "$tmp/a.json" >/dev/null ||
	fail "spreadsheet properties or tab indexes wrong"

# 3. Rows are as values.batchGet returns them: no trailing empty cell, no
#    trailing empty row, cells only strings, numbers and booleans.
for f in "$demo" "$tmp/big.json"; do
	jq -e '[.sheets[].values | (.[-1] | length > 0), (.[] | (length == 0 or .[-1] != ""))
	    , (.[][] | type | IN("string", "number", "boolean"))] | all' "$f" >/dev/null ||
		fail "$f: a trailing empty cell or row, or a cell of the wrong type"
done

# 4. The demo: Chachoengsao's eleven districts in order, 20-60 households
#    each, every heading of DOMAIN.md in row 2 (after normalisation), the
#    group headings in the first cell of their merge.
jq -e '.spreadsheetId == "demo-chachoengsao"
    and .properties.title == "ครัวเรือนยากจนเป้าหมาย 2566"
    and [.sheets[].properties.title] == ["เมืองฉะเชิงเทรา", "บางคล้า", "บางน้ำเปรี้ยว",
        "บางปะกง", "บ้านโพธิ์", "พนมสารคาม", "ราชสาส์น", "สนามชัยเขต", "แปลงยาว",
        "ท่าตะเกียบ", "คลองเขื่อน"]' "$demo" >/dev/null || fail "demo: id, title or districts wrong"
jq -e '[.sheets[] | .values as $v
    | ($v[1] | map(gsub("[\\s\u00a0\u200b]+"; " ") | ltrimstr(" ") | rtrimstr(" "))) as $h
    | ["ลำดับ", "รหัสบ้าน", "ชื่อ - สกุล หัวหน้าครัวเรือน", "บ้านเลขที่", "หมู่ที่", "ตำบล",
       "รายได้เฉลี่ย (บาท/คน/ปี)", "คร. ที่พัฒนาได้", "คร. ที่ขอรับการสงเคราะห์",
       "คร. ที่พึ่งตนเองได้ (ไม่ขอรับความช่วยเหลือ)", "คร. อื่น ๆ (เช่น เสียชีวิต/ย้าย)",
       "ชื่อกิจกรรมพัฒนา", "วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา", "วันที่ดำเนินการ",
       "สถานที่ดำเนินการ", "หน่วยดำเนินการ (หลัก/ร่วม)",
       "ผลที่ได้รับ/ความสำเร็จของการดำเนินงาน"][] as $want
    | ($h | index($want)) != null
      and ($v[0][$h | index("คร. ที่พัฒนาได้")] | startswith("การจำแนกสถานะครัวเรือน"))
      and ($v[0][$h | index("ชื่อกิจกรรมพัฒนา")] | startswith("การดำเนินงานเพื่อการพัฒนา"))]
    | all' "$demo" >/dev/null || fail "demo: a heading or group heading is missing"
jq -e '[.sheets[] | .values as $v
    | ($v[1] | map(gsub("[\\s\u00a0\u200b]+"; " ") | ltrimstr(" ") | rtrimstr(" "))) as $h
    | [$v[2:][] | select((.[$h | index("รหัสบ้าน")] // "") != "")] | length
    | . >= 20 and . <= 60] | all' "$demo" >/dev/null || fail "demo: a district outside 20-60 households"
grep -q '\\n' "$demo" || fail "demo: no heading or cell with a line break"

# Developable households per district (a mark in คร. ที่พัฒนาได้, no other
# mark): exactly one district, ราชสาส์น, has none.
nodev=$(jq -r '.sheets[] | .properties.title as $t | .values as $v
    | ($v[1] | map(gsub("[\\s\u00a0\u200b]+"; " ") | ltrimstr(" ") | rtrimstr(" "))) as $h
    | ($h | index("คร. ที่พัฒนาได้")) as $d
    | select([$v[2:][] | select(.[$d] | IN(1, "1", "๑", true, "1.0"))] | length == 0)
    | $t' "$demo")
[ "$nodev" = "ราชสาส์น" ] || fail "demo: districts without a developable mark: '$nodev'"

# 5. The demo shows every date spelling DOMAIN.md lists, every mark form,
#    invalid marks, keys typed every way, empty rows and keyless rows.
dates=$(jq -c '[.sheets[] | .values as $v
    | ($v[1] | map(gsub("[\\s\u00a0\u200b]+"; " ") | ltrimstr(" ") | rtrimstr(" "))) as $h
    | $v[2:][] | .[$h | index("วันที่ดำเนินการ")] // empty | select(. != "")]' "$demo")
check_dates() {
	printf '%s' "$dates" | jq -e --arg what "$1" "$2" >/dev/null ||
		fail "demo: no activity date written as $1"
}
check_dates "a serial" 'any(.[]; type == "number" and . > 45000 and . < 46000)'
check_dates "a BE-typed serial" 'any(.[]; type == "number" and . > 243000)'
check_dates "ISO" 'any(.[]; type == "string" and test("^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"))'
check_dates "d/m/yyyy" 'any(.[]; type == "string" and test("^[0-9]{1,2}/[1-9]/25[0-9]{2}$"))'
check_dates "dd/mm/yyyy" 'any(.[]; type == "string" and test("^[0-9]{2}/[0-9]{2}/25[0-9]{2}$"))'
check_dates "dd-mm-yyyy" 'any(.[]; type == "string" and test("^[0-9]{2}-[0-9]{2}-25[0-9]{2}$"))'
check_dates "dd.mm.yyyy" 'any(.[]; type == "string" and test("^[0-9]{2}\\.[0-9]{2}\\.25[0-9]{2}$"))'
check_dates "dd/mm/yy" 'any(.[]; type == "string" and test("^[0-9]{2}/[0-9]{2}/6[0-9]$"))'
check_dates "a full month" 'any(.[]; type == "string" and test("^[0-9]+ (ตุลาคม|พฤศจิกายน|ธันวาคม|มกราคม) 25[0-9]{2}$"))'
check_dates "an abbreviated month" 'any(.[]; type == "string" and test("^[0-9]+ [^ ]+\\.[^ ]*\\. [0-9]{2}$"))'
check_dates "a month without dots" 'any(.[]; type == "string" and test("^[0-9]+ (ตค|พย|ธค|มค|กพ|มีค) 25[0-9]{2}$"))'
check_dates "Thai digits" 'any(.[]; type == "string" and test("^[๐-๙]+[/ ]"))'
jq -e '[.. | arrays | .[]] as $c
    | ($c | any(. == "ใช่")) or ($c | any(. == "/")) or ($c | any(. == "x"))' "$demo" >/dev/null ||
	fail "demo: no invalid mark"
jq -e '[.sheets[].values[2:][]] as $r
    | ($r | any(length == 0))
      and ($r | any(length > 2 and .[1] == "" and .[2] != ""))
      and ($r | any(.[1] | type == "number"))
      and ($r | any(.[1] | type == "string" and test("^[๐-๙]{11}$")))
      and ($r | any(.[1] | type == "string" and test("-")))
      and ($r | any(.[][]; . == true)) and ($r | any(.[][]; . == "๑"))
      and ($r | any(.[][]; . == "1.0"))' \
	"$demo" >/dev/null || fail "demo: missing an empty row, a keyless row or a key/mark form"

# 6. Usage errors exit 64.
rc=0; "$genwb" --tabs 0 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 64 ] || fail "--tabs 0: exit $rc, want 64"
rc=0; "$genwb" --households 12x >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 64 ] || fail "--households 12x: exit $rc, want 64"
rc=0; "$genwb" --today 2024-02-30 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 64 ] || fail "--today 2024-02-30: exit $rc, want 64"
rc=0; "$genwb" --demo --tabs 3 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 64 ] || fail "--demo --tabs 3: exit $rc, want 64"
rc=0; "$genwb" --bogus >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 64 ] || fail "--bogus: exit $rc, want 64"

echo "t_genwb: ok"
