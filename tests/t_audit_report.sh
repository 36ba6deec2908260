#!/bin/sh
# t_audit_report: `syncd audit report --html` on a log the daemon wrote with
# --now stepping past the activity deadline (2024-03-20), rendered by a real
# browser.  The scenario: a baseline on 2024-03-01; on 2024-03-25 a district
# types a whole activity for a household of บางคล้า with the date
# 15/03/2567 (before the deadline): "บันทึกหลังกำหนด" (entered late); on
# 2024-03-26 the activity date of a household already complete is edited.
# The page is self-contained and Thai with print CSS for A4; headless
# Chromium renders it to PNG and PDF, and the PDF's text (pdftotext) holds
# บางคล้า's figures: developed as `syncd check` counts them, one entered
# late, one date edited after the deadline, the late household's key.  Also:
# a broken chain is on the page (exit 65); an unwritable page exits 73
# naming it.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_audit_report
sheet_start tests/data/demo-chachoengsao.json
SYNCD="$BUILD/syncd"
T=บางคล้า

once() { "$SYNCD" --once -c "$CONF" --now "$1" 2>>"$work/stderr"; }

once 2024-03-01T10:00; check "baseline --once (2024-03-01) exits 0" "$?" 0
# (The clock runs on from --now: compare to the hour.)
check "the log's times follow --now" "$(head -n 1 "$LOG" | jq -r '.ts[0:13]')" 2024-03-01T03
late=$(jq -r --arg t "$T" 'select(.event == "discrepancy.opened" and .tab == $t and
    .rule == "activity.missing") | [.row, .key] | @tsv' "$LOG" | head -n 1)
lrow=$(printf '%s' "$late" | cut -f1); lkey=$(printf '%s' "$late" | cut -f2)
done_=$(jq -r --arg t "$T" 'select(.event == "record.complete" and .tab == $t) |
    [.row, .key] | @tsv' "$LOG" | head -n 1)
erow=$(printf '%s' "$done_" | cut -f1); ekey=$(printf '%s' "$done_" | cut -f2)
[ -n "$lkey" ] && [ -n "$ekey" ] && ok "households: late $lkey, edited $ekey" || bad "households found"
n=$(jq -r --arg t "$T" 'select(.event == "record.complete" and .tab == $t) | .key' "$LOG" | wc -l)
[ "$n" -ge 17 ] && ok "record.complete on the baseline for $T's complete households ($n)" ||
    bad "record.complete on the baseline ($n)"

# 2024-03-25: the whole activity typed, dated before the deadline.
fake_get "_fake/spreadsheets/$ID" | jq --arg t "$T" --argjson r "$lrow" '
    (.sheets[] | select(.properties.title == $t) | .values[$r - 1]) |=
    (. + [range(length; 17) | ""] | .[11] = "อบรมอาชีพเสริม" | .[12] = "อบรมและฝึกปฏิบัติ" |
     .[13] = "15/03/2567" | .[14] = "ศาลาประชาคม" | .[15] = "พัฒนาชุมชนอำเภอ" |
     .[16] = "มีรายได้เพิ่ม")' > "$work/late.json"
fake_put_workbook "$work/late.json"
once 2024-03-25T09:00; check "--once on 2024-03-25 exits 0" "$?" 0
check "record.complete for the late household, dated 2024-03-25" \
    "$(jq -r --arg k "$lkey" 'select(.event == "record.complete" and .key == $k) | [.ts[0:13], .date] | @tsv' "$LOG")" \
    "$(printf '2024-03-25T02\t15/03/2567')"
# 2024-03-26: a complete household's activity date edited.
fake_get "_fake/spreadsheets/$ID" | jq --arg t "$T" --argjson r "$erow" '
    (.sheets[] | select(.properties.title == $t) | .values[$r - 1][13]) = "18/03/2567"' > "$work/edit.json"
fake_put_workbook "$work/edit.json"
once 2024-03-26T11:30; check "--once on 2024-03-26 exits 0" "$?" 0
want_dev=$("$SYNCD" check -c "$CONF" --workbook "$work/edit.json" --today 2024-03-26 --format json |
    jq --arg t "$T" '.summary[] | select(.district == $t) | .developed')

"$SYNCD" audit report "$LOG" -c "$CONF" --html "$work/report.html" 2> "$work/err"
check "report exits 0" "$?" 0
H=$work/report.html
grep -q '<html lang="th">' "$H" && ok "page is Thai" || bad "page is Thai"
grep -q '@page { size: A4' "$H" && ok "print CSS for A4" || bad "print CSS for A4"
check "self-contained: nothing fetched" "$(grep -ciE '<script|<link|src=|@import|url\(|https?://' "$H")" 0

# A real browser: PNG and PDF.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
chromium_run() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
	    --user-data-dir="$work/chromium" "$@" >> "$work/chromium.log" 2>&1
}
if [ -z "$CHROMIUM" ] || ! chromium_run --dump-dom "file://$H" || ! command -v pdftotext >/dev/null; then
	echo "SKIP: the Chromium rendering: chromium or pdftotext cannot run here ($(tail -n 3 "$work/chromium.log" 2>/dev/null | tr '\n' ' '))"
