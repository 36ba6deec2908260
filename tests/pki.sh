#!/bin/sh
# pki.sh DIR: make throw-away test keys and certificates in DIR with the
# openssl CLI.  Never a real credential: everything is generated here.
#   ca.pem / ca.key                 a test CA
#   server.pem / server.key         127.0.0.1 and localhost, signed by the CA
#   wronghost.pem / wronghost.key   signed by the CA for another name only
#   expired.pem / expired.key       signed by the CA, already expired
#   selfsigned.pem / selfsigned.key self-signed for 127.0.0.1
#   service-account.json            a service-account key file (mode 0600)
set -eu
dir=${1:?usage: pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077
q() { "$@" >/dev/null 2>&1 || { echo "pki.sh: failed: $*" >&2; exit 1; }; }

q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
	-subj "/CN=syncd test CA" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign"

leaf() { # name subject san days-offset-args...
	name=$1 cn=$2 san=$3
	shift 3
	q openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" \
		-subj "/CN=$cn"
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		"$san" > "$name.ext"
	q openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out "$name.pem" -extfile "$name.ext" "$@"
	rm -f "$name.csr" "$name.ext"
}
leaf server 127.0.0.1 "IP:127.0.0.1,DNS:localhost" -days 2
leaf wronghost wrong.example "DNS:wrong.example" -days 2
# Expired: valid for the two days before yesterday.
if openssl x509 -help 2>&1 | grep -q -- '-not_after'; then
	leaf expired 127.0.0.1 "IP:127.0.0.1,DNS:localhost" \
		-not_before "$(date -u -d '-3 days' +%Y%m%d%H%M%SZ)" \
		-not_after "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
else
	# OpenSSL 3.0: sign with the CA through `openssl ca`, which takes dates.
	mkdir -p expired.d
	: > expired.d/index.txt
	echo 01 > expired.d/serial
	cat > expired.d/ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = expired.d/index.txt
serial = expired.d/serial
new_certs_dir = expired.d
default_md = sha256
policy = p
copy_extensions = copy
[p]
commonName = supplied
CNF
	q openssl req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr \
		-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"
	q openssl ca -batch -config expired.d/ca.cnf -cert ca.pem -keyfile ca.key \
		-in expired.csr -out expired.pem \
		-startdate "$(date -u -d '-3 days' +%Y%m%d%H%M%SZ)" \
		-enddate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
	rm -rf expired.d expired.csr
fi
q openssl req -x509 -newkey rsa:2048 -nodes -keyout selfsigned.key \
	-out selfsigned.pem -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost"

# The service-account key: PKCS#8 PEM, as Google issues it.
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key
kid=$(openssl rand -hex 20)
python3 - "$kid" <<'PY'
import json, sys, os
pem = open("sa.key").read()
doc = {
    "type": "service_account",
    "project_id": "fake-project",
    "private_key_id": sys.argv[1],
    "private_key": pem,
    "client_email": "syncd-test@fake-project.iam.gserviceaccount.com",
    "client_id": "100000000000000000001",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://127.0.0.1:1/token",
    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/syncd-test%40fake-project.iam.gserviceaccount.com",
    "universe_domain": "googleapis.com",
}
fd = os.open("service-account.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(doc, indent=2).encode())
os.close(fd)
PY
chmod 600 service-account.json sa.key
chmod 644 ca.pem server.pem wronghost.pem expired.pem selfsigned.pem
