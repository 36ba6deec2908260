#!/bin/sh
# t_over_time: reports over time (issue 15) over a simulated month.  The
# daemon runs --once with --now stepping through February 2567 (2024) on the
# emulator, with the `mail` group pointed at a local SMTP sink
# (tests/smtpsink.py: STARTTLS, a login, the tests' CA as ca_file):
#   - the history tab gets one row per day, never two (a second cycle on a
#     day, a restart), and its line chart, recreated when deleted;
#   - snapshot tabs appear on the 10th and the 20th only, each once, with
#     snapshot.written and the SHA-256 of their values; one a person deletes
#     is not brought back;
#   - one e-mail on the 20th (none before, none after, none on a restart),
#     its .xlsx attachment readable, mail.sent once in the audit log; after
#     a crash mid-send (the ledger left at "trying") one more send with the
#     same Message-ID, and never a third;
#   - every cycle sends at most one write request and two Sheets reads.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
PY=/usr/bin/python3
fails=0

e2e_begin t_over_time
[ -n "${KEEP:-}" ] && trap "" EXIT
sheet_start tests/data/demo-chachoengsao.json
HIST=ความก้าวหน้า

# The mail sink, its password file (mode 0600), the mail group.
mkdir "$work/mail"
mkfifo "$work/sink.in"
"$PY" tests/smtpsink.py "$work/mail" --cert "$FAKE_DIR/server.pem" --key "$FAKE_DIR/server.key" \
    --user syncd --password 'pw-month' <"$work/sink.in" >"$work/sink.out" 2>"$work/sink.err" &
lpid=$!
exec 8>"$work/sink.in"
wait_for 20 grep -q listening "$work/sink.out" || { echo "smtpsink did not start"; exit 1; }
PORT=$(sed -n 's/listening on //p' "$work/sink.out")
printf 'pw-month\n' >"$work/pw"
chmod 600 "$work/pw"
cat >>"$CONF" <<CONF
mail = {
  url = "smtp://127.0.0.1:$PORT";
  from = "syncd@example.go.th";
  to = [ "report@cdd.example.go.th", "province@example.go.th" ];
  user = "syncd";
  password_file = "$work/pw";
};
CONF
"$BUILD/syncd" -t -c "$CONF" 2>"$work/err"
check "the configuration with mail passes -t" "$?" 0
# Bad input, refused by -t with the file and line (exit 78).
sed 's/"province@example.go.th"/"province at example.go.th"/' "$CONF" >"$work/bad-to.conf"
"$BUILD/syncd" -t -c "$work/bad-to.conf" 2>"$work/err"
check "-t: a to that is not an address: exit 78" "$?" 78
grep -q 'bad-to.conf:[0-9]*: mail.to: "province at example.go.th" is not an e-mail address' \
    "$work/err" && ok "-t names the file, line and address" || bad "-t said: $(cat "$work/err")"
printf 'snapshot_days = [ 10, 32 ];\n' | cat "$CONF" - >"$work/bad-days.conf"
"$BUILD/syncd" -t -c "$work/bad-days.conf" 2>"$work/err"
check "-t: snapshot_days 32: exit 78" "$?" 78
grep -q 'not a day of the month (1 to 31)' "$work/err" && ok "-t says why" ||
    bad "-t said: $(cat "$work/err")"
chmod 640 "$work/pw"
"$BUILD/syncd" -t -c "$CONF" 2>"$work/err"
check "-t: a password file group can read: exit 78" "$?" 78
grep -q "mode 0640" "$work/err" && ok "-t names its mode" || bad "-t said: $(cat "$work/err")"
grep -q 'pw-month' "$work/err" && bad "-t printed the password" || ok "-t never prints the password"
chmod 600 "$work/pw"

