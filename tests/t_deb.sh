#!/bin/sh
# The Debian package, built once by `make deb` from a clean clone of this
# commit (so a file missing from git is caught), then examined: the files it
# installs, the conffile, Depends (libcurl, libjansson, libconfig, libssl),
# no lintian E: line (warnings only those README.md explains), the version (the changelog's, the one `syncd --version`
# prints), and a syncd from `dpkg -x` that runs --version and refuses the
# shipped configuration's placeholder with exit 78.
# Skipped, saying why, only where dpkg-buildpackage cannot run (not Debian,
# or its tools missing and no root to install them).
set -eu
: "${BUILD:=build}"
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "t_deb: $*"; exit 1; }

if ! command -v dpkg-architecture >/dev/null 2>&1; then
	echo "SKIP: no dpkg-architecture: not a Debian system, dpkg-buildpackage cannot run"
	exit 0
fi
if ! "$top/.ci/deps" deb >"$tmp/deps.log" 2>&1; then
	if ! command -v dpkg-buildpackage >/dev/null 2>&1 || ! command -v dh >/dev/null 2>&1; then
		echo "SKIP: dpkg-buildpackage or debhelper missing and cannot be installed:"
		sed 's/^/  /' "$tmp/deps.log"
		exit 0
	fi
	cat "$tmp/deps.log"; fail ".ci/deps deb failed"
fi

# One build, from a clean clone of HEAD when this is a git checkout.
if git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	rev=$(git -C "$top" rev-parse HEAD)
	git clone -q "$top" "$tmp/src"
	git -C "$tmp/src" checkout -q --detach "$rev"
	echo "building from a clean clone of $rev"
else
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . | { mkdir "$tmp/src"; tar -C "$tmp/src" -xf -; }
	echo "not a git checkout: building from a copy of the tree"
fi
make -s -C "$tmp/src" deb BUILD="$tmp/out" >"$tmp/make.log" 2>&1 ||
	{ tail -n 40 "$tmp/make.log"; fail "make deb failed"; }

version=$(awk -F'[()]' 'NR == 1 { print $2 }' "$top/debian/changelog")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$tmp/out/syncd_${version}_${arch}.deb
[ -f "$deb" ] || { ls "$tmp/out"; fail "no syncd_${version}_${arch}.deb"; }
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version is not the changelog's $version"

dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$tmp/files"
for f in /usr/sbin/syncd /lib/systemd/system/syncd.service /lib/systemd/system/syncd@.service \
    /usr/share/man/man8/syncd.8.gz /usr/share/man/man5/syncd.conf.5.gz /etc/syncd/syncd.conf \
    /usr/share/doc/syncd/README.md.gz /usr/share/doc/syncd/examples/indicator4.conf \
    /usr/share/doc/syncd/copyright; do
	grep -qx "$f" "$tmp/files" || { cat "$tmp/files"; fail "dpkg-deb -c: no $f"; }
done
dpkg-deb -e "$deb" "$tmp/control"
grep -qx /etc/syncd/syncd.conf "$tmp/control/conffiles" || fail "syncd.conf is not a conffile"
# Installing does not start an unconfigured syncd; removing stops it.
grep -q -- '--no-start\|syncd -t' "$tmp/control/postinst" || fail "postinst may start syncd unconfigured"
grep -q 'stop' "$tmp/control/prerm" || fail "prerm does not stop syncd"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libcurl libjansson libconfig libssl; do
	echo "$depends" | grep -q "$lib" || fail "Depends does not name $lib"
done

# make deb ran lintian on it (its report in deb/lintian.txt): no E: line, and
# every warning that stays is listed in the README with its reason.
lint=$tmp/out/deb/lintian.txt
[ -f "$lint" ] || fail "make deb did not run lintian (no $lint)"
if grep -q '^E: ' "$lint"; then cat "$lint"; fail "lintian reports errors"; fi
grep '^[WI]: ' "$lint" || true
for tag in $(awk '/^W: / { print $3 }' "$lint" | sort -u); do
	grep -q -- "$tag" "$top/README.md" || fail "lintian warning $tag is not explained in README.md"
done

dpkg -x "$deb" "$tmp/root"
syncd=$tmp/root/usr/sbin/syncd
[ "$("$syncd" --version)" = "syncd $version" ] || fail "syncd --version: $("$syncd" --version)"
rc=0
"$syncd" -t -c "$tmp/root/etc/syncd/syncd.conf" >"$tmp/out.txt" 2>"$tmp/err.txt" || rc=$?
[ "$rc" -eq 78 ] || { cat "$tmp/err.txt"; fail "-t on the shipped configuration: exit $rc, want 78"; }
grep -q 'REPLACE-WITH-SPREADSHEET-ID' "$tmp/err.txt" || { cat "$tmp/err.txt"; fail "-t does not name the placeholder"; }
echo "package $(basename "$deb") ok"
