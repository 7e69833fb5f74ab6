#!/usr/bin/env bash
# Builds and runs the Shipboard benchmarks (release build) against the local
# servers. Extra arguments go to shipboard-bench.
# Stop the servers afterwards with: bash Infra/scripts/down.sh
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0="$(now_ms)"

source "$SHIPBOARD_SCRIPTS_DIR/install-deps.sh"
bash "$SHIPBOARD_SCRIPTS_DIR/servers.sh" start
bash "$SHIPBOARD_SCRIPTS_DIR/postgres.sh" reset-bench
# The test vhost may hold queues an older Shipboard bound before their services existed.
bash "$SHIPBOARD_SCRIPTS_DIR/rabbitmq.sh" --instance main upgrade-topology "$RABBIT_TEST_VHOST"
# shellcheck source=/dev/null
source "$ENV_FILE"
PGBENCH="$(pg_bin_dir)/pgbench"
export PGBENCH

cd "$SHIPBOARD_ROOT"
log "building shipboard-bench and messaging-probe (release)"
# messaging-probe runs as separate consumer processes in the failover row; shipboard-rollout
# as the replicas of the rollout rows; shipboard-notify (and the SMTP sink's venv) for the notify rows.
if ! swift build -c release --product shipboard-bench || ! swift build -c release --product messaging-probe \
   || ! swift build -c release --product shipboard-planning || ! swift build -c release --product shipboard-gateway \
   || ! swift build -c release --product shipboard-rollout || ! swift build -c release --product shipboard-notify; then
  log "build FAILED in $(elapsed "$T0")"
  exit 1
fi
bash "$SHIPBOARD_SCRIPTS_DIR/smtp.sh" ensure
log "running shipboard-bench $*"
set +e
.build/release/shipboard-bench "$@"
rc=$?
set -e
log "benchmarks finished (exit $rc) in $(elapsed "$T0")"
exit "$rc"
