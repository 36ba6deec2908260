#!/bin/sh
# bench_national: the national simulation of issue 18, run by tests/bench.sh
# (`make bench`) unless BENCH_NATIONAL=0.  A measurement, not a test: it
# never fails on a number, only when something does not run, when the
# national sheet is not complete, or when the emulator answered 429.
#
# One emulator, enforcing Google's quotas (--quota reads=60,writes=60,
# project=300), holds 77 province spreadsheets generated from
# tests/data/thai-districts.csv (each province its real districts, one tab
# each: tests/tools/genwb's households with the tabs renamed; 100,000
# households in all, 1,298 or 1,299 a province) and the national sheet.
#   1. Each province is written by its own `syncd --once` (its own
#      configuration, state directory and audit log): its summary tab.  The
#      emulator knows one service account, so the 77 first cycles are spread
#      over the minutes the quota asks for (the script keeps the last
#      minute's Sheets requests under 60), as 77 instances' first cycles
#      would be.  The rollup then waits for that minute to pass: it paces
#      itself, but only its own requests.
#   2. The rollup runs as a daemon (poll_interval 10 s): its cold cycle (77
#      sources at 60 reads a minute), the cycle that sees its own write, an
#      idle cycle; then one province (ฉะเชิงเทรา) is edited through the
#      emulator (three status marks on one household of a district tab), its
#      `syncd --once` writes its summary, and the rollup's next cycle shows
#      the edit in the national sheet.
# Reported: the requests of each kind of cycle (Sheets reads and writes,
# Drive, 429s) from the emulator's log, the time to a complete national
# sheet (checked: every province, every district, the total households),
# the edit's latency and its parts, and the rollup's memory from
# /proc/PID/smaps_rollup: the peak (sampled every 0.2 s, and VmHWM) and at
# rest, 1 s into the sleep after each cycle.  Progress goes to stderr.
#
# Environment: BUILD; BENCH_NATIONAL_PROVINCES (default all 77: the first N
# provinces of the file, same households each, for a quicker look).
set -eu
: "${BUILD:=build}"
top=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
cd "$top"
syncd="$BUILD/syncd"
genwb="$BUILD/tools/genwb"
csv=tests/data/thai-districts.csv
today=2024-02-01
households=100000
poll=10
quota="reads=60,writes=60,project=300"
edited=ฉะเชิงเทรา

die() { echo "bench_national: $*" >&7; exit 1; }
exec 7>&2
say() { echo "national: $*" >&7; }
for x in "$syncd" "$genwb" "$BUILD/fakesheets"; do
	[ -x "$x" ] || die "$x not built"
done
command -v jq >/dev/null 2>&1 || die "jq missing (.ci/deps)"

# shellcheck source=tests/lib.sh
. tests/lib.sh
tmp=$(mktemp -d)
dpid=""
mpid=""
cleanup() {
	for p in $mpid $dpid; do kill "$p" 2>/dev/null || :; done
	fake_stop
	exec 2>&7
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

now() { date +%s.%N; }
# lines PATTERN FILE: how many lines of FILE match (0 when none).
lines() { _c=$(grep -c "$1" "$2" 2>/dev/null) || :; echo "${_c:-0}"; }

# ---- the country --------------------------------------------------------
# $tmp/provinces.json: [{id, th, districts: [names]}], in the file's order.
jq -R -s 'split("\n")[1:] | map(select(length > 0) | split(",")) |
    reduce .[] as $r ([]; if length > 0 and .[-1].id == $r[0]
        then .[-1].districts += [$r[4]]
        else . + [{id: $r[0], th: $r[1], districts: [$r[4]]}] end)' "$csv" \
    >"$tmp/provinces.json"
all=$(jq length "$tmp/provinces.json")
n=${BENCH_NATIONAL_PROVINCES:-$all}
{ [ "$n" -ge 1 ] && [ "$n" -le "$all" ]; } || die "BENCH_NATIONAL_PROVINCES: 1 to $all"
[ "$(jq -r --arg p "$edited" '[.[:'"$n"'][] | select(.th == $p)] | length' \
    "$tmp/provinces.json")" = 1 ] || edited=$(jq -r '.[0].th' "$tmp/provinces.json")

say "generating $n provinces ($households households over $all provinces, $today)"
wbs=""
want_households=0
want_districts=0
i=0
while [ "$i" -lt "$n" ]; do
	jq -c ".[$i]" "$tmp/provinces.json" >"$tmp/p.json"
	pid=$(jq -r .id "$tmp/p.json")
	d=$(jq '.districts | length' "$tmp/p.json")
	h=$((households / all + (i < households % all ? 1 : 0)))
	"$genwb" --households "$h" --tabs "$d" --seed "$((2567 + pid))" \
	    --spreadsheet-id "prov-$pid" --today "$today" -o "$tmp/gen.json" ||
	    die "genwb failed"
	jq --slurpfile p "$tmp/p.json" '
	    .properties.title = "ครัวเรือนยากจนเป้าหมาย 2566 จังหวัด\($p[0].th)" |
	    .sheets |= [to_entries[] | .value.properties.title = $p[0].districts[.key] | .value]' \
	    "$tmp/gen.json" >"$tmp/prov-$pid.json"
	wbs="$wbs $tmp/prov-$pid.json"
	want_households=$((want_households + h))
	want_districts=$((want_districts + d))
	i=$((i + 1))
done
rm -f "$tmp/gen.json" "$tmp/p.json"
jq -n '{"spreadsheetId": "national", "properties": {"title": "ระดับประเทศ"},
    "sheets": [{"properties": {"sheetId": 1, "title": "Sheet1", "index": 0}, "values": []}]}' \
    >"$tmp/national.json"

