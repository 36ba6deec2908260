#!/bin/sh
# The unit file: `systemd-analyze verify` must print nothing (it exits 0 on an
# unknown key, so any output fails the test), and the offline security score
# must stay at 1.0 or below (--threshold counts in tenths: 10 means 1.0).
set -eu
: "${BUILD:=build}"
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$BUILD" in /*) bin=$BUILD ;; *) bin=$top/$BUILD ;; esac
sed "s|@SBINDIR@|$bin|g; s|@SYSCONFDIR@|/etc|g" "$top/systemd/syncd.service" > "$tmp/syncd.service"
if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze missing (package systemd)"; exit 1
fi
out=$(systemd-analyze verify --man=no "$tmp/syncd.service" 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then
	echo "systemd-analyze verify printed:"; echo "$out"; exit 1
fi
# A unit with a typo must be caught by this very check (the test can fail).
sed 's/^ProtectSystem=/ProtectSystm=/' "$tmp/syncd.service" > "$tmp/typo.service"
out=$(systemd-analyze verify --man=no "$tmp/typo.service" 2>&1 || true)
[ -n "$out" ] || { echo "a typo went unnoticed by verify"; exit 1; }
score=$(systemd-analyze security --offline=true "$tmp/syncd.service" 2>&1 | grep 'Overall exposure')
echo "$score"
systemd-analyze security --offline=true --threshold=10 "$tmp/syncd.service" >/dev/null 2>&1 ||
	{ echo "exposure above 1.0: $score"; exit 1; }
grep -q '^LimitCORE=0$' "$tmp/syncd.service"
grep -q '^Type=notify$' "$tmp/syncd.service"
grep -q '^RestartPreventExitStatus=78$' "$tmp/syncd.service"
echo "unit verified, $score"
