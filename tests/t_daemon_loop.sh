#!/bin/sh
# t_daemon_loop: syncd running as a daemon (poll_interval 5) against the
# emulator, with $NOTIFY_SOCKET on a socket this script listens on:
# READY=1 and STATUS= arrive, an edit of a district tab reaches the summary
# tab within a poll or two, idle cycles send only the Drive request, SIGHUP
# with a broken configuration is logged (file:line) and the daemon keeps
# running, SIGHUP with a good one reloads, SIGTERM sends STOPPING=1 and
# exits 0.  No timing assertions: waits are bounded polls.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_daemon_loop
sheet_start tests/data/demo-chachoengsao.json
cp "$FAKE_DIR/syncd.conf" "$work/syncd.conf"
mkdir "$work/metrics"
printf 'metrics_dir = "%s/metrics";\n' "$work" >> "$work/syncd.conf"
CONF=$work/syncd.conf

# The sd_notify listener: one datagram a line in $work/notify.
notify_listen "$work/notify.sock" "$work/notify" || bad "the notify listener's socket"
: > "$work/notify"

tab_values() {
	fake_get "_fake/spreadsheets/$ID" | jq --arg t "$1" -c \
	    '.sheets[] | select(.properties.title == $t) | .values'
}
summary_from_tab() { tab_values "$SUM" | jq -c '[.[1:][] | select(length > 2)]'; }
summary_from_check() {
	"$BUILD/syncd" check -c "$CONF" --workbook "$1" --today 2024-02-01 --format json |
	    jq -c '[.summary[] | [.district, .households, .developable, .welfare,
	        .self_reliant, .other, .unclassified, .developed, .percent, .errors,
	        .warnings]]'
}
summary_is_current() {
	fake_get "_fake/spreadsheets/$ID" > "$work/now.json"
	[ "$(summary_from_tab)" = "$(summary_from_check "$work/now.json")" ]
}
notified() { grep -q "$1" "$work/notify"; }
# notified_after A B: a line B after the last line A.
notified_after() {
	awk -v a="$1" -v b="$2" '$0 ~ a { s = 0 } $0 ~ b { s = 1 } END { exit !s }' \
	    "$work/notify"
}
logged() { grep -q "$1" "$work/stderr"; }

# WATCHDOG_USEC=2 s: WATCHDOG=1 every second, from the loop itself.
NOTIFY_SOCKET=$work/notify.sock WATCHDOG_USEC=2000000 "$BUILD/syncd" -c "$CONF" \
    --today 2024-02-01 2>"$work/stderr" &
spid=$!

wait_for 10 notified '^READY=1$' && ok "READY=1 sent" || bad "READY=1 sent"
wait_for 10 notified '^STATUS=.*households' && ok "STATUS= sent ($(grep '^STATUS=' \
    "$work/notify" | tail -n 1))" || bad "STATUS= sent"
wait_for 10 summary_is_current && ok "first cycle wrote the summary" ||
    bad "first cycle wrote the summary"
wait_for 5 notified '^WATCHDOG=1$' && ok "WATCHDOG=1 sent" || bad "WATCHDOG=1 sent"
has_metrics() { grep -q 'households' "$work/metrics/syncd.prom" 2>/dev/null; }
wait_for 5 has_metrics && ok "metrics textfile written" || bad "metrics textfile written"
# Cycles finished: the metrics file is written once a cycle has made all
# its requests (idle cycles leave no other trace).
cycles_done() { sed -n 's/^syncd_cycles_total //p' "$work/metrics/syncd.prom"; }
cycles_past() { [ "$(cycles_done)" -gt "$1" ]; }

# Edit a district tab: drop the first tab's last household.
fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
jq '.sheets[0].values |= .[:-1]' "$work/cur.json" > "$work/edit.json"
before=$(summary_from_tab | jq -c '.[0]')
fake_put_workbook "$work/edit.json"
wait_for 15 summary_is_current && ok "the edit reached the summary within a poll or two" ||
    bad "the edit reached the summary"
after=$(summary_from_tab | jq -c '.[0]')
[ "$before" != "$after" ] && ok "first district's row changed" || bad "first district's row changed"

# Idle cycles: once the cycle that saw its own write has run (it reads once
# and writes nothing), a cycle sends the Drive request only.
own_write_seen() {
	[ "$(jq -r 'select(.event == "cycle") | .write' "$LOG" | tail -n 1)" = false ]
}
wait_for 15 own_write_seen && ok "the next cycle sees its own write and writes nothing" ||
    bad "the next cycle sees its own write and writes nothing"
# That cycle logs its event before it ends: let it end (a cycle counted
# after the sample), clear the requests, then two cycles more: the second
# starts after the clearing, the first may have begun before it.  (Fixed
# sleeps here sampled whatever cycle was in flight on a busy machine.)
wait_for 15 cycles_past "$(cycles_done)" || bad "a cycle ends after its event"
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
wait_for 20 cycles_past $(($(cycles_done) + 1)) || bad "two idle cycles end"
check "an idle cycle sends the Drive request only" \
    "$(fake_requests | jq -r '[.[] | .path | split("/")[1]] | unique | join(" ")')" "drive"

# SIGHUP with a broken configuration: logged with file:line, still running.
cp "$CONF" "$work/good.conf"
printf 'poll_interval = "soon";\n' >> "$CONF"
kill -HUP "$spid"
wait_for 10 logged 'reload: .*syncd.conf:[0-9]' && ok "bad reload logged with file:line" ||
    bad "bad reload logged: $(cat "$work/stderr")"
grep 'reload:' "$work/stderr" | head -n 1 | grep -q '^<3>' && ok "logged as an error (<3>)" ||
    bad "logged as an error (<3>)"
wait_for 5 notified '^RELOADING=1$' && ok "RELOADING=1 sent" || bad "RELOADING=1 sent"
# READY=1 again once it kept the previous configuration.
wait_for 5 notified_after '^RELOADING=1$' '^READY=1$' || bad "READY=1 after the bad reload"
kill -0 "$spid" 2>/dev/null && ok "still running after a bad reload" ||
    bad "still running after a bad reload"

# SIGHUP with a good configuration: reloaded, config.loaded in the log.
cp "$work/good.conf" "$CONF"
printf 'full_read_every = 2;\n' >> "$CONF"
kill -HUP "$spid"
wait_for 10 logged 'reloaded' && ok "good reload" || bad "good reload"
n=$(jq -r 'select(.event == "config.loaded") | .sha256' "$FAKE_DIR/state/audit.jsonl" | sort -u | wc -l)
check "config.loaded for the new configuration" "$n" 2

# SIGTERM: STOPPING=1, exit 0, the log verifies.
kill -TERM "$spid"
wait "$spid"; rc=$?
spid=""
check "SIGTERM exits 0" "$rc" 0
# Sent before the exit, but the listener may not have written it down yet.
wait_for 5 notified '^STOPPING=1$' && ok "STOPPING=1 sent" || bad "STOPPING=1 sent"
"$BUILD/syncd" audit verify "$FAKE_DIR/state/audit.jsonl" >/dev/null 2>&1
check "audit log verifies" "$?" 0
if grep -q 'PRIVATE KEY\|ya29' "$work/stderr"; then bad "no secret in logs"; else ok "no secret in logs"; fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; cat "$work/stderr"; exit 1; }
echo "all passed"
sed 's/^/      stderr: /' "$work/stderr"
