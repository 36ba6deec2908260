#!/usr/bin/python3
# smtpsink.py: a local SMTP server for the tests (aiosmtpd, Debian's
# python3-aiosmtpd), TLS with the tests' PKI (tests/pki.sh).
#   smtpsink.py DIR --cert C --key K [--implicit] [--user U --password P]
#               [--reject CODE] [--drop] [--plain]
# Listens on 127.0.0.1, a free port; the first line on standard output is
# "listening on PORT".  STARTTLS is required unless --implicit (TLS from the
# first byte, smtps://).  With --user, AUTH PLAIN/LOGIN with that user and
# password is required.  Each message taken is written to DIR/N.eml (N from
# 1), with its envelope in DIR/N.env ("from", then one "to" a line).
# --reject CODE answers DATA with CODE; --drop closes the connection at DATA;
# --plain offers no TLS at all (a client that requires it must not send).
# It runs until its standard input is closed.
import argparse, os, socket, ssl, sys, warnings

warnings.simplefilter("ignore")

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword, SMTP

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--implicit", action="store_true")
ap.add_argument("--user")
ap.add_argument("--password")
ap.add_argument("--reject", type=int)
ap.add_argument("--drop", action="store_true")
ap.add_argument("--plain", action="store_true")
a = ap.parse_args()

ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(a.cert, a.key)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        if a.drop:
            session.transport.close()
            return "421 closing"
        if a.reject:
            return "%d rejected by the test sink" % a.reject
        n = len([f for f in os.listdir(a.dir) if f.endswith(".eml")]) + 1
        with open(os.path.join(a.dir, "%d.env" % n), "w") as f:
            f.write(envelope.mail_from + "\n")
            for r in envelope.rcpt_tos:
                f.write(r + "\n")
        tmp = os.path.join(a.dir, "%d.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(a.dir, "%d.eml" % n))
        return "250 OK"


def auth(server, session, envelope, mechanism, data):
    ok = (isinstance(data, LoginPassword) and data.login.decode() == a.user
          and data.password.decode() == a.password)
    return AuthResult(success=ok)


# Controller(port=0) is not supported by aiosmtpd 1.4: find a free port first.
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
kw = {}
if a.user:
    # Implicit TLS: aiosmtpd does not see it as TLS, but the session is.
    kw.update(authenticator=auth, auth_required=True,
              auth_require_tls=not a.plain and not a.implicit)
if a.plain:
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port, **kw)
elif a.implicit:
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port, ssl_context=ctx, **kw)
else:
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx,
                     require_starttls=True, **kw)
ctl.start()
print("listening on %d" % port, flush=True)
try:
    sys.stdin.read()
except KeyboardInterrupt:
    pass
ctl.stop()
