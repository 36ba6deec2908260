#!/bin/sh
# t_rollup: the national rollup over 12 generated provinces on the emulator.
# Each province's summary tab is written by its own `syncd --once`; then the
# rollup (a configuration with a `rollup` group):
#   - the national summary has a row per province equal to the province's own
#     total (checked against `syncd check` of its workbook), and the total
#     row รวมทั้งประเทศ equals their sum;
#   - the district tab lists every district of every province;
#   - a province not shared (403) is listed in the unreadable tab with the
#     reason in Thai, and the others are still summed;
#   - source.changed is in the rollup's own audit log, which verifies;
#   - an idle cycle sends one request (the changes feed; the token aside);
#   - after one province's edit, only that source is read again;
#   - district tabs are never read by the rollup;
#   - as a daemon: READY=1, STATUS=, WATCHDOG=1, STOPPING=1 and exit 0.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_rollup
N=12
i=1
wbs=""
while [ $i -le $N ]; do
	"$BUILD/tools/genwb" --households 120 --tabs 3 --seed $i --spreadsheet-id "prov-$i" \
	    --today 2024-02-01 -o "$work/p$i.json" || { echo "genwb failed"; exit 1; }
	wbs="$wbs $work/p$i.json"
	i=$((i + 1))
done
national_wb "$work/national.json"
jq '.spreadsheetId = "prov-403"' "$work/p1.json" > "$work/p403.json"
# shellcheck disable=SC2086
fake_start $wbs "$work/p403.json" "$work/national.json" || { echo "cannot start fakesheets"; exit 1; }
jq '._fake = {"forbidden": true}' "$work/p403.json" > "$work/p403f.json"
fake_put_workbook "$work/p403f.json"

# Each province: its own state, its own --once.
provinces_once $N

# The rollup's configuration.
mkdir -p "$work/r"
{
	fake_conf national "$work/r"
	echo 'rollup = { sources = ('
	i=1
	while [ $i -le $N ]; do
		echo "  { spreadsheet_id = \"prov-$i\"; province = \"จังหวัด$i\"; },"
		i=$((i + 1))
	done
	echo '  { spreadsheet_id = "prov-403"; province = "จังหวัดปิด"; }'
	echo '); };'
} > "$work/rollup.conf"
"$BUILD/syncd" -t -c "$work/rollup.conf" >/dev/null 2>&1 && ok "the rollup configuration is valid" ||
	bad "the rollup configuration is valid: $("$BUILD/syncd" -t -c "$work/rollup.conf" 2>&1)"

fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r1.err"
check "cold rollup exits 0" "$?" 0
tab() { fake_get "_fake/spreadsheets/national" | jq -c --arg t "$1" '.sheets[] | select(.properties.title == $t) | .values'; }
tab สรุปข้อมูล > "$work/sum.json"
tab ทุกอำเภอ > "$work/dist.json"
tab จังหวัดที่อ่านไม่ได้ > "$work/bad.json"
paths=$(fake_requests | jq -r '[.[] | .path | select(startswith("/v4/spreadsheets/prov-"))] | unique | .[]')
if echo "$paths" | grep -v 'values:batchGet$' | grep -q .; then bad "the rollup read only summaries: $paths"; else ok "the rollup read only values:batchGet of the provinces"; fi
fake_requests | jq -r '.[] | select(.path | endswith("values:batchGet")) | .query' | grep -v "ranges=%27%E0%B8%AA%E0%B8%A3%E0%B8%B8%E0%B8%9B" | grep -q . &&
	bad "a district tab was read" || ok "no district tab was read"

# Each province's national row = its own total row = syncd check of its workbook.
i=1
while [ $i -le $N ]; do
	want=$("$BUILD/syncd" check -c "$work/p$i.conf" --workbook "$work/p$i.json" --today 2024-02-01 \
	    --format json | jq -c '.summary[-1] | [.households, .developable, .welfare, .self_reliant, .other,
	    .unclassified, .developed, .errors, .warnings]')
	got=$(jq -c --arg p "จังหวัด$i" '.[] | select(.[0] == $p) | [.[1], .[2], .[3], .[4], .[5], .[6], .[7], .[9], .[10]]' "$work/sum.json")
	check "จังหวัด$i's row is its syncd check total" "$got" "$want"
	i=$((i + 1))
done
sum=$(jq -c '[.[1:13][] | .[1:11]] | transpose | map(add)' "$work/sum.json")
tot=$(jq -c '.[] | select(.[0] == "รวมทั้งประเทศ") | .[1:11]' "$work/sum.json")
check "รวมทั้งประเทศ sums the provinces (ร้อยละ recomputed)" \
    "$(echo "$tot" | jq -c 'del(.[7])')" "$(echo "$sum" | jq -c 'del(.[7])')"
check "ร้อยละ from the sums" "$(echo "$tot" | jq '.[7]')" \
    "$(echo "$tot" | jq 'if .[1] > 0 then ((.[6] * 10000 / .[1]) | round) / 100 else 0 end')"
jq -e '.[1:13] | all(.[11] != "" and (.[12] | test("^[0-9]+:[0-9a-f]{64}$")))' "$work/sum.json" >/dev/null &&
	ok "each province's last update and audit head" || bad "each province's last update and audit head: $(jq -c '.[1]' "$work/sum.json")"
