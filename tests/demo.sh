#!/bin/sh
# demo: `make demo`.  The main job end to end on this machine, no Google
# account needed: generate a test PKI and a demo service-account key in a
# temporary directory, start the Sheets emulator over HTTPS with the demo
# Chachoengsao workbook, run ONE daemon cycle (syncd --once --now
# 2024-02-01T08:30, with a report group: the 08:30 LINE report goes out in
# that cycle), then show what a person would look at: the report, the
# summary and discrepancy tabs as the emulator now holds them, the API
# requests the cycle made, the day's LINE message as the emulator received
# it, and the audit log's verification (its head is the
# one written in the summary tab).  A second cycle (the one that follows
# syncd's own write) puts the notes on district cells, the filter views, the
# protections and the chart: a district tab's notes and the chart are shown
# as the emulator holds them.  Everything is removed at the end.
set -eu
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
WB=tests/data/demo-chachoengsao.json
TODAY=2024-02-01
NOW=${TODAY}T08:30
SUM=สรุปข้อมูล
DISC=ตรวจสอบข้อมูล

for b in "$BUILD/syncd" "$BUILD/fakesheets"; do
	[ -x "$b" ] || { echo "demo: $b is not built (run make first)" >&2; exit 1; }
done
for t in jq curl openssl python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "demo: $t is missing (.ci/deps)" >&2; exit 1; }
done
trap 'fake_stop' EXIT INT TERM

section() { printf '\n== %s ==\n\n' "$1"; }

# table: a JSON array of rows on stdin -> an aligned table (Thai-aware widths);
# numbers right-aligned, the column headed ร้อยละ with two decimals.
table() {
	python3 -c '
import json, sys, unicodedata
def width(s):
    n = 0
    for ch in s:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n
def text(v):
    if isinstance(v, float):
        return ("%.2f" % v) if v != int(v) else str(int(v))
    return "" if v is None else str(v)
data = json.load(sys.stdin)
pct = [i for i, h in enumerate(data[0] if data else []) if h == "ร้อยละ"]
rows = [[("%.2f" % c) if i in pct and isinstance(c, (int, float)) and not isinstance(c, bool)
         else text(c).replace("\n", " ") for i, c in enumerate(r)] for r in data]
ncol = max((len(r) for r in rows), default=0)
rows = [r + [""] * (ncol - len(r)) for r in rows]
w = [max(width(r[i]) for r in rows) for i in range(ncol)]
num = lambda s: s.replace(".", "", 1).lstrip("-").isdigit()
for r in rows:
    out = []
    for i, c in enumerate(r):
        pad = " " * (w[i] - width(c))
        out.append(pad + c if num(c) else c + pad)
    print("  ".join(out).rstrip())
'
}

section "Starting the Sheets emulator (HTTPS, test PKI and a demo key made now)"
fake_start "$WB"
ID=$(jq -r .spreadsheetId "$WB")
echo "emulator:     $FAKE_URL"
echo "spreadsheet:  $ID ($(jq -r '.properties.title' "$WB"), $(jq '.sheets | length' "$WB") district tabs)"
# The daily report to the province's LINE group, on the emulator's LINE API.
( umask 077; printf 'demo-channel-access-token\n' > "$FAKE_DIR/line-token" )
cat >> "$FAKE_DIR/syncd.conf" <<EOF
report = {
  at = "08:30";
  line_to = "C0123456789abcdef0123456789abcdef";
  line_token_file = "$FAKE_DIR/line-token";
  line_url = "$FAKE_URL";
};
EOF
echo "configuration: $FAKE_DIR/syncd.conf"
sed 's/^/    /' "$FAKE_DIR/syncd.conf"

section "One daemon cycle at 08:30: syncd --once --now $NOW"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
rc=0
"$BUILD/syncd" --once -c "$FAKE_DIR/syncd.conf" --now "$NOW" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "demo: syncd --once exited $rc" >&2
	exit 1
fi
echo
echo "API requests of that cycle:"
fake_requests | jq -r '.[] | "    \(.status)  \(.method) \(.path)"'

fake_get "_fake/spreadsheets/$ID" > "$FAKE_DIR/after.json"

section "What the district staff need to fix (syncd check --format text on the same data)"
"$BUILD/syncd" check -c "$FAKE_DIR/syncd.conf" --workbook "$FAKE_DIR/after.json" \
    --today "$TODAY" --format text || [ $? -eq 1 ]

section "The summary tab '$SUM' as the emulator now holds it"
# The grid, then the footer (after the empty row) as label: value.
jq --arg t "$SUM" '.sheets[] | select(.properties.title == $t) | .values |
    .[0:(map(length) | index(0))]' "$FAKE_DIR/after.json" | table
echo
jq -r --arg t "$SUM" '.sheets[] | select(.properties.title == $t) | .values |
    .[(map(length) | index(0)) + 1:][] | "\(.[0]): \(.[1])"' "$FAKE_DIR/after.json"

section "The discrepancy tab '$DISC' as the emulator now holds it (first 12 of $(jq --arg t "$DISC" '.sheets[] | select(.properties.title == $t) | .values | length - 1' "$FAKE_DIR/after.json") rows)"
jq --arg t "$DISC" '.sheets[] | select(.properties.title == $t) | .values[0:13] |
    map([.[0], .[1], .[2], .[4], .[5], .[6], .[7]])' "$FAKE_DIR/after.json" | table

section "The next cycle sees syncd's own write (notes, views, protections and the chart came with the first)"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
rc=0
"$BUILD/syncd" --once -c "$FAKE_DIR/syncd.conf" --now "${TODAY}T08:35" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "demo: the second syncd --once exited $rc" >&2
	exit 1