# once T: one --once cycle at Bangkok time T; prints its write requests.
once() {
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	"$BUILD/syncd" --once -c "$CONF" --now "$1" 2>>"$work/stderr" ||
	    echo "syncd --once --now $1 exited $?" >>"$work/failed"
	fake_requests | jq -r '[([.[] | select(.method == "POST" and (.path | endswith(":batchUpdate")))] | length),
	    ([.[] | select((.path | startswith("/v4/")) and (.path | endswith(":batchUpdate") | not))] | length)] | "\(.[0]) \(.[1])"'
}
wb() { fake_get "_fake/spreadsheets/$ID"; }
tabs() { wb | jq -r '[.sheets[].properties.title | select(startswith("สรุป "))] | join(",")'; }
hist_days() { wb | jq -r --arg t "$HIST" '.sheets[] | select(.properties.title == $t) |
    [.values[1:][] | .[0]] | join(",")'; }
charts() { wb | jq --arg t "$HIST" '[.sheets[] | select(.properties.title == $t) | .charts // [] | .[]] | length'; }
mails() { ls "$work/mail" | grep -c '\.eml$'; }
events() { jq -r "select(.event == \"$1\") | .event" "$LOG" | wc -l | tr -d ' '; }
max_writes=0
max_reads=0
step() {
	set -- $(once "$1")
	[ "$1" -gt "$max_writes" ] && max_writes=$1
	[ "$2" -gt "$max_reads" ] && max_reads=$2
}

step 2024-02-01T08:00
check "day 1: history row" "$(hist_days)" "2024-02-01"
check "day 1: the chart beside it" "$(charts)" 1
check "day 1: no snapshot" "$(tabs)" ""
step 2024-02-01T17:30
check "day 1 again: still one row" "$(hist_days)" "2024-02-01"
row=$(wb | jq -c --arg t "$HIST" '.sheets[] | select(.properties.title == $t) | .values[1]')
total=$("$BUILD/syncd" check -c "$CONF" --workbook tests/data/demo-chachoengsao.json \
    --today 2024-02-01 --format json | jq -c '.summary[-1] |
    [.households, .developable, .developed, .percent]')
check "the row's figures are check's" "$(echo "$row" | jq -c '.[2:6]')" "$total"
check "the Thai date beside it" "$(echo "$row" | jq -r '.[1]')" "1 ก.พ. 2567"

step 2024-02-09T08:00
# A person deletes the chart: the next day's row brings it back.
CID=$(wb | jq --arg t "$HIST" '.sheets[] | select(.properties.title == $t) | .charts[0].chartId')
TOK=$(fake_token)
fake_curl -X POST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
    --data-binary "{\"requests\":[{\"deleteEmbeddedObject\":{\"objectId\":$CID}}]}" \
    "$FAKE_URL/v4/spreadsheets/$ID:batchUpdate" >/dev/null
check "chart deleted by a person" "$(charts)" 0
step 2024-02-10T08:00
check "day 10: the chart is back" "$(charts)" 1
check "day 10: snapshot" "$(tabs)" "สรุป 10 ก.พ. 2567"
snap=$(wb | jq -c '.sheets[] | select(.properties.title == "สรุป 10 ก.พ. 2567") | .values')
check "the snapshot holds the summary's rows and total" \
    "$(echo "$snap" | jq -c '[.[0][0], .[-3][0], .[-1][0]]')" '["อำเภอ","รวมทั้งจังหวัด","ข้อมูล ณ"]'
sha=$(printf '%s' "$snap" | sha256sum | cut -d' ' -f1)
check "snapshot.written: title and SHA-256 of the values" \
    "$(jq -r 'select(.event == "snapshot.written") | .title + " " + .sha256' "$LOG")" \
    "สรุป 10 ก.พ. 2567 $sha"
step 2024-02-10T16:00
check "day 10 again: no second snapshot" "$(events snapshot.written)" 1
# A person deletes the snapshot: it is not brought back.
SID=$(wb | jq '.sheets[] | select(.properties.title == "สรุป 10 ก.พ. 2567") | .properties.sheetId')
fake_curl -X POST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
    --data-binary "{\"requests\":[{\"deleteSheet\":{\"sheetId\":$SID}}]}" \
    "$FAKE_URL/v4/spreadsheets/$ID:batchUpdate" >/dev/null
step 2024-02-10T20:00
check "a deleted snapshot stays deleted" "$(tabs)" ""
step 2024-02-11T08:00
step 2024-02-19T08:00
check "no e-mail before the 20th" "$(mails)" 0
step 2024-02-20T08:00
check "day 20: snapshot" "$(tabs)" "สรุป 20 ก.พ. 2567"
check "day 20: one e-mail" "$(mails)" 1
# A restart on the reporting day: no second snapshot, no second e-mail.
step 2024-02-20T13:00
step 2024-02-21T08:00
step 2024-02-29T08:00
check "snapshots: the 10th and the 20th, each once" "$(events snapshot.written)" 2
check "still one e-mail" "$(mails)" 1
check "mail.sent once" "$(events mail.sent)" 1
check "no mail.failed" "$(events mail.failed)" 0
check "history: one row per day" "$(hist_days)" \
    "2024-02-01,2024-02-09,2024-02-10,2024-02-11,2024-02-19,2024-02-20,2024-02-21,2024-02-29"
check "at most one write request per cycle" "$max_writes" 1
# Two: every changed cycle lists the tabs again (issue 12: an added tab
# shows within one cycle), and that read brings the notes and our tabs'
# objects, the history chart among them; then the values.  The chart is
# never looked for in a read of its own.
check "at most two Sheets reads per cycle (the chart seen in the tab list)" "$max_reads" 2
[ -e "$work/failed" ] && bad "a cycle failed: $(cat "$work/failed")"
"$BUILD/syncd" audit verify "$LOG" >/dev/null
check "the audit chain holds" "$?" 0
grep -q 'pw-month' "$LOG" "$work/stderr" && bad "the password reached a log" ||
    ok "the password is in no log"

# A crash mid-send: the ledger says a try was started and not finished.  The
# next cycle sends once more (same Message-ID); a second cut-off try is given
# up, never a third send.
LEDGER=$(dirname "$LOG")/once.json
jq '. + {"mail 2024-03": {"status": "trying", "tries": 1, "order": 1000}}' "$LEDGER" \
    >"$work/once.json" && cat "$work/once.json" >"$LEDGER"
step 2024-03-20T08:00
check "after a crash mid-send: sent once more" "$(mails)" 2
check "that mail.sent says try 2" "$(jq -r 'select(.event == "mail.sent") | .tries' "$LOG" | tail -1)" 2
grep -q '^Message-ID: <syncd.2024-03.demo-chachoengsao@example.go.th>' "$work/mail/2.eml" &&
    ok "the re-send carries the month's Message-ID" || bad "Message-ID: $(grep -i message-id "$work/mail/2.eml")"
jq '. + {"mail 2024-04": {"status": "trying", "tries": 2, "order": 1001}}' "$LEDGER" \
    >"$work/once.json" && cat "$work/once.json" >"$LEDGER"
step 2024-04-20T08:00
check "a second cut-off try: no third send" "$(mails)" 2
check "mail.failed, not to be retried" \
    "$(jq -r 'select(.event == "mail.failed") | "\(.month) \(.retry)"' "$LOG")" "2024-04 false"

# The e-mail: headers, the envelope, the attachment read back.
"$PY" - "$work/mail/1.eml" "$work/mail/1.env" <<'PY'
import email, io, sys, openpyxl
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
env = open(sys.argv[2]).read().split()
fails = 0
def want(c, what):
    global fails
    print(("ok   " if c else "FAIL ") + what)
    fails += not c
want(env == ["syncd@example.go.th", "report@cdd.example.go.th", "province@example.go.th"],
     "mail: envelope from and both recipients")
want("20 ก.พ. 2567" in str(m["Subject"]), "mail: the Thai date in the subject")
body = m.get_body(("plain",)).get_content()
want("รวมทั้งจังหวัด" in body, "mail: the summary in the body")
att = [p for p in m.iter_attachments()]
want(len(att) == 1 and att[0].get_filename() == "syncd-2024-02.xlsx", "mail: one .xlsx attached")
wb = openpyxl.load_workbook(io.BytesIO(att[0].get_content()))
want(wb.sheetnames[0] == "สรุปข้อมูล" and wb.sheetnames[-1] == "ตรวจสอบข้อมูล",
     "mail: the attachment is the Department's file")
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || fails=$((fails + 1))
exec 8>&-
exit $((fails > 0))
