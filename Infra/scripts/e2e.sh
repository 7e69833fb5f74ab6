#!/usr/bin/env bash
# The main scenario end to end, as the full test run's last step: every service as its own
# process (services.sh: planning, build, testing, rollout, notify, gateway, on the main database and
# vhost), driven through the `shipboard` CLI by scenario.sh — from the release's request to
# its rollout of 2 applications to 20 servers at 3 sites with the local driver. Needs the
# servers (servers.sh start or start-test) and a debug build of the products.
# Exit status: the scenario's. The services are stopped afterwards, whatever happened.
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
set +e
bash "$SHIPBOARD_SCRIPTS_DIR/scenario.sh" > "$RUN_DIR/logs/e2e-scenario.log" 2>&1
rc=$?
set -e
if [[ $rc == 0 ]]; then
  log "e2e: the main scenario passed in $(elapsed "$T0") (its output: $RUN_DIR/logs/e2e-scenario.log)"
else
  tail -n 40 "$RUN_DIR/logs/e2e-scenario.log" >&2
  log "e2e: the main scenario FAILED (exit $rc) in $(elapsed "$T0"); output: $RUN_DIR/logs/e2e-scenario.log, service logs: $RUN_DIR/logs/"
fi
exit "$rc"
