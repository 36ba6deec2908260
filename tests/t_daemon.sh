#!/bin/sh
# t_daemon: the daemon end to end against the emulator over HTTPS.
#   --once: the summary tab holds the counts of `syncd check`, the discrepancy
#   tab every finding; requests per cycle (first: token, Drive, tab list,
#   batchGet, batchUpdate; second: one batchGet and no write; third: Drive
#   only); a fixed cell -> cell.changed and discrepancy.resolved; audit
#   verify accepts the log and rejects it after one byte changes; district
#   text that looks like a formula is written as a string.
# The long-running mode is in t_daemon_loop.sh.  RUNNER (make valgrind)
# prefixes the cold, own-write, idle, edited, addSheet-503 and refused-write
# cycles.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_daemon
sheet_start tests/data/demo-chachoengsao.json
# The request sequences below are those without the notes read of
# annotate_districts (tests/t_notes.sh asserts the sequences with it).
printf 'annotate_districts = false;\n' >>"$CONF"

once() {
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	"$BUILD/syncd" --once -c "$CONF" --today 2024-02-01 2>>"$work/stderr"
}
# once_r: once under RUNNER (valgrind), for the cycles that matter most.
once_r() {
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	# shellcheck disable=SC2086
	${RUNNER:-} "$BUILD/syncd" --once -c "$CONF" --today 2024-02-01 2>>"$work/stderr"
}
# The API requests of the last cycle, one word each.
requests() {
	fake_requests | jq -r '[.[] | .path |
	    if . == "/token" then "token"
	    elif startswith("/drive/") then "drive"
	    elif endswith(":batchUpdate") then "batchUpdate"
	    elif contains("/values:batchGet") then "batchGet"
	    else "get" end] | join(" ")'
}
# tab_values TITLE: the emulator's values of one tab, as JSON.
tab_values() {
	fake_get "_fake/spreadsheets/$ID" | jq --arg t "$1" -c \
	    '.sheets[] | select(.properties.title == $t) | .values'
}
# summary_from_check WORKBOOK: check's summary rows as the tab lays them out.
summary_from_check() {
	"$BUILD/syncd" check -c "$CONF" --workbook "$1" --today 2024-02-01 --format json |
	    jq -c '[.summary[] | [.district, .households, .developable, .welfare,
	        .self_reliant, .other, .unclassified, .developed, .percent, .errors,
	        .warnings]]'
}
summary_from_tab() {
	tab_values "$SUM" | jq -c '[.[1:][] | select(length > 2)]'
}
findings_from_check() {
	"$BUILD/syncd" check -c "$CONF" --workbook "$1" --today 2024-02-01 --format json |
	    jq -c '[.discrepancies[] | [(.tab // ""), (.row // ""), (.key // ""),
	        (.column // ""), .rule, .severity, .message]]'
}
findings_from_tab() {
	# The tab's columns: tab, row, key, column, rule id, rule name, severity
	# (Thai), message, what to do, first seen.
	tab_values "$DISC" | jq -c '[.[1:][] | . + [range(length; 10) | ""] |
	    [.[0], .[1], .[2], .[3], .[4], ({"ต้องแก้ไข": "error", "ข้อสังเกต": "warning"}[.[6]] // .[6]),
	     .[7]]]'
}

# --- first cycle: reads, evaluates, creates and writes both tabs ---
once_r; check "first --once exits 0" "$?" 0
check "first cycle requests" "$(requests)" "token drive get batchGet batchUpdate"
check "summary tab = syncd check" "$(summary_from_tab)" "$(summary_from_check "$WB")"
check "discrepancy tab = every finding" "$(findings_from_tab)" "$(findings_from_check "$WB")"
n=$(findings_from_check "$WB" | jq length)
[ "$n" -gt 10 ] && ok "the demo has findings ($n)" || bad "the demo has findings ($n)"
foot=$(tab_values "$SUM" | jq -r '.[-2:] | map(.[1]) | join(" | ")')
case "$foot" in
*"(Asia/Bangkok) | "[0-9]*:[0-9a-f]*) ok "footer: time and audit head ($foot)" ;;
*) bad "footer: time and audit head: [$foot]" ;;
esac
head_in_tab=$(tab_values "$SUM" | jq -r '.[-1][1]')
"$BUILD/syncd" audit verify "$LOG" --head "$head_in_tab" >/dev/null 2>&1
check "the head in the summary tab is in the log" "$?" 0
check "audit: one summary.written" "$(jq -r 'select(.event == "summary.written") | .event' "$LOG" | wc -l)" 1
check "audit: first cycle records a baseline, no cell.changed" \
    "$(jq -r 'select(.event == "cell.changed") | .event' "$LOG" | wc -l)" 0
