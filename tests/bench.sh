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
# Then the national simulation (issue 18: 77 provinces, the rollup under
# Google's quotas), tests/bench_national.sh: a few minutes, as the quota is
# per minute; BENCH_NATIONAL=0 skips it.
#
# Environment: BUILD, BENCH_SIZES (default "1000 10000 100000"),
# BENCH_RUNS, BENCH_DIR, BENCH_CONFIG (default etc/syncd.conf when present;
# "none" for the built-in defaults), BENCH_REST (default 1),
# BENCH_REST_POLL (the resting daemon's poll_interval, default 20),
# BENCH_REST_SAMPLES (default 5), BENCH_NATIONAL (default 1),
# BENCH_NATIONAL_PROVINCES (see tests/bench_national.sh).
set -eu
: "${BUILD:=build}"
: "${BENCH_SIZES:=1000 10000 100000}"
: "${BENCH_RUNS:=5}"
rest_poll=${BENCH_REST_POLL:-20}
rest_samples=${BENCH_REST_SAMPLES:-5}
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
# Daemon cycles: `syncd --once` against the emulator (HTTPS on loopback,
# gzip, one kept connection per origin) for each size.  A cold cycle
# creates both tabs; then, BENCH_RUNS times: a changed cycle (three status
# marks set on one household through values:batchUpdate, so findings move:
# the tab list ("get") and the values ("batchGet", by data filter) read, one
# write), the next cycle that sees only its own write (the same reads, no
# write) and an idle one (Drive only, no Sheets request).  Per kind:
# median wall time of the whole process (start, token, cycle, exit), its
# largest peak RSS, the requests (token excluded), the body bytes on the
# wire from the emulator's log (answers after gzip), and the seconds the
# cycle spent parsing the batchGet answer and evaluating the rules (from its
# log line; the median run's).  Then the daemon runs
# for real on each size and its memory, resting after a changed cycle, is
# read from /proc/PID/smaps_rollup, only while it rests (see daemon_rest;
# BENCH_REST=0 skips it).  The headline
# figures are Pss (shared pages divided among the processes that map them:
# here the emulator shares libc and the TLS libraries) and Private_Dirty (the
# daemon's own memory); Rss, the peak (VmHWM) and the clean file pages
# (library text; the kernel may drop them) follow.
# ====================================================================
bench_daemon_cycle() {
	[ -x "$BUILD/fakesheets" ] || die "$BUILD/fakesheets not built"
	# shellcheck source=tests/lib.sh
	. "$top/tests/lib.sh"
	# fake_stop's "exec 9<&- 2>/dev/null" also silences stderr for good:
	# keep a copy (fd 7) to put back after it.
	exec 7>&2
	trap 'stop_emulator; rm -rf "$tmp"' EXIT INT TERM
	echo
	echo "syncd --once against the emulator (HTTPS, loopback, gzip; median of $BENCH_RUNS, token excluded)"
	printf '%11s %-9s %9s %8s %12s %-30s %10s %10s %8s %8s\n' "households" "cycle" \
	    "median_s" "cpu_s" "peak_RSS_MB" "requests" "wire_down" "wire_up" "parse_s" "eval_s"
	for n in ${BENCH_DAEMON_SIZES:-$BENCH_SIZES}; do
		daemon_size "$n"
	done
	if [ "${BENCH_REST:-1}" != 0 ]; then
		echo
		echo "the daemon at rest after a changed cycle (cold, own write, changed; poll_interval $rest_poll s):"
		echo "median of the samples 1 s apart, from 1 s into its sleep, taken while it used no CPU and sent nothing (MB)"
		printf '%11s %8s %14s %8s %8s %13s %14s %9s\n' "households" "Pss" "Private_Dirty" \
		    "Rss" "VmHWM" "Shared_Clean" "Private_Clean" "at_rest"
		for n in ${BENCH_DAEMON_SIZES:-$BENCH_SIZES}; do
			daemon_rest "$n"
		done
	fi
}

stop_emulator() {
	fake_stop
	exec 2>&7
}

