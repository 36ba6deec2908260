#!/bin/sh
# t_audit_ops: what operators do to a running syncd's files (issue 12, items
# 1-5), each against the real daemon on the emulator:
#   - a second syncd on the same state directory, after the audit log was
#     moved away, is refused (exit 69) naming the first one's PID;
#   - SIGHUPs with an unchanged configuration append no config.loaded; a
#     changed one appends one, with the file's SHA-256;
#   - a damaged or deleted cells.dat gives one recovery event and a new
#     baseline, not a failed cycle nor a flood of cell.changed;
#   - the audit log truncated (logrotate's copytruncate), moved or deleted
#     behind the daemon's back starts a new segment whose first line is a
#     recovery event naming the last head; `syncd audit rotate` and
#     audit_rotate_bytes rotate it, and `syncd audit verify` follows the chain
#     across the files.
# No timing assertions: waits are bounded polls.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_audit_ops
sheet_start tests/data/demo-chachoengsao.json
STATE=$FAKE_DIR/state

logged() { grep -q "$1" "$work/stderr"; }
events() { jq -r '.event' "$@" 2>/dev/null; }
count() { jq -r --arg e "$1" 'select(.event == $e) | .event' "$LOG" | wc -l | tr -d ' '; }
cycles() { count cycle; }
start_daemon() {
	"$BUILD/syncd" -c "$CONF" --today 2024-02-01 2>>"$work/stderr" &
	spid=$!
}
# edit_cell: change one mapped cell of the first district, as an editor would.
n_edit=0
edit_cell() {
	n_edit=$((n_edit + 1))
	fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
	jq --arg v "edited $n_edit" '.sheets[0].values[3][2] = $v' "$work/cur.json" > "$work/edit.json"
	fake_put_workbook "$work/edit.json"
}
cycles_past() { [ "$(cycles)" -gt "$1" ]; }

: > "$work/stderr"
start_daemon
wait_for 20 cycles_past 0 && ok "first cycle" || bad "first cycle: $(cat "$work/stderr")"

# ---- item 3: one syncd per state directory, whatever became of the log.
mv "$LOG" "$work/moved.jsonl"
timeout 20 "$BUILD/syncd" -c "$CONF" --today 2024-02-01 2>"$work/second.err"
rc=$?
check "a second daemon after mv audit.jsonl is refused with 69" "$rc" 69
grep -q "PID $spid" "$work/second.err" && ok "the refusal names the holder's PID" ||
    bad "the refusal names the holder's PID: $(cat "$work/second.err")"
"$BUILD/syncd" -c "$CONF" --once --today 2024-02-01 2>"$work/second.err"
check "a --once run beside the daemon is refused with 69" "$?" 69
[ -f "$STATE/syncd.lock" ] && ok "the lock is STATE_DIR/syncd.lock" || bad "no STATE_DIR/syncd.lock"
mv "$work/moved.jsonl" "$LOG"

# ---- item 5: SIGHUP with the same bytes is no event; a change is one.
loaded0=$(count config.loaded)
reloads() { [ "$(grep -c 'reloaded' "$work/stderr")" -ge "$1" ]; }
# Each SIGHUP waited for: signals sent together merge into fewer reloads,
# and one still pending would read the changed file below.
for i in 1 2 3 4 5 6; do
	n=$(grep -c 'reloaded' "$work/stderr")
	kill -HUP "$spid"
	wait_for 20 reloads $((n + 1)) || bad "no reload logged after SIGHUP $i"
done
check "SIGHUPs on an unchanged configuration append no config.loaded" "$(count config.loaded)" "$loaded0"
printf 'full_read_every = 3;\n' >> "$CONF"
n=$(grep -c 'reloaded' "$work/stderr")
kill -HUP "$spid"
wait_for 20 reloads $((n + 1)) || bad "no reload logged after the change"
check "a changed configuration appends one config.loaded" "$(count config.loaded)" $((loaded0 + 1))
check "config.loaded holds the new file's SHA-256" \
    "$(jq -r 'select(.event == "config.loaded") | .sha256' "$LOG" | tail -n 1)" \
    "$(sha256sum < "$CONF" | cut -d' ' -f1)"
kill -TERM "$spid"; wait "$spid"; spid=""

# ---- item 4: cells.dat is a cache; damaged or deleted, a new baseline.
once() { "$BUILD/syncd" -c "$CONF" --once --today 2024-02-01 2>>"$work/stderr"; }
since() { tail -n +"$(($1 + 1))" "$LOG"; }
for how in garbage truncated deleted; do
	case $how in
	garbage) printf 'garbage\n' > "$STATE/cells.dat" ;;
	truncated) truncate -s 3000 "$STATE/cells.dat" ;;
	deleted) rm -f "$STATE/cells.dat" ;;
	esac
	edit_cell
	n0=$(wc -l < "$LOG")
	once
	check "cells.dat $how: the cycle succeeds" "$?" 0
	check "cells.dat $how: one recovery event" \
	    "$(since "$n0" | jq -r 'select(.event == "recovery") | .reason')" \
	    "cells.dat $([ $how = deleted ] && echo missing || echo damaged)"
	check "cells.dat $how: no cell.changed flood" \
	    "$(since "$n0" | jq -r 'select(.event == "cell.changed") | .event' | wc -l | tr -d ' ')" 0
	check "cells.dat $how: no failed step" \
	    "$(since "$n0" | jq -r 'select(.event == "api.error") | .step')" ""
