#!/bin/sh
# t_report_daemon: the 08:30 report to the LINE group, exactly once a day
# (issue 14), against the emulator: a daemon run across 08:30 pushes once; a
# restart at 09:00, a clock set back and the next morning before 08:30 push
# nothing; a daemon that was down at 08:30 catches up the same day only;
# SIGKILL between report.started and LINE's answer, then a restart: one push,
# the retry with the same key (LINE's 409); a 500 storm: later, one push, one
# key; a quota too small: skipped and recorded; a 401 token: failed, logged
# at error priority, in the metrics, and not retried.  Waits are bounded
# polls, never timing assertions.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
fails=0

e2e_begin t_report_daemon
sheet_start tests/data/demo-chachoengsao.json
TO=C0123456789abcdef0123456789abcdef
umask 077
printf 'test-channel-token\n' > "$work/line-token"

# mk NAME [EXTRA [REPORT_EXTRA]]: $work/NAME.conf with its own state and audit log.
mk() {
	mkdir -p "$work/$1"
	sed -e "s|^state_dir = .*|state_dir = \"$work/$1\";|" \
	    -e "s|^audit_log = .*|audit_log = \"$work/$1/audit.jsonl\";|" "$CONF" > "$work/$1.conf"
	cat >> "$work/$1.conf" <<EOF
${2:-}
report = {
  at = "08:30";
  line_to = "$TO";
  line_token_file = "$work/line-token";
  line_url = "$FAKE_URL";
  ${3:-}
};
EOF
}
line() { fake_get _fake/line; }
line_post() { fake_curl -X POST -d "$1" "$FAKE_URL/_fake/line" >/dev/null; }
line_reset() { fake_curl -X DELETE "$FAKE_URL/_fake/line" >/dev/null; }
pushes() { line | jq '.pushes | length'; }
once() {	# once NAME NOW: one cycle as of NOW; its stderr in $work/NAME.err
	"$BUILD/syncd" --once -c "$work/$1.conf" --now "$2" 2>>"$work/$1.err"
}
events() { jq -c "select(.event == \"$2\")" "$work/$1/audit.jsonl"; }

# ---- A daemon run across 08:30: exactly one push.
mk a "" "webhook_url = \"$FAKE_URL/_fake/webhook\";"
"$BUILD/syncd" -c "$work/a.conf" --now 2024-02-15T08:29:57 2>"$work/a.err" &
spid=$!
has_push() { [ "$(pushes)" -ge 1 ]; }
wait_for 40 has_push && ok "the daemon pushed after 08:30" || bad "the daemon pushed after 08:30"
# Let two more cycles run (the emulator sees their Drive requests).
n0=$(fake_requests | jq '[.[] | select(.path | test("/drive/"))] | length')
more_cycles() {
	[ "$(fake_requests | jq '[.[] | select(.path | test("/drive/"))] | length')" -ge $((n0 + 2)) ]
}
wait_for 30 more_cycles || bad "two more cycles ran"
check "one push across 08:30 and later cycles" "$(pushes)" "1"
kill -TERM "$spid"; wait "$spid"; spid=""
line > "$work/line.json"
check "pushed to the group" "$(jq -r '.pushes[0].to' "$work/line.json")" "$TO"
jq -r '.pushes[0].messages[0].text' "$work/line.json" > "$work/text"
grep -q '15 ก.พ. 2567' "$work/text" && ok "the day's message, Thai date" || bad "the day's message"
key=$(jq -r '.pushes[0].retry_key' "$work/line.json")
echo "$key" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' &&
    ok "the push carried a UUID retry key" || bad "retry key: $key"
check "report.started: the day and the key" "$(events a report.started | jq -r '.day + " " + .retry_key')" \
    "2024-02-15 $key"
sha=$(printf '%s' "$(cat "$work/text")" | sha256sum | cut -d' ' -f1)
check "report.sent: day, key, SHA-256 of the text, LINE's request id" \
    "$(events a report.sent | jq -r '.day + " " + .retry_key + " " + .sha256 + " " + .request_id')" \
    "2024-02-15 $key $sha $(jq -r '.pushes[0].request_id' "$work/line.json")"
started_seq=$(events a report.started | jq .seq)
sent_seq=$(events a report.sent | jq .seq)
[ "$started_seq" -lt "$sent_seq" ] && ok "report.started before report.sent" ||
    bad "report.started before report.sent"
grep -q 'LINE report 2024-02-15 sent' "$work/a.err" && ok "the send is logged" ||
    bad "the send is logged"
check "the webhook got the same text once" \
    "$(jq -c '[.webhooks[].text] == [.pushes[0].messages[0].text]' "$work/line.json")" "true"

# ---- A restart at 09:00, a clock set back, the next morning: still one.
once a 2024-02-15T09:00
check "a restart at 09:00: still one push" "$(pushes)" "1"
once a 2024-02-14T09:00
check "the clock set back a day: still one push" "$(pushes)" "1"
once a 2024-02-16T08:29
check "the next day before 08:30: none" "$(pushes)" "1"
# Down all of the 16th from 08:29; back on the 17th at 15:00: the 17th's
# report only, never the 16th's.
once a 2024-02-17T15:00
check "back on the 17th at 15:00: the day's report" "$(pushes)" "2"
line | jq -r '.pushes[1].messages[0].text' > "$work/text2"
grep -q '17 ก.พ. 2567' "$work/text2" && ok "catch-up: the same day's report" ||
    bad "catch-up: the same day's report"