b=$(jq -r 'select(.event == "cycle") | .baseline' "$LOG")
[ "${b:-0}" -gt 1000 ] && ok "baseline cells counted ($b)" || bad "baseline cells counted ($b)"
check "audit: discrepancy.opened per finding" \
    "$(jq -r 'select(.event == "discrepancy.opened") | .id' "$LOG" | sort -u | wc -l)" "$n"
order=$(jq -r '.event' "$LOG" | uniq | tr '\n' ' ')
check "audit order (write-ahead)" "$order" "config.loaded record.complete discrepancy.opened summary.written cycle "

# --- second: sees only its own write: the tab list, one read, no write ---
once_r; check "second --once exits 0" "$?" 0
check "second cycle requests (new process: token; the version moved: tab list, read)" \
    "$(requests)" "token drive get batchGet"
check "second cycle: a cycle line, no summary.written" \
    "$(jq -r '.event' "$LOG" | tail -n 2 | tr '\n' ' ')" "config.loaded cycle "

# --- third: nothing changed: Drive only, no audit line but config.loaded ---
lines=$(wc -l < "$LOG")
once_r; check "third --once exits 0" "$?" 0
check "third cycle requests (idle)" "$(requests)" "token drive"
check "idle: only config.loaded appended" "$(($(wc -l < "$LOG") - lines))" 1

# --- fix a discrepancy in a district tab ---
f=$(jq -r 'select(.event == "discrepancy.opened" and .rule == "status.multiple") |
    [.tab, .row, .key, .id] | @tsv' "$LOG" | head -n 1)
tab=$(printf '%s' "$f" | cut -f1); row=$(printf '%s' "$f" | cut -f2)
key=$(printf '%s' "$f" | cut -f3); fid=$(printf '%s' "$f" | cut -f4)
fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
# Clear every status mark of that row but the first.
jq --arg t "$tab" --argjson r "$row" '
    (.sheets[] | select(.properties.title == $t) | .values) |=
    (. as $v | ($v[1] | [to_entries[] | select(.value | tostring |
        startswith("คร. ")) | .key]) as $cols |
     reduce ($cols[1:][]) as $c ($v; .[$r - 1][$c] = ""))' "$work/cur.json" > "$work/fixed.json"
fake_put_workbook "$work/fixed.json"
once_r; check "--once after an edit exits 0" "$?" 0
check "changed cycle requests" "$(requests)" "token drive get batchGet batchUpdate"
c=$(jq -r --arg k "$key" 'select(.event == "cell.changed" and .key == $k and .new == "") |
    .column' "$LOG" | head -n 1)
[ -n "$c" ] && ok "cell.changed for the fixed cell ($c)" || bad "cell.changed for the fixed cell"
check "discrepancy.resolved for the fixed finding" \
    "$(jq -r --arg id "$fid" 'select(.event == "discrepancy.resolved" and .id == $id) |
    .event' "$LOG")" "discrepancy.resolved"
fake_get "_fake/spreadsheets/$ID" > "$work/now.json"
check "summary tab = syncd check after the edit" "$(summary_from_tab)" \
    "$(summary_from_check "$work/now.json")"
check "discrepancy tab = findings after the edit" "$(findings_from_tab)" \
    "$(findings_from_check "$work/now.json")"

# --- a removed tab of ours: batchGet 400, rediscover, recreate ---
jq --arg t "$DISC" 'del(.sheets[] | select(.properties.title == $t))' "$work/now.json" \
    > "$work/nodisc.json"
fake_put_workbook "$work/nodisc.json"
once; check "--once after our tab was deleted exits 0" "$?" 0
check "discrepancy tab recreated" "$(findings_from_tab)" "$(findings_from_check "$work/now.json")"

# --- formula safety: district text is written as text ---
fake_get "_fake/spreadsheets/$ID" > "$work/cur.json"
t1=$(jq -r '.sheets[0].properties.title' "$work/cur.json")
kcol=$(jq '.sheets[0].values[1] | map(tostring | startswith("รหัสบ้าน")) | index(true)' \
    "$work/cur.json")
jq --argjson k "$kcol" '
    .sheets[0].values[2][$k] = "=HYPERLINK(\"http://x\",\"y\")" |
    .sheets[0].values[3][$k] = "=HYPERLINK(\"http://x\",\"y\")" |
    .sheets[0].values[4][$k] = "+cmd" | .sheets[0].values[5][$k] = "+cmd" |
    .sheets[0].values[6][$k] = "@SUM(A1)" | .sheets[0].values[7][$k] = "@SUM(A1)"' \
    "$work/cur.json" > "$work/formula.json"
fake_put_workbook "$work/formula.json"
once; check "--once with formula-like keys exits 0" "$?" 0
for s in '=HYPERLINK("http://x","y")' '+cmd' '@SUM(A1)'; do
	n=$(tab_values "$DISC" | jq --arg s "$s" '[.[][] | select(type == "string" and . == $s)] | length')
	[ "$n" -ge 1 ] && ok "'$s' in the discrepancy tab as a string" ||
	    bad "'$s' in the discrepancy tab as a string ($n)"
done
check "no formula or object cell in our tabs" "$(fake_get "_fake/spreadsheets/$ID" |
    jq --arg a "$SUM" --arg b "$DISC" '[.sheets[] | select(.properties.title == $a or
    .properties.title == $b) | .values[][] | select(type == "object")] | length')" 0
