#!/usr/bin/python3
"""A real SMTP server for the mail tests: Debian's aiosmtpd (python3-aiosmtpd).

    /usr/bin/python3 smtp_server.py DIR [--tls none|starttls|implicit] [--auth USER]

Listens on 127.0.0.1 on a port the kernel picks and, once it accepts connections, writes
that port to DIR/port (atomically). Each message it accepts becomes DIR/msg-N.eml (the
DATA bytes as received, dot-unstuffed) and DIR/msg-N.json (the envelope: mail_from,
rcpt_tos, the login it authenticated with).

  --tls starttls   offers STARTTLS and refuses MAIL before it; implicit: TLS from the
                   first byte (smtps). The certificate, for 127.0.0.1 and localhost, is
                   made with the openssl command as DIR/cert.pem (the client's CA file)
                   and DIR/key.pem.
  --auth USER      requires AUTH (PLAIN or LOGIN, over TLS only) as USER with the
                   password in the environment variable SMTP_TEST_PASSWORD.

Failures on demand: DIR/control, read before each answer, holds lines "STAGE REPLY", e.g.
"RCPT 451 4.3.0 Try again later" or "DATA 550 5.7.1 Message refused"; STAGE is MAIL,
RCPT or DATA (the reply to the end of the message data). Absent: everything is accepted.

Runs until SIGTERM or SIGINT.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def control(directory, stage):
    """The reply DIR/control asks for at stage, or None."""
    try:
        with open(os.path.join(directory, "control"), encoding="utf-8") as f:
            for line in f:
                word, _, reply = line.strip().partition(" ")
                if word == stage and reply:
                    return reply
    except FileNotFoundError:
        pass
    return None


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = control(self.directory, "MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = control(self.directory, "RCPT")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = control(self.directory, "DATA")
        if reply:
            return reply
        self.count += 1
        base = os.path.join(self.directory, "msg-%d" % self.count)
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login.decode() if isinstance(login, bytes) else login,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "helo": session.host_name,
        }
        # The .json last: a test that sees it knows the .eml is complete.
        write_atomically(base + ".eml", envelope.original_content)
        write_atomically(base + ".json", json.dumps(meta).encode())
        return "250 OK: queued as msg-%d" % self.count


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--auth")
    args = p.parse_args()

    ctx = make_certificate(args.dir) if args.tls != "none" else None
    password = os.environ.get("SMTP_TEST_PASSWORD", "")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == args.auth.encode()
              and auth_data.password == password.encode())
        if not ok:  # handled=False: smtp_AUTH answers 535 itself
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=auth_data)

    handler = Handler(args.dir)
    kwargs = {"hostname": "smtp.test", "ident": "vs-test-smtp"}
    if args.tls == "starttls":
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.auth:
        # aiosmtpd sees TLS it started itself (STARTTLS), not a TLS listener's: with
        # implicit TLS every connection is encrypted already.
        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=args.tls == "starttls")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, loop=loop, **kwargs), "127.0.0.1", 0,
        ssl=ctx if args.tls == "implicit" else None))
    port = server.sockets[0].getsockname()[1]
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    write_atomically(os.path.join(args.dir, "port"), b"%d\n" % port)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