done
edit_cell
n0=$(wc -l < "$LOG")
once
check "after the baseline, an edit is one cell.changed" \
    "$(since "$n0" | jq -r 'select(.event == "cell.changed") | .new')" "edited $n_edit"

# ---- items 1 and 2: the audit log under the running daemon's feet.
first() { head -n 1 "$LOG" | jq -r ".$1" 2>/dev/null; }
head_of() { "$BUILD/syncd" audit verify "$@" 2>/dev/null | sed -n 's/^ok: .* head //p'; }
footer_head() {
	fake_get "_fake/spreadsheets/$ID" | jq -r --arg t "$SUM" \
	    '.sheets[] | select(.properties.title == $t) | .values[-1][1]'
}
# The head the sheet shows is in the chain (write-ahead across segments).
footer_in() { "$BUILD/syncd" audit verify "$@" --head "$(footer_head)" >/dev/null 2>&1; }
first_is() { [ "$(first event)" = "$1" ] && [ "$(first reason)" = "$2" ]; }
# Its own "started" (the first daemon's and the --once runs' are there
# too): the log is open and held against the state from then on.
started_past() { [ "$(grep -c 'syncd: started:' "$work/stderr")" -gt "$1" ]; }
n=$(grep -c 'syncd: started:' "$work/stderr")
start_daemon
wait_for 20 started_past "$n" || bad "daemon restarted"

# logrotate's copytruncate: a copy, the file emptied in place, then an edit.
cp "$LOG" "$work/copy.jsonl"
: > "$LOG"
edit_cell
wait_for 30 first_is recovery "log truncated" && ok "copytruncate: a new segment, first event recovery" ||
    bad "copytruncate: first line $(head -n 1 "$LOG")"
check "copytruncate: the recovery names the last head" "$(first last_head)" "$(head_of "$work/copy.jsonl")"
cycle_after_edit() { [ "$(jq -r 'select(.event == "cycle") | .event' "$LOG" | wc -l)" -ge 1 ]; }
wait_for 30 cycle_after_edit || bad "copytruncate: no cycle in the new segment"
footer_in "$work/copy.jsonl" "$LOG" && ok "copytruncate: the sheet's head is in the chain" ||
    bad "copytruncate: the sheet's head $(footer_head) is not in the chain"
kill -0 "$spid" 2>/dev/null && ok "copytruncate: the daemon runs on" || bad "copytruncate: the daemon died"
# Logged once the cycle that found it ends, after its events.
wait_for 10 logged '^<4>syncd: audit log: .*log truncated' &&
    ok "copytruncate: a warning in the journal too" || bad "copytruncate: no warning logged"
"$BUILD/syncd" audit verify "$work/copy.jsonl" "$LOG" >/dev/null
check "copytruncate: verify follows the chain from the copy into the segment" "$?" 0

# syncd audit rotate, while the daemon runs.
"$BUILD/syncd" audit rotate -c "$CONF" > "$work/rotate.out" 2>&1
check "audit rotate beside the daemon exits 0" "$?" 0
archive=$(ls "$STATE" | grep '^audit.jsonl-' | head -n 1)
[ -n "$archive" ] && ok "rotated to $archive" || bad "no audit.jsonl-* after rotate: $(cat "$work/rotate.out")"
wait_for 20 first_is audit.rotated command || bad "rotated: first line $(head -n 1 "$LOG")"
check "the new file names the old one" "$(first previous_file)" "$archive"
wait_for 10 logged "^<6>syncd: audit log: .*command.*$archive" && ok "the rotation is logged" ||
    bad "the rotation is logged: $(tail -n 3 "$work/stderr")"
check "and its head" "$(first previous_head)" "$(head_of "$STATE/$archive")"
"$BUILD/syncd" audit verify "$work/copy.jsonl" "$STATE/$archive" "$LOG" >/dev/null
check "verify takes the files in order" "$?" 0
"$BUILD/syncd" audit verify "$work/copy.jsonl" "$LOG" >/dev/null 2>&1
check "verify refuses a file missing from the middle" "$?" 1