check "the district tab is untouched by syncd" \
    "$(fake_get "_fake/spreadsheets/$ID" | jq -c --arg t "$t1" '.sheets[] | select(.properties.title == $t) | .values' | md5sum)" \
    "$(jq -c --arg t "$t1" '.sheets[] | select(.properties.title == $t) | .values' "$work/formula.json" | md5sum)"
w=$(fake_requests | jq '[.[] | select(.path | endswith(":batchUpdate"))] | length')
check "one write" "$w" 1

# --- an addSheet answered 503: look at the tabs again, then retry once ---
fake_get "_fake/spreadsheets/$ID" | jq --arg t "$DISC" \
    'del(.sheets[] | select(.properties.title == $t))' > "$work/nodisc.json"
fake_put_workbook "$work/nodisc.json"
# The tab list (read again: the version moved) lacks the removed tab: the
# write adds it, and that addSheet meets a 503.
fake_faults '[{}, {}, {}, {}, {"status": 503}]'
once_r; check "--once with a 503 on addSheet exits 0" "$?" 0
check "requests: rediscover before resending an addSheet" "$(requests)" \
    "token drive get batchGet batchUpdate get batchUpdate"
check "the discrepancy tab exists once" "$(fake_get "_fake/spreadsheets/$ID" |
    jq --arg t "$DISC" '[.sheets[] | select(.properties.title == $t)] | length')" 1

# --- a failed write: logged, state kept, events not repeated, next cycle writes ---
f=$(jq -r 'select(.event == "discrepancy.opened" and .rule == "status.invalid_mark") |
    [.tab, .row, .key, .id] | @tsv' "$LOG" | head -n 1)
tab=$(printf '%s' "$f" | cut -f1); row=$(printf '%s' "$f" | cut -f2)
key=$(printf '%s' "$f" | cut -f3); fid=$(printf '%s' "$f" | cut -f4)
fake_get "_fake/spreadsheets/$ID" | jq --arg t "$tab" --argjson r "$row" '
    (.sheets[] | select(.properties.title == $t) | .values) |=
    (. as $v | ($v[1] | [to_entries[] | select(.value | tostring |
        startswith("คร. ")) | .key]) as $cols |
     reduce ($cols[]) as $c ($v; .[$r - 1][$c] = "") | .[$r - 1][$cols[0]] = 1)' \
    > "$work/fix2.json"
fake_put_workbook "$work/fix2.json"
fake_faults '[{}, {}, {}, {}, {"status": 400}]'
once_r; rc=$?
check "--once whose write is refused (400) exits 1" "$rc" 1
check "api.error at the write step" "$(jq -r 'select(.event == "api.error") | .step' "$LOG" |
    tail -n 1)" write
once; check "the next --once exits 0" "$?" 0
check "the next cycle writes" "$(requests)" "token drive get batchGet batchUpdate"
check "discrepancy.resolved logged once" "$(jq -r --arg id "$fid" 'select(.event ==
    "discrepancy.resolved" and .id == $id) | .event' "$LOG" | wc -l)" 1
