# lib.sh: helpers for end-to-end scripts, sourced (". tests/lib.sh").
# fake_start WORKBOOK...  start $BUILD/fakesheets over HTTPS on a free port with
#                         fresh test PKI ($FAKE_ARGS, when set, adds flags:
#                         FAKE_ARGS="--quota reads=20"); exports FAKE_URL, FAKE_DIR, FAKE_PID;
#                         writes $FAKE_DIR/sa.json (token_uri -> emulator) and
#                         $FAKE_DIR/syncd.conf (first workbook's spreadsheet id)
# fake_stop               stop it and remove FAKE_DIR (safe to call twice, in traps)
# fake_conf ID DIR        the emulator's syncd.conf for spreadsheet ID with its own
#                         state directory DIR and audit log DIR/audit.jsonl (stdout)
# fake_get PATH           GET $FAKE_URL/PATH (control endpoints, no auth)
# fake_put_workbook FILE  PUT FILE as its spreadsheet's state
# fake_faults JSON        queue faults: fake_faults '[{"status":503}]'
# fake_requests           the API request log (JSON array; each entry's
#                         "connection" numbers the connection it came on)
# fake_connections        how many connections carried an API request
#                         (GET /_fake/connections .connections)
# fake_jwt [IAT [EXP [AUD]]]  an assertion signed with the test key
# fake_token              a valid access token from the emulator
# e2e_begin NAME          $work: a fresh scratch directory; on exit (EXIT, INT,
#                         TERM) the daemon in $spid and the helper in $lpid,
#                         when set, are killed (SIGKILL), the emulator is
#                         stopped and $work removed
# national_wb OUT [FAKE]  the rollup's empty national spreadsheet ("national",
#                         one empty Sheet1), FAKE its "_fake" object if given
# provinces_once N        provinces prov-1..prov-N, already in the emulator: each
#                         its configuration $work/pI.conf, state $work/sI, and
#                         one syncd --once (a failure counts as bad)
# notify_listen SOCK OUT  an sd_notify listener on the datagram socket SOCK, each
#                         datagram a line of OUT, in the background ($lpid, killed
#                         by e2e_cleanup); returns once SOCK exists (1 if it never
#                         does within 10 s)
# sheet_start WORKBOOK    fake_start on one workbook, or exit 1; sets WB, ID
#                         (its spreadsheetId), SUM and DISC (syncd's two tabs),
#                         CONF and LOG (the emulator's syncd.conf, audit log)
: "${BUILD:=build}"

# Assertions for end-to-end scripts: ok NAME, bad NAME, check NAME GOT WANT;
# each failure counts in $fails, which the script turns into its exit status.
fails=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got [$2] want [$3]"; fi; }
# wait_for SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds
# (status 0), or give up after SECONDS (status 1).  A bounded poll, never a
# timing assertion.
wait_for() {
	_n=$(($1 * 5)); shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2; _n=$((_n - 1))
	done
	return 1
}

fake_curl() {
	curl -sS --cacert "$FAKE_DIR/ca.pem" "$@"
}

