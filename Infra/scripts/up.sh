#!/usr/bin/env bash
# Sets up and runs Shipboard on this machine (Debian 12, as root, Swift installed):
# installs missing packages, starts the local servers, applies the database
# migrations, starts the services and runs the main scenario. Stop everything with: bash Infra/scripts/down.sh
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0="$(now_ms)"

step_dependencies() {
  # Sourced so that PATH gains /opt/swift/usr/bin when needed.
  source "$SHIPBOARD_SCRIPTS_DIR/install-deps.sh"
}

step_servers() {
  bash "$SHIPBOARD_SCRIPTS_DIR/servers.sh" start
  # shellcheck source=/dev/null
  source "$ENV_FILE"
}

step_migrate() {
  cd "$SHIPBOARD_ROOT"
  log "building shipboard-migrate"
  swift build --product shipboard-migrate
  # As the schema owner (shipboard-migrate prefers SHIPBOARD_MIGRATION_DATABASE_URL):
  # SHIPBOARD_DATABASE_URL is the service role, which cannot create tables.
  [[ -n "${SHIPBOARD_MIGRATION_DATABASE_URL:-}" ]] || die "SHIPBOARD_MIGRATION_DATABASE_URL is not set in $ENV_FILE"
  log "applying migrations from $SHIPBOARD_MIGRATIONS_DIR as the schema owner"
  "$(swift build --show-bin-path)/shipboard-migrate"
}

step_services() {
  # Queues an older Shipboard declared on this local broker would refuse the services (406).
  bash "$SHIPBOARD_SCRIPTS_DIR/rabbitmq.sh" --instance main upgrade-topology "$RABBIT_VHOST"
  cd "$SHIPBOARD_ROOT"
  log "building the services and the shipboard CLI"
  swift build --product shipboard-planning
  swift build --product shipboard-build
  swift build --product shipboard-testing
  swift build --product shipboard-rollout
  swift build --product shipboard-notify
  swift build --product shipboard-gateway
  swift build --product shipboard
  # Stakeholders' mail lands in the local SMTP sink (.run/mail/<n>.eml).
  bash "$SHIPBOARD_SCRIPTS_DIR/smtp.sh" start
  bash "$SHIPBOARD_SCRIPTS_DIR/services.sh" start
}

step_scenario() {
  log "running the main scenario through the CLI (Infra/scripts/scenario.sh)"
  bash "$SHIPBOARD_SCRIPTS_DIR/scenario.sh"
}

STEPS=(step_dependencies step_servers step_migrate step_services step_scenario)

for step in "${STEPS[@]}"; do
  "$step"
done

log "Shipboard is up ($(elapsed "$T0")):"
log "  PostgreSQL  postgres://shipboard_service:***@$PG_HOST:$PG_PORT/shipboard (migrations: shipboard)"
log "  RabbitMQ    amqp://$RABBIT_USER:***@$RABBIT_HOST:55672/$RABBIT_VHOST"
log "  settings    $ENV_FILE (source it: . .run/env; passwords in .run/secrets/)"
log "  services    shipboard-planning, shipboard-build, shipboard-testing, shipboard-rollout, shipboard-notify (health http://127.0.0.1:5808{1,2,3,4,5}/health/ready)"
log "  mail        the stakeholders' messages, as delivered to the local SMTP sink (127.0.0.1:58025): $RUN_DIR/mail/"
log "  targets     the local rollout driver's target hosts: $RUN_DIR/targets/<CI key>/"
log "  DML         downloads http://127.0.0.1:58093/dml/NAME/VERSION (bearer token: SHIPBOARD_DML_TOKEN in $ENV_FILE)"
log "  gateway     http://127.0.0.1:58080/api/v1/ (document: /api/v1/openapi.json; health /health/ready)"
log "  CLI         $(cd "$SHIPBOARD_ROOT" && swift build --show-bin-path)/shipboard (demo tokens in $RUN_DIR/secrets/tokens/)"
log "  logs        $RUN_DIR/logs/, $RUN_DIR/postgres/postgres.log, $RUN_DIR/rabbitmq/main/log/"
log "  stop with   bash Infra/scripts/down.sh"
