#!/usr/bin/env bash
# Sets up and runs the Shipboard tests (Debian 12, as root, Swift installed):
# installs missing packages, validates compose.yaml (check-compose.sh) and the
# Kubernetes manifests (check-k8s.sh), starts PostgreSQL and both RabbitMQ instances,
# builds and runs `swift test`. Extra arguments go to `swift test`, e.g.
#   bash Infra/scripts/test.sh --filter PostgresTests
# The servers keep running afterwards; stop them with: bash Infra/scripts/down.sh
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0="$(now_ms)"

source "$SHIPBOARD_SCRIPTS_DIR/install-deps.sh"
bash "$SHIPBOARD_SCRIPTS_DIR/smtp.sh" ensure   # the SMTP sink the notify tests start (aiosmtpd in .run/venv)
# No Docker engine here: the compose file is only validated (README "Containers").
if ! bash "$SHIPBOARD_SCRIPTS_DIR/check-compose.sh"; then
  log "tests FAILED in $(elapsed "$T0"): compose.yaml is invalid (see above; check alone: bash Infra/scripts/check-compose.sh)"
  exit 1
fi
# No cluster here either: the Kubernetes manifests are validated against the schemas.
if ! bash "$SHIPBOARD_SCRIPTS_DIR/check-k8s.sh"; then
  log "tests FAILED in $(elapsed "$T0"): the Kubernetes manifests are invalid (see above; check alone: bash Infra/scripts/check-k8s.sh)"
  exit 1
fi
bash "$SHIPBOARD_SCRIPTS_DIR/servers.sh" start-test
# The test vhost may hold queues an older Shipboard bound before their services existed.
bash "$SHIPBOARD_SCRIPTS_DIR/rabbitmq.sh" --instance main upgrade-topology "$RABBIT_TEST_VHOST"
# shellcheck source=/dev/null
source "$ENV_FILE"

cd "$SHIPBOARD_ROOT"
log "building tests"
if ! swift build --build-tests; then
  log "build FAILED in $(elapsed "$T0") (servers still running; stop: bash Infra/scripts/down.sh)"
  exit 1
fi
# At most 24 tests at once: started all together, hundreds of tests (many starting processes)
# loaded 2 CPUs to a load average of 22, and tests bounding how long a timeout takes failed.
# The whole suite takes no longer this way (381 s measured, against 454 s unbounded).
log "running: swift test --experimental-maximum-parallelization-width 24 $*"
set +e
swift test --experimental-maximum-parallelization-width 24 "$@"
rc=$?
# The API fuzz run (schemathesis against the served OpenAPI document; about a minute) and
# the main scenario end to end when the whole suite ran: not for a filtered run such as
# `test.sh --filter X`.
if [[ $# == 0 ]]; then
  bash "$SHIPBOARD_SCRIPTS_DIR/fuzz-api.sh"
  fuzz=$?
  (( rc != 0 )) || rc=$fuzz
  # The main scenario with every service as its own process (e2e.sh; about a minute).
  bash "$SHIPBOARD_SCRIPTS_DIR/e2e.sh"
  e2e=$?
  (( rc != 0 )) || rc=$e2e
fi
set -e
if [[ $rc == 0 ]]; then
  log "tests passed in $(elapsed "$T0") (servers still running; stop: bash Infra/scripts/down.sh)"
else
  log "tests FAILED (exit $rc) in $(elapsed "$T0") (servers still running; stop: bash Infra/scripts/down.sh)"
fi
exit "$rc"