# daemon_once KIND: one --once cycle; appends "KIND ns cpu_s rss_kb reqs down up"
# to $tmp/cycles.
daemon_once() {
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	t0=$(date +%s%N)
	rc=0
	/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$syncd" --once -c "$conf" \
	    --today "$today" 2>"$tmp/derr" || rc=$?
	t1=$(date +%s%N)
	[ "$rc" -eq 0 ] || die "syncd --once exited $rc: $(grep -v '^Command exited' "$tmp/derr" | tail -n 2)"
	fake_requests | jq -r '[.[] | select(.path != "/token")] |
	    ([.[] | .path | if startswith("/drive/") then "drive"
	        elif endswith(":batchUpdate") then "batchUpdate"
	        elif endswith("values:batchGet") or endswith("values:batchGetByDataFilter")
	        then "batchGet" else "get" end] | join("+")) +
	    " \(map(.bytes_out // 0) | add // 0) \(map(.bytes_in // 0) | add // 0)"' >"$tmp/reqs"
	pe=$(sed -n 's/.*(parse \([0-9.]*\) s, evaluate \([0-9.]*\) s).*/\1 \2/p' "$tmp/derr" |
	    tail -n 1)
	printf '%s %s %s %s %s\n' "$1" "$((t1 - t0))" \
	    "$(tail -n 1 "$tmp/rss" | awk '{ printf "%s %.2f", $1, $2 + $3 }')" \
	    "$(cat "$tmp/reqs")" "${pe:-0 0}" >>"$tmp/cycles"
}

# daemon_size N: the cycles of one workbook size, one table row per kind.
daemon_size() {
	f=$(workbook "$1")
	fake_start "$f" || die "cannot start the emulator"
	conf=$FAKE_DIR/syncd.conf
	id=$(jq -r .spreadsheetId "$f")
	tab=$(jq -r '.sheets[0].properties.title' "$f" | sed "s/'/''/g")
	tok=$(fake_token)
	: >"$tmp/cycles"
	daemon_once cold
	i=0
	while [ "$i" -lt "$BENCH_RUNS" ]; do
		# Household row 3+i of the first tab gets marks in H, I and J
		# (genwb's status columns): status.multiple, the tabs change.
		r=$((3 + i))
		fake_curl -X POST -H "Authorization: Bearer $tok" \
		    -H 'Content-Type: application/json' \
		    --data-binary "{\"valueInputOption\":\"RAW\",\"data\":[{\"range\":\"'$tab'!H$r:J$r\",\"values\":[[1,1,1]]}]}" \
		    "$FAKE_URL/v4/spreadsheets/$id/values:batchUpdate" >/dev/null ||
		    die "cannot edit the emulator's workbook"
		daemon_once changed
		daemon_once own-write
		daemon_once idle
		i=$((i + 1))
	done
	stop_emulator
	for kind in cold changed own-write idle; do
		awk -v k="$kind" -v n="$1" '$1 == k' "$tmp/cycles" | sort -k2,2n | awk -v n="$1" '
		    { ns[NR] = $2; if ($3 > rss) rss = $3; cpu[NR] = $4; kind = $1
		      req[NR] = $5; down[NR] = $6; up[NR] = $7; ps[NR] = $8; es[NR] = $9 }
		    END {
			m = int((NR + 1) / 2)
			printf "%11d %-9s %9.3f %8.2f %12.1f %-30s %10s %10s %8.3f %8.3f\n", n,
			    kind, ns[m] / 1e9, cpu[m], rss / 1024, req[m], down[m], up[m],
			    ps[m], es[m]
		    }'
	done
}

