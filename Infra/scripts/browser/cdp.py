"""A minimal Chrome DevTools Protocol client for Debian's chromium-headless-shell.

- One `Browser` owns one browser process and one page. Leaving its `with` block kills the
  process, and every process the browser started, whatever happened inside it (an
  assertion, an exception, Ctrl-C or SIGTERM): the browser runs in a process group of its
  own, and that group, known by the pid we started, is what is killed. Nothing else is.
- The browser is the binary itself (/usr/lib/chromium/chromium-headless-shell), never the
  /usr/bin wrapper script, whose child would outlive it. It is Debian's build: nothing is
  downloaded at run time. Background networking is off, so it only talks to the pages we
  open.
- Its profile is a fresh temporary folder, removed at exit: no cookie or session survives a
  run, so every run signs in as a person would.
- The DevTools port is chosen by the browser (--remote-debugging-port=0) and read from the
  DevToolsActivePort file it writes into the profile: no race for a free port.
- Calls are synchronous (websockets' threading client): a check is a sequence of steps, and
  replies are matched to calls by id. Of the events that arrive meanwhile only two kinds
  are kept, for failure reports: the page's errors (console errors, uncaught exceptions,
  blocked loads such as a Content Security Policy refusal) and the Server-Sent Events it
  received (how many of each name, and the last one's data). The checks poll the page's
  state instead of waiting for events.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

DEFAULT_BINARY = "/usr/lib/chromium/chromium-headless-shell"


class BrowserError(Exception):
    """The browser could not be started or did not answer as the protocol says."""


class Browser:
    """A headless Chromium with one page, driven over CDP (see the module's notes)."""

    def __init__(self, binary: str = DEFAULT_BINARY, width: int = 1280, height: int = 900,
                 start_timeout: float = 30.0) -> None:
        self.binary = binary
        self.width = width
        self.height = height
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._profile: str | None = None
        self._socket = None
        self._session: str | None = None
        self._next_id = 0
        self._previous_sigterm: Any = None
        # The page's last errors, newest last, and its Server-Sent Events (see _note).
        self.errors: deque[str] = deque(maxlen=10)
        self.stream_counts: Counter[str] = Counter()
        self.stream_last: dict[str, str] = {}

    # --- lifetime -----------------------------------------------------------------------

    def __enter__(self) -> "Browser":
        # SIGTERM (a caller's timeout, e2e.sh stopping) must still run __exit__: turn it into
        # an exception, which unwinds through the `with` block.
        self._previous_sigterm = signal.signal(signal.SIGTERM, _raise_on_sigterm)
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> None:
        if not os.access(self.binary, os.X_OK):
            raise BrowserError(f"{self.binary} is missing: install Debian's chromium-headless-shell "
                               "(Infra/scripts/browser.sh does)")
        self._profile = tempfile.mkdtemp(prefix="shipboard-browser-")
        arguments = [
            self.binary,
            "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={self._profile}",
            f"--window-size={self.width},{self.height}",
            "--no-first-run",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "about:blank",
        ]
        # Chromium's sandbox refuses to run as root; as another user it stays on.
        if os.geteuid() == 0:
            arguments.insert(1, "--no-sandbox")
        log = open(Path(self._profile) / "browser.log", "wb")
        try:
            # start_new_session: the browser leads a process group of its own (its renderer,
            # GPU and zygote processes join it), so close() can end exactly those.
            self._process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             start_new_session=True, preexec_fn=_die_with_parent)
        finally:
            log.close()
        browser_url = self._devtools_url()
        self._socket = connect(browser_url, proxy=None, max_size=None, ping_interval=None, open_timeout=10)
        # One page of our own, attached in "flat" mode: its commands go over the browser's
        # socket with a sessionId, so there is one connection to read replies from.
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                  session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Log.enable")
        self.call("Network.enable")  # for Network.eventSourceMessageReceived

    def _devtools_url(self) -> str:
        """The browser's WebSocket URL, from the DevToolsActivePort file (port, then path)."""
        assert self._process is not None and self._profile is not None
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrowserError(f"the browser exited with status {self._process.returncode} during start: "
                                   f"{self._log_tail()}")
            try:
                lines = port_file.read_text().splitlines()
                if len(lines) >= 2 and lines[0].isdigit():
                    return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        raise BrowserError(f"the browser did not open its DevTools port in {self.start_timeout:.0f} s: "
                           f"{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            text = (Path(self._profile or "") / "browser.log").read_text(errors="replace")
        except OSError:
            return "(no browser log)"
        return " | ".join(text.strip().splitlines()[-5:]) or "(empty browser log)"

    def close(self) -> None:
        """Closes the connection, kills the browser's process group and removes the profile.
        Safe to call more than once, and after a failed start."""
        if self._socket is not None:
            try:
                self._socket.close()
            except Exception:
                pass
            self._socket = None
        if self._process is not None:
            _kill_group(self._process)
            self._process = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    # --- protocol -----------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30.0,
             session: bool = True) -> dict[str, Any]:
        """Sends one CDP command (to the page unless session=False) and returns its result."""
        if self._socket is None:
            raise BrowserError("the browser is not running")
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"{method}: no answer in {timeout:.0f} s")
            try:
                reply = json.loads(self._socket.recv(timeout=remaining))
            except TimeoutError:
                continue
            if "method" in reply:
                self._note(reply)
                continue
            if reply.get("id") != self._next_id:
                continue  # a late reply to an earlier call
            if "error" in reply:
                raise BrowserError(f"{method}: {reply['error'].get('message', reply['error'])}")
            return reply.get("result", {})

    def _note(self, event: dict[str, Any]) -> None:
        """Keeps what an event says of the page's problems or of the Server-Sent Events it got."""
        method, params = event["method"], event.get("params", {})
        if method == "Network.eventSourceMessageReceived":
            name = params.get("eventName") or "message"
            self.stream_counts[name] += 1
            self.stream_last[name] = params.get("data", "")
            return
        text = None
        if method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            text = params["entry"].get("text")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
        if text:
            self.errors.append(text.splitlines()[0][:300])

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        """The value of a JavaScript expression in the page (promises awaited), as JSON."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "exception")
            raise BrowserError(f"script failed in the page: {text.splitlines()[0]}")
        return result.get("result", {}).get("value")

    # --- pages --------------------------------------------------------------------------

    def navigate(self, url: str, timeout: float = 30.0) -> None:
        """Opens url in the page and waits until the new document has loaded."""
        self._mark_document()
        reply = self.call("Page.navigate", {"url": url}, timeout=timeout)
        if reply.get("errorText"):
            raise BrowserError(f"could not open {url}: {reply['errorText']}")
        self.wait_for_new_document(timeout)

    def _mark_document(self) -> None:
        """Tags the current document, so that wait_for_new_document can tell it from the next."""
        self.evaluate("window.__shipboardOldDocument = true")

    def wait_for_new_document(self, timeout: float = 30.0) -> None:
        """Waits until the tagged document has been replaced by one that has finished loading
        (after a click on a submit button or a link, or a navigate)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate("!window.__shipboardOldDocument && document.readyState === 'complete'", timeout=5):
                    return
            except BrowserError:
                pass  # the old document's context went away mid-call: try again
            time.sleep(0.1)
        raise BrowserError(f"no new page loaded within {timeout:.0f} s")

    def click(self, selector_expression: str, timeout: float = 30.0) -> None:
        """Clicks the element that selector_expression (a JS expression) yields, with real mouse
        events at its centre, as a person would, and waits for the page it leads to."""
        box = self.evaluate(f"""(() => {{
            const element = {selector_expression};
            if (!element) return null;
            element.scrollIntoView({{block: 'center'}});
            const r = element.getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
        }})()""")
        if box is None:
            raise BrowserError("the element to click is not on the page")
        self._mark_document()
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                   "button": "left", "clickCount": 1})
        self.wait_for_new_document(timeout)

    def type_into(self, selector_expression: str, text: str) -> None:
        """Focuses the field that selector_expression yields, clears it, and types text into it
        (Input.insertText: the page sees input events, as from a keyboard). The text is sent
        over the DevTools socket only: never on a command line, never printed."""
        found = self.evaluate(f"""(() => {{
            const element = {selector_expression};
            if (!element) return false;
            element.focus();
            element.value = '';
            return true;
        }})()""")
        if not found:
            raise BrowserError("the field to type into is not on the page")
        self.call("Input.insertText", {"text": text})

    def screenshot(self, path: Path, full_page: bool = True, max_height: int = 6000) -> Path:
        """Saves a PNG of the page (the whole page, up to max_height pixels, unless full_page
        is false) and returns its path."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "scale": 1,
                              "width": max(self.width, int(size["width"])),
                              "height": min(max_height, max(1, int(size["height"])))}
        data = self.call("Page.captureScreenshot", params, timeout=60)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


def _die_with_parent() -> None:
    """Run in the browser's process before it starts: the kernel kills it when this script
    dies, even by SIGKILL, when no cleanup of ours can run (Linux's PR_SET_PDEATHSIG; its own
    children end when it does). Best effort: without prctl, close() is the only cleanup."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _raise_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the browser's process group; after 5 s, SIGKILL to whatever is left of it
    (the leader if it ignored SIGTERM, or a child that outlived it)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=5)