check "the closed province has a row" "$(jq -r '.[13][0]' "$work/sum.json")" "จังหวัดปิด"
want=$(i=1; while [ $i -le $N ]; do jq '[.sheets[] | select(.properties.title != "สรุปข้อมูล" and .properties.title != "ตรวจสอบข้อมูล")] | length' "$work/p$i.json"; i=$((i + 1)); done | paste -sd+ | bc)
check "every district of every province" "$(jq 'length - 1' "$work/dist.json")" "$want"
check "unreadable: the 403 province" "$(jq -c '[.[1:][] | .[0]]' "$work/bad.json")" '["จังหวัดปิด"]'
jq -r '.[1][2]' "$work/bad.json" | grep -q 'ไม่ได้แชร์' && ok "its reason in Thai: $(jq -r '.[1][2]' "$work/bad.json")" ||
	bad "its reason in Thai: $(jq -c '.[1]' "$work/bad.json")"
jq -r '.[1][3]' "$work/bad.json" | grep -q 'แชร์สเปรดชีตให้ .*@' && ok "what to do" || bad "what to do: $(jq -c '.[1]' "$work/bad.json")"
check "source.changed for each readable province" \
    "$(jq -r 'select(.event == "source.changed") | .province' "$work/r/audit.jsonl" | wc -l)" "$N"
"$BUILD/syncd" audit verify "$work/r/audit.jsonl" >/dev/null 2>&1 && ok "the rollup's audit log verifies" ||
	bad "the rollup's audit log verifies"

# Idle: one request (the changes feed), no audit line.
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>/dev/null	# sees its own write
lines=$(wc -l < "$work/r/audit.jsonl")
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r3.err"
check "idle cycle: one request" "$(fake_requests | jq -c '[.[] | select(.path != "/token") | .path]')" \
    '["/drive/v3/changes"]'
check "idle cycle: no audit line" "$(wc -l < "$work/r/audit.jsonl")" "$lines"

# One province edited: only it is read again; its row moves; source.changed.
jq '.sheets[0].values |= .[:-3]' "$work/p5.json" > "$work/p5e.json"
fake_put_workbook "$work/p5e.json"
"$BUILD/syncd" --once -c "$work/p5.conf" --today 2024-02-01 2>>"$work/prov.err"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r4.err"
check "after an edit: only that source read" \
    "$(fake_requests | jq -c '[.[] | .path | select(startswith("/v4/spreadsheets/prov-"))]')" \
    '["/v4/spreadsheets/prov-5/values:batchGet"]'
check "source.changed for it" "$(jq -r 'select(.event == "source.changed") | .province' "$work/r/audit.jsonl" | tail -n 1)" "จังหวัด5"
want=$("$BUILD/syncd" check -c "$work/p5.conf" --workbook "$work/p5e.json" --today 2024-02-01 \
    --format json | jq '.summary[-1].households')
check "its national row moved" "$(tab สรุปข้อมูล | jq '.[] | select(.[0] == "จังหวัด5") | .[1]')" "$want"

# A saved entry of another shape (rollup.json edited by hand): said, that
# source alone read again, the national row as before; a state that is not
# a JSON object: refused as an unreadable state is, exit 74, named.
row5=$(tab สรุปข้อมูล | jq -c '.[] | select(.[0] == "จังหวัด5")')
jq '.sources["prov-5"] |= del(.updated, .status) | .sources["prov-6"] = 7' "$work/r/rollup.json" \
    > "$work/rj" && mv "$work/rj" "$work/r/rollup.json"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r6.err"
check "unsound entries: the cycle exits 0" "$?" 0
grep -q "source prov-5: its saved entry is not one syncd wrote" "$work/r6.err" &&
    ok "unsound entry named" || bad "unsound entry named: $(cat "$work/r6.err")"
check "unsound entries: those sources read again" \
    "$(fake_requests | jq -c '[.[] | .path | select(startswith("/v4/spreadsheets/prov-"))] | sort')" \
    '["/v4/spreadsheets/prov-5/values:batchGet","/v4/spreadsheets/prov-6/values:batchGet"]'
check "unsound entries: the national row as before" \
    "$(tab สรุปข้อมูล | jq -c '.[] | select(.[0] == "จังหวัด5")')" "$row5"
cp "$work/r/rollup.json" "$work/rollup.keep"
echo '[1, 2]' > "$work/r/rollup.json"
"$BUILD/syncd" --once -c "$work/rollup.conf" 2>"$work/r7.err"
check "a state that is not an object: exit 74" "$?" 74
grep -q "rollup.json: not a JSON object" "$work/r7.err" && ok "the state file named" ||
    bad "the state file named: $(cat "$work/r7.err")"
cp "$work/rollup.keep" "$work/r/rollup.json"

# As a daemon under systemd's protocol: READY=1, STATUS= after a cycle,
# WATCHDOG=1, and STOPPING=1 with exit 0 on SIGTERM.
notify_listen "$work/notify.sock" "$work/notify" || bad "notify socket"
NOTIFY_SOCKET=$work/notify.sock WATCHDOG_USEC=1000000 "$BUILD/syncd" -c "$work/rollup.conf" 2>"$work/r5.err" &
spid=$!
notified() { grep -q "$1" "$work/notify" 2>/dev/null; }
wait_for 20 notified '^READY=1$' && ok "daemon: READY=1" || bad "daemon: READY=1"
wait_for 20 notified '^STATUS=rollup: idle: 0 of 13 sources read' && ok "daemon: STATUS= after an idle cycle" ||
	bad "daemon: STATUS=: $(cat "$work/notify")"
wait_for 10 notified '^WATCHDOG=1$' && ok "daemon: WATCHDOG=1" || bad "daemon: WATCHDOG=1"
kill -TERM "$spid"
wait "$spid"; rc=$?
spid=""
check "daemon: SIGTERM exits 0" "$rc" 0
notified '^STOPPING=1$' && ok "daemon: STOPPING=1" || bad "daemon: STOPPING=1"

[ "$fails" -eq 0 ] || { echo "$fails failed"; sed 's/^/  /' "$work"/r*.err; exit 1; }
echo "all passed"
