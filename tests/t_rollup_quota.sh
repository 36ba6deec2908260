#!/bin/sh
# t_rollup_quota: Google's quotas enforced by the emulator at 20 reads a
# minute (--quota reads=20,writes=20,project=300): a cold rollup of 30
# sources, with read_quota_per_minute = 20, completes with no 429: it paces
# itself over a little more than a minute and says so.  (This test lasts
# that minute: the quota is per minute.)
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_rollup_quota
"$BUILD/tools/genwb" --households 60 --tabs 2 --seed 7 --spreadsheet-id prov-0 \
    --today 2024-02-01 -o "$work/p0.json" || { echo "genwb failed"; exit 1; }
national_wb "$work/national.json"
# One province's summary written by syncd (on an emulator without quotas),
# then the same workbook as 30 provinces on one that enforces them.
fake_start "$work/p0.json" || { echo "cannot start fakesheets"; exit 1; }
"$BUILD/syncd" --once -c "$FAKE_DIR/syncd.conf" --today 2024-02-01 2>"$work/p.err" || bad "province --once"
fake_get "_fake/spreadsheets/prov-0" > "$work/done.json"
fake_stop
wbs=""
i=1
while [ $i -le 30 ]; do
	jq --arg id "prov-$i" '.spreadsheetId = $id' "$work/done.json" > "$work/q$i.json"
	wbs="$wbs $work/q$i.json"
	i=$((i + 1))
done
# shellcheck disable=SC2086
FAKE_ARGS="--quota reads=20,writes=20,project=300" fake_start $wbs "$work/national.json" ||
	{ echo "cannot start fakesheets"; exit 1; }
mkdir -p "$work/r"
{
	fake_conf national "$work/r"
	echo 'read_quota_per_minute = 20;'
	echo 'write_quota_per_minute = 20;'
	echo 'rollup = { sources = ('
	i=1
	while [ $i -le 30 ]; do
		sep=,; [ $i -eq 30 ] && sep=
		echo "  { spreadsheet_id = \"prov-$i\"; province = \"จังหวัด$i\"; }$sep"
		i=$((i + 1))
	done
	echo '); };'
} > "$work/rollup.conf"
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r.err"
check "the cold rollup of 30 sources completes" "$?" 0
check "no 429 seen" "$(fake_requests | jq '[.[] | select(.status == 429)] | length')" 0
check "30 summaries read" "$(fake_requests | jq '[.[] | select(.path | endswith("values:batchGet"))] | length')" 30
check "the national total" "$(fake_get _fake/spreadsheets/national | jq '.sheets[] | select(.properties.title == "สรุปข้อมูล") | .values[] | select(.[0] == "รวมทั้งประเทศ") | .[1]')" \
    "$(jq '.sheets[] | select(.properties.title == "สรุปข้อมูล") | .values[] | select(.[0] == "รวมทั้งจังหวัด") | .[1] * 30' "$work/done.json")"
grep -q 'reading 30 sources at 20 reads a minute: about 60 s, no 429' "$work/r.err" &&
	ok "it says how long it will take" || bad "it says how long: $(cat "$work/r.err")"
[ "$fails" -eq 0 ] || { echo "$fails failed"; cat "$work/r.err"; exit 1; }
echo "all passed"