fake_get "_fake/spreadsheets/$ID" > "$work/now.json"
check "discrepancy tab = findings after the failed write" "$(findings_from_tab)" \
    "$(findings_from_check "$work/now.json")"

# --- audit verify ---
out=$("$BUILD/syncd" audit verify "$LOG" 2>&1); rc=$?
check "audit verify accepts the log" "$rc" 0
cp "$LOG" "$work/tampered.jsonl"
# Change one byte in the middle of line 3: a digit of its prev hash.
python3 - "$work/tampered.jsonl" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
lines = b.split(b"\n"); i = lines[2].index(b'"prev":"') + 8
lines[2][i] = ord("0") if lines[2][i] != ord("0") else ord("1")
open(p, "wb").write(b"\n".join(lines))
PY
"$BUILD/syncd" audit verify "$work/tampered.jsonl" >/dev/null 2>&1; rc=$?
[ "$rc" -ne 0 ] && ok "audit verify rejects one changed byte (exit $rc)" ||
    bad "audit verify rejects one changed byte"

# --- a torn last line (crash mid-write) is recovered; a broken chain refused ---
printf '{"seq":999,"ts":"2024-0' >> "$LOG"
once; check "--once after a torn line exits 0" "$?" 0
check "the torn bytes became a recovery event" \
    "$(jq -r 'select(.event == "recovery") | .event' "$LOG" | head -n 1)" recovery
"$BUILD/syncd" audit verify "$LOG" >/dev/null 2>&1
check "the recovered log verifies" "$?" 0
cp "$LOG" "$work/good.jsonl"
sed -i '3s/"seq":3/"seq":33/' "$LOG"
"$BUILD/syncd" --once -c "$CONF" --today 2024-02-01 2>"$work/err"; rc=$?
[ "$rc" -ne 0 ] && ok "a broken chain is refused (exit $rc)" || bad "a broken chain is refused"
grep -q 'line 3' "$work/err" && ok "the refusal names the line" ||
    bad "the refusal names the line: $(cat "$work/err")"
cp "$work/good.jsonl" "$LOG"

# --- errors: exit statuses of --once ---
fake_faults '[{"status": 503}, {"status": 503}, {"status": 503}, {"status": 503},
    {"status": 503}, {"status": 503}, {"status": 503}, {"status": 503},
    {"status": 503}, {"status": 503}, {"status": 503}, {"status": 503},
    {"status": 503}, {"status": 503}]'
sed 's/^poll_interval.*/poll_interval = 5;\nretry_budget = 0;/' "$CONF" > "$work/nobudget.conf"
"$BUILD/syncd" --once -c "$work/nobudget.conf" --today 2024-02-01 2>"$work/err"; rc=$?
check "--once on a failing API exits 75" "$rc" 75
grep -q '^<3>syncd: ' "$work/err" && ok "failure logged with <3>" || bad "failure logged with <3>: $(cat "$work/err")"
check "api.error in the audit log" "$(jq -r 'select(.event == "api.error") | .step' "$LOG" | tail -n 1)" "token"
fake_curl -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
chmod 644 "$FAKE_DIR/sa.json"
"$BUILD/syncd" --once -c "$CONF" --today 2024-02-01 2>"$work/err"; rc=$?
check "--once with a readable key exits 78" "$rc" 78
chmod 600 "$FAKE_DIR/sa.json"
# systemd's LoadCredential: the key from $CREDENTIALS_DIRECTORY, key_file unused.
mkdir -m 700 "$work/creds"
cp "$FAKE_DIR/sa.json" "$work/creds/service-account.json"
sed "s|^key_file.*|key_file = \"$work/no-such-key.json\";|" "$CONF" > "$work/cred.conf"
CREDENTIALS_DIRECTORY=$work/creds "$BUILD/syncd" --once -c "$work/cred.conf" \
    --today 2024-02-01 2>"$work/err"; rc=$?
check "--once with the key from \$CREDENTIALS_DIRECTORY exits 0" "$rc" 0
"$BUILD/syncd" --once -c "$work/cred.conf" --today 2024-02-01 2>"$work/err"; rc=$?
check "--once with a missing key file exits 78" "$rc" 78
if grep -q 'PRIVATE KEY\|ya29' "$work/stderr" "$work/err"; then bad "no secret in logs"; else ok "no secret in logs"; fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
