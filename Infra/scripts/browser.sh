#!/usr/bin/env bash
# The dashboard's browser check (issue 15): drives /ui in headless Chromium as a person would
# and asserts on what the pages say (Infra/scripts/browser/dashboard_check.py; its top
# comment says what each check does). The end-to-end scenario calls it; alone:
#   bash Infra/scripts/browser.sh approve --user NAME --password-file FILE --release KEY [--comment TEXT]
#   bash Infra/scripts/browser.sh watch-rollout --user NAME --password-file FILE --release KEY [--timeout 120] [--until-done]
#   bash Infra/scripts/browser.sh self-test   (the checker against a stand-in page; see self_test)
# Both take --base URL (default $SHIPBOARD_URL, else http://127.0.0.1:58080) and --shots DIR
# (default .run/screenshots: one PNG a step, named after it, and a *-failure.png).
# Exit status: 0 passed, 1 a check failed, 2 it could not run.
# Installs what it needs, only when missing: Debian's chromium-headless-shell (about 400 MB
# and 20 s; nothing downloads a browser at run time) and websockets from PyPI into .run/venv.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WEBSOCKETS_VERSION="17.4"
# The binary itself: /usr/bin/chromium-headless-shell is a wrapper whose child outlives it,
# so it could not be stopped by its pid.
CHROMIUM="/usr/lib/chromium/chromium-headless-shell"

# ensure_browser: the browser and a font (without one the screenshots' text would be empty
# boxes) are in install-deps.sh's list, which installs what is missing (apt-get only then).
ensure_browser() {
  # shellcheck source=install-deps.sh
  source "$SHIPBOARD_SCRIPTS_DIR/install-deps.sh"
  [[ -x "$CHROMIUM" ]] || die "browser check: $CHROMIUM is missing although chromium-headless-shell is installed"
}

# self_test: checks the checker against browser/contract_fixture.py, a stand-in page that
# follows the live rollout section's contract: a bar that moves over SSE must pass; one that
# stays, one that moves only by reloading, and a page without the section must fail.
# Screenshots in .run/screenshots/self-test/<case>/.
self_test() {
  local dir pid key expected status failed=0 waited=0
  dir="$(mktemp -d)"
  "$RUN_DIR/venv/bin/python" "$SHIPBOARD_SCRIPTS_DIR/browser/contract_fixture.py" "$dir/port" </dev/null &
  pid=$!
  # shellcheck disable=SC2064  # expand now: the trap runs after these locals are gone
  trap "kill $pid 2>/dev/null || true; rm -rf $(printf '%q' "$dir")" EXIT
  until [[ -s "$dir/port" ]]; do
    pid_alive "$pid" && (( waited < 100 )) || die "browser self-test: the fixture did not start"
    sleep 0.1; waited=$((waited + 1))
  done
  printf 'any-password-will-do\n' > "$dir/password"
  for expected in REL-000001:0 REL-000002:1 REL-000003:1 REL-000004:1; do
    key="${expected%%:*}"; expected="${expected##*:}"; status=0
    log "browser self-test: $key (expect exit status $expected)"
    "$RUN_DIR/venv/bin/python" "$SHIPBOARD_SCRIPTS_DIR/browser/dashboard_check.py" watch-rollout \
      --base "http://127.0.0.1:$(cat "$dir/port")" --user fixture --password-file "$dir/password" \
      --release "$key" --timeout 6 --shots "$SHIPBOARD_SCREENSHOTS_DIR/self-test/$key" || status=$?
    [[ "$status" == "$expected" ]] || { warn "browser self-test: $key exited with $status, not $expected"; failed=1; }
  done
  (( failed == 0 )) || die "browser self-test: FAILED"
  log "browser self-test: passed"
}

ensure_browser
ensure_venv_package websockets "$WEBSOCKETS_VERSION"
mkdir -p "$RUN_DIR/screenshots"
export SHIPBOARD_CHROMIUM="$CHROMIUM" SHIPBOARD_SCREENSHOTS_DIR="$RUN_DIR/screenshots"
if [[ "${1:-}" == self-test ]]; then self_test; exit 0; fi
exec "$RUN_DIR/venv/bin/python" "$SHIPBOARD_SCRIPTS_DIR/browser/dashboard_check.py" "$@"