fake_start() {
	FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fakesheets.XXXXXX")
	export FAKE_DIR
	_pki=tests/pki.sh
	[ -x "$(dirname "$0")/pki.sh" ] && _pki="$(dirname "$0")/pki.sh"
	"$_pki" "$FAKE_DIR" || return 1
	set -- "$@"
	_args=""
	for _wb in "$@"; do _args="$_args --workbook $_wb"; done
	mkfifo "$FAKE_DIR/out"
	# shellcheck disable=SC2086
	"$BUILD/fakesheets" $_args ${FAKE_ARGS:-} --service-account "$FAKE_DIR/service-account.json" \
		--tls-cert "$FAKE_DIR/server.pem" --tls-key "$FAKE_DIR/server.key" \
		--port 0 > "$FAKE_DIR/out" 2> "$FAKE_DIR/fakesheets.err" &
	FAKE_PID=$!
	export FAKE_PID
	exec 9< "$FAKE_DIR/out"
	if ! read -r _line <&9; then
		echo "fake_start: fakesheets did not start:" >&2
		cat "$FAKE_DIR/fakesheets.err" >&2
		return 1
	fi
	FAKE_URL=${_line#listening on }
	export FAKE_URL
	python3 - "$FAKE_DIR" "$FAKE_URL" "${1:-}" <<'PY'
import json, os, sys
d, url, wb = sys.argv[1], sys.argv[2], sys.argv[3]
k = json.load(open(os.path.join(d, "service-account.json")))
k["token_uri"] = url + "/token"
fd = os.open(os.path.join(d, "sa.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(k, indent=2).encode()); os.close(fd)
sid = json.load(open(wb))["spreadsheetId"] if wb else "none"
os.makedirs(os.path.join(d, "state"), mode=0o700, exist_ok=True)
with open(os.path.join(d, "syncd.conf"), "w") as f:
    f.write(f'''spreadsheet_id = "{sid}";
key_file = "{d}/sa.json";
sheets_url = "{url}";
drive_url = "{url}";
ca_file = "{d}/ca.pem";
state_dir = "{d}/state";
audit_log = "{d}/state/audit.jsonl";
poll_interval = 5;
''')
PY
}

fake_stop() {
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
		FAKE_PID=""
	fi
	exec 9<&- 2>/dev/null
	if [ -n "${FAKE_DIR:-}" ] && [ -d "$FAKE_DIR" ]; then
		rm -rf "$FAKE_DIR"
	fi
	FAKE_DIR=""
}

fake_conf() {
	sed -e "s|^spreadsheet_id = .*|spreadsheet_id = \"$1\";|" \
	    -e "s|^state_dir = .*|state_dir = \"$2\";|" \
	    -e "s|^audit_log = .*|audit_log = \"$2/audit.jsonl\";|" "$FAKE_DIR/syncd.conf"
}

fake_get() { fake_curl "$FAKE_URL/${1#/}"; }

fake_put_workbook() {
	_id=$(jq -r .spreadsheetId "$1")
	fake_curl -X PUT --data-binary @"$1" "$FAKE_URL/_fake/spreadsheets/$_id" >/dev/null
}

fake_faults() {
	fake_curl -X POST --data-binary "{\"faults\": $1}" "$FAKE_URL/_fake/faults" >/dev/null
}

fake_requests() { fake_curl "$FAKE_URL/_fake/requests"; }

fake_connections() { fake_curl "$FAKE_URL/_fake/connections" | jq -r .connections; }

_b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

fake_jwt() {
	_now=$(date +%s)
	_iat=${1:-$_now}
	_exp=${2:-$((_iat + 3600))}
	_aud=${3:-$FAKE_URL/token}
	_kid=$(jq -r .private_key_id "$FAKE_DIR/sa.json")
	_h=$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$_kid" | _b64url)
	_c=$(printf '{"iss":"syncd-test@fake-project.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/spreadsheets","aud":"%s","iat":%s,"exp":%s}' \
		"$_aud" "$_iat" "$_exp" | _b64url)
	_s=$(printf '%s.%s' "$_h" "$_c" | openssl dgst -sha256 -sign "$FAKE_DIR/sa.key" -binary | _b64url)
	printf '%s.%s.%s' "$_h" "$_c" "$_s"
}

fake_token() {
	fake_curl -X POST -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \
		-d "assertion=$(fake_jwt)" "$FAKE_URL/token" | jq -r .access_token
}

e2e_begin() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	spid=""
	lpid=""
	trap e2e_cleanup EXIT INT TERM
}

e2e_cleanup() {
	for _p in ${spid:-} ${lpid:-}; do
		kill -9 "$_p" 2>/dev/null && wait "$_p" 2>/dev/null
	done
	fake_stop
	rm -rf "$work"
}

national_wb() {
	jq -n --argjson f "${2:-null}" '{"spreadsheetId": "national",
	    "properties": {"title": "ระดับประเทศ"},
	    "sheets": [{"properties": {"sheetId": 1, "title": "Sheet1", "index": 0}, "values": []}]}
	    | if $f == null then . else ._fake = $f end' > "$1"
}

provinces_once() {
	_i=1
	while [ "$_i" -le "$1" ]; do
		mkdir -p "$work/s$_i"
		fake_conf "prov-$_i" "$work/s$_i" > "$work/p$_i.conf"
		"$BUILD/syncd" --once -c "$work/p$_i.conf" --today 2024-02-01 2>>"$work/prov.err" ||
			bad "province $_i --once"
		_i=$((_i + 1))
	done
}

notify_listen() {
	python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode("utf-8", "replace").replace("\n", " ") + "\n")
        f.flush()
PY
	lpid=$!
	wait_for 10 test -S "$1"
}

sheet_start() {
	WB=$1
	ID=$(jq -r .spreadsheetId "$WB")
	SUM=สรุปข้อมูล
	DISC=ตรวจสอบข้อมูล
	fake_start "$WB" || { echo "cannot start fakesheets"; exit 1; }
	CONF=$FAKE_DIR/syncd.conf
	LOG=$FAKE_DIR/state/audit.jsonl
}

# wb_long_tabs OUT ID: a workbook of 200 district tabs with long Thai titles
# (sheetIds 5000..5199), three households each from the demo's first district:
# for what must fit one request however many tabs (no URL limit).
wb_long_tabs() {
	python3 - "$1" "$2" <<'PY'
import json, sys
demo = json.load(open("tests/data/demo-chachoengsao.json"))
rows = demo["sheets"][1]["values"]
sheets = []
for i in range(200):
    vals = [rows[0], rows[1]] + [[r[0], "2%03d%07d" % (i, k)] + r[2:] for k, r in enumerate(rows[2:5])]
    sheets.append({"properties": {"sheetId": 5000 + i, "index": i,
        "title": "สำนักงานพัฒนาชุมชนอำเภอเฉลิมพระเกียรติ ทดสอบชื่อยาว %03d" % i},
        "values": vals})
json.dump({"spreadsheetId": sys.argv[2], "properties": {"title": "200"}, "sheets": sheets},
          open(sys.argv[1], "w"), ensure_ascii=False)
PY
}
