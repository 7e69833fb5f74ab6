#!/usr/bin/env python3
"""A stand-in for the gateway's /ui, for `browser.sh self-test` only: the sign-in form and
the release page's live rollout section as the contract with the real dashboard states them
(the labels of DashboardTemplates.swift; <progress id="rollout-progress" value max>,
<span id="rollout-count">, <span id="rollout-state">, updated by /ui/static/rollout-live.js
from an EventSource). It checks the checker, never the dashboard: each release key is a
case that watch-rollout must pass or fail.

  REL-000001  the bar moves over SSE, 0 to 8 of 8 in 4 s          -> passes
  REL-000002  the bar stays at 3 of 8 (the stream repeats 3)       -> fails: did not move
  REL-000003  the bar moves only because the page reloads itself   -> fails: reloaded
  REL-000004  the page has no rollout section                      -> fails: no bar

Usage: contract_fixture.py PORT_FILE — listens on a free loopback port, writes it to
PORT_FILE, serves until killed. Any name and password sign in.
"""

from __future__ import annotations

import html
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOTAL = 8
STARTED = time.monotonic()

HEAD = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{extra}</head>
<body><header><a href="/ui/releases">Shipboard</a> {who}</header><main>"""

LOGIN = """<h1>Sign in</h1><form method="post" action="/ui/login">
<p><label for="name">Name</label><input id="name" name="name"></p>
<p><label for="password">Password</label><input id="password" name="password" type="password"></p>
<p><button type="submit">Sign in</button></p></form>"""

SECTION = """<h2>Rollout</h2><p><progress id="rollout-progress" value="{value}" max="{total}"></progress>
<span id="rollout-count">{value} of {total} tasks done</span>, <span id="rollout-state">{state}</span></p>"""

# The fixture's own imitation of rollout-live.js: each event carries the done count.
SCRIPT = """const bar = document.getElementById('rollout-progress');
const stream = new EventSource(location.pathname + '/rollout-events');
stream.onmessage = (event) => {
  const done = Number(event.data);
  bar.value = done;
  document.getElementById('rollout-count').textContent = `${done} of ${bar.max} tasks done`;
  document.getElementById('rollout-state').textContent = done >= bar.max ? 'completed' : 'running';
};"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        # What the real page's live section needs from its policy: its own script and stream.
        self.send_header("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; "
                                                    "form-action 'self'")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def page(self, title: str, body: str, extra: str = "") -> None:
        user = self.user()
        who = f"<span>Signed in as {html.escape(user)} (approver)</span>" if user else ""
        self.send(200, HEAD.format(title=title, extra=extra, who=who) + body + "</main></body></html>")

    def user(self) -> str | None:
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "fixture_user":
                return urllib.parse.unquote(value)
        return None

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/health/ready":
            self.send(200, "{}", "application/json")
        elif path == "/ui/login":
            self.page("Sign in", LOGIN)
        elif path == "/ui/releases":
            links = "".join(f'<li><a href="/ui/releases/REL-00000{n}">REL-00000{n}</a></li>' for n in range(1, 5))
            self.page("Releases", f"<h1>Releases</h1><ul>{links}</ul>")
        elif path == "/ui/static/rollout-live.js":
            self.send(200, SCRIPT, "text/javascript")
        elif path.endswith("/rollout-events"):
            self.events(path.split("/")[3])
        elif path.startswith("/ui/releases/REL-00000"):
            self.release(path.rsplit("/", 1)[1])
        else:
            self.send(404, "<h1>Not found</h1>")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        name = urllib.parse.quote(form.get("name", [""])[0])
        self.send(303, "", headers={"Location": "/ui/releases", "Set-Cookie": f"fixture_user={name}; Path=/ui"})

    def release(self, key: str) -> None:
        body = f"<h1>{key}: Fixture release</h1>"
        extra = ""
        if key in ("REL-000001", "REL-000002"):
            value = 0 if key == "REL-000001" else 3
            body += SECTION.format(value=value, total=TOTAL, state="running")
            body += '<script src="/ui/static/rollout-live.js"></script>'
        elif key == "REL-000003":
            # Moves with time, but only on a reload: not live.
            value = min(TOTAL, int(time.monotonic() - STARTED))
            body += SECTION.format(value=value, total=TOTAL, state="running")
            extra = '<meta http-equiv="refresh" content="1">'
        self.page(key, body, extra)

    def events(self, key: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            steps = range(1, TOTAL + 1) if key == "REL-000001" else [3, 3, 3]
            for done in steps:
                time.sleep(0.5)
                self.wfile.write(f"data: {done}\n\n".encode())
                self.wfile.flush()
            while True:  # keep the stream open, sending only comments
                time.sleep(1)
                self.wfile.write(b": idle\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1], "w") as port_file:
        port_file.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
