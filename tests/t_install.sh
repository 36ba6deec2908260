#!/bin/sh
# make install into a DESTDIR gives the expected tree, keeps an existing
# configuration, and make uninstall removes what it installed; the man pages
# render without warnings.
set -eu
: "${BUILD:=build}"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
make -s BUILD="$BUILD" install DESTDIR="$d" PREFIX=/usr SYSCONFDIR=/etc >/dev/null
for f in usr/sbin/syncd usr/share/man/man8/syncd.8 usr/share/man/man5/syncd.conf.5 \
    usr/lib/systemd/system/syncd.service usr/lib/systemd/system/syncd@.service \
    etc/syncd/syncd.conf; do
	[ -f "$d/$f" ] || { echo "missing $f"; find "$d"; exit 1; }
done
[ -x "$d/usr/sbin/syncd" ]
"$d/usr/sbin/syncd" --version | grep -q '^syncd '
grep -q '^ExecStart=/usr/sbin/syncd -c /etc/syncd/syncd.conf$' "$d/usr/lib/systemd/system/syncd.service"
grep -q 'LoadCredential=service-account.json:/etc/syncd/service-account.json' \
	"$d/usr/lib/systemd/system/syncd.service"
grep -q '^ExecStart=/usr/sbin/syncd -c /etc/syncd/%i.conf$' "$d/usr/lib/systemd/system/syncd@.service"
if grep -q '@SBINDIR@\|@SYSCONFDIR@' "$d/usr/lib/systemd/system/syncd.service" \
    "$d/usr/lib/systemd/system/syncd@.service"; then
	echo "unsubstituted placeholder in a unit"; exit 1
fi
cmp etc/syncd.conf "$d/etc/syncd/syncd.conf"
# The audit log's logrotate entry, with this install's paths, never copytruncate.
grep -q '/usr/sbin/syncd audit rotate -c /etc/syncd/syncd.conf' "$d/etc/logrotate.d/syncd"
if grep -q '^[[:space:]]*copytruncate' "$d/etc/logrotate.d/syncd"; then
	echo "logrotate entry uses copytruncate"; exit 1
fi
# An existing configuration is never overwritten.
echo "# mine" > "$d/etc/syncd/syncd.conf"
make -s BUILD="$BUILD" install DESTDIR="$d" PREFIX=/usr SYSCONFDIR=/etc >/dev/null
[ "$(cat "$d/etc/syncd/syncd.conf")" = "# mine" ] || { echo "configuration overwritten"; exit 1; }
# The man pages render, with no warning from groff.
for m in "$d/usr/share/man/man8/syncd.8" "$d/usr/share/man/man5/syncd.conf.5"; do
	out=$(MANWIDTH=80 man -l "$m" 2>&1 >/dev/null) || { echo "$out"; exit 1; }
	[ -z "$out" ] || { echo "man -l $m: $out"; exit 1; }
	MANWIDTH=80 man -l "$m" 2>/dev/null | grep -q 'SYNOPSIS\|DESCRIPTION'
done
make -s BUILD="$BUILD" uninstall DESTDIR="$d" PREFIX=/usr SYSCONFDIR=/etc >/dev/null
[ ! -e "$d/usr/sbin/syncd" ] && [ ! -e "$d/usr/lib/systemd/system/syncd.service" ] &&
	[ ! -e "$d/usr/lib/systemd/system/syncd@.service" ]
[ -f "$d/etc/syncd/syncd.conf" ]	# the configuration stays
echo "install tree ok"