else
	chromium_run --print-to-pdf="$work/report.pdf" --no-pdf-header-footer "file://$H"
	check "chromium wrote the PDF" "$(head -c 5 "$work/report.pdf")" "%PDF-"
	chromium_run --screenshot="$work/report.png" --window-size=794,1123 "file://$H"
	check "chromium wrote the PNG" "$(head -c 4 "$work/report.png" | tail -c 3)" PNG
	pdftotext -layout "$work/report.pdf" "$work/report.txt"
	# บางคล้า's section: from its heading to the next district's.
	# (Each district starts a page: a form feed before its heading.)
	tr -d '\f' < "$work/report.txt" | awk -v h="อำเภอ$T" '
	    index($0, h) == 1 { on = 1; print; next } on && /^อำเภอ/ { exit } on' |
	    tr -s ' ' > "$work/bk.txt"
	grep -q "ผ่าน: ครบถ้วน" "$work/report.txt" && ok "PDF: the verdict" || bad "PDF: the verdict"
	grep -q "ครัวเรือนที่ได้รับการพัฒนา $want_dev ครัวเรือน" "$work/bk.txt" &&
	    ok "PDF: $T developed $want_dev (as syncd check counts)" ||
	    bad "PDF: $T developed $want_dev: $(head -n 5 "$work/bk.txt")"
	grep -q "^บันทึกหลังกำหนด 1 ครัวเรือน" "$work/bk.txt" && ok "PDF: one entered late" ||
	    bad "PDF: one entered late: $(grep บันทึกหลังกำหนด "$work/bk.txt")"
	grep -q "แก้ไขวันที่ดำเนินการหลังกำหนด 1 ครั้ง" "$work/bk.txt" && ok "PDF: one date edited after the deadline" ||
	    bad "PDF: one date edited after the deadline: $(cat "$work/bk.txt" | head -n 12)"
	grep "$lkey" "$work/bk.txt" | grep -q "บันทึกหลังกำหนด" && ok "PDF: the late household is named" ||
	    bad "PDF: the late household is named: $(grep "$lkey" "$work/bk.txt")"
	grep "$lkey" "$work/bk.txt" | grep -q "2024-03-25 09:" && ok "PDF: first seen complete on 2024-03-25 at 09:xx" ||
	    bad "PDF: first seen complete time: $(grep "$lkey" "$work/bk.txt")"
fi

# A broken chain: the page is written and says so; 65.
mid=$(($(wc -l < "$LOG") / 2))
sed "${mid}s/\"seq\":/\"x\":1,\"seq\":/" "$LOG" > "$work/broken.jsonl"
"$SYNCD" audit report "$work/broken.jsonl" -c "$CONF" --html "$work/broken.html" 2> "$work/err"
check "broken chain: exit 65" "$?" 65
grep -q "ไม่ผ่าน: .*line $((mid + 1))" "$work/broken.html" && ok "broken chain: on the page, with the line" ||
    bad "broken chain on the page"
# A page that cannot be written: 73, naming it.
"$SYNCD" audit report "$LOG" --html "$work/no/such/dir/r.html" 2> "$work/err"
check "unwritable page: exit 73" "$?" 73
grep -q "$work/no/such/dir/r.html" "$work/err" && ok "unwritable page named" || bad "unwritable page named: $(cat "$work/err")"
"$SYNCD" audit report "$LOG" > /dev/null 2>&1; check "no --html: 64" "$?" 64
"$SYNCD" audit report "$work/none.jsonl" --html "$work/x.html" > /dev/null 2>&1; check "missing log: 66" "$?" 66

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "t_audit_report: all passed"