say "starting the emulator with $n provinces and --quota $quota"
# shellcheck disable=SC2086
FAKE_ARGS="--quota $quota" fake_start $wbs "$tmp/national.json" ||
    die "cannot start the emulator"

# tally FILE: the emulator's log FILE as "reads writes drive 429s requests"
# (the token aside), counted as the emulator counts the quota: a Sheets GET or
# *ByDataFilter read is a read, any other Sheets request a write.
tally() {
	jq -r '[.[] | select(.path != "/token")] |
	    def sheets: .path | startswith("/v4/spreadsheets/");
	    def read: .method == "GET" or (.path | test(":(batchGet|get)ByDataFilter$"));
	    "\(map(select(sheets and read)) | length) \(map(select(sheets and (read | not))) | length) \(map(select(.path | startswith("/drive/"))) | length) \(map(select(.status == 429)) | length) \(length)"' "$1"
}
# take KIND: the emulator's log since the last take, saved as $tmp/log-KIND
# and emptied.
take() {
	fake_requests >"$tmp/log-$1"
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
}

# ---- 1. the provinces ---------------------------------------------------
# $tmp/window: "END READS WRITES" for each province cycle; a cycle's requests
# all came before its END, so a line leaves Google's window 60 s after END.
: >"$tmp/window"
room() {	# room R W: wait until R more reads and W more writes fit the minute
	while :; do
		t=$(now)
		wait_s=$(awk -v now="$t" -v r="$1" -v w="$2" '
		    $1 > now - 60.5 { rs += $2; ws += $3; if (first == "") first = $1 }
		    END { if (rs + r <= 60 && ws + w <= 60) print 0
			  else printf "%.1f", first + 60.5 - now }' "$tmp/window")
		[ "$wait_s" = 0 ] && return 0
		case $wait_s in
		0.*) ;;
		*) say "provinces: $i/$n written; waiting ${wait_s} s for the quota minute" ;;
		esac
		sleep "$wait_s"
		pwait=$(awk -v a="$pwait" -v b="$wait_s" 'BEGIN { print a + b }')
	done
}
sed -n 's/^\(key_file\|sheets_url\|drive_url\|ca_file\) = .*/&/p' "$FAKE_DIR/syncd.conf" >"$tmp/common.conf"
: >"$tmp/provinces.tally"
pwait=0
needr=4
needw=2
fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
p0=$(now)
i=0
while [ "$i" -lt "$n" ]; do
	pid=$(jq -r ".[$i].id" "$tmp/provinces.json")
	mkdir -p "$tmp/s$pid"
	{
		cat "$tmp/common.conf"
		echo "spreadsheet_id = \"prov-$pid\";"
		echo "state_dir = \"$tmp/s$pid\";"
		echo "audit_log = \"$tmp/s$pid/audit.jsonl\";"
	} >"$tmp/s$pid.conf"
	room "$needr" "$needw"
	"$syncd" --once -c "$tmp/s$pid.conf" --today "$today" 2>"$tmp/s$pid.err" ||
	    die "province $pid: syncd --once failed: $(tail -n 2 "$tmp/s$pid.err")"
	take "p$pid"
	# shellcheck disable=SC2046
	set -- $(tally "$tmp/log-p$pid")
	echo "$(now) $1 $2" >>"$tmp/window"
	echo "$*" >>"$tmp/provinces.tally"
	rm -f "$tmp/log-p$pid"
	[ "$1" -gt "$needr" ] && needr=$1
	[ "$2" -gt "$needw" ] && needw=$2
	i=$((i + 1))
	[ $((i % 10)) -eq 0 ] && say "provinces: $i/$n written"
