#!/bin/sh
# t_audit_seal: forward-secure seals on the audit log (syncd/seal.h).
#   The demonstration: a log sealed over four days (the third without the
#   daemon) verifies with the verification key; an attacker with root edits
#   a line of the second day and recomputes the whole SHA-256 chain: plain
#   verify passes (it cannot know), verify --seal fails and names the second
#   day; a log cut back to before the current day is caught; seals stripped
#   and the log re-sealed under the current key is caught.  Also: the seed
#   is not on disk and the key file evolved; old unsealed logs verify as
#   before and are reported unsealed with --seal; a key of the wrong length
#   or format exits 64 without being echoed; a log line of a newer format is
#   refused by plain verify; seal-init on a daemon's configuration, then
#   --once, verifies; seal-init twice is refused; after `audit rotate` the
#   files in order verify sealed and `audit show` reads them as one log.
set -u
: "${BUILD:=build}"
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

e2e_begin t_audit_seal
SYNCD="$BUILD/syncd"
GEN="$BUILD/tools/seal_gen"
mkdir -p "$work/st"
L=$work/st/audit.jsonl

V=$("$GEN" "$work/st" "$L" 2024-02-01 4 3) || { echo "seal_gen failed"; exit 1; }
NOW="--now 2024-02-04T18:00"
# shellcheck disable=SC2086
"$SYNCD" audit verify "$L" --seal "$V" $NOW > "$work/out" 2>&1
check "sealed log verifies" "$?" 0
grep -q "epochs 2024-02-01 to 2024-02-04" "$work/out" && ok "all four days sealed" || bad "all four days sealed: $(cat "$work/out")"
check "the third day (daemon down) closed by the fourth" \
    "$(jq -r 'select(.event == "seal") | .day' "$L" | uniq | tr '\n' ' ')" \
    "2024-02-01 2024-02-02 2024-02-03 2024-02-04 "
