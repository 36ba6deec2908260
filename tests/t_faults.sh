#!/bin/sh
# t_faults: `syncd --once` and the daemon against the emulator's injected
# faults (tests/fakesheets /_fake/faults), end to end.
#   - a fault on nearly every request of a changed cycle (token 503, Drive
#     500, a dropped connection, a cut answer, a stall past request_timeout,
#     a 429...), each answered well on its retry: the cycle still ends 0 and
#     the tabs equal `syncd check`;
#   - a storm of 503s past retry_budget on the read: exit 75, api.error at
#     that step in the audit log, the sheet unchanged, the state not moved on;
#     the next --once writes;
#   - the same storm on the write: exit 75, api.error at "write", nothing
#     half-written, the next --once writes;
#   - the daemon (not --once) whose first cycle runs out of budget: logs it,
#     stays up, and its next cycle writes (the loop goes on).
# Backoff sleeps are real here, so budgets are small (2 s).
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_faults
TODAY=2024-02-01
sheet_start tests/data/demo-chachoengsao.json
# The request sequences below are those without the notes read of
# annotate_districts (tests/t_notes.sh asserts the sequences with it).
printf 'annotate_districts = false;\n' >>"$CONF"
CONF=$work/syncd.conf
sed '/^poll_interval/d' "$FAKE_DIR/syncd.conf" > "$CONF"
cat >> "$CONF" <<'EOF'
poll_interval = 5;
request_timeout = 1;
retry_budget = 2;
EOF
STATE=$FAKE_DIR/state

once() {
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	# shellcheck disable=SC2086
	${RUNNER:-} "$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/stderr"
}
tab_values() {
	fake_get "_fake/spreadsheets/$ID" | jq --arg t "$1" -c \
	    '[.sheets[] | select(.properties.title == $t) | .values] | .[0] // []'
}
sheet_sum() { fake_get "_fake/spreadsheets/$ID" | jq -S -c . | md5sum; }
summary_ok() {
	fake_get "_fake/spreadsheets/$ID" > "$work/now.json"
	want=$("$BUILD/syncd" check -c "$CONF" --workbook "$work/now.json" --today "$TODAY" \
	    --format json | jq -c '[.summary[] | [.district, .households, .developable,
	    .welfare, .self_reliant, .other, .unclassified, .developed, .percent, .errors,
	    .warnings] | map(tostring)]')
	got=$(tab_values "$SUM" | jq -c '[.[1:][] | select(length > 2) | map(tostring)]')
	[ "$got" = "$want" ]
}
requests() {
	fake_requests | jq -r '[.[] | (.path |
	    if . == "/token" then "token"
	    elif startswith("/drive/") then "drive"
	    elif endswith(":batchUpdate") then "batchUpdate"
	    elif endswith("values:batchGet") then "batchGet"
	    else "get" end) + (if .status == 200 then "" else "=\(.status)" end)] | join(" ")'
}
last_error_step() { jq -r 'select(.event == "api.error") | .step' "$LOG" | tail -n 1; }
# edit N: a bad status mark in row N+1 of the first district tab: a new
# finding, so the cycle has something to write.
edit() {
	fake_get "_fake/spreadsheets/$ID" | jq --argjson r "$1" '
	    (.sheets[0].values[1] | [to_entries[] | select(.value | tostring |
	        startswith("คร. ")) | .key][0]) as $c |
	    .sheets[0].values[$r][$c] = "bad \($r)"' > "$work/edit.json"
	fake_put_workbook "$work/edit.json"
}
storm() { # storm N: N faults of 503
	python3 -c 'import json,sys; print(json.dumps([{"status": 503}] * int(sys.argv[1])))' "$1"
}

# A first good cycle: our tabs exist.
once; check "first --once exits 0" "$?" 0

# --- one fault on every request of a changed cycle: it still succeeds ---
edit 4
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
fake_faults '[{"status": 503}, {}, {"status": 500}, {}, {"drop": true}, {},
    {"truncate": true}, {}, {"delay_ms": 2500}, {}, {"status": 429}, {},
    {"status": 502}]'
