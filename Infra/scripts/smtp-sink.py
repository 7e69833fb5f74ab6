#!/usr/bin/env python3
"""An SMTP sink for Shipboard's tests and demos (aiosmtpd, from .run/venv: smtp.sh ensure).

Accepts mail on 127.0.0.1:PORT (0 = a free port) and writes each accepted message as
DIR/<n>.eml (the bytes received) and DIR/<n>.json (envelope, decoded headers, text and
HTML parts, whether TLS and AUTH were used, acceptedAt: Unix time of the DATA), n counting from 1. The .json file appears
last, renamed into place: a reader that sees it sees a complete message.
Prints `READY <port>` on stdout (and writes the port to --ready-file) once listening.

Options: --tls-cert/--tls-key offer STARTTLS and require it before MAIL; --auth requires
AUTH PLAIN/LOGIN with the credentials in SMTP_SINK_USERNAME and SMTP_SINK_PASSWORD;
--fail-first N answers 451 to the first N messages (to test retries); --reject-recipient
ADDRESS answers 550 to that recipient (repeatable). Stops on SIGTERM or SIGINT.

--lean (benchmarks): instead of the two files per message, appends one line per accepted
message to DIR/accepted.log: "<acceptedAt> <X-Shipboard-Delivery or ->", without parsing the
message (parsing and writing the records cost the sink most of its time, so the benchmark
would measure this script rather than the sender).
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import re
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


DELIVERY_HEADER = re.compile(rb"^X-Shipboard-Delivery:[ \t]*([^\r\n]*)", re.IGNORECASE | re.MULTILINE)


class Sink:
    def __init__(self, directory, fail_first, rejected, lean):
        self.directory = directory
        self.fail_first = fail_first
        self.rejected = {address.lower() for address in rejected}
        self.attempts = 0
        self.count = 0
        # Line-buffered: the reader sees each line once it is complete.
        self.lean_log = open(os.path.join(directory, "accepted.log"), "a", buffering=1) if lean else None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return "451 4.3.0 try again later"
        accepted_at = time.time()
        self.count += 1
        data = envelope.original_content or envelope.content
        if self.lean_log is not None:
            self._log_lean(data, accepted_at)
        else:
            self._write(self.count, data, envelope, session, accepted_at)
        return "250 2.0.0 accepted as %d" % self.count

    def _log_lean(self, data, accepted_at):
        head = data.split(b"\r\n\r\n", 1)[0]
        found = DELIVERY_HEADER.search(head)
        delivery = found.group(1).strip().decode("ascii", "replace") if found else "-"
        self.lean_log.write("%.6f %s\n" % (accepted_at, delivery or "-"))

    def _write(self, number, data, envelope, session, accepted_at):
        message = email.message_from_bytes(data, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "number": number,
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "headers": [[name, str(value)] for name, value in message.items()],
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "tls": session.ssl is not None,
            # The client's address and port: equal ports mean one reused connection.
            "peer": "%s:%s" % tuple(session.peer[:2]),
            "authenticatedAs": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            # Unix time (seconds) when the message's data was complete, before it was written here.
            "acceptedAt": accepted_at,
        }
        base = os.path.join(self.directory, str(number))
        with open(base + ".eml.tmp", "wb") as file:
            file.write(data)
        os.replace(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w", encoding="utf-8") as file:
            json.dump(record, file, ensure_ascii=False)
        os.replace(base + ".json.tmp", base + ".json")


def authenticator(username, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == username.encode() and auth_data.password == password.encode())
        # handled=False: aiosmtpd then answers 535 itself (its default, True, answers nothing).
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return check


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir, args.fail_first, args.reject_recipient, args.lean)
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    auth = None
    if args.auth:
        username = os.environ.get("SMTP_SINK_USERNAME", "")
        password = os.environ.get("SMTP_SINK_PASSWORD", "")
        if not username or not password:
            sys.exit("smtp-sink: --auth needs SMTP_SINK_USERNAME and SMTP_SINK_PASSWORD")
        auth = authenticator(username, password)

    def protocol():
        # hostname given: aiosmtpd would otherwise ask DNS for this host's FQDN.
        return SMTP(sink, hostname="shipboard-sink", tls_context=tls, require_starttls=tls is not None,
                    authenticator=auth, auth_required=auth is not None, auth_require_tls=tls is not None,
                    data_size_limit=10 * 1024 * 1024)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as file:
            file.write(str(port))
        os.replace(args.ready_file + ".tmp", args.ready_file)
    print("READY %d" % port, flush=True)
    stopped = loop.create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: stopped.done() or stopped.set_result(None))
    await stopped
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description="SMTP sink for Shipboard tests and demos")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--ready-file")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth", action="store_true")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--reject-recipient", action="append", default=[])
    parser.add_argument("--lean", action="store_true")
    args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        sys.exit("smtp-sink: give both --tls-cert and --tls-key")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