fi
echo
echo "API requests of that cycle (two reads: the tab list with the notes, the values; nothing to write):"
fake_requests | jq -r '.[] | "    \(.status)  \(.method) \(.path)"'
fake_get "_fake/spreadsheets/$ID" > "$FAKE_DIR/after2.json"
DT=$(jq -r '[.sheets[] | select(.notes != null)][0].properties.title' "$FAKE_DIR/after2.json")

section "The notes on the district tab '$DT' as the emulator holds them"
jq -r --arg t "$DT" '.sheets[] | select(.properties.title == $t) | .notes | to_entries[] |
    "\(.key):\n" + (.value | split("\n") | map("    " + .) | join("\n"))' "$FAKE_DIR/after2.json"

section "The chart on the summary tab '$SUM' as the emulator holds it"
jq --arg t "$SUM" '.sheets[] | select(.properties.title == $t) | .charts[0] |
    {chartId, title: .spec.title, type: .spec.basicChart.chartType,
     districts: (.spec.basicChart.domains[0].domain.sourceRange.sources[0] | .endRowIndex - 1),
     anchor: .position.overlayPosition.anchorCell}' "$FAKE_DIR/after2.json"
echo
echo "What it draws (ร้อยละ per district):"
jq -r --arg t "$SUM" '.sheets[] | select(.properties.title == $t) as $s | $s.charts[0].spec.basicChart as $b |
    $b.series[0].series.sourceRange.sources[0].startColumnIndex as $c |
    $s.values[1:($b.domains[0].domain.sourceRange.sources[0].endRowIndex)][] |
    "    \(.[0])\t\(.[$c])\t" + ("#" * ((.[$c] // 0) / 2 | floor))' "$FAKE_DIR/after2.json"
echo
echo "Filter views on '$DISC': $(jq -r --arg t "$DISC" '[.sheets[] | select(.properties.title == $t) | .filterViews[].title] | join(", ")' "$FAKE_DIR/after2.json")"
echo "Protected (warning only): $(jq -r '[.sheets[] | select(.protectedRanges != null) | .properties.title] | join(", ")' "$FAKE_DIR/after2.json")"

section "The audit log ($(wc -l < "$FAKE_DIR/state/audit.jsonl") lines; events by kind)"
jq -r .event "$FAKE_DIR/state/audit.jsonl" | sort | uniq -c |
    awk '{ printf "    %4d  %s\n", $1, $2 }'
head=$(jq -r --arg t "$SUM" '.sheets[] | select(.properties.title == $t) | .values[-1][1]' \
    "$FAKE_DIR/after.json")
echo
echo "syncd audit verify --head $head (the head published in the summary tab):"
"$BUILD/syncd" audit verify "$FAKE_DIR/state/audit.jsonl" --head "$head" | sed 's/^/    /'

section "The day's report as the province's LINE group received it"
fake_get _fake/line | jq -r '.pushes[] | "to \(.to), X-Line-Retry-Key \(.retry_key),\nLINE request id \(.request_id):\n", (.messages[].text | split("\n") | map("    " + .) | join("\n"))'
echo
echo "Audit events of the report:"
jq -c 'select(.event | startswith("report.")) | {seq, event, day, retry_key, sha256, request_id}
    | with_entries(select(.value != null))' "$FAKE_DIR/state/audit.jsonl" | sed 's/^/    /'

section "A reporting day: syncd --once --now 2024-02-10T08:00 (history row, snapshot tab)"
"$BUILD/syncd" --once -c "$FAKE_DIR/syncd.conf" --now 2024-02-10T08:00 || {
	echo "demo: syncd --once --now 2024-02-10T08:00 failed" >&2; exit 1; }
fake_get "_fake/spreadsheets/$ID" > "$FAKE_DIR/after.json"
echo
echo "The progress history tab 'ความก้าวหน้า' (and its chart: $(jq '[.sheets[] |
    select(.properties.title == "ความก้าวหน้า") | .charts // [] | .[]] | length' \
    "$FAKE_DIR/after.json") beside it):"
jq '.sheets[] | select(.properties.title == "ความก้าวหน้า") | .values' "$FAKE_DIR/after.json" |
    table | sed 's/^/    /'
echo
jq -r 'select(.event == "snapshot.written") | "audit: snapshot.written \(.title) sha256 \(.sha256)"' \
    "$FAKE_DIR/state/audit.jsonl"

section "The tabs of the spreadsheet now"
jq -r '.sheets[] | "    \(.properties.title)"' "$FAKE_DIR/after.json"

section "The Department's file: syncd export --xlsx (live spreadsheet, one batchGet, nothing written)"
"$BUILD/syncd" export -c "$FAKE_DIR/syncd.conf" --now 2024-02-10T08:00 --xlsx "$FAKE_DIR/department.xlsx"
echo "$FAKE_DIR/department.xlsx: $(wc -c < "$FAKE_DIR/department.xlsx") bytes; its sheets:"
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
	/usr/bin/python3 -c 'import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb:
    print("    %-24s %4d rows%s" % (ws.title, ws.max_row, ", a chart" if ws._charts else ""))' \
	    "$FAKE_DIR/department.xlsx"
else
	unzip -p "$FAKE_DIR/department.xlsx" xl/workbook.xml 2>/dev/null |
	    grep -o 'sheet name="[^"]*"' | sed 's/sheet name="/    /; s/"$//'
fi

section "Done"
echo "The emulator is stopped and its temporary directory removed."
