#!/usr/bin/env python3
"""The dashboard's browser check (issue 15): a person's path through /ui in headless Chromium.

  approve        sign in, find the release in the list, open it, approve its gate with the
                 page's own form, and see the approval recorded as this user's;
  watch-rollout  sign in, open the release page once and, never reloading it, see the live
                 rollout bar (#rollout-progress, moved by /ui/static/rollout-live.js from an
                 EventSource) go up at least twice.

- It asserts on what the page says (headings, the signed-in line, table cells, element ids
  and values), never on pixels. Screenshots are for people: one a step, named after it
  (approve-01-signed-in.png ...), and a *-failure.png of the page a check failed on.
- One line a step on stdout; a failure says what was expected and what the page said.
- Exit status: 0 every check held; 1 a check failed; 2 it could not run (no browser, no
  password file, the gateway unreachable).
- A password is read from a file and typed into the page over the DevTools socket: it is
  never on a command line and never printed.
- Run it through Infra/scripts/browser.sh, which installs Debian's chromium-headless-shell
  and websockets (PyPI) into .run/venv when they are missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

# No __pycache__ beside the scripts in the checkout when cdp.py is imported.
sys.dont_write_bytecode = True
from cdp import DEFAULT_BINARY, Browser, BrowserError  # noqa: E402

DEFAULT_BASE = os.environ.get("SHIPBOARD_URL", "http://127.0.0.1:58080")
DEFAULT_SHOTS = os.environ.get("SHIPBOARD_SCREENSHOTS_DIR", ".run/screenshots")
# The release list shows 25 releases a page; following "Next page" this often covers 1,250.
MAX_LIST_PAGES = 50
POLL_SECONDS = 0.25

# --- page helpers (JavaScript run in the page) -------------------------------------------
# Elements are found the way a person finds them: a field by its label's text, a button by
# its words, a link by its text. The words are those of Services/Gateway/Main/Dashboard/
# DashboardTemplates*.swift; if those change, this check should fail and say so.


def js(value: Any) -> str:
    """value as a JavaScript literal (JSON), safe to put in an expression."""
    return json.dumps(value)


def field_labelled(label: str, scope: str = "document") -> str:
    """A JS expression: the field whose <label for> text starts with label, within scope."""
    return (f"(() => {{ const l = [...{scope}.querySelectorAll('label')]"
            f".find(l => l.textContent.trim().startsWith({js(label)}));"
            f" return l ? document.getElementById(l.htmlFor) : null; }})()")


def button(words: str, scope: str = "document") -> str:
    """A JS expression: the button whose text is exactly words, within scope."""
    return f"[...{scope}.querySelectorAll('button')].find(b => b.textContent.trim() === {js(words)})"


def link(text: str) -> str:
    """A JS expression: the link whose text is exactly text."""
    return f"[...document.querySelectorAll('a')].find(a => a.textContent.trim() === {js(text)})"


def page_excerpt(browser: Browser, limit: int = 300) -> str:
    """What the page says, in short, for a failure report: its alerts if it has any (the
    dashboard's refusals are role="alert"), else its heading and the start of its text."""
    try:
        text = browser.evaluate("""(() => {
            const alerts = [...document.querySelectorAll('[role=alert]')].map(e => e.innerText.trim());
            const h1 = document.querySelector('h1')?.innerText.trim() ?? '';
            const main = document.querySelector('main') ?? document.body;
            const text = alerts.length ? `${h1}: ${alerts.join(' / ')}` : (main?.innerText ?? '');
            return text.replace(/\\s+/g, ' ').trim();
        })()""", timeout=10)
    except BrowserError as error:
        return f"(the page could not be read: {error})"
    text = text or "(an empty page)"
    return text if len(text) <= limit else text[:limit] + "…"


# --- steps and their report ------------------------------------------------------------


class CheckFailed(Exception):
    """A step's assertion did not hold: what was expected and, if known, what was seen
    instead (else the report shows an excerpt of the page)."""

    def __init__(self, step: str, expected: str, saw: str | None = None, full_page: bool = True) -> None:
        super().__init__(expected)
        self.step = step
        self.expected = expected
        self.saw = saw
        self.full_page = full_page  # False: the step scrolled to what failed; the window shows it


class Report:
    """Numbers the steps, names their screenshots after them and prints one line each."""

    def __init__(self, browser: Browser, shots: Path, check: str) -> None:
        self.browser = browser
        self.shots = shots
        self.check = check
        self.number = 0

    def shot(self, step: str, suffix: str = "", full_page: bool = True) -> Path:
        return self.browser.screenshot(self.shots / f"{self.check}-{self.number + 1:02d}-{step}{suffix}.png", full_page)

    def passed(self, step: str, summary: str, screenshot: bool = True, full_page: bool = True) -> None:
        """Prints the step's line, with a screenshot of the whole page, or of the window only
        (full_page=False: when the step scrolled to what it is about)."""
        path = self.shot(step, full_page=full_page) if screenshot else None
        self.number += 1
        print(f"ok   {self.check}-{self.number:02d}-{step}: {summary}" + (f" [{path}]" if path else ""), flush=True)

    def failed(self, failure: CheckFailed) -> None:
        saw = failure.saw or page_excerpt(self.browser)
        try:
            where = f" [{self.shot(failure.step, '-failure', failure.full_page)}]"
        except BrowserError as error:
            where = f" (no screenshot: {error})"
        print(f"FAIL {self.check}-{self.number + 1:02d}-{failure.step}: expected {failure.expected}", flush=True)
        print(f"     the page said: {saw}{where}", flush=True)
        for error in self.browser.errors:
            print(f"     browser console: {error}", flush=True)


def sign_in(browser: Browser, report: Report, base: str, user: str, password: str) -> None:
    """The sign-in form, filled and sent as a person would; lands on the release list."""
    step = "signed-in"
    browser.navigate(f"{base}/ui/login")
    if browser.evaluate("document.querySelector('h1')?.textContent.trim()") != "Sign in":
        raise CheckFailed(step, f"the sign-in form at {base}/ui/login (heading 'Sign in')")
    browser.type_into(field_labelled("Name"), user)
    browser.type_into(field_labelled("Password"), password)
    browser.click(button("Sign in"))
    state = browser.evaluate("""({
        header: document.querySelector('header')?.innerText.replace(/\\s+/g, ' ').trim() ?? '',
        heading: document.querySelector('h1')?.textContent.trim() ?? '' })""")
    if f"Signed in as {user} (" not in state["header"] or state["heading"] != "Releases":
        raise CheckFailed(step, f"'Signed in as {user} (…)' in the header and the heading 'Releases'")
    report.passed(step, f"signed in as {user}; the release list is shown")


def find_in_list(browser: Browser, report: Report, key: str) -> None:
    """The release's row in the list, following "Next page" as a person would; stays on the
    page that lists it."""
    step = "listed"
    for page in range(1, MAX_LIST_PAGES + 1):
        if browser.evaluate(f"!!({link(key)})"):
            report.passed(step, f"{key} is in the release list (page {page})", screenshot=page > 1)
            return
        if not browser.evaluate(f"!!({link('Next page')})"):
            break
        browser.click(link("Next page"))
    raise CheckFailed(step, f"a link '{key}' in the release list (searched {page} page(s))")


def open_release(browser: Browser, report: Report, key: str) -> None:
    """The release page, opened from its link in the list; its heading names the release."""
    step = "release-page"
    browser.click(link(key))
    heading = browser.evaluate("document.querySelector('h1')?.textContent.trim() ?? ''")
    path = browser.evaluate("location.pathname")
    if path != f"/ui/releases/{key}" or not heading.startswith(f"{key}:"):
        raise CheckFailed(step, f"the page /ui/releases/{key} with the heading '{key}: …'")
    report.passed(step, f"the page of {heading} is open")


# The decision form on the release page (DashboardTemplates+Release.swift): a POST form to
# /ui/releases/KEY/approve with a "Comment (optional)" field and an "Approve" button, shown
# only to a user who may decide at the current gate.
def approve_form(key: str) -> str:
    selector = f'form[method="post"][action="/ui/releases/{key}/approve"]'
    return f"document.querySelector({js(selector)})"


def approve_gate(browser: Browser, report: Report, key: str, user: str, comment: str) -> None:
    """Approves with the page's form and checks the page then shows it as this user's."""
    step = "approved"
    form = approve_form(key)
    if not browser.evaluate(f"!!({form}) && !!({button('Approve', form)})"):
        gate = browser.evaluate("[...document.querySelectorAll('h2')].find(h => h.textContent === 'Approvals')"
                                "?.nextElementSibling?.textContent.trim() ?? '(no Approvals section)'")
        raise CheckFailed(step, f"the 'Your decision' form with an 'Approve' button for {user} (an approver in "
                                f"the current gate's group, on a release waiting at a gate)", saw=gate)
    if comment and browser.evaluate(f"!!({field_labelled('Comment', form)})"):
        browser.type_into(field_labelled("Comment", form), comment)
    browser.click(button("Approve", form))
    result = browser.evaluate("""(() => {
        const notice = document.querySelector('p.ok[role=status]')?.textContent.trim() ?? '';
        const table = [...document.querySelectorAll('table')]
            .find(t => t.caption?.textContent.trim() === 'Decisions at this gate');
        const rows = table ? [...table.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent.trim())) : [];
        return {notice, rows};
    })()""")
    # Columns: Phase, Who, Verdict, When, Comment or reason.
    mine = [row for row in result["rows"] if len(row) == 5 and row[1] == user and row[2] == "approved"
            and (not comment or row[4] == comment)]
    if result["notice"] != "Your decision (approved) is recorded." or not mine:
        saw = f"notice '{result['notice']}'; decisions {result['rows']}" if result["rows"] else None
        raise CheckFailed(step, f"the notice 'Your decision (approved) is recorded.' and a decision row "
                                f"'{user} | approved'" + (f" with the comment '{comment}'" if comment else ""), saw=saw)
    report.passed(step, f"{user}'s approval is recorded ({mine[0][0]} gate, {mine[0][3]})")


def show_rollout(browser: Browser) -> None:
    """Scrolls the bar to the middle of the window, for a screenshot of the window that shows it."""
    browser.evaluate("document.getElementById('rollout-progress')?.scrollIntoView({block: 'center'})")


def read_rollout(browser: Browser) -> dict[str, Any]:
    """The live rollout section's state. The ids are the contract with the release page's
    rollout section: <progress id="rollout-progress" value max>, <span id="rollout-count">,
    <span id="rollout-state">. `same` is false once the document we tagged has gone (a reload
    or a navigation), which would make any movement not a live one."""
    return browser.evaluate("""(() => {
        const bar = document.getElementById('rollout-progress');
        return {
            same: window.__shipboardWatched === true,
            present: !!bar,
            value: bar ? Number(bar.value) : null,
            max: bar ? Number(bar.max) : null,
            count: document.getElementById('rollout-count')?.textContent.trim() ?? null,
            state: document.getElementById('rollout-state')?.textContent.trim() ?? null,
        };
    })()""", timeout=10)


def watch_rollout(browser: Browser, report: Report, key: str, timeout: float, until_done: bool) -> None:
    """Polls the bar every 250 ms without reloading; passes once its value has gone up twice
    (or, with until_done, once it is also full)."""
    step = "rollout-moved"
    browser.evaluate("window.__shipboardWatched = true")
    started = time.monotonic()
    first: dict[str, Any] | None = None
    last: dict[str, Any] | None = None
    rises = 0
    while time.monotonic() - started < timeout:
        now = read_rollout(browser)
        if not now["same"]:
            raise CheckFailed(step, "the release page to stay loaded while the bar moves (live, over SSE)",
                              saw="the page was reloaded or left while it was watched")
        if now["present"]:
            if first is None:
                if now["count"] is None or now["state"] is None:
                    raise CheckFailed(step, "#rollout-count and #rollout-state beside #rollout-progress",
                                      saw=f"count {now['count']!r}, state {now['state']!r}")
                first = now
                show_rollout(browser)
                report.passed("rollout-first", f"the bar shows {now['value']:g} of {now['max']:g} "
                                               f"(count '{now['count']}', state '{now['state']}')", full_page=False)
            elif now["value"] > last["value"]:
                rises += 1
                print(f"     {time.monotonic() - started:5.1f} s: {now['value']:g} of {now['max']:g} "
                      f"(count '{now['count']}', state '{now['state']}')", flush=True)
            last = now
            full = now["max"] > 0 and now["value"] >= now["max"]
            if rises >= 2 and (not until_done or full):
                show_rollout(browser)
                report.passed(step, f"the bar moved {rises} times without a reload: {first['value']:g} → "
                                    f"{now['value']:g} of {now['max']:g}; count '{now['count']}', state '{now['state']}'",
                              full_page=False)
                return
        time.sleep(POLL_SECONDS)
    if first is None:
        raise CheckFailed(step, f"the live rollout section (#rollout-progress, #rollout-count, #rollout-state) "
                                f"on the page of {key} within {timeout:.0f} s")
    show_rollout(browser)
    raise CheckFailed(step, "the bar to go up at least twice" + (" and fill" if until_done else ""),
                      saw=f"{not_moved(first, last, rises, timeout)}; {stream_summary(browser)}", full_page=False)


def stream_summary(browser: Browser) -> str:
    """What the page received over Server-Sent Events: none (the server sent nothing, or the
    script never connected) reads differently from some (the script did not apply them)."""
    if not browser.stream_counts:
        return "the page received no Server-Sent Events"
    counts = ", ".join(f"{count} '{name}'" for name, count in browser.stream_counts.items())
    last = "; ".join(f"last '{name}': {data[:200]}" for name, data in browser.stream_last.items())
    return f"the page received Server-Sent Events: {counts} ({last})"


def not_moved(first: dict[str, Any], last: dict[str, Any], rises: int, timeout: float) -> str:
    """Why the watch failed, in the bar's own numbers."""
    where = f"(count '{last['count']}', state '{last['state']}')"
    if rises == 0:
        full = " (it was full when the page opened: open the page before the rollout runs)" \
            if first["max"] > 0 and first["value"] >= first["max"] else ""
        return f"the rollout bar did not move: stayed at {last['value']:g} of {last['max']:g} for {timeout:.0f} s {where}{full}"
    if rises == 1:
        return (f"the rollout bar moved only once in {timeout:.0f} s: {first['value']:g} → {last['value']:g} "
                f"of {last['max']:g} {where}")
    return f"the rollout bar moved {rises} times but did not fill in {timeout:.0f} s: at {last['value']:g} of {last['max']:g} {where}"


# --- commands --------------------------------------------------------------------------


def approve(browser: Browser, report: Report, args: argparse.Namespace, password: str) -> None:
    sign_in(browser, report, args.base, args.user, password)
    find_in_list(browser, report, args.release)
    open_release(browser, report, args.release)
    approve_gate(browser, report, args.release, args.user, args.comment)


def watch(browser: Browser, report: Report, args: argparse.Namespace, password: str) -> None:
    sign_in(browser, report, args.base, args.user, password)
    # Opened once, by address: the watch must see the page that was loaded, never a newer one.
    browser.navigate(f"{args.base}/ui/releases/{args.release}")
    heading = browser.evaluate("document.querySelector('h1')?.textContent.trim() ?? ''")
    if not heading.startswith(f"{args.release}:"):
        raise CheckFailed("release-page", f"the page of {args.release} (heading '{args.release}: …')")
    report.passed("release-page", f"the page of {heading} is open; watching it without reloading", screenshot=False)
    watch_rollout(browser, report, args.release, args.timeout, args.until_done)


def read_password(path: str) -> str | None:
    """The password in path, without its line ending; None (and why, printed) if there is none."""
    try:
        password = Path(path).read_text().rstrip("\r\n")
    except OSError as error:
        print(f"FAIL: cannot read the password file {path}: {error.strerror}; the check did not run", flush=True)
        return None
    if not password:
        print(f"FAIL: the password file {path} is empty; the check did not run", flush=True)
        return None
    return password


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="browser.sh", description="Checks the /ui dashboard in headless Chromium.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("approve", "sign in, open the release and approve its gate"),
                            ("watch-rollout", "sign in, open the release once and see the rollout bar move live")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--base", default=DEFAULT_BASE, help="the gateway (default: %(default)s)")
        command.add_argument("--user", required=True, help="who signs in")
        command.add_argument("--password-file", required=True, help="a file holding the user's password")
        command.add_argument("--release", required=True, help="the release key, e.g. REL-000001")
        command.add_argument("--shots", default=DEFAULT_SHOTS, help="where screenshots go (default: %(default)s)")
        command.add_argument("--browser", default=os.environ.get("SHIPBOARD_CHROMIUM", DEFAULT_BINARY),
                             help="the headless Chromium binary (default: %(default)s)")
        if name == "approve":
            command.add_argument("--comment", default="Approved in the dashboard browser check",
                                 help="the approval's comment ('' for none)")
        else:
            command.add_argument("--timeout", type=float, default=120.0, help="seconds to watch (default: %(default)s)")
            command.add_argument("--until-done", action="store_true",
                                 help="after two moves, keep watching until the bar is full")
    args = parser.parse_args(argv)
    args.base = args.base.rstrip("/")
    return args


def gateway_ready(base: str) -> str | None:
    """None when the gateway answers /health/ready with 200, else why not. Checked before the
    browser starts, so that a gateway that is down (or restarting) is "could not run" (2),
    not a failed check (1)."""
    try:
        with urllib.request.urlopen(f"{base}/health/ready", timeout=10) as response:
            return None if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return str(getattr(error, "reason", error))


def main(argv: list[str]) -> int:
    args = arguments(argv)
    password = read_password(args.password_file)
    if password is None:
        return 2
    shots = Path(args.shots)
    check = "approve" if args.command == "approve" else "watch"
    # This check's screenshots from an earlier run would sit beside this run's and mislead
    # (an old approve-04-approved.png next to a new failure): only this run's stay.
    for old in shots.glob(f"{check}-*.png"):
        old.unlink()
    problem = gateway_ready(args.base)
    if problem:
        print(f"FAIL {check}: the gateway at {args.base} is not ready ({problem}); the check did not run", flush=True)
        return 2
    try:
        with Browser(args.browser) as browser:
            report = Report(browser, shots, check)
            try:
                (approve if args.command == "approve" else watch)(browser, report, args, password)
            except CheckFailed as failure:
                report.failed(failure)
                return 1
            except BrowserError as error:
                # The browser works but a page did not behave (a field missing, no page after a
                # click): a failed check, reported with the page it happened on.
                report.failed(CheckFailed("error", "the page to behave as the steps expect", saw=str(error)))
                return 1
    except BrowserError as error:
        print(f"FAIL {check}: the browser check could not run: {error}", flush=True)
        return 2
    print(f"PASS {check} ({args.release}, as {args.user}); screenshots in {shots}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
