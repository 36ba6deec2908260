#!/bin/sh
# t_instances: several provinces on one host, as syncd@NAME.service runs them
# (one configuration, state directory and audit log each; systemd itself is
# not run here).  Two daemons side by side against one emulator holding two
# province spreadsheets: each keeps its own spreadsheet's summary current and
# its own state and audit log, which name only its spreadsheet and verify.
# A third pointed at the first one's state directory is refused, naming the
# lock's holder (the first's PID), while the first runs on unharmed.  No timing assertions.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_instances
jq '.spreadsheetId = "demo-chonburi"' tests/data/demo-chachoengsao.json > "$work/chonburi.json"
fake_start tests/data/demo-chachoengsao.json "$work/chonburi.json" ||
	{ echo "cannot start fakesheets"; exit 1; }
SUM=สรุปข้อมูล

# conf NAME ID: $work/NAME.conf, its state in $work/state/NAME (StateDirectory=syncd/%i).
conf() {
	mkdir -p "$work/state/$1" && chmod 0700 "$work/state/$1"
	sed -e "s|^spreadsheet_id = .*|spreadsheet_id = \"$2\";|" \
	    -e "s|^state_dir = .*|state_dir = \"$work/state/$1\";|" \
	    -e "s|^audit_log = .*|audit_log = \"$work/state/$1/audit.jsonl\";|" \
	    "$FAKE_DIR/syncd.conf" > "$work/$1.conf"
}
conf chachoengsao demo-chachoengsao
conf chonburi demo-chonburi

summary_current() {	# NAME ID: the emulator's summary tab is what check computes
	fake_get "_fake/spreadsheets/$2" > "$work/$1.now.json"
	got=$(jq -c --arg t "$SUM" '.sheets[] | select(.properties.title == $t) |
	    [.values[1:][] | select(length > 2)]' "$work/$1.now.json")
	want=$("$BUILD/syncd" check -c "$work/$1.conf" --workbook "$work/$1.now.json" \
	    --today 2024-02-01 --format json | jq -c '[.summary[] | [.district, .households,
	    .developable, .welfare, .self_reliant, .other, .unclassified, .developed,
	    .percent, .errors, .warnings]]')
	[ -n "$got" ] && [ "$got" = "$want" ]
}

"$BUILD/syncd" -c "$work/chachoengsao.conf" --today 2024-02-01 2>"$work/a.err" &
apid=$!
"$BUILD/syncd" -c "$work/chonburi.conf" --today 2024-02-01 2>"$work/b.err" &
bpid=$!
spid="$apid $bpid"

# Both provinces' summaries, written side by side.
wait_for 30 summary_current chachoengsao demo-chachoengsao &&
	ok "chachoengsao's summary written" || bad "chachoengsao's summary written"
wait_for 30 summary_current chonburi demo-chonburi &&
	ok "chonburi's summary written" || bad "chonburi's summary written"

# Separate state: each audit log was written under its own configuration
# only (config.loaded names the file), and verifies; each directory has its
# own state files.
for name in chachoengsao chonburi; do
	log=$work/state/$name/audit.jsonl
	[ -s "$log" ] && ok "$name has its own audit log" || bad "$name has its own audit log"
	check "$name's log: its configuration only" \
	    "$(jq -r 'select(.event == "config.loaded") | .path' "$log" | sort -u)" "$work/$name.conf"
	"$BUILD/syncd" audit verify "$log" >/dev/null 2>&1 && ok "$name's log verifies" ||
		bad "$name's log verifies"
	[ -s "$work/state/$name/state.json" ] && ok "$name has its own state.json" ||
		bad "$name has its own state.json"
done

# A second syncd on chachoengsao's state directory (a copied configuration,
# say, or two units given one StateDirectory): refused, the first unharmed.
sed "s|^spreadsheet_id = .*|spreadsheet_id = \"demo-chonburi\";|" "$work/chachoengsao.conf" \
	> "$work/copy.conf"
rc=0
"$BUILD/syncd" --once -c "$work/copy.conf" --today 2024-02-01 >"$work/c.out" 2>"$work/c.err" || rc=$?
check "the second syncd on one state directory is refused (69, EX_UNAVAILABLE)" "$rc" 69
grep -q "another syncd (PID $apid, daemon) holds $work/state/chachoengsao/syncd.lock" "$work/c.err" &&
	ok "its message names the lock's holder: $(head -n 1 "$work/c.err")" ||
	bad "its message names the lock's holder (PID $apid): $(cat "$work/c.err")"
kill -0 "$apid" 2>/dev/null && ok "the first runs on" || bad "the first runs on"
"$BUILD/syncd" audit verify "$work/state/chachoengsao/audit.jsonl" >/dev/null 2>&1 &&
	ok "and its log still verifies" || bad "and its log still verifies"

kill -TERM "$apid" "$bpid" 2>/dev/null
wait "$apid"; arc=$?
wait "$bpid"; brc=$?
spid=""
check "both stop with 0 on SIGTERM" "$arc $brc" "0 0"
[ "$fails" -eq 0 ] || { echo "$fails failed"; sed 's/^/  a: /' "$work/a.err"; sed 's/^/  b: /' "$work/b.err"; exit 1; }
echo "all passed"
