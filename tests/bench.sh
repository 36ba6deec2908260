#!/bin/sh
# bench: how fast `syncd check` evaluates workbooks of 1k, 10k and 100k
# households, and how much memory it needs.  Run by `make bench` (BUILD in
# the environment).  It is a measurement, not a test: it never fails on a
# number, only when something does not run.
#
# Workbooks come from $BUILD/tools/genwb (16 tabs, fixed seed, generated
# with --today 2024-02-01 to match the check) and are cached in
# $BENCH_DIR (default $BUILD/bench), regenerated when genwb is newer.
# Each size is checked $BENCH_RUNS times (default 5); the table shows the
# median wall time and the largest peak RSS (/usr/bin/time -f %M, package
# `time`, installed by .ci/deps).
#
# Environment: BUILD, BENCH_SIZES (default "1000 10000 100000"),
# BENCH_RUNS, BENCH_DIR, BENCH_CONFIG (default etc/syncd.conf when present;
# "none" for the built-in defaults).
set -eu
: "${BUILD:=build}"
: "${BENCH_SIZES:=1000 10000 100000}"
: "${BENCH_RUNS:=5}"
top=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
: "${BENCH_DIR:=$BUILD/bench}"
syncd="$BUILD/syncd"
genwb="$BUILD/tools/genwb"
today=2024-02-01
tabs=16
seed=2567

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$genwb" ] || die "$genwb not built (make BUILD=... $genwb)"
[ -x "$syncd" ] || die "$syncd not built"
[ -x /usr/bin/time ] || die "/usr/bin/time missing: install the Debian package 'time' (.ci/deps)"
command -v jq >/dev/null 2>&1 || die "jq missing (.ci/deps)"

if [ -z "${BENCH_CONFIG:-}" ]; then
	if [ -f "$top/etc/syncd.conf" ]; then BENCH_CONFIG="$top/etc/syncd.conf"; else BENCH_CONFIG=none; fi
fi
if [ "$BENCH_CONFIG" = none ]; then cfg=""; else cfg="-c $BENCH_CONFIG"; fi
mkdir -p "$BENCH_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# workbook N: the cached workbook of N households (generated if stale).
workbook() {
	f="$BENCH_DIR/wb-$1-t$tabs-s$seed.json"
	if [ ! -s "$f" ] || [ "$genwb" -nt "$f" ]; then
		"$genwb" --households "$1" --tabs "$tabs" --seed "$seed" --today "$today" \
		    -o "$f.tmp" && mv "$f.tmp" "$f"
	fi
	printf '%s\n' "$f"
}

# check_once F: runs the check once; prints "<nanoseconds> <peak KB>".
# Exit 0 (no error finding) and 1 (some) are both success here.
check_once() {
	t0=$(date +%s%N)
	rc=0
	# shellcheck disable=SC2086
	/usr/bin/time -f %M -o "$tmp/rss" "$syncd" check $cfg --workbook "$1" \
	    --format json --today "$today" >"$tmp/out" 2>"$tmp/err" || rc=$?
	t1=$(date +%s%N)
	if [ "$rc" -gt 1 ]; then
		if grep -qi "not implemented" "$tmp/err"; then
			die "syncd check is not implemented yet ($(head -n 1 "$tmp/err"))"
		fi
		die "syncd check exited $rc on $1: $(grep -v '^Command exited' "$tmp/err" | head -n 3)"
	fi
	printf '%s %s\n' "$((t1 - t0))" "$(tail -n 1 "$tmp/rss")"
}

# Fail early, with the reason, if check does not work at all.
check_once "$(workbook 100)" >/dev/null

echo "syncd check --format json --today $today ${cfg:+$cfg }(median of $BENCH_RUNS runs)"
printf '%8s %11s %10s %8s %13s %13s\n' "size_MB" "households" "median_s" "MB/s" \
    "households/s" "peak_RSS_MB"
for n in $BENCH_SIZES; do
	f=$(workbook "$n")
	bytes=$(wc -c <"$f")
	: >"$tmp/runs"
	i=0
	while [ "$i" -lt "$BENCH_RUNS" ]; do
		check_once "$f" >>"$tmp/runs"
		i=$((i + 1))
	done
	# Sanity: the total row counts the households genwb wrote.
	got=$(jq '.summary[-1].households' "$tmp/out")
	[ "$got" = "$n" ] ||
		echo "bench: WARNING: $f: check counted $got households, genwb wrote $n" >&2
	sort -n "$tmp/runs" | awk -v bytes="$bytes" -v n="$n" -v runs="$BENCH_RUNS" '
	    { ns[NR] = $1; if ($2 > rss) rss = $2 }
	    END {
		m = ns[int((runs + 1) / 2)] / 1e9
		mb = bytes / 1048576
		printf "%8.1f %11d %10.3f %8.1f %13.0f %13.1f\n", mb, n, m,
		    (m > 0 ? mb / m : 0), (m > 0 ? n / m : 0), rss / 1024
	    }'
