#!/bin/sh
# t_one_process: the daemon runs every cycle itself, in one process linked
# with libcurl, as --once does.  Its clients live from cycle to cycle: one
# token request serves many cycles, the tab list is read by changed cycles
# only, and five idle cycles
# send their Drive requests over one connection (the emulator counts them).
# SIGTERM during a cycle lets the cycle finish (it reads and writes the
# edit), then exits 0; SIGKILL during a cycle loses nothing: a restart runs
# a cycle and the audit log verifies.  No timing assertions: waits are
# bounded polls.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_one_process
sheet_start tests/data/demo-chachoengsao.json

logged() { grep -q "$1" "$work/stderr"; }
count_requests() { fake_requests | jq --arg p "$1" '[.[] | select(.path | startswith($p))] | length'; }
drives_at_least() { [ "$(count_requests /drive/)" -ge "$1" ]; }

if readelf -d "$BUILD/syncd" | grep -q 'NEEDED.*libcurl'; then
	ok "syncd is linked with libcurl"
else
	bad "syncd is linked with libcurl"
fi

# RUNNER (make valgrind) wraps this daemon.
# shellcheck disable=SC2086
${RUNNER:-} "$BUILD/syncd" -c "$CONF" --today 2024-02-01 2>"$work/stderr" &
spid=$!

# The first cycle writes, the second sees its own write; then five idle ones.
wait_for 30 drives_at_least 2 && ok "two cycles ran" || bad "two cycles ran"
n0=$(count_requests /drive/)
fake_curl -X DELETE "$FAKE_URL/_fake/connections" >/dev/null
wait_for 60 drives_at_least $((n0 + 5)) && ok "five idle cycles ran" || bad "five idle cycles ran"
check "five idle cycles use one connection" "$(fake_connections)" 1
check "one token request serves every cycle" "$(count_requests /token)" 1
# The tab list is read by each changed cycle (each one reads the tabs once),
# never by an idle one; annotating (the default), it brings the notes too:
# two Sheets reads per changed cycle, no third.
check "a tab list request per changed cycle, none when idle" \
    "$(fake_requests | jq --arg p "/v4/spreadsheets/$ID" '[.[] | select(.path == $p)] | length')" \
    "$(fake_requests | jq '[.[] | select(.path | endswith("values:batchGetByDataFilter"))] | length')"
check "two Sheets reads per changed cycle, the notes with the tab list" \
    "$(fake_requests | jq '[.[] | select((.path | startswith("/v4/")) and
        (.path | endswith(":batchUpdate") | not))] | length')" \
    "$(fake_requests | jq '2 * ([.[] | select(.path | endswith("values:batchGetByDataFilter"))] | length)')"
check "no child process" "$(pgrep -P "$spid" | wc -l)" 0

# The next cycle picks up an edit and writes it, though SIGTERM arrives
# while it waits for the Drive answer: it finishes, then exit 0.
fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
jq '.sheets[0].values |= .[:-1]' "$work/cur.json" > "$work/edit.json"
fake_put_workbook "$work/edit.json"
fake_faults '[{"delay_ms": 2000}]'
n=$(count_requests /drive/)
wait_for 10 drives_at_least $((n + 1)) && ok "a cycle asks Drive" || bad "a cycle asks Drive"
kill -TERM "$spid"
wait "$spid"; rc=$?
spid=""
check "SIGTERM during a cycle exits 0" "$rc" 0
logged 'cycle: 421 households.*wrote the summary' &&
    ok "that cycle read and wrote the edit" || bad "that cycle read and wrote the edit"
logged 'stopping' && ok "stopping logged" || bad "stopping logged"
"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>&1
check "the audit log verifies" "$?" 0

# SIGKILL while a cycle waits for the Drive answer (a new process asks for
# a token first: its fault is a zero delay): a restart carries on.
fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
jq '.sheets[0].values |= .[:-1]' "$work/cur.json" > "$work/edit.json"
fake_put_workbook "$work/edit.json"
fake_faults '[{"delay_ms": 0}, {"delay_ms": 8000}]'
n=$(count_requests /drive/)
"$BUILD/syncd" -c "$CONF" --today 2024-02-01 2>>"$work/stderr" &
spid=$!
wait_for 10 drives_at_least $((n + 1)) && ok "the restarted daemon asks Drive" ||
    bad "the restarted daemon asks Drive"
kill -KILL "$spid"
wait "$spid" 2>/dev/null
spid=""
"$BUILD/syncd" --once -c "$CONF" --today 2024-02-01 2>>"$work/stderr"
check "then a restart runs a cycle" "$?" 0
check "which writes the edit" "$(grep -c 'cycle: 420 households.*wrote the summary' "$work/stderr")" 1
"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>&1
check "and the audit log verifies" "$?" 0

[ "$fails" -eq 0 ] || { echo "$fails failed"; cat "$work/stderr"; exit 1; }
echo "all passed"
sed 's/^/      stderr: /' "$work/stderr"
