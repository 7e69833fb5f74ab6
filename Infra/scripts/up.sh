#!/usr/bin/env bash
# Sets up and runs Shipboard on this machine (Debian 12, as root, Swift installed):
# installs missing packages, starts the local servers, builds in release mode, applies the
# database migrations, starts the services and runs the main scenario, then prints where
# the dashboard is and the demo users' credentials. Stop everything with: bash Infra/scripts/down.sh
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
  # The release build's products (the services, the CLI, the migration tool), for every
  # later step (services.sh and scenario.sh read SHIPBOARD_BIN_DIR).
  SHIPBOARD_BIN_DIR="$(swift build -c release --show-bin-path)"
  export SHIPBOARD_BIN_DIR
  log "building shipboard-migrate (release)"
  swift build -c release --product shipboard-migrate
  # As the schema owner (shipboard-migrate prefers SHIPBOARD_MIGRATION_DATABASE_URL):
  # SHIPBOARD_DATABASE_URL is the service role, which cannot create tables.
  [[ -n "${SHIPBOARD_MIGRATION_DATABASE_URL:-}" ]] || die "SHIPBOARD_MIGRATION_DATABASE_URL is not set in $ENV_FILE"
  log "applying migrations from $SHIPBOARD_MIGRATIONS_DIR as the schema owner"
  "$SHIPBOARD_BIN_DIR/shipboard-migrate"
}

step_services() {
  # Queues an older Shipboard declared on this local broker would refuse the services (406).
  bash "$SHIPBOARD_SCRIPTS_DIR/rabbitmq.sh" --instance main upgrade-topology "$RABBIT_VHOST"
  cd "$SHIPBOARD_ROOT"
  log "building the services and the shipboard CLI (release)"
  for product in shipboard-planning shipboard-build shipboard-testing shipboard-rollout shipboard-notify \
                 shipboard-gateway shipboard; do
    swift build -c release --product "$product"
  done
  # Stakeholders' mail lands in the local SMTP sink (.run/mail/<n>.eml).
  bash "$SHIPBOARD_SCRIPTS_DIR/smtp.sh" start
  bash "$SHIPBOARD_SCRIPTS_DIR/services.sh" start
  log "the services are ready ($(elapsed "$T0") since up.sh started)"
}

step_scenario() {
  log "running the main scenario through the CLI (Infra/scripts/scenario.sh)"
  bash "$SHIPBOARD_SCRIPTS_DIR/scenario.sh"
}

# The demo users' sign-in for the dashboard. The passwords are random, made on this machine
# on the first run and kept in .run/secrets/passwords/ (mode 600); they are printed only to a
# terminal, never into a captured log.
print_demo_credentials() {
  local folder="$RUN_DIR/secrets/passwords" name
  if [[ -t 2 ]]; then
    log "  demo users (name / password; roles: rita, colin release managers; dave, erin approvers; bob build; tess test; otto rollout; vera viewer):"
    for name in rita colin dave erin bob tess otto vera; do
      if [[ -s "$folder/$name" ]]; then log "              $name / $(cat "$folder/$name")"
      else log "              $name (no password: made by an older up.sh; start afresh to get one)"; fi
    done
  else
    log "  demo users  rita colin dave erin bob tess otto vera; passwords in $folder/<name> (mode 600)"
  fi
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
log "  CLI         $SHIPBOARD_BIN_DIR/shipboard (demo tokens in $RUN_DIR/secrets/tokens/; try: SHIPBOARD_TOKEN=\$(cat $RUN_DIR/secrets/tokens/vera) $SHIPBOARD_BIN_DIR/shipboard release list)"
log "  logs        $RUN_DIR/logs/, $RUN_DIR/postgres/postgres.log, $RUN_DIR/rabbitmq/main/log/"
log "  dashboard   http://127.0.0.1:58080/ui/ (the scenario's release: http://127.0.0.1:58080/ui/releases/$(cat "$RUN_DIR/scenario-release" 2>/dev/null || echo KEY))"
print_demo_credentials
log "  a second run, whose rollout halts and is backed out: bash Infra/scripts/scenario-halt.sh"
log "  stop with   bash Infra/scripts/down.sh   (keeps .run/; start afresh: down.sh, then rm -rf .run)"