done

# ====================================================================
# DAEMON-CYCLE BENCH — to be added (hook left here on purpose).
#
# Plan: start $BUILD/fakesheets --workbook <the 100k workbook> (HTTPS, a
# test service-account key generated at run time), run
# `$BUILD/syncd --once -c <conf pointing at the emulator>` for (a) a cold
# cycle, (b) an idle cycle (nothing changed), (c) a cycle after one cell
# changed (PUT /_fake/spreadsheets/{id}); for each, report wall time, peak
# RSS, requests per cycle (GET /_fake/requests, then DELETE it) and bytes
# on the wire.  Expected from DESIGN.md: idle = 1 Drive request and no
# Sheets request; changed = 1 values.batchGet + at most 1 write.
# Replace bench_daemon_cycle below; keep the table format above.
# ====================================================================
bench_daemon_cycle() {
	[ -x "$BUILD/fakesheets" ] || die "$BUILD/fakesheets not built"
	n=${BENCH_DAEMON_SIZE:-100000}
	f=$(workbook "$n")
	# shellcheck source=tests/lib.sh
	. "$top/tests/lib.sh"
	fake_start "$f" || die "cannot start the emulator"
	trap 'fake_stop; rm -rf "$tmp"' EXIT INT TERM
	conf=$FAKE_DIR/syncd.conf
	id=$(jq -r .spreadsheetId "$f")
	echo
	echo "daemon cycle: syncd --once against the emulator (HTTPS, loopback), $n households, $(($(wc -c <"$f") / 1048576)) MB"
	printf '%-9s %8s %12s %-40s %12s %10s\n' "cycle" "wall_s" "peak_RSS_MB" \
	    "requests (after the token)" "bytes_in" "bytes_out"
	# daemon_once NAME: one --once cycle, one table row.
	daemon_once() {
		fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
		t0=$(date +%s%N)
		rc=0
		/usr/bin/time -f %M -o "$tmp/rss" "$syncd" --once -c "$conf" --today "$today" \
		    2>"$tmp/derr" || rc=$?
		t1=$(date +%s%N)
		[ "$rc" -eq 0 ] || die "syncd --once exited $rc: $(grep -v '^Command exited' "$tmp/derr" | tail -n 2)"
		reqs=$(fake_requests | jq -r '[.[] | .path | select(. != "/token") |
		    if startswith("/drive/") then "drive" elif endswith(":batchUpdate") then "batchUpdate"
		    elif endswith("values:batchGet") then "batchGet" else "get" end] | join("+")')
		line=$(grep 'cycle:' "$tmp/derr" | tail -n 1)
		bin=$(printf '%s' "$line" | sed -n 's/.* \([0-9]*\) bytes in.*/\1/p')
		bout=$(printf '%s' "$line" | sed -n 's/.* \([0-9]*\) out.*/\1/p')
		printf '%-9s %8.3f %12.1f %-40s %12s %10s\n' "$1" \
		    "$(echo "$t0 $t1" | awk '{ print ($2 - $1) / 1e9 }')" \
		    "$(tail -n 1 "$tmp/rss" | awk '{ print $1 / 1024 }')" "$reqs" "${bin:-?}" "${bout:-?}"
	}
	daemon_once cold		# first run: creates both tabs
	daemon_once own-write	# sees its own write: reads, writes nothing
	daemon_once idle	# nothing changed: Drive only
	# One cell changed in the first district tab (a name).
	fake_get "_fake/spreadsheets/$id" > "$tmp/cur.json"
	jq '.sheets[0].values[2][2] = "นายทดสอบ เปลี่ยนชื่อ"' "$tmp/cur.json" > "$tmp/edit.json"
	fake_put_workbook "$tmp/edit.json"
	daemon_once changed	# one cell.changed; the tabs are unchanged: no write
	echo "state.json $(($(wc -c <"$FAKE_DIR/state/state.json") / 1048576)) MB, audit log $(wc -l <"$FAKE_DIR/state/audit.jsonl") lines"
	echo "(bytes_in: decoded bodies plus headers, as the HTTP client counts them)"
	fake_stop
}
bench_daemon_cycle
