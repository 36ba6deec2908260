#!/bin/sh
# t_check_vs_daemon: one parser, one engine, two ways in.  A generated
# workbook (genwb, 2,000 households over 16 district tabs) is evaluated by
# `syncd check --format json` from the file and by a `syncd --once` cycle
# that reads it from the emulator with values.batchGet (compact JSON, gzip,
# range echoes for titles); the summary and discrepancy tabs the cycle
# writes must hold the same counts and the same findings, in the same
# order, as check's report.  Then one household is edited in the emulator
# (a second status mark: status.multiple) and both agree again.
# Needs $BUILD/syncd, $BUILD/fakesheets, $BUILD/tools/genwb, jq, curl.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_check_vs_daemon
TODAY=2024-02-01
"$BUILD/tools/genwb" --households 2000 --tabs 16 --seed 4242 --today "$TODAY" \
    -o "$work/wb.json" || { echo "genwb failed"; exit 1; }
sheet_start "$work/wb.json"

tab_values() {
	fake_get "_fake/spreadsheets/$ID" | jq --arg t "$1" -c \
	    '.sheets[] | select(.properties.title == $t) | .values'
}
# check's report, and the two tabs, in the same shapes (as t_daemon.sh).
report() {
	"$BUILD/syncd" check -c "$CONF" --workbook "$1" --today "$TODAY" --format json \
	    >"$work/report.json"
	[ "$?" -le 1 ] || { bad "syncd check on $1"; return; }
}
summary_from_check() {
	jq -c '[.summary[] | [.district, .households, .developable, .welfare,
	    .self_reliant, .other, .unclassified, .developed, .percent, .errors,
	    .warnings]]' "$work/report.json"
}
summary_from_tab() {
	tab_values "$SUM" | jq -c '[.[1:][] | select(length > 2)]'
}
findings_from_check() {
	jq -c '[.discrepancies[] | [(.tab // ""), (.row // ""), (.key // ""),
	    (.column // ""), .rule, .severity, .message]]' "$work/report.json"
}
findings_from_tab() {
	# The tab's columns: tab, row, key, column, rule id, rule name, severity
	# (Thai), message, what to do, first seen.
	tab_values "$DISC" | jq -c '[.[1:][] | . + [range(length; 10) | ""] |
	    [.[0], .[1], .[2], .[3], .[4], ({"ต้องแก้ไข": "error", "ข้อสังเกต": "warning"}[.[6]] // .[6]),
	     .[7]]]'
}
# compare WHAT: the tabs against check's report of the emulator's workbook.
compare() {
	fake_get "_fake/spreadsheets/$ID" >"$work/now.json"
	report "$work/now.json"
	s=$(summary_from_check)
	check "$1: households counted" "$(jq '.summary[-1].households' "$work/report.json")" \
	    "$2"
	check "$1: summary tab = syncd check" "$(summary_from_tab)" "$s"
	f=$(findings_from_check)
	n=$(printf '%s' "$f" | jq length)
	[ "$n" -gt 100 ] && ok "$1: findings to compare ($n)" || bad "$1: findings to compare ($n)"
	check "$1: discrepancy tab = syncd check's findings" "$(findings_from_tab)" "$f"
}

# The file itself and the emulator's copy of it give the same report.
report "$WB"
cp "$work/report.json" "$work/file-report.json"
fake_get "_fake/spreadsheets/$ID" >"$work/served.json"
report "$work/served.json"
check "check: the served workbook reads as the file" \
    "$(jq -c . "$work/report.json" | md5sum)" "$(jq -c . "$work/file-report.json" | md5sum)"

"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>"$work/err"
check "first --once exits 0" "$?" 0
compare "first cycle" 2000

# One household gets a second status mark: status.multiple, and both agree.
# (Edited from what the emulator holds now, with the cycle's own tabs.)
fake_get "_fake/spreadsheets/$ID" >"$work/served.json"
jq '.sheets[0].values[2] as $r | .sheets[0].values[1] as $h |
    ($h | [to_entries[] | select(.value | tostring | startswith("คร. ")) | .key]) as $c |
    .sheets[0].values[2][$c[0]] = 1 | .sheets[0].values[2][$c[1]] = 1' \
    "$work/served.json" >"$work/edit.json"
fake_put_workbook "$work/edit.json"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/err"
check "--once after the edit exits 0" "$?" 0
compare "after the edit" 2000
check "after the edit: row 3 of the first tab is status.multiple" \
    "$(jq -r --arg t "$(jq -r '.sheets[0].properties.title' "$WB")" \
    '[.discrepancies[] | select(.tab == $t and .row == 3 and .rule == "status.multiple")] |
    length' "$work/report.json")" 1
reqs_after_edit=$(fake_requests | jq -c "[.[] | .path]")
check "after the edit: one batchGet, one write" \
    "$(fake_requests | jq -r '[.[] | .path | select(contains("/values:batchGet") or
    endswith(":batchUpdate"))] | length')" 2

if [ "$fails" -gt 0 ]; then
	echo "t_check_vs_daemon: $fails failed"
	sed "s/^/  stderr: /" "$work/err" | tail -n 5
	echo "  requests after the edit: $reqs_after_edit"
	exit 1
fi
echo "t_check_vs_daemon: all passed"
