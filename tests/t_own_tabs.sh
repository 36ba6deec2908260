#!/bin/sh
# t_own_tabs: the daemon notices any edit of the two tabs it owns and writes
# them again, and writes nothing when they hold what it wrote.  The
# discrepancy tab is compared a slice of findings at a time with its
# first-seen column set aside until the times are known (syncd/cycle.c):
# a genwb workbook of 10,000 households (~1,500 findings: two slices) has
# edits in either slice, in the first-seen column, past the last column and
# past the last finding.  Each edit is followed by a cycle that must write
# and one that must not.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_own_tabs
"$BUILD/tools/genwb" --households 10000 --tabs 4 --seed 7 --today 2024-02-01 \
    -o "$work/wb.json" || { echo "genwb failed"; exit 1; }
sheet_start "$work/wb.json"
# The request sequences below are those without the notes read of
# annotate_districts (tests/t_notes.sh asserts the sequences with it).
printf 'annotate_districts = false;\n' >>"$CONF"
TOK=$(fake_token)

# once: one --once cycle; prints its requests, one word each.
once() {
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	"$BUILD/syncd" --once -c "$CONF" --today 2024-02-01 2>>"$work/stderr" ||
	    echo "syncd --once exited $?" >>"$work/failed"
	fake_requests | jq -r '[.[] | .path | if . == "/token" then empty
	    elif startswith("/drive/") then "drive"
	    elif endswith(":batchUpdate") then "batchUpdate"
	    elif contains("/values:batchGet") then "batchGet" else "get" end] | join(" ")'
}
# edit RANGE JSON-ROWS: set values through the API (bumps the version).
edit() {
	fake_curl -X POST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
	    --data-binary "{\"valueInputOption\":\"RAW\",\"data\":[{\"range\":\"$1\",\"values\":$2}]}" \
	    "$FAKE_URL/v4/spreadsheets/$ID/values:batchUpdate" >/dev/null
}
# cell TAB A1: the emulator's value of one cell.
cell() {
	fake_get "_fake/spreadsheets/$ID" | jq -r --arg t "$1" --argjson r "$2" --argjson c "$3" \
	    '.sheets[] | select(.properties.title == $t) | .values[$r][$c] // ""'
}
# rewrites WHAT RANGE JSON: the edit is noticed and undone, then all is quiet.
rewrites() {
	edit "$2" "$3"
	check "$1: written again" "$(once)" "drive get batchGet batchUpdate"
	check "$1: then nothing to write" "$(once)" "drive get batchGet"
}

check "cold cycle writes" "$(once)" "drive get batchGet batchUpdate"
check "own write: nothing to write" "$(once)" "drive get batchGet"
n=$(fake_get "_fake/spreadsheets/$ID" | jq --arg t "$DISC" \
    '.sheets[] | select(.properties.title == $t) | .values | length')
[ "$n" -gt 1100 ] && ok "discrepancy tab has $n rows (two slices)" ||
    bad "discrepancy tab has $n rows, want more than 1100"

fs=$(cell "$DISC" 1 9)
[ -n "$fs" ] && ok "first-seen column holds [$fs]" || bad "first-seen column is empty"
rewrites "first-seen, first slice" "'$DISC'!J2" '[["2020-01-01 00:00"]]'
check "first-seen put back" "$(cell "$DISC" 1 9)" "$fs"
rewrites "first-seen, second slice" "'$DISC'!J1100" '[["2020-01-01 00:00"]]'
rewrites "first-seen emptied" "'$DISC'!J1050" '[[""]]'
rewrites "first-seen as a number" "'$DISC'!J3" '[[45000]]'
rewrites "message, second slice" "'$DISC'!H1030" '[["edited"]]'
rewrites "heading" "'$DISC'!A1" '[["edited"]]'
# put_rewrites WHAT JQ: the same, the edit made on the emulator's stored
# workbook (past the grid the API would refuse it).
put_rewrites() {
	fake_get "_fake/spreadsheets/$ID" | jq --arg t "$DISC" \
	    "(.sheets[] | select(.properties.title == \$t) | .values) |= ($2) |
	     del(.sheets[].properties.gridProperties)" >"$work/put.json"
	fake_put_workbook "$work/put.json"
	check "$1: written again" "$(once)" "drive get batchGet batchUpdate"
	check "$1: then nothing to write" "$(once)" "drive get batchGet"
}
put_rewrites "a cell past the last column" '.[1199] += ["", "x"]'
put_rewrites "a row past the last finding" '. + [[], ["x"]]'
put_rewrites "a row far past the last finding" '. + [range(2500) | []] + [["", "", "x"]]'
rewrites "summary count" "'$SUM'!B3" '[[1]]'
# The same text typed back is no edit.
edit "'$DISC'!J2" "[[\"$fs\"]]"
check "first-seen typed back: nothing to write" "$(once)" "drive get batchGet"
if [ -s "$work/failed" ]; then
	bad "$(head -n 1 "$work/failed"): $(grep -v '^<6>' "$work/stderr" | head -n 3)"
else
	ok "every cycle exited 0"
fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