# daemon_rest N: the daemon itself (not --once) on N households: its memory
# at rest after the first (cold) cycle, the one that sees its own write and a
# changed one (an edit of a district tab: read, evaluate, write); one table
# row.  It polls every $BENCH_REST_POLL s (default 20), not the emulator's
# usual 5: at 100k a changed cycle takes 2 to 9 s on a shared machine, and
# with 5 s the next cycle (which reads the whole sheet again) was often
# running when the sample was taken, which put 30 to 70 MB of a cycle in a
# "resting" figure.  $BENCH_REST_SAMPLES samples (default 5), 1 s apart,
# from 1 s after the changed cycle's log line (its malloc_trim is done by
# then); a sample counts only if the daemon used no CPU time across it and
# sent the emulator no request since the changed cycle; each column is the
# median of the samples that count.
daemon_rest() {
	f=$(workbook "$1")
	fake_start "$f" || die "cannot start the emulator"
	sed "s/^poll_interval = .*/poll_interval = $rest_poll;/" "$FAKE_DIR/syncd.conf" \
	    >"$FAKE_DIR/rest.conf"
	# The log exists before the daemon starts: rest_wait may read it first.
	: >"$tmp/rest.err"
	"$syncd" -c "$FAKE_DIR/rest.conf" --today "$today" 2>>"$tmp/rest.err" &
	dpid=$!
	trap 'kill "$dpid" 2>/dev/null || :; stop_emulator; rm -rf "$tmp"' EXIT INT TERM
	# Two cycle lines (cold, own write; the daemon logs no idle cycle),
	# then the edit and the changed cycle's line.
	rest_wait "$1" 2
	id=$(jq -r .spreadsheetId "$f")
	tab=$(jq -r '.sheets[0].properties.title' "$f" | sed "s/'/''/g")
	fake_curl -X POST -H "Authorization: Bearer $(fake_token)" \
	    -H 'Content-Type: application/json' \
	    --data-binary "{\"valueInputOption\":\"RAW\",\"data\":[{\"range\":\"'$tab'!H3:J3\",\"values\":[[1,1,1]]}]}" \
	    "$FAKE_URL/v4/spreadsheets/$id/values:batchUpdate" >/dev/null ||
	    die "cannot edit the emulator's workbook"
	rest_wait "$1" 3
	fake_curl -X DELETE "$FAKE_URL/_fake/requests" >/dev/null
	grep 'cycle:' "$tmp/rest.err" | tail -n 1 | grep -q 'wrote the summary' ||
	    echo "bench: WARNING: the daemon on $1 households: the edit's cycle wrote nothing" >&2
	sleep 1
	: >"$tmp/rest"
	i=0
	while [ "$i" -lt "$rest_samples" ]; do
		c0=$(cpu_ticks)
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$dpid/status")
		roll=$(awk '/^(Rss|Pss|Private_Dirty|Shared_Clean|Private_Clean):/ { v[$1] = $2 }
		    END { printf "%s %s %s %s %s", v["Rss:"], v["Pss:"], v["Private_Dirty:"],
		        v["Shared_Clean:"], v["Private_Clean:"] }' "/proc/$dpid/smaps_rollup")
		sleep 1
		if [ "$(cpu_ticks)" -le "$((c0 + 1))" ] &&
		    [ "$(fake_requests | jq length)" -eq 0 ]; then
			echo "$hwm $roll" >>"$tmp/rest"
		fi
		i=$((i + 1))
	done
	kill "$dpid" 2>/dev/null || :
	wait "$dpid" 2>/dev/null || :
	trap 'stop_emulator; rm -rf "$tmp"' EXIT INT TERM
	stop_emulator
	k=$(wc -l <"$tmp/rest")
	[ "$k" -gt 0 ] || {
		echo "bench: WARNING: the daemon on $1 households was never at rest in" \
		    "$rest_samples samples (poll_interval $rest_poll s: raise BENCH_REST_POLL)" >&2
		return 0
	}
	# One sorted column at a time: the median of each.
	for col in 1 2 3 4 5 6; do
		cut -d ' ' -f "$col" "$tmp/rest" | sort -n | awk '{ v[NR] = $1 }
		    END { printf "%s ", v[int((NR + 1) / 2)] }'
	done | awk -v n="$1" -v k="$k" -v s="$rest_samples" '{
	    printf "%11d %8.1f %14.1f %8.1f %8.1f %13.1f %14.1f %9s\n", n, $3 / 1024,
	        $4 / 1024, $2 / 1024, $1 / 1024, $5 / 1024, $6 / 1024, k "/" s }'
}

# rest_wait N K: waits until the resting daemon (on N households) has logged
# K cycles; gives up (die) when it exits or after three polls and a minute.
rest_wait() {
	j=0
	while [ "$(grep -c 'cycle:' "$tmp/rest.err")" -lt "$2" ]; do
		kill -0 "$dpid" 2>/dev/null ||
		    die "the daemon on $1 households exited: $(tail -n 2 "$tmp/rest.err")"
		[ "$j" -lt "$(((3 * rest_poll + 60) * 10))" ] ||
		    die "the daemon on $1 households logged no cycle $2 (poll_interval $rest_poll s)"
		sleep 0.1
		j=$((j + 1))
	done
}

# cpu_ticks: the resting daemon's user and system time, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$dpid/stat"
}

bench_daemon_cycle

if [ "${BENCH_NATIONAL:-1}" != 0 ]; then
	BUILD="$BUILD" "$top/tests/bench_national.sh"
fi
