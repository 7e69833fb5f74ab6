#!/usr/bin/env bash
# Starts and stops the Shipboard services as background processes (built in debug mode).
# Usage: Infra/scripts/services.sh {start|stop|status}
#   start   (re)starts every service with the settings of .run/env and waits until each
#           reports ready on its health endpoint; logs in .run/logs/<service>.log
#   stop    SIGTERM, then waits (SIGKILL after 30 s)
# Needs the servers (servers.sh start) and a build (swift build).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
# service name and the port of its health endpoint (unusual ports, as for the servers)
# (the gateway serves its API on the same port as its health endpoint)
SERVICES=("shipboard-planning:58081" "shipboard-build:58082" "shipboard-testing:58083" "shipboard-rollout:58084" "shipboard-notify:58085" "shipboard-gateway:58080")
# shipboard-testing serves DML downloads on its own port, which the gateway proxies.
DML_PORT=58093
# shipboard-notify mails through the local SMTP sink (smtp.sh start: mail lands in .run/mail).
SMTP_PORT="${SHIPBOARD_SMTP_SINK_PORT:-58025}"

# The secret notify signs webhooks with: made once per checkout, kept out of the repository.
webhook_secret() {
  local file="$RUN_DIR/notify-webhook-secret"
  [[ -s "$file" ]] || { (umask 077; openssl rand -hex 32 > "$file"); }
  cat "$file"
}

# ready PORT -> true when GET /health/ready answers 200 (bash's /dev/tcp: no curl needed).
ready() {
  local status
  status="$( { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 \
             && head -n1 <&3; } 2>/dev/null || true)"
  [[ "$status" == *" 200"* ]]
}

service_pid() { cat "$PID_DIR/$1.pid" 2>/dev/null || true; }

stop_one() {
  local name="$1" pid waited=0
  pid="$(service_pid "$name")"
  if ! pid_alive "$pid"; then rm -f "$PID_DIR/$name.pid"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  while pid_alive "$pid" && (( waited < 300 )); do sleep 0.1; waited=$((waited + 1)); done
  if pid_alive "$pid"; then warn "$name did not stop in 30 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$PID_DIR/$name.pid"
  log "$name: stopped"
}

start_one() {
  local name="${1%%:*}" port="${1##*:}" bin pid waited=0
  # up.sh runs the release build (SHIPBOARD_BIN_DIR); the tests the debug build.
  bin="${SHIPBOARD_BIN_DIR:-$(cd "$SHIPBOARD_ROOT" && swift build --show-bin-path)}/$name"
  [[ -x "$bin" ]] || die "$bin is missing: run swift build --product $name"
  stop_one "$name"
  port_busy "$port" && die "port $port (health of $name) is taken: $(who_listens "$port")"
  mkdir -p "$LOG_DIR" "$PID_DIR"
  ( set -a; source "$ENV_FILE"; set +a
    # Services never get the schema owner's URL: migrations ran before (up.sh, shipboard-migrate).
    # Nor the tests' and benchmarks' settings.
    unset SHIPBOARD_MIGRATION_DATABASE_URL
    for variable in $(compgen -e); do
      case "$variable" in SHIPBOARD_TEST_*|SHIPBOARD_BENCH_*) unset "$variable" ;; esac
    done
    export SHIPBOARD_HTTP_PORT="$port" SHIPBOARD_LOG_FORMAT=json
    export SHIPBOARD_DML_HTTP_PORT="$DML_PORT" SHIPBOARD_DML_URL="http://127.0.0.1:$DML_PORT"
    # Rollout workers: the local driver, one folder per target CI under .run/targets.
    export SHIPBOARD_ROLLOUT_DRIVER="${SHIPBOARD_ROLLOUT_DRIVER:-local}" SHIPBOARD_ROLLOUT_TARGETS_ROOT="$RUN_DIR/targets" \
           SHIPBOARD_ROLLOUT_STAGING_ROOT="$RUN_DIR/rollout-staging" SHIPBOARD_ROLLOUT_CACHE="$RUN_DIR/rollout-cache"
    # Notifications: mail to the local sink; webhooks to local receivers are allowed here only.
    export SHIPBOARD_NOTIFY_SMTP_URL="${SHIPBOARD_NOTIFY_SMTP_URL:-smtp://127.0.0.1:$SMTP_PORT}" \
           SHIPBOARD_NOTIFY_SMTP_FROM="${SHIPBOARD_NOTIFY_SMTP_FROM:-shipboard@localhost}" \
           SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS="${SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS:-true}" \
           SHIPBOARD_NOTIFY_BASE_URL="${SHIPBOARD_NOTIFY_BASE_URL:-http://127.0.0.1:58080}"
    [[ "$name" != shipboard-notify ]] || export SHIPBOARD_NOTIFY_WEBHOOK_SECRET="${SHIPBOARD_NOTIFY_WEBHOOK_SECRET:-$(webhook_secret)}"
    close_extra_fds
    exec setsid "$bin" </dev/null >>"$LOG_DIR/$name.log" 2>&1 ) &
  pid=$!
  echo "$pid" > "$PID_DIR/$name.pid"
  until ready "$port"; do
    pid_alive "$pid" || { tail -n 20 "$LOG_DIR/$name.log" >&2; die "$name exited during start (log: $LOG_DIR/$name.log)"; }
    (( waited < 600 )) || die "$name not ready after 60 s (log: $LOG_DIR/$name.log)"
    sleep 0.1; waited=$((waited + 1))
  done
  log "$name: ready (PID $pid, health http://127.0.0.1:$port/health/ready, log $LOG_DIR/$name.log)"
}

case "${1:-}" in
  start)  for entry in "${SERVICES[@]}"; do start_one "$entry"; done ;;
  stop)   for entry in "${SERVICES[@]}"; do stop_one "${entry%%:*}"; done ;;
  status) for entry in "${SERVICES[@]}"; do
            name="${entry%%:*}"
            if pid_alive "$(service_pid "$name")"; then log "$name: running (PID $(service_pid "$name"))"; else log "$name: not running"; fi
          done ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
