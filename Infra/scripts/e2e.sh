#!/usr/bin/env bash
# The scenarios end to end, as the full test run's last step: every service as its own
# process (services.sh: planning, build, testing, rollout, notify, gateway, on the main
# database and vhost), driven through the `shipboard` CLI: scenario.sh takes a release from
# its request to its rollout of 2 applications to 20 servers at 3 sites with the local
# driver, review and close, and checks the final state; scenario-halt.sh then runs a hotfix
# whose rollout halts at its failure threshold and is backed out, with the dashboard driven
# in headless Chromium (browser.sh) for the gate's approval and the live rollout bar.
# Needs the servers (servers.sh start or start-test) and a debug build of the products.
# Exit status: 0 when both passed. The services are stopped afterwards, whatever happened.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0="$(now_ms)"
# shellcheck source=/dev/null
source "$ENV_FILE"
cd "$SHIPBOARD_ROOT"
[[ -n "${SHIPBOARD_MIGRATION_DATABASE_URL:-}" ]] || die "SHIPBOARD_MIGRATION_DATABASE_URL is not set in $ENV_FILE"
bash "$SHIPBOARD_SCRIPTS_DIR/rabbitmq.sh" --instance main upgrade-topology "$RABBIT_VHOST"
log "e2e: applying migrations to the main database"
"$(swift build --show-bin-path)/shipboard-migrate"
trap 'bash "$SHIPBOARD_SCRIPTS_DIR/services.sh" stop || true; bash "$SHIPBOARD_SCRIPTS_DIR/smtp.sh" stop || true' EXIT
# The stakeholders' mail: the local SMTP sink, emptied first so the scenario counts only its own.
bash "$SHIPBOARD_SCRIPTS_DIR/smtp.sh" stop
rm -rf "$RUN_DIR/mail"
bash "$SHIPBOARD_SCRIPTS_DIR/smtp.sh" start
bash "$SHIPBOARD_SCRIPTS_DIR/services.sh" start
# run_scenario NAME SCRIPT: runs one scenario into its log; its exit status.
run_scenario() {
  local name="$1" script="$2" started rc=0 output="$RUN_DIR/logs/e2e-$1.log"
  started="$(now_ms)"
  SHIPBOARD_BROWSER_CHECK=1 bash "$SHIPBOARD_SCRIPTS_DIR/$script" > "$output" 2>&1 || rc=$?
  if [[ $rc == 0 ]]; then
    log "e2e: the $name passed in $(elapsed "$started") (its output: $output)"
  else
    tail -n 40 "$output" >&2
    log "e2e: the $name FAILED (exit $rc) in $(elapsed "$started"); output: $output, service logs: $RUN_DIR/logs/"
  fi
  return "$rc"
}
rc=0
run_scenario scenario scenario.sh || rc=$?
if [[ $rc == 0 ]]; then run_scenario halt-scenario scenario-halt.sh || rc=$?; fi
log "e2e: $([[ $rc == 0 ]] && echo passed || echo FAILED) in $(elapsed "$T0")"
exit "$rc"
