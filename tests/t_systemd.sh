#!/bin/sh
# The unit files, syncd.service and the template syncd@.service (verified as
# the instance syncd@chachoengsao.service): `systemd-analyze verify` must print
# nothing (it exits 0 on an unknown key, so any output fails the test), the
# offline security score must stay at 1.2 or below (--threshold counts in
# tenths: 12 means 1.2; the honest score is 1.1: syncd must reach Google, so
# no IP address pair that restricts nothing lowers it), and the template must be exactly as hardened as
# syncd.service: the same lines but those that name the instance.
set -eu
: "${BUILD:=build}"
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$BUILD" in /*) bin=$BUILD ;; *) bin=$top/$BUILD ;; esac
sed "s|@SBINDIR@|$bin|g; s|@SYSCONFDIR@|/etc|g" "$top/systemd/syncd.service" > "$tmp/syncd.service"
sed "s|@SBINDIR@|$bin|g; s|@SYSCONFDIR@|/etc|g" "$top/systemd/syncd@.service" \
	> "$tmp/syncd@chachoengsao.service"
if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze missing (package systemd)"; exit 1
fi
for u in syncd.service syncd@chachoengsao.service; do
	out=$(systemd-analyze verify --man=no "$tmp/$u" 2>&1) || { echo "$out"; exit 1; }
	if [ -n "$out" ]; then
		echo "systemd-analyze verify $u printed:"; echo "$out"; exit 1
	fi
done
# A unit with a typo must be caught by this very check (the test can fail).
sed 's/^ProtectSystem=/ProtectSystm=/' "$tmp/syncd.service" > "$tmp/typo.service"
out=$(systemd-analyze verify --man=no "$tmp/typo.service" 2>&1 || true)
[ -n "$out" ] || { echo "a typo went unnoticed by verify"; exit 1; }
score=$(systemd-analyze security --offline=true "$tmp/syncd.service" 2>&1 | grep 'Overall exposure')
echo "$score"
systemd-analyze security --offline=true --threshold=12 "$tmp/syncd.service" >/dev/null 2>&1 ||
	{ echo "exposure above 1.2: $score"; exit 1; }
if grep -q '^IPAddress' "$tmp/syncd.service"; then
	echo "an IPAddressDeny/IPAddressAllow pair that restricts nothing"; exit 1
fi
grep -q '^LimitCORE=0$' "$tmp/syncd.service"
grep -q '^Type=notify$' "$tmp/syncd.service"
grep -q '^RestartPreventExitStatus=78 69 65$' "$tmp/syncd.service"

# The template: its own configuration, state, key and user per instance...
t=$tmp/syncd@chachoengsao.service
for line in "ExecStartPre=$bin/syncd -t -c /etc/syncd/%i.conf" \
    "ExecStart=$bin/syncd -c /etc/syncd/%i.conf" 'StateDirectory=syncd/%i' \
    'LoadCredential=service-account.json:/etc/syncd/%i.service-account.json' \
    'User=syncd-%i' 'DynamicUser=yes'; do
	grep -qxF "$line" "$t" || { echo "syncd@.service: no line $line"; exit 1; }
done
tscore=$(systemd-analyze security --offline=true "$t" 2>&1 | grep 'Overall exposure')
systemd-analyze security --offline=true --threshold=12 "$t" >/dev/null 2>&1 ||
	{ echo "template exposure above 1.2: $tscore"; exit 1; }
# ... and otherwise the very lines of syncd.service, in the same order.
same='^(Description|ExecStartPre|ExecStart|StateDirectory|LoadCredential|User)='
grep -v '^#' "$tmp/syncd.service" | grep -v '^$' | grep -Ev "$same" > "$tmp/a"
grep -v '^#' "$t" | grep -v '^$' | grep -Ev "$same" > "$tmp/b"
if ! diff "$tmp/a" "$tmp/b" > "$tmp/diff"; then
	echo "syncd@.service is not hardened as syncd.service is (< syncd.service, > template):"
	cat "$tmp/diff"; exit 1
fi
echo "units verified: syncd.service $score; syncd@.service $tscore"
