#!/bin/sh
# t_guides: every shell block of the IT officer's guide marked runnable
# (an HTML comment "<!-- runnable -->" or "<!-- runnable: exit N -->" on the
# line before its ``` fence) runs from the source tree and exits as the guide
# says.  The guide's paths are the installed ones; the test maps
# /var/lib/syncd/ to the state directory of a real `syncd --once` run against
# the emulator, so `audit verify` verifies a real log.  Also: the README links
# both guides.
set -u
: "${BUILD:=build}"
. tests/lib.sh
e2e_begin t_guides
guide="doc/คู่มือผู้ดูแลระบบ.md"

sheet_start tests/data/demo-chachoengsao.json
"$BUILD/syncd" -c "$CONF" --once --today 2024-02-01 > "$work/once.out" 2>&1
check "a --once cycle for a real audit log" "$?" 0
STATE=$(dirname "$LOG")

# Extract the runnable blocks: one file each, and its wanted exit status.
awk -v dir="$work" '
	/<!-- runnable(: exit [0-9]+)? -->/ {
		want = 0
		if (match($0, /exit [0-9]+/)) want = substr($0, RSTART + 5, RLENGTH - 5)
		armed = 1; next
	}
	armed && /^[ \t]*```/ && !inblock { inblock = 1; n++; f = dir "/block" n ".sh"; print want > (f ".want"); next }
	inblock && /^[ \t]*```/ { inblock = 0; armed = 0; close(f); next }
	inblock { sub(/^   /, ""); print > f }
' "$guide"
n=$(ls "$work"/block*.sh 2>/dev/null | wc -l)
if [ "$n" -ge 4 ]; then ok "$n runnable blocks in the guide"; else bad "only $n runnable blocks in the guide"; fi

for b in "$work"/block*.sh; do
	[ -e "$b" ] || continue
	want=$(cat "$b.want")
	sed "s|/var/lib/syncd/|$STATE/|g" "$b" > "$b.run"
	PATH="$PWD/$BUILD:$PATH" sh -eu "$b.run" > "$b.out" 2>&1
	got=$?
	check "guide block: $(head -1 "$b") (exit $want)" "$got" "$want"
	[ "$got" = "$want" ] || sed 's/^/    /' "$b.out" | head -5
done

for g in "doc/คู่มือผู้ดูแลระบบ.md" "doc/คู่มือสำหรับอำเภอ.md"; do
	if head -20 README.md | grep -qF "($g)"; then ok "README links $g at the top"; else bad "README does not link $g near its top"; fi
done
[ "$fails" -eq 0 ] || exit 1