done
p1=$(now)
pwait_p=$pwait
# The rollup paces only its own requests: leave its first minute the room
# it counts on (one service account here; the Department's would be its own).
say "provinces: $n/$n written; the rollup's first minute needs room in the quota"
room $((n + 1 < 60 ? n + 1 : 60)) 3

# ---- 2. the rollup ------------------------------------------------------
mkdir -p "$tmp/r"
{
	cat "$tmp/common.conf"
	echo 'spreadsheet_id = "national";'
	echo "state_dir = \"$tmp/r\";"
	echo "audit_log = \"$tmp/r/audit.jsonl\";"
	echo "poll_interval = $poll;"
	echo 'read_quota_per_minute = 60;'
	echo 'write_quota_per_minute = 60;'
	echo 'rollup = { sources = ('
	jq -r '.[:'"$n"'] | map("  { spreadsheet_id = \"prov-\(.id)\"; province = \"\(.th)\"; }") |
	    join(",\n")' "$tmp/provinces.json"
	echo '); };'
} >"$tmp/rollup.conf"
"$syncd" -t -c "$tmp/rollup.conf" >/dev/null 2>"$tmp/t.err" ||
    die "the rollup's configuration: $(cat "$tmp/t.err")"

# rest: the daemon's memory now, "Pss Private_Dirty Rss" in kB.
rest() {
	awk '/^(Rss|Pss|Private_Dirty):/ { v[$1] = $2 }
	    END { printf "%d %d %d\n", v["Pss:"], v["Private_Dirty:"], v["Rss:"] }' \
	    "/proc/$dpid/smaps_rollup" 2>/dev/null || echo "0 0 0"
}
# cycle_wait N SECONDS: wait for the daemon's Nth cycle line; its time.
cycle_wait() {
	j=0
	while [ "$(lines 'rollup: \(idle\|changed\):' "$tmp/rollup.err")" -lt "$1" ]; do
		kill -0 "$dpid" 2>/dev/null || die "the rollup exited: $(tail -n 3 "$tmp/rollup.err")"
		grep -q 'cycle failed' "$tmp/rollup.err" &&
		    die "the rollup: $(grep 'cycle failed' "$tmp/rollup.err" | head -n 1)"
		[ "$j" -lt $(($2 * 10)) ] || die "no cycle line $1 after $2 s: $(tail -n 3 "$tmp/rollup.err")"
		sleep 0.1
		j=$((j + 1))
	done
	now
}
tab() {
	fake_get "_fake/spreadsheets/national" |
	    jq -c --arg t "$1" '.sheets[] | select(.properties.title == $t) | .values'
}
# The quota waits of cycle N, from its line.
waited() {
	grep 'rollup: \(idle\|changed\):' "$tmp/rollup.err" | sed -n "$1"p |
	    sed 's/.*, \([0-9.]*\) s waiting for quota.*/\1/'
}

fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
say "rollup: cold cycle of $n sources at 60 reads a minute"
r0=$(now)
"$syncd" -c "$tmp/rollup.conf" 2>"$tmp/rollup.err" &
dpid=$!
(
	while kill -0 "$dpid" 2>/dev/null; do
		awk '/^(Pss|Private_Dirty):/ { v[$1] = $2 }
		    END { if (v["Pss:"] > 0) print v["Pss:"], v["Private_Dirty:"] }' \
		    "/proc/$dpid/smaps_rollup" 2>/dev/null >>"$tmp/samples" || :
		sleep 0.2
	done
) &
mpid=$!
seen=0
j=0
while [ "$(lines 'rollup: \(idle\|changed\):' "$tmp/rollup.err")" -lt 1 ]; do
	kill -0 "$dpid" 2>/dev/null || die "the rollup exited: $(tail -n 3 "$tmp/rollup.err")"
	if [ $((j % 25)) -eq 0 ]; then
		got=$(fake_requests | jq '[.[] | select(.path | test("^/v4/spreadsheets/prov-.*values:batchGet$"))] | length')
		if [ "$got" != "$seen" ]; then
			say "rollup: cold cycle: $got/$n sources read"
			seen=$got
		fi
	fi
	[ "$j" -lt 6000 ] || die "no cold cycle after 600 s: $(tail -n 3 "$tmp/rollup.err")"
	sleep 0.1
	j=$((j + 1))
done
r1=$(cycle_wait 1 600)
take cold
say "rollup: cold cycle done"
tab สรุปข้อมูล >"$tmp/sum.json"
got=$(jq '.[] | select(.[0] == "รวมทั้งประเทศ") | .[1]' "$tmp/sum.json")
[ "$got" = "$want_households" ] ||
    die "the national sheet counts $got households, the provinces hold $want_households"
got=$(tab ทุกอำเภอ | jq 'length - 1')
[ "$got" = "$want_districts" ] || die "ทุกอำเภอ lists $got districts, the provinces have $want_districts"
got=$(tab จังหวัดที่อ่านไม่ได้ | jq 'length - 1')
[ "$got" = 0 ] || die "$got provinces unreadable: $(tab จังหวัดที่อ่านไม่ได้)"
sleep 1
rest_cold=$(rest)

cycle_wait 2 60 >/dev/null
take idle-own
say "rollup: the cycle that sees its own write done"
sleep 1
rest_idle=$(rest)
cycle_wait 3 60 >/dev/null
take idle

# The edit, right after an idle cycle's line: the rollup sleeps $poll s.
epid=$(jq -r --arg p "$edited" '.[] | select(.th == $p) | .id' "$tmp/provinces.json")
etab=$(jq -r '.sheets[0].properties.title' "$tmp/prov-$epid.json" | sed "s/'/''/g")
before=$(jq -c --arg p "$edited" '.[] | select(.[0] == $p) | .[1:-2]' "$tmp/sum.json")
say "editing $edited's $etab (three status marks on one household)"
tok=$(fake_token)
e0=$(now)
fake_curl -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    --data-binary "{\"valueInputOption\":\"RAW\",\"data\":[{\"range\":\"'$etab'!H3:J3\",\"values\":[[1,1,1]]}]}" \
    "$FAKE_URL/v4/spreadsheets/prov-$epid/values:batchUpdate" >/dev/null ||
    die "cannot edit the emulator's workbook"
e1=$(now)
take user-edit
cycles=$(lines 'rollup: \(idle\|changed\):' "$tmp/rollup.err")
"$syncd" --once -c "$tmp/s$epid.conf" --today "$today" 2>>"$tmp/s$epid.err" ||
    die "province $epid: syncd --once after the edit failed: $(tail -n 2 "$tmp/s$epid.err")"
e2=$(now)
[ "$(lines 'rollup: \(idle\|changed\):' "$tmp/rollup.err")" = "$cycles" ] ||
    die "the rollup polled while the province was writing: the parts below would not add up"
take edit
e3=$(cycle_wait 4 60)
take after-edit
after=$(tab สรุปข้อมูล | jq -c --arg p "$edited" '.[] | select(.[0] == $p) | .[1:-2]')
[ "$after" != "$before" ] || die "the national sheet does not show $edited's edit: $after"
sleep 1
rest_edit=$(rest)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$dpid/status")
kill "$dpid"
wait "$dpid" || :
dpid=""
wait "$mpid" 2>/dev/null || :
mpid=""

# Any 429, anywhere: the pacing failed.
n429=$(awk '{ s += $4 } END { print s + 0 }' "$tmp/provinces.tally")
for k in cold idle-own idle edit after-edit; do
	n429=$((n429 + $(tally "$tmp/log-$k" | cut -d' ' -f4)))
