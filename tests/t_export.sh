#!/bin/sh
# t_export: `syncd export --xlsx` writes the Department's file.  It is read
# back with openpyxl (/usr/bin/python3, Debian's python3-openpyxl) and its
# figures compared with `syncd check --format json` on the same data: the
# summary sheet's rows and total, one sheet per district with data as typed,
# dates as dates and each finding's cell filled, frozen heading rows, a chart,
# the discrepancy sheet.  Without --workbook it reads the live spreadsheet on
# the emulator with one values:batchGet and writes nothing.  An unwritable
# --xlsx is refused with exit 73, naming the path, and leaves no file.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
PY=/usr/bin/python3
fails=0

e2e_begin t_export
DEMO=tests/data/demo-chachoengsao.json
TODAY=2024-02-01

# compare XLSX CHECK.json WORKBOOK: the file against check's report.
compare() {
	"$PY" - "$1" "$2" "$3" <<'PY'
import json, sys, datetime, openpyxl
xlsx, rep, wbf = sys.argv[1:4]
r = json.load(open(rep))
src = json.load(open(wbf))
wb = openpyxl.load_workbook(xlsx)
fails = []
def want(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)
summ, disc = "สรุปข้อมูล", "ตรวจสอบข้อมูล"
districts = [s["district"] for s in r["summary"][:-1]]
want(wb.sheetnames == [summ] + districts + [disc], "sheets: summary, districts, discrepancies")
ws = wb[summ]
rows = list(ws.iter_rows(values_only=True))
head = rows[0]
want(head[0] == "อำเภอ" and "ร้อยละ" in head, "summary headings in Thai")
keys = {"อำเภอ": "district", "ครัวเรือนเป้าหมาย": "households", "ได้รับการพัฒนา": "developed",
        "ร้อยละ": "percent", "ต้องแก้ไข": "errors", "ข้อสังเกต": "warnings",
        "ยังไม่จำแนก": "unclassified", "พัฒนาได้": "developable"}
same = True
for i, s in enumerate(r["summary"]):
    for c, h in enumerate(head):
        k = keys.get(h)
        if k and rows[1 + i][c] != s[k]:
            same = False
            print("     row %d %s: %r != %r" % (i + 1, h, rows[1 + i][c], s[k]))
want(same, "summary figures equal check's (%d rows, total included)" % len(r["summary"]))
total = len(r["summary"])
want(ws.cell(row=total + 1, column=1).font.b, "total row in bold")
want(ws.freeze_panes == "A2", "summary heading row frozen")
want(len(ws._charts) == 1, "summary has a chart")
want(ws.column_dimensions["A"].width >= 10, "summary column A sized")
# Districts: data as typed, dates as dates, findings filled.
by = {s["properties"]["title"]: s["values"] for s in src["sheets"]}
typed = dates = 0
for d in districts:
    ws = wb[d]
    vals = by[d]
    for ri, row in enumerate(vals):
        for ci, v in enumerate(row):
            got = ws.cell(row=ri + 1, column=ci + 1).value
            if isinstance(got, datetime.datetime):
                dates += 1
                continue
            if v is None or v == "":
                ok = got is None or got == ""
            elif isinstance(v, bool):
                ok = got is v
            elif isinstance(v, (int, float)):
                ok = isinstance(got, (int, float)) and not isinstance(got, bool) and got == v
            else:
                ok = got == v
            if not ok:
                typed += 1
                if typed < 5:
                    print("     %s %d,%d: %r != %r" % (d, ri + 1, ci + 1, got, v))
    want(ws.freeze_panes == "A3", "%s: heading rows frozen" % d)
want(typed == 0, "district data as typed (%d cells differ)" % typed)
want(dates > 100, "activity dates written as dates (%d)" % dates)
marked = 0
for f in r["discrepancies"]:
    if not f.get("tab") or not f.get("row") or not f.get("column"):
        continue
    ws = wb[f["tab"]]
    # The column: heading row 2, normalised like the finding's column.
    for c in range(1, ws.max_column + 1):
        h = ws.cell(row=2, column=c).value
        if isinstance(h, str) and " ".join(h.split()) == f["column"]:
            cell = ws.cell(row=f["row"], column=c)
            if cell.fill is not None and cell.fill.fill_type == "solid":
                marked += 1
            else:
                print("     not filled: %s %s%d" % (f["tab"], cell.column_letter, f["row"]))
            break
cells = sum(1 for f in r["discrepancies"] if f.get("tab") and f.get("row") and f.get("column"))
want(marked == cells and cells > 10, "each finding's cell filled (%d of %d)" % (marked, cells))
ws = wb[disc]
drows = list(ws.iter_rows(values_only=True))
want(len(drows) == 1 + len(r["discrepancies"]), "discrepancy sheet: %d findings" % (len(drows) - 1))
want(ws.freeze_panes == "A2", "discrepancy heading row frozen")
sys.exit(1 if fails else 0)
PY
}