# The shipped logrotate snippet: logrotate renames the log (no copytruncate,
# nocreate), then its postrotate runs `syncd audit rotate`: a rotation, not
# a loss.
mv "$LOG" "$LOG-logrotate"
"$BUILD/syncd" audit rotate -c "$CONF" > "$work/rotate.out" 2>&1
check "logrotate's rename + audit rotate exits 0" "$?" 0
wait_for 20 first_is audit.rotated moved || bad "after logrotate: first line $(head -n 1 "$LOG")"
check "the new file names the renamed one" "$(first previous_file)" "audit.jsonl-logrotate"
"$BUILD/syncd" audit verify "$STATE/$archive" "$LOG-logrotate" "$LOG" >/dev/null
check "and the chain runs through it" "$?" 0

# And the real thing: logrotate -f with etc/syncd.logrotate (paths to this test's).
LR=$(command -v logrotate || echo /usr/sbin/logrotate)
if [ -x "$LR" ]; then
	case $BUILD in /*) bin=$BUILD/syncd ;; *) bin=$(pwd)/$BUILD/syncd ;; esac
	sed -e "s|/var/lib/syncd/audit.jsonl|$LOG|" -e "s|/usr/local/sbin/syncd|$bin|" \
	    -e "s|/etc/syncd/syncd.conf|$CONF|" etc/syncd.logrotate > "$work/logrotate.conf"
	"$LR" -f -s "$work/logrotate.state" "$work/logrotate.conf" > "$work/lr.out" 2>&1
	check "logrotate -f etc/syncd.logrotate exits 0" "$?" 0
	lr=$(ls "$STATE" | grep '^audit.jsonl-[0-9]*-[0-9]*$' | head -n 1)
	[ -n "$lr" ] && ok "logrotate renamed the log to $lr" || bad "logrotate: $(cat "$work/lr.out")"
	wait_for 20 first_is audit.rotated moved || bad "after logrotate: first line $(head -n 1 "$LOG")"
	check "the new file names logrotate's" "$(first previous_file)" "$lr"
	"$BUILD/syncd" audit verify "$LOG-logrotate" "$STATE/$lr" "$LOG" >/dev/null
	check "the chain runs through logrotate's file" "$?" 0
	mv "$STATE/$lr" "$STATE/$lr.keep"	# out of the way of the checks below
else
	echo "skip logrotate -f (no logrotate)"
fi

# The log deleted while the daemon runs, then an edit.
cp "$LOG" "$work/before-rm.jsonl"
rm -f "$LOG"
edit_cell
first_is() { [ "$(first event)" = "$1" ] && [ "$(first reason)" = "$2" ]; } 2>/dev/null
wait_for 30 first_is recovery "log deleted" && ok "deleted: a new segment, first event recovery" ||
    bad "deleted: first line $(head -n 1 "$LOG" 2>&1)"
check "deleted: the recovery names the last head" "$(first last_head)" "$(head_of "$work/before-rm.jsonl")"
wait_for 30 cycle_after_edit || bad "deleted: no cycle in the new segment"
lrfile=$(ls "$STATE" | grep '\.keep$' | sed "s|^|$STATE/|")
# shellcheck disable=SC2086
footer_in "$work/copy.jsonl" "$STATE/$archive" "$LOG-logrotate" $lrfile "$work/before-rm.jsonl" "$LOG" &&
    ok "deleted: the sheet's head is in the chain" || bad "deleted: the sheet's head is not in the chain"
grep 'cycle failed' "$work/stderr" > "$work/failed"
check "no cycle failed through all of it" "$(cat "$work/failed")" ""
kill -TERM "$spid"; wait "$spid"; rc=$?; spid=""
check "the daemon still stops with 0" "$rc" 0

# At start: the log missing, then shorter than the head kept in the state.
last=$(head_of "$LOG")
rm -f "$LOG"
once
check "missing at start: --once runs" "$?" 0
first_is recovery "log missing" && ok "missing at start: recovery" || bad "missing at start: $(head -n 1 "$LOG")"
check "missing at start: names the last head" "$(first last_head)" "$last"
last=$(head_of "$LOG")
head -n 1 "$LOG" > "$work/short"; cat "$work/short" > "$LOG"
once
check "shorter at start: --once runs" "$?" 0
first_is recovery "log shorter than the last head" && ok "shorter at start: recovery" ||
    bad "shorter at start: $(head -n 1 "$LOG")"
check "shorter at start: names the last head" "$(first last_head)" "$last"
ls "$STATE" | grep -q '^audit.jsonl.found-' && ok "shorter at start: the short file is kept aside" ||
    bad "shorter at start: the short file is gone"

# audit_rotate_bytes: a cycle that leaves the log past it rotates it.
printf 'audit_rotate_bytes = 1000;\n' >> "$CONF"
edit_cell
once
first_is audit.rotated size && ok "audit_rotate_bytes rotates" || bad "audit_rotate_bytes: $(head -n 1 "$LOG")"
"$BUILD/syncd" audit verify "$STATE/$(first previous_file)" "$LOG" > /dev/null 2>&1
check "the rotated file and the log verify in order" "$?" 0

exit $((fails > 0))