line | jq -r '.pushes[].messages[0].text' | grep -q '16 ก.พ. 2567' &&
    bad "yesterday's report was sent" || ok "yesterday's report is not caught up"
grep -q 'เทียบกับรายงานครั้งก่อน: +0 ครัวเรือนได้รับการพัฒนา' "$work/text2" &&
    ok "the change since the last report" || bad "the change since the last report"

# ---- SIGKILL after report.started, before LINE's answer; restart.
line_reset
mk b
line_post '{"push_faults": [{"delay_ms": 15000}]}'
"$BUILD/syncd" --once -c "$work/b.conf" --now 2024-02-15T08:30 2>"$work/b.err" &
spid=$!
started() { [ -s "$work/b/audit.jsonl" ] && grep -q '"report.started"' "$work/b/audit.jsonl"; }
pushed() { [ "$(pushes)" -ge 1 ]; }
wait_for 30 started && wait_for 10 pushed && ok "report.started, the push on its way" ||
    bad "report.started, the push on its way"
kill -KILL "$spid"; wait "$spid" 2>/dev/null; spid=""
[ -z "$(events b report.sent)" ] && ok "killed before LINE's answer" || bad "killed before the answer"
once b 2024-02-15T08:45
check "after the restart: one push" "$(pushes)" "1"
check "the retry carried the same key (LINE said 409)" \
    "$(line | jq -c '[.attempts[] | .status]')" "[200,409]"
check "one key for both tries" "$(line | jq '[.attempts[].retry_key] | unique | length')" "1"
check "report.sent after the restart, same key" "$(events b report.sent | jq -r .retry_key)" \
    "$(events b report.started | jq -r .retry_key)"

# ---- A 500 storm on the push: later, one push.
line_reset
mk c "retry_budget = 2;"
line_post '{"push_faults": [{"status": 500}, {"status": 503}, {"status": 500}, {"status": 502}, {"status": 500}, {"status": 504}]}'
i=0
while [ "$(pushes)" -lt 1 ] && [ $i -lt 10 ]; do
	once c 2024-02-15T08:30
	i=$((i + 1))
done
check "after the storm: one push" "$(pushes)" "1"
check "every try with one key" "$(line | jq '[.attempts[].retry_key] | unique | length')" "1"
check "six refused tries, then the push" "$(line | jq -c '[.attempts[].status] | .[-1], length')" \
    "$(printf '200\n7')"
check "one report.started for the day" "$(events c report.started | wc -l)" "1"
once c 2024-02-15T09:30
check "and no more after it" "$(pushes)" "1"

# ---- A quota too small: skipped and recorded.
line_reset
mk d
line_post '{"quota": 100, "used": 98, "members": 3}'
once d 2024-02-15T08:30
check "a push past the month's quota: none" "$(pushes)" "0"
check "report.skipped with the numbers" \
    "$(events d report.skipped | jq -c '[.day, .quota, .used, .members]')" '["2024-02-15",100,98,3]'
grep -q 'LINE report 2024-02-15 skipped' "$work/d.err" && ok "the skip is logged" ||
    bad "the skip is logged"
line_post '{"quota": 1000, "used": 0, "members": 3}'

# ---- A 401 token: failed, and not retried.
line_reset
mkdir -p "$work/metrics"
mk e "metrics_dir = \"$work/metrics\";"
line_post '{"token": "another-token"}'
notify_listen "$work/notify.sock" "$work/notify" || bad "the notify listener started"
NOTIFY_SOCKET=$work/notify.sock once e 2024-02-15T08:30
status_shown() { grep -q '^STATUS=.*LINE report 2024-02-15 failed' "$work/notify"; }
wait_for 10 status_shown && ok "in STATUS=" || bad "in STATUS=: $(grep STATUS= "$work/notify")"
check "a refused token: no push" "$(pushes)" "0"
check "report.failed with LINE's status" "$(events e report.failed | jq -c '[.day, .status]')" \
    '["2024-02-15",401]'
events e report.failed | jq -r .message | grep -q 'access token' &&
    ok "report.failed holds LINE's message" || bad "report.failed holds LINE's message"
check "logged once at error priority" "$(grep -c '^<3>.*LINE report 2024-02-15 failed' "$work/e.err")" "1"
grep -q '^syncd_report_failed 1' "$work/metrics/syncd.prom" && ok "in the metrics" ||
    bad "in the metrics"
grep -q 'test-channel-token' "$work/e.err" "$work/e/audit.jsonl" && bad "the token leaked" ||
    ok "the token is in no log"
n1=$(fake_requests | jq '[.[] | select(.path | startswith("/v2/bot/"))] | length')
once e 2024-02-15T09:30
n2=$(fake_requests | jq '[.[] | select(.path | startswith("/v2/bot/"))] | length')
check "not retried" "$n2" "$n1"
check "logged once" "$(grep -c 'LINE report 2024-02-15 failed' "$work/e.err")" "1"
line_post '{"token": ""}'

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "t_report_daemon: all passed"