sed 's/^retry_budget.*/retry_budget = 60;/' "$CONF" > "$work/budget60.conf"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
"$BUILD/syncd" --once -c "$work/budget60.conf" --today "$TODAY" 2>>"$work/stderr"; rc=$?
check "--once with a fault on every request exits 0" "$rc" 0
printf '     requests: %s\n' "$(requests)"
summary_ok && ok "the summary tab equals syncd check after the faults" ||
    bad "the summary tab equals syncd check after the faults"
left=$(fake_get _fake/faults | jq '.faults | length')
[ "$left" -le 3 ] && ok "the cycle met $((13 - left)) of the 13 queued faults" ||
    bad "the cycle met only $((13 - left)) of the 13 queued faults"

# --- a storm past retry_budget on the read: exit 75, nothing written ---
edit 5
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
before=$(sheet_sum)
cp "$STATE/state.json" "$work/state.before"
fake_faults "[{}, {}, $(storm 40 | tr -d '[]')]"
once; rc=$?
check "--once whose read outlasts the budget exits 75" "$rc" 75
case $(last_error_step) in
tabs|batchGet) ok "api.error at the read step ($(last_error_step))" ;;
*) bad "api.error at the read step: $(last_error_step)" ;;
esac
check "the sheet is unchanged" "$(sheet_sum)" "$before"
cmp -s "$STATE/state.json" "$work/state.before" && ok "the state did not move on" ||
    bad "the state did not move on"
grep -q '^<3>syncd: cycle failed at [a-zA-Z]*: .*budget' "$work/stderr" &&
    ok "the failure says the budget ran out" ||
    bad "the failure says the budget ran out: $(tail -n 1 "$work/stderr")"
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
once; check "the next --once exits 0" "$?" 0
summary_ok && ok "and writes the summary" || bad "and writes the summary"
"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>&1
check "the log verifies" "$?" 0

# --- the same storm on the write: exit 75, not half-written ---
edit 6
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
before=$(sheet_sum)
fake_get "_fake/spreadsheets/$ID" | jq -S . > "$work/before-write-storm.json"
fake_faults "[{}, {}, {}, {}, $(storm 40 | tr -d '[]')]"
once; rc=$?
check "--once whose write outlasts the budget exits 75" "$rc" 75
check "api.error at the write step" "$(last_error_step)" write
after=$(sheet_sum)
check "the sheet is unchanged (not half-written)" "$after" "$before"
if [ "$after" != "$before" ]; then
	# Say what changed, and what was asked, so a failure can be read.
	printf '     requests: %s\n' "$(requests)"
	fake_get "_fake/spreadsheets/$ID" | jq -S . | diff "$work/before-write-storm.json" - |
	    head -n 30 | sed 's/^/     /'
	tail -n 5 "$work/stderr" | sed 's/^/     stderr: /'
fi
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
once; check "the next --once exits 0" "$?" 0
summary_ok && ok "and writes the summary" || bad "and writes the summary"

# --- the daemon: a failed cycle is logged and the loop goes on ---
edit 7
fake_faults "[{}, {}, {}, {}, $(storm 40 | tr -d '[]')]"
: > "$work/daemon.err"
"$BUILD/syncd" -c "$CONF" --today "$TODAY" 2>"$work/daemon.err" &
spid=$!
n=0
until grep -q 'cycle failed' "$work/daemon.err" || [ "$n" -ge 100 ]; do
	sleep 0.1; n=$((n + 1))
done
grep -q 'cycle failed at write' "$work/daemon.err" && ok "the daemon logs the failed cycle" ||
    bad "the daemon logs the failed cycle: $(cat "$work/daemon.err")"
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
n=0
until summary_ok || [ "$n" -ge 150 ]; do sleep 0.1; n=$((n + 1)); done
summary_ok && ok "its next cycle writes the summary" || bad "its next cycle writes the summary"
kill -0 "$spid" 2>/dev/null && ok "the daemon is still running" || bad "the daemon is still running"
kill "$spid"; wait "$spid"; rc=$?; spid=""
check "SIGTERM: exit 0" "$rc" 0

if grep -q 'PRIVATE KEY\|ya29' "$work/stderr" "$work/daemon.err"; then bad "no secret in logs"; else ok "no secret in logs"; fi
[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