seed=${V%%/*}
grep -rq "$seed" "$work/st" && bad "the seed is stored on disk" || ok "the seed is not stored"
grep -q "epoch0=00019754 epoch=00019757 " "$work/st/seal.key" && ok "the key evolved to the fourth day" ||
    bad "the key evolved: $(cut -c1-45 "$work/st/seal.key")"
check "key file mode" "$(stat -c %a "$work/st/seal.key")" 600
"$SYNCD" audit verify "$L" > /dev/null; check "plain verify of a sealed log" "$?" 0

# rechain IN OUT: recompute every prev, as root with the log would.
rechain() {
	python3 - "$1" "$2" <<'PY'
import hashlib, json, sys
prev = "0" * 64
out = []
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    o = json.loads(line)
    o["prev"] = prev
    line = json.dumps(o, ensure_ascii=False, separators=(",", ":"))
    out.append(line)
    prev = hashlib.sha256(line.encode()).hexdigest()
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
}

# The attack: a day-2 activity date edited, the whole chain recomputed.
n=$(grep -n '"ts":"2024-02-02T08:00:00Z","event":"cell.changed"' "$L" | head -n 1 | cut -d: -f1)
sed "${n}s|15/02/2567|01/02/2567|" "$L" > "$work/edit.jsonl"
rechain "$work/edit.jsonl" "$work/forged.jsonl"
cmp -s "$work/forged.jsonl" "$L" && bad "the forgery changed nothing"
"$SYNCD" audit verify "$work/forged.jsonl" > /dev/null
check "rewritten log: plain verify passes (it cannot know)" "$?" 0
# shellcheck disable=SC2086
"$SYNCD" audit verify "$work/forged.jsonl" --seal "$V" $NOW > "$work/out" 2> "$work/err"
check "rewritten log: verify --seal fails" "$?" 1
grep -q "first bad epoch 2024-02-02" "$work/out" && ok "names the first bad epoch (2024-02-02)" ||
    bad "names the first bad epoch: $(cat "$work/out")"

# Cut back to before the current day's first seal (the last day's lines gone).
last=$(grep -n '"day":"2024-02-04"' "$L" | head -n 1 | cut -d: -f1)
head -n $((last - 1)) "$L" > "$work/cut.jsonl"
"$SYNCD" audit verify "$work/cut.jsonl" > /dev/null; check "cut log: plain verify passes" "$?" 0
# shellcheck disable=SC2086
"$SYNCD" audit verify "$work/cut.jsonl" --seal "$V" $NOW > "$work/out" 2>&1
check "cut log: verify --seal fails" "$?" 1
grep -q "cut back" "$work/out" && ok "cut log named as cut back" || bad "cut log: $(cat "$work/out")"
# Unsealed lines after the last seal.
cp "$L" "$work/tail.jsonl"
prev=$(tail -n 1 "$L" | tr -d '\n' | sha256sum | cut -c1-64)
printf '{"seq":%d,"ts":"2024-02-04T11:00:00Z","event":"cycle","prev":"%s"}\n' \
    "$(($(wc -l < "$L") + 1))" "$prev" >> "$work/tail.jsonl"
# shellcheck disable=SC2086
"$SYNCD" audit verify "$work/tail.jsonl" --seal "$V" $NOW > "$work/out" 2>&1
check "an unsealed line appended: verify --seal fails" "$?" 1
# Every seal stripped, the chain recomputed: no seal of the first days.
grep -v '"event":"seal"' "$L" > "$work/strip.jsonl"
rechain "$work/strip.jsonl" "$work/strip2.jsonl"
# shellcheck disable=SC2086
"$SYNCD" audit verify "$work/strip2.jsonl" --seal "$V" $NOW > /dev/null 2>&1
check "seals stripped: verify --seal fails" "$?" 1
# Another key does not verify.
other="$(printf '%064d' 7)/2024-02-01"
# shellcheck disable=SC2086
"$SYNCD" audit verify "$L" --seal "$other" $NOW > /dev/null 2>&1
check "another key: fails" "$?" 1

# Bad verification keys: 64, never echoed.
for k in "${seed}" "${seed}0/2024-02-01" "$(printf '%s' "$seed" | tr 'a-f' 'g-l')/2024-02-01" \
    "${seed}/2024-13-01" "short"; do
	"$SYNCD" audit verify "$L" --seal "$k" > "$work/out" 2> "$work/err"
	rc=$?
	[ "$rc" -eq 64 ] && ok "bad key exits 64" || bad "bad key [$k] exits $rc, want 64"
	if grep -qF -- "$k" "$work/out" "$work/err"; then bad "bad key echoed"; fi
	grep -q "64 hex digits" "$work/err" || bad "bad key: says what is wanted: $(cat "$work/err")"
done
"$SYNCD" audit verify "$L" --seal "$V" --now 2024-02-04 > /dev/null 2>&1
check "malformed --now exits 64" "$?" 64

# An old, unsealed log: verifies as before; --seal says it is not sealed.
"$BUILD/tools/audit_gen" "$work/old.jsonl" 6 > /dev/null
"$SYNCD" audit verify "$work/old.jsonl" > /dev/null; check "old log: plain verify" "$?" 0
"$SYNCD" audit verify "$work/old.jsonl" --seal "$V" > "$work/out" 2>&1
check "old log: --seal fails" "$?" 1
grep -q "no seal" "$work/out" && ok "old log: says never sealed" || bad "old log: $(cat "$work/out")"

# A line of a newer log format: plain verify refuses it, clearly.
cp "$work/old.jsonl" "$work/newer.jsonl"
prev=$(tail -n 1 "$work/old.jsonl" | tr -d '\n' | sha256sum | cut -c1-64)
printf '{"seq":7,"ts":"2030-01-01T00:00:00Z","event":"cycle","prev":"%s","format":2}\n' \
    "$prev" >> "$work/newer.jsonl"
"$SYNCD" audit verify "$work/newer.jsonl" > "$work/out" 2>&1
check "newer format: verify fails" "$?" 1
grep -q "line 7 (seq 7).*newer log format" "$work/out" && ok "newer format named" ||
    bad "newer format named: $(cat "$work/out")"

# The daemon: seal-init on its configuration, then a cycle; sealed.
sheet_start tests/data/demo-chachoengsao.json
"$SYNCD" audit seal-init -c "$CONF" > "$work/vkey" 2> "$work/err"
check "seal-init exits 0" "$?" 0
check "seal-init prints one key" "$(wc -l < "$work/vkey")" 1
VK=$(cat "$work/vkey")
"$SYNCD" audit seal-init -c "$CONF" > "$work/out" 2>&1
check "seal-init twice exits 65" "$?" 65
"$SYNCD" --once -c "$CONF" --today 2024-02-01 2>> "$work/stderr"
check "--once on a sealed log exits 0" "$?" 0
"$SYNCD" audit verify "$LOG" --seal "$VK" > "$work/out" 2>&1
check "the daemon's log verifies with --seal" "$?" 0
check "the last line is a seal" "$(tail -n 1 "$LOG" | jq -r .event)" seal
# Rotated: the files in order still verify, sealed, and read as one log.
"$SYNCD" audit rotate -c "$CONF" > "$work/out" 2>&1
check "audit rotate exits 0" "$?" 0
arch=$(ls "$(dirname "$LOG")" | grep '^audit.jsonl-' | head -n 1)
A=$(dirname "$LOG")/$arch
"$SYNCD" --once -c "$CONF" --today 2024-02-01 2>> "$work/stderr"
check "--once after the rotation exits 0" "$?" 0
"$SYNCD" audit verify "$A" "$LOG" --seal "$VK" > "$work/out" 2>&1
check "rotated: both files verify with --seal" "$?" 0
"$SYNCD" audit verify "$LOG" "$A" --seal "$VK" > /dev/null 2>&1
check "rotated: files out of order fail" "$?" 1
check "rotated: show reads both files as one log" \
    "$("$SYNCD" audit show "$A" "$LOG" --format json | wc -l)" "$(cat "$A" "$LOG" | wc -l)"
"$SYNCD" audit show "$LOG" > /dev/null 2>&1
check "rotated: the newer file alone is a segment that shows" "$?" 0
# seal-init by root for a daemon with its own user: the key is that user's.
if [ "$(id -u)" -eq 0 ] && id nobody > /dev/null 2>&1; then
	mkdir "$work/own" && chown nobody "$work/own"
	printf 'spreadsheet_id = "x";\nkey_file = "/nonexistent.json";\nstate_dir = "%s";\naudit_log = "%s/audit.jsonl";\n' \
	    "$work/own" "$work/own" > "$work/own.conf"
	"$SYNCD" audit seal-init -c "$work/own.conf" > /dev/null 2>&1
	check "seal-init as root: the key belongs to the state directory's owner" \
	    "$(stat -c '%U %a' "$work/own/seal.key")" "nobody 600"
fi
"$SYNCD" audit seal-init -c "$work/none.conf" > /dev/null 2>&1
check "seal-init, missing configuration: 66" "$?" 66

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "t_audit_seal: all passed"