"$BUILD/syncd" check --workbook "$DEMO" --today "$TODAY" --format json >"$work/check.json"
[ $? -le 1 ] || bad "syncd check failed"
"$BUILD/syncd" export --workbook "$DEMO" --today "$TODAY" --xlsx "$work/out.xlsx" \
    2>"$work/err"
check "export from a workbook file exits 0" "$?" 0
if compare "$work/out.xlsx" "$work/check.json" "$DEMO"; then ok "file read back"; else
	fails=$((fails + 1)); fi
check "no temporary file left" "$(ls "$work" | grep -c tmp)" 0

# Unwritable paths: exit 73, the path named, nothing left behind.
"$BUILD/syncd" export --workbook "$DEMO" --xlsx "$work/no/such/dir/x.xlsx" 2>"$work/err"
check "missing directory: exit 73" "$?" 73
grep -q "$work/no/such/dir/x.xlsx" "$work/err" && ok "the path is named" ||
    bad "the path is not named: $(cat "$work/err")"
mkdir "$work/ro" && chmod 0500 "$work/ro"
if [ "$(id -u)" -ne 0 ]; then
	"$BUILD/syncd" export --workbook "$DEMO" --xlsx "$work/ro/x.xlsx" 2>"$work/err"
	check "read-only directory: exit 73" "$?" 73
fi
"$BUILD/syncd" export --workbook "$DEMO" 2>/dev/null
check "no --xlsx: usage" "$?" 64
"$BUILD/syncd" export --workbook "$work/missing.json" --xlsx "$work/m.xlsx" 2>/dev/null
check "missing workbook: exit 66" "$?" 66

# The live spreadsheet: the tab list and one read by sheetId, nothing written.
sheet_start "$DEMO"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
before=$(fake_get "_fake/spreadsheets/$ID" | sha256sum)
"$BUILD/syncd" export -c "$CONF" --now "${TODAY}T08:30" --xlsx "$work/live.xlsx" 2>"$work/err"
check "live export exits 0" "$?" 0
reqs=$(fake_requests | jq -r '[.[] | .method + " " + (.path | if . == "/token" then "token"
    elif endswith("values:batchGetByDataFilter") then "byfilter" elif startswith("/drive/") then "drive"
    else "other" end)] | join(",")')
check "live export: requests" "$reqs" "POST token,GET other,POST byfilter"
check "live export: nothing written" "$(fake_get "_fake/spreadsheets/$ID" | sha256sum)" "$before"
[ ! -e "$FAKE_DIR/state/audit.jsonl" ] && ok "live export: no audit log written" ||
    bad "live export wrote the audit log"
if compare "$work/live.xlsx" "$work/check.json" "$DEMO"; then ok "live file read back"; else
	fails=$((fails + 1)); fi
taken=$("$PY" -c 'import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
print([r[1] for r in ws.iter_rows(values_only=True) if r[0] == "ปรับปรุงล่าสุด"][0])' "$work/live.xlsx")
check "--now: the summary says when" "$taken" "$TODAY 08:30 (Asia/Bangkok)"
fake_stop

# 200 district tabs with long Thai titles, live: read by sheetId in one
# request (by title, values:batchGet's URL would pass its limit near 60).
wb_long_tabs "$work/wb200.json" t-export-200
sheet_start "$work/wb200.json"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" export -c "$CONF" --now "${TODAY}T08:30" --xlsx "$work/live200.xlsx" 2>"$work/err"
rc=$?; [ $rc -eq 0 ] || cat "$work/err"
check "live export of 200 long Thai tabs exits 0" "$rc" 0
check "200 tabs: the tab list and one read" "$(fake_requests | jq -r '[.[] | select(.path != "/token") |
    .path | if endswith(":batchGetByDataFilter") then "byfilter" else "other" end] | join(",")')" \
    "other,byfilter"
"$BUILD/syncd" check --workbook "$work/wb200.json" --today "$TODAY" --format json >"$work/c200.json" 2>/dev/null
got=$("$PY" -c 'import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
total = [r for r in ws.iter_rows(values_only=True) if r[0] == "รวมทั้งจังหวัด"][0]
print(len(wb.worksheets), total[1])' "$work/live200.xlsx")
check "200 tabs: every district a sheet, the province's households" "$got" \
    "202 $(jq ".summary[-1].households" "$work/c200.json" 2>/dev/null || echo '?')"
exit $((fails > 0))
