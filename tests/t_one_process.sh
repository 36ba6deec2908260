#!/bin/sh
# t_worker: the daemon runs each cycle in a worker process (syncd/worker.c).
# The process that rests between cycles never maps libcurl and keeps no
# child; the token, the tab list, the state and the audit head pass from one
# worker to the next (one token request and one tab list for many cycles,
# the audit chain verifies); a worker killed in the middle of a cycle fails
# that cycle only (api.error with step "worker", the daemon goes on, the
# next cycle reads and writes); SIGTERM during a cycle lets the worker
# finish, leaves no process behind and exits 0; SIGKILL of the daemon takes
# its worker with it.  No timing
# assertions: waits are bounded polls.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_worker
sheet_start tests/data/demo-chachoengsao.json

cycles_logged() { [ "$(grep -c 'cycle: ' "$work/stderr")" -ge "$1" ]; }
logged() { grep -q "$1" "$work/stderr"; }
count_requests() { fake_requests | jq --arg p "$1" '[.[] | select(.path | startswith($p))] | length'; }
drives_at_least() { [ "$(count_requests /drive/)" -ge "$1" ]; }
worker() { pgrep -P "$spid" | head -n 1; }
has_worker() { [ -n "$(worker)" ]; }

# RUNNER (make valgrind) wraps this daemon: its workers run under it too.
# shellcheck disable=SC2086
${RUNNER:-} "$BUILD/syncd" -c "$CONF" --today 2024-02-01 2>"$work/stderr" &
spid=$!

wait_for 15 cycles_logged 1 && ok "first cycle done" || bad "first cycle done"
logged 'worker peak [0-9.]* MB' && ok "the cycle line gives the worker's peak memory" ||
    bad "the cycle line gives the worker's peak memory"
sleep 0.5
check "the resting daemon has not mapped libcurl" \
    "$(grep -c 'libcurl' "/proc/$spid/maps" 2>/dev/null)" 0
check "no worker left between cycles" "$(worker)" ""

# Two more cycles (the one that sees its own write, then an idle one).
wait_for 20 drives_at_least 3 && ok "three cycles ran" || bad "three cycles ran"
check "one token request serves every worker" "$(count_requests /token)" 1
check "one tab list request serves every worker" \
    "$(fake_requests | jq --arg p "/v4/spreadsheets/$ID" '[.[] | select(.path == $p)] | length')" 1

# A worker killed while it waits for the Drive answer.
fake_faults '[{"delay_ms": 6000}]'
wait_for 10 has_worker && ok "a worker runs the next cycle" || bad "a worker runs the next cycle"
sleep 0.5
kill -KILL "$(worker)" 2>/dev/null
wait_for 10 logged 'cycle failed at worker: .*signal 9' && ok "the killed worker is logged" ||
    bad "the killed worker is logged: $(cat "$work/stderr")"
check "api.error step worker in the audit log" \
    "$(jq -r 'select(.event == "api.error") | .step' "$LOG" | tail -n 1)" worker
kill -0 "$spid" 2>/dev/null && ok "the daemon survives its worker" ||
    bad "the daemon survives its worker"

# The next cycle picks up an edit and writes it, though SIGTERM arrives
# while its worker waits for the Drive answer: it finishes, then exit 0.
fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
jq '.sheets[0].values |= .[:-1]' "$work/cur.json" > "$work/edit.json"
fake_put_workbook "$work/edit.json"
fake_faults '[{"delay_ms": 2000}]'
wait_for 10 has_worker && ok "a worker runs again" || bad "a worker runs again"
cpid=$(worker)
kill -TERM "$spid"
wait "$spid"; rc=$?
spid=""
check "SIGTERM during a cycle exits 0" "$rc" 0
logged 'cycle: 421 households.*wrote the summary' &&
    ok "that cycle read and wrote the edit" || bad "that cycle read and wrote the edit"
if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then bad "the worker is gone too"; else
	ok "the worker is gone too"; fi
logged 'stopping' && ok "stopping logged" || bad "stopping logged"
"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>&1
check "the audit log verifies (a killed worker, a recovery, SIGTERM)" "$?" 0

# The daemon killed with SIGKILL while its worker waits for an answer: the
# worker dies with it (no orphan goes on writing, or holds the log's lock),
# and a restart carries on.
fake_faults '[{"delay_ms": 8000}]'
"$BUILD/syncd" -c "$CONF" --today 2024-02-01 2>>"$work/stderr" &
spid=$!
wait_for 10 has_worker && ok "the restarted daemon runs a worker" ||
    bad "the restarted daemon runs a worker"
cpid=$(worker)
kill -KILL "$spid"
wait "$spid" 2>/dev/null
spid=""
gone() { ! kill -0 "$cpid" 2>/dev/null; }
[ -n "$cpid" ] && wait_for 3 gone && ok "the worker dies with the daemon" ||
    bad "the worker dies with the daemon"
"$BUILD/syncd" --once -c "$CONF" --today 2024-02-01 2>>"$work/stderr"
check "then a restart runs a cycle" "$?" 0
"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>&1
check "and the audit log verifies" "$?" 0

[ "$fails" -eq 0 ] || { echo "$fails failed"; cat "$work/stderr"; exit 1; }
echo "all passed"
sed 's/^/      stderr: /' "$work/stderr"