done
[ "$n429" -eq 0 ] || die "the emulator answered 429 $n429 times"

# ---- the report ---------------------------------------------------------
dur() {	# the audit log's duration of the Nth cycle event, in s
	jq -s -r --argjson k "$1" '[.[] | select(.event == "cycle")][$k].duration_ms / 1000' \
	    "$tmp/r/audit.jsonl"
}
echo
echo "national simulation: $n provinces ($csv, $want_districts district tabs), $want_households households,"
echo "one emulator with --quota $quota; the rollup a daemon, poll_interval $poll s"
awk -v t0="$p0" -v t1="$p1" -v n="$n" -v pw="$pwait_p" '
    { r += $1; w += $2; d += $3; if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 }
    END { printf "provinces: %d syncd --once (cold) in %.0f s, %.0f s of it waiting for the " \
	"quota: %d Sheets reads (%d-%d each), %d writes, %d Drive\n", n, t1 - t0, pw, r, min,
	max, w, d }' "$tmp/provinces.tally"
echo
printf '%-30s %8s %8s %13s %14s %6s %5s %13s\n' "cycle" "wall_s" "sources" \
    "sheets_reads" "sheets_writes" "drive" "429" "quota_wait_s"
row() {	# row LABEL LOG WALL SOURCES WAIT
	# shellcheck disable=SC2046
	set -- "$1" "$3" "$4" "$5" $(tally "$tmp/log-$2")
	printf '%-30s %8s %8s %13s %14s %6s %5s %13s\n' "$1" "$2" "$3" "$5" "$6" "$7" "$8" "$4"
}
srcs() { grep 'rollup: \(idle\|changed\):' "$tmp/rollup.err" | sed -n "$1"p |
    sed 's/.*: \([0-9]*\) of [0-9]* sources read.*/\1/'; }
row "rollup cold" cold "$(dur 0)" "$(srcs 1)" "$(waited 1)"
row "rollup idle (own write)" idle-own - "$(srcs 2)" "$(waited 2)"
row "rollup idle" idle - "$(srcs 3)" "$(waited 3)"
row "province --once, edited" edit "$(awk -v a="$e1" -v b="$e2" 'BEGIN { printf "%.2f", b - a }')" - -
row "rollup after the edit" after-edit "$(dur 1)" "$(srcs 4)" "$(waited 4)"
echo
awk -v a="$r0" -v b="$r1" -v n="$n" -v h="$want_households" -v d="$want_districts" 'BEGIN {
    printf "time to a complete national sheet: %.1f s (the daemon'\''s start to its cold cycle'\''s end; " \
	"%d of %d provinces, %d households, %d districts; no 429)\n", b - a, n, n, h, d }'
awk -v e0="$e0" -v e1="$e1" -v e2="$e2" -v e3="$e3" -v c="$(dur 1)" -v p="$poll" -v who="$edited" 'BEGIN {
    printf "an edit'\''s latency to the national sheet (%s): %.1f s = the edit %.2f + the province'\''s " \
	"--once %.2f + waiting for the rollup'\''s poll %.1f + the rollup'\''s cycle %.2f (at most " \
	"%.1f s with poll_interval %d)\n", who, e3 - e0, e1 - e0, e2 - e1, e3 - e2 - c, c,
	e1 - e0 + e2 - e1 + p + 0.5 + c, p }'
echo
echo "the rollup's memory (MB; peak: sampled every 0.2 s, and VmHWM)"
printf '%-30s %8s %14s %8s\n' "" "Pss" "Private_Dirty" "Rss"
awk -v hwm="$hwm" '{ if ($1 > p) p = $1; if ($2 > d) d = $2 }
    END { printf "%-30s %8.1f %14.1f %8.1f (VmHWM)\n", "peak", p / 1024, d / 1024, hwm / 1024 }' \
    "$tmp/samples"
for x in "after the cold cycle:$rest_cold" "after an idle cycle:$rest_idle" \
    "after the edit's cycle:$rest_edit"; do
	echo "${x#*:}" | awk -v l="at rest ${x%%:*}" '
	    { printf "%-30s %8.1f %14.1f %8.1f\n", l, $1 / 1024, $2 / 1024, $3 / 1024 }'
done
