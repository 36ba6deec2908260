#!/bin/sh
# t_rollup_reload: the rollup daemon re-reads its configuration on SIGHUP, as
# a province's does:
#   - a source added: the next cycle (at once) reads only it, and the
#     national sheet has its row and sums it;
#   - a bad file, one without a rollup group, or one that moves state_dir:
#     said, the running configuration kept, the daemon goes on;
#   - a source removed: its row leaves the national sheet and the total;
#   - SIGTERM still ends it with 0.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_rollup_reload
i=1
wbs=""
while [ $i -le 3 ]; do
	"$BUILD/tools/genwb" --households $((40 * i)) --tabs 2 --seed $i --spreadsheet-id "prov-$i" \
	    --today 2024-02-01 -o "$work/p$i.json" || { echo "genwb failed"; exit 1; }
	wbs="$wbs $work/p$i.json"
	i=$((i + 1))
done
national_wb "$work/national.json"
# shellcheck disable=SC2086
fake_start $wbs "$work/national.json" || { echo "cannot start fakesheets"; exit 1; }
provinces_once 3

# conf STATE_DIR SOURCE...: the rollup's configuration (audit log in
# STATE_DIR), to $work/rollup.conf.
conf() {
	_dir=$1; shift
	{
		fake_conf national "$_dir"
		echo 'rollup = { sources = ('
		_sep=""
		for _p in "$@"; do
			printf '%s  { spreadsheet_id = "prov-%s"; province = "จังหวัด%s"; }' "$_sep" "$_p" "$_p"
			_sep=",
"
		done
		echo
		echo '); };'
	} > "$work/rollup.conf.new"
	mv "$work/rollup.conf.new" "$work/rollup.conf"
}
lines() { _c=$(grep -c "$1" "$work/r.err" 2>/dev/null) || :; echo "${_c:-0}"; }
# cycles N: wait for N cycle lines in all.
cycles() { [ "$(lines 'rollup: \(idle\|changed\):')" -ge "$1" ]; }
summary() {
	fake_get "_fake/spreadsheets/national" |
	    jq -c '.sheets[] | select(.properties.title == "สรุปข้อมูล") | .values'
}
# households P: the province's own total, from its summary tab.
households() {
	fake_get "_fake/spreadsheets/prov-$1" | jq '.sheets[] | select(.properties.title ==
	    "สรุปข้อมูล") | .values[] | select(.[0] == "รวมทั้งจังหวัด") | .[1]'
}
rows() { summary | jq -c '[.[1:][] | select((.[0] // "") | test("^จังหวัด[0-9]+$")) | .[0]]'; }
total() { summary | jq '.[] | select(.[0] == "รวมทั้งประเทศ") | .[1]'; }

mkdir -p "$work/r"
conf "$work/r" 1 2
"$BUILD/syncd" -c "$work/rollup.conf" 2>"$work/r.err" &
spid=$!
wait_for 30 cycles 1 || bad "the first cycle"
check "before: two provinces" "$(rows)" '["จังหวัด1","จังหวัด2"]'

# A source added: read at once, alone.
n=$(lines 'rollup: \(idle\|changed\):')
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
conf "$work/r" 1 2 3
kill -HUP "$spid"
wait_for 10 cycles $((n + 1)) || bad "a cycle after the reload"
grep -q "rollup: reloaded $work/rollup.conf: 3 sources" "$work/r.err" && ok "reloaded: 3 sources" ||
	bad "reloaded: $(tail -n 3 "$work/r.err")"
kill -0 "$spid" 2>/dev/null && ok "alive after SIGHUP" || bad "alive after SIGHUP"
check "the next cycle read the added source only" \
    "$(fake_requests | jq -c '[.[] | .path | select(startswith("/v4/spreadsheets/prov-"))]')" \
    '["/v4/spreadsheets/prov-3/values:batchGet"]'
check "after: three provinces" "$(rows)" '["จังหวัด1","จังหวัด2","จังหวัด3"]'
check "the total sums the three" "$(total)" "$(($(households 1) + $(households 2) + $(households 3)))"

# Refused reloads: the configuration in force is kept, the daemon goes on.
refusals_over() { [ "$(lines 'keeping the previous configuration')" -gt "$1" ]; }
refused() {	# refused NAME PATTERN: after SIGHUP, PATTERN logged, still alive, still 3 sources
	_n=$(lines 'keeping the previous configuration')
	kill -HUP "$spid"
	wait_for 10 refusals_over "$_n" || bad "$1: no refusal logged"
	grep 'keeping the previous configuration' "$work/r.err" | tail -n 1 | grep -q "$2" &&
		ok "$1: refused, said why" || bad "$1: $(tail -n 1 "$work/r.err")"
	_c=$(lines 'rollup: \(idle\|changed\):')
	wait_for 10 cycles $((_c + 1)) || bad "$1: a cycle after the refusal"
	kill -0 "$spid" 2>/dev/null && ok "$1: still running" || bad "$1: still running"
	grep 'rollup: \(idle\|changed\):' "$work/r.err" | tail -n 1 | grep -q ' of 3 sources' &&
		ok "$1: still 3 sources" || bad "$1: $(tail -n 1 "$work/r.err")"
}
echo 'rollup = { sources = ( { spreadsheet_id = ' >"$work/rollup.conf"
refused "a bad file" "rollup.conf:[0-9]*:"
fake_conf national "$work/r" >"$work/rollup.conf"
refused "no rollup group" "no rollup group"
mkdir -p "$work/r2"
conf "$work/r2" 1 2 3
refused "state_dir moved" "changing audit_log or state_dir needs a restart"

# A source removed: its row and its households leave the national sheet.
n=$(lines 'rollup: \(idle\|changed\):')
conf "$work/r" 2 3
kill -HUP "$spid"
wait_for 10 cycles $((n + 1)) || bad "a cycle after removing a source"
check "removed: two provinces left" "$(rows)" '["จังหวัด2","จังหวัด3"]'
check "removed: the total sums the two" "$(total)" "$(($(households 2) + $(households 3)))"
jq -e '.sources | has("prov-1") | not' "$work/r/rollup.json" >/dev/null &&
	ok "removed: forgotten by the state" || bad "removed: still in $(jq -c '.sources | keys' "$work/r/rollup.json")"
"$BUILD/syncd" audit verify "$work/r/audit.jsonl" >/dev/null 2>&1 && ok "the rollup's audit log verifies" ||
	bad "the rollup's audit log verifies"

kill -TERM "$spid"
wait "$spid"; rc=$?
spid=""
check "SIGTERM exits 0" "$rc" 0

[ "$fails" -eq 0 ] || { echo "$fails failed"; sed 's/^/  /' "$work/r.err"; exit 1; }
echo "all passed"
