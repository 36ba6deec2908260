#!/bin/sh
# t_rollup_fallback: when the changes feed does not report files only shared
# with the service account (UNCONFIRMED of Google; the emulator hides the
# national sheet from the feed with "_fake": {"unlisted": true}), the rollup
# notices that its own write was never reported, says so, and falls back to
# one Drive files.get per source per cycle: an idle cycle is then one request
# per source, and an edited province is still the only one read again.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_rollup_fallback
wbs=""
for i in 1 2 3; do
	"$BUILD/tools/genwb" --households 60 --tabs 2 --seed $i --spreadsheet-id "prov-$i" \
	    --today 2024-02-01 -o "$work/p$i.json" || { echo "genwb failed"; exit 1; }
	wbs="$wbs $work/p$i.json"
done
national_wb "$work/national.json" '{"unlisted": true}'
# shellcheck disable=SC2086
fake_start $wbs "$work/national.json" || { echo "cannot start fakesheets"; exit 1; }
provinces_once 3
mkdir -p "$work/r"
{
	fake_conf national "$work/r"
	echo 'rollup = { sources = ( { spreadsheet_id = "prov-1"; province = "หนึ่ง"; },'
	echo '  { spreadsheet_id = "prov-2"; province = "สอง"; }, { spreadsheet_id = "prov-3"; province = "สาม"; } ); };'
} > "$work/rollup.conf"
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r1.err"; check "cold rollup" "$?" 0
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r2.err"; check "second rollup" "$?" 0
grep -q 'did not report our own write .* falling back to one files.get per source' "$work/r2.err" &&
	ok "the blind feed is noticed and said" || bad "the blind feed is noticed: $(cat "$work/r2.err")"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r3.err"
check "idle in files.get mode: one files.get per source" \
    "$(fake_requests | jq -c '[.[] | select(.path != "/token") | .path] | sort')" \
    '["/drive/v3/files/prov-1","/drive/v3/files/prov-2","/drive/v3/files/prov-3"]'
grep -q 'mode files.get' "$work/r3.err" && ok "the mode is logged" || bad "the mode is logged: $(cat "$work/r3.err")"
jq '.sheets[0].values |= .[:-2]' "$work/p2.json" > "$work/p2e.json"
fake_put_workbook "$work/p2e.json"
"$BUILD/syncd" --once -c "$work/p2.conf" --today 2024-02-01 2>>"$work/prov.err"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r4.err"
check "after an edit: only that source read" \
    "$(fake_requests | jq -c '[.[] | .path | select(startswith("/v4/spreadsheets/prov-"))]')" \
    '["/v4/spreadsheets/prov-2/values:batchGet"]'
check "source.changed for it" "$(jq -r 'select(.event == "source.changed") | .province' "$work/r/audit.jsonl" | tail -n 1)" "สอง"
[ "$fails" -eq 0 ] || { echo "$fails failed"; sed 's/^/  /' "$work"/r*.err; exit 1; }
echo "all passed"
