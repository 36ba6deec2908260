#!/bin/sh
# t_fsync: an fsync failure ends syncd rather than carrying on (fsyncgate:
# after a failed fsync the kernel may have dropped the data, and a later
# fsync may lie).  A small LD_PRELOAD shim, compiled here, makes fdatasync
# (the audit log) or fsync (the state file and its directory) fail with EIO
# after FAILSYNC_AFTER successful calls.  Checked, with --once and as a
# daemon: the exit status is 74 (EX_IOERR), the message names the failure,
# the process does not start another cycle, the sheet is not written when
# the audit log could not be synced, and a restart without the shim
# completes the cycle with a log that verifies.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_fsync

cat > "$work/failsync.c" <<'C'
/* LD_PRELOAD shim: FAILSYNC (fsync, fdatasync or both) fails with EIO
 * after FAILSYNC_AFTER successful calls. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int calls;

static int
should_fail(const char *name)
{
	const char *which = getenv("FAILSYNC");
	const char *after = getenv("FAILSYNC_AFTER");

	if (which == NULL || strstr(which, name) == NULL)
		return 0;
	return calls++ >= (after != NULL ? atoi(after) : 0);
}

int fsync(int fd);
int fdatasync(int fd);

int
fsync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

	if (should_fail("fsync")) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}

int
fdatasync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");

	if (should_fail("fdatasync")) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}
C
if ! ${CC:-cc} -shared -fPIC -o "$work/failsync.so" "$work/failsync.c" -ldl 2>"$work/cc.err"; then
	echo "cannot build the shim: $(cat "$work/cc.err")"
	exit 1
fi
SHIM=$work/failsync.so
# An ASan build must not insist on coming first in the preload list.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

TODAY=2024-02-01
sheet_start tests/data/demo-chachoengsao.json
writes() { fake_requests | jq '[.[] | select(.path | endswith(":batchUpdate"))] | length'; }
has_tab() { fake_get "_fake/spreadsheets/$ID" | jq --arg t "$1" '[.sheets[] | select(.properties.title == $t)] | length'; }
reset_requests() { fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null; }

# --- fdatasync fails at start (config.loaded): exit 74 ---
reset_requests
FAILSYNC=fdatasync FAILSYNC_AFTER=0 LD_PRELOAD=$SHIM \
    "$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>"$work/err"; rc=$?
check "--once whose first fdatasync fails exits 74" "$rc" 74
grep -q 'fdatasync' "$work/err" && ok "the message names fdatasync" ||
    bad "the message names fdatasync: $(cat "$work/err")"
# --- the cycle's write-ahead fdatasync fails: exit 74 before the sheet is written ---
FAILSYNC=fdatasync FAILSYNC_AFTER=1 LD_PRELOAD=$SHIM \
    "$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>"$work/err"; rc=$?
check "--once whose cycle fdatasync fails exits 74" "$rc" 74
grep -q '^<2>.*exiting.*fdatasync' "$work/err" && ok "logged as critical (<2>), exiting" ||
    bad "logged as critical, exiting: $(cat "$work/err")"
check "nothing written to the sheet" "$(writes)" 0
check "our summary tab does not exist" "$(has_tab "$SUM")" 0
"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/stderr"
check "a restart without the fault exits 0" "$?" 0
check "the restart wrote the sheet" "$(has_tab "$SUM")" 1
"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>&1
check "the log verifies after the restart" "$?" 0

# --- the same in daemon mode: it exits, it does not wait for the next cycle ---
fake_get "_fake/spreadsheets/$ID" | jq '.sheets[0].values[3][2] = "changed by t_fsync"' \
    > "$work/edit1.json"
fake_put_workbook "$work/edit1.json"
reset_requests
FAILSYNC=fdatasync FAILSYNC_AFTER=1 LD_PRELOAD=$SHIM \
    "$BUILD/syncd" -c "$CONF" --today "$TODAY" 2>"$work/err" &
spid=$!
n=0
while kill -0 "$spid" 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$spid" 2>/dev/null; then
	bad "the daemon carried on after a failed fdatasync"
	kill -9 "$spid"
	wait "$spid" 2>/dev/null
else
	wait "$spid"; rc=$?
	check "the daemon exits 74 after a failed fdatasync" "$rc" 74
fi
spid=""
check "the daemon wrote nothing" "$(writes)" 0
grep -q '^<2>.*exiting' "$work/err" && ok "it says it is exiting" ||
    bad "it says it is exiting: $(cat "$work/err")"

# --- the state file's fsync fails (after the write): exit, not carry on ---
lines=$(wc -l < "$LOG")
FAILSYNC=fsync FAILSYNC_AFTER=0 LD_PRELOAD=$SHIM \
    "$BUILD/syncd" -c "$CONF" --today "$TODAY" 2>"$work/err" &
spid=$!
n=0
while kill -0 "$spid" 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$spid" 2>/dev/null; then
	bad "the daemon carried on after a failed fsync of its state"
	kill -9 "$spid"
	wait "$spid" 2>/dev/null
else
	wait "$spid"; rc=$?
	check "the daemon exits 74 after a failed fsync of its state" "$rc" 74
fi
spid=""
grep -q 'fsync' "$work/err" && ok "the message names fsync" ||
    bad "the message names fsync: $(cat "$work/err")"
check "api.error at the state step" \
    "$(tail -n +"$((lines + 1))" "$LOG" | jq -r 'select(.event == "api.error") | .step' | tail -n 1)" \
    state
"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/stderr"
check "a restart without the fault exits 0" "$?" 0
"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>&1
check "the log verifies" "$?" 0
"$BUILD/syncd" --once -c "$CONF" --today "$TODAY" 2>>"$work/stderr"
check "the next cycle is idle or quiet and exits 0" "$?" 0

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
