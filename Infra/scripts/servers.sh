#!/usr/bin/env bash
# Starts and stops every local server Shipboard needs, and writes .run/env.
# Usage: Infra/scripts/servers.sh {start|start-test|stop|status}
#   start       PostgreSQL + RabbitMQ `main`, roles/databases/vhosts, .run/env
#   start-test  the same plus the `fault` PostgreSQL and RabbitMQ instances used by
#               fault-injection tests (a fault instance whose test lock a running test
#               holds is left alone: that test stops and restarts it)
#   stop        stop everything that runs
#   status      show what runs
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

write_env() {
  local pgpass apppass servicepass rabbitpass run_prefix="" broker_ctl pg_ctl fault_pg tmp
  pgpass="$(secret postgres-superuser)"
  apppass="$(secret postgres-shipboard)"
  servicepass="$(secret postgres-service)"
  rabbitpass="$(secret rabbitmq-shipboard)"
  # A checkout that drives another one's servers (SHIPBOARD_RUN_DIR) passes that on
  # to the control commands the tests run.
  if [[ "$RUN_DIR" != "$SHIPBOARD_ROOT/.run" ]]; then run_prefix="SHIPBOARD_RUN_DIR=$(printf '%q' "$RUN_DIR") "; fi
  broker_ctl="$run_prefix$(printf '%q' "$SHIPBOARD_SCRIPTS_DIR/rabbitmq.sh") --instance fault"
  pg_ctl="$run_prefix$(printf '%q' "$SHIPBOARD_SCRIPTS_DIR/postgres.sh") --instance fault"
  fault_pg="$PG_HOST:$(pg_instance fault; echo "$PG_PORT")"
  tmp="$ENV_FILE.tmp.$$"
  ( umask 077
    {
      echo "# Written by Infra/scripts/servers.sh on every start. Source it: . .run/env"
      # Services log in as shipboard_service, which owns nothing (it cannot disable the
      # audit triggers, and has no UPDATE/DELETE on audit rows); migrations run as the
      # owner shipboard. Tests use the owner too (they create schemas of their own).
      echo "export SHIPBOARD_DATABASE_URL=$(sh_quote "postgres://shipboard_service:$servicepass@$PG_HOST:$PG_PORT/shipboard")"
      echo "export SHIPBOARD_MIGRATION_DATABASE_URL=$(sh_quote "postgres://shipboard:$apppass@$PG_HOST:$PG_PORT/shipboard")"
      echo "export SHIPBOARD_AMQP_URL=$(sh_quote "amqp://$RABBIT_USER:$rabbitpass@$RABBIT_HOST:55672/$RABBIT_VHOST")"
      echo "export SHIPBOARD_TEST_DATABASE_URL=$(sh_quote "postgres://shipboard:$apppass@$PG_HOST:$PG_PORT/shipboard_test")"
      echo "export SHIPBOARD_TEST_DATABASE_SERVICE_URL=$(sh_quote "postgres://shipboard_service:$servicepass@$PG_HOST:$PG_PORT/shipboard_test")"
      echo "export SHIPBOARD_TEST_DATABASE_ADMIN_URL=$(sh_quote "postgres://postgres:$pgpass@$PG_HOST:$PG_PORT/shipboard_test")"
      echo "export SHIPBOARD_BENCH_DATABASE_URL=$(sh_quote "postgres://shipboard:$apppass@$PG_HOST:$PG_PORT/shipboard_bench")"
      echo "export SHIPBOARD_TEST_AMQP_URL=$(sh_quote "amqp://$RABBIT_USER:$rabbitpass@$RABBIT_HOST:55672/$RABBIT_TEST_VHOST")"
      echo "export SHIPBOARD_TEST_AMQPS_URL=$(sh_quote "amqps://$RABBIT_USER:$rabbitpass@localhost:55671/$RABBIT_TEST_VHOST?cacertfile=$(uri_encode_path "$TLS_CA_CERT")")"
      echo "export SHIPBOARD_TEST_FAULT_AMQP_URL=$(sh_quote "amqp://$RABBIT_USER:$rabbitpass@$RABBIT_HOST:55682/$RABBIT_TEST_VHOST")"
      echo "export SHIPBOARD_TEST_FAULT_BROKER_CTL=$(sh_quote "$broker_ctl")"
      # The fault PostgreSQL instance (stopped, killed, paused by tests): same roles and
      # passwords, database shipboard_test; append a verb to the CTL command.
      echo "export SHIPBOARD_TEST_FAULT_DATABASE_URL=$(sh_quote "postgres://shipboard:$apppass@$fault_pg/shipboard_test")"
      echo "export SHIPBOARD_TEST_FAULT_DATABASE_SERVICE_URL=$(sh_quote "postgres://shipboard_service:$servicepass@$fault_pg/shipboard_test")"
      echo "export SHIPBOARD_TEST_FAULT_DATABASE_ADMIN_URL=$(sh_quote "postgres://postgres:$pgpass@$fault_pg/shipboard_test")"
      echo "export SHIPBOARD_TEST_FAULT_DATABASE_CTL=$(sh_quote "$pg_ctl")"
      # Network namespaces with packet loss for fault tests (Tests/TestSupport NetworkFault).
      echo "export SHIPBOARD_TEST_NETFAULT_CTL=$(sh_quote "$(printf '%q' "$SHIPBOARD_SCRIPTS_DIR/netfault.sh")")"
      echo "export SHIPBOARD_MIGRATIONS_DIR=$(sh_quote "$MIGRATIONS_DIR")"
      # The audit trail's HMAC key (32 bytes) under id k1: a secret of the services that the
      # database never sees. Rotate by putting a new id:hex first and keeping the old one.
      echo "export SHIPBOARD_AUDIT_KEYS=$(sh_quote "k1:$(secret audit-key-k1 32)")"
      # The bearer token of DML downloads (shipboard-testing serves them; the gateway and
      # rollout workers present it).
      echo "export SHIPBOARD_DML_TOKEN=$(sh_quote "$(secret dml-token 32)")"
      # Absolute folders: the services and the tests may run from any directory. The
      # gateway writes uploads inside shipboard-build's import root.
      echo "export SHIPBOARD_IMPORT_ROOT=$(sh_quote "$RUN_DIR/import")"
      echo "export SHIPBOARD_UPLOAD_ROOT=$(sh_quote "$RUN_DIR/import/uploads")"
      echo "export SHIPBOARD_IMAGE_STORE=$(sh_quote "$RUN_DIR/images")"
      echo "export SHIPBOARD_DML_STORE=$(sh_quote "$RUN_DIR/dml")"
      echo "export SHIPBOARD_SANDBOX_ROOT=$(sh_quote "$RUN_DIR/testing")"
    } > "$tmp"
  )
  chmod 600 "$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

print_summary() {
  local with_fault="$1"
  log "PostgreSQL  postgres://shipboard_service:***@$PG_HOST:$PG_PORT/shipboard (services; migrations as shipboard; tests: shipboard_test, benchmarks: shipboard_bench)"
  log "RabbitMQ    amqp://$RABBIT_USER:***@$RABBIT_HOST:55672/$RABBIT_VHOST (tests: vhost $RABBIT_TEST_VHOST)"
  log "RabbitMQ    amqps://$RABBIT_USER:***@localhost:55671/$RABBIT_TEST_VHOST (TLS, CA $TLS_CA_CERT)"
  if [[ "$with_fault" == 1 ]]; then
    log "RabbitMQ    amqp://$RABBIT_USER:***@$RABBIT_HOST:55682/$RABBIT_TEST_VHOST (fault-injection broker)"
    log "PostgreSQL  postgres://shipboard:***@$PG_HOST:55442/shipboard_test (fault-injection database)"
  fi
  log "environment $ENV_FILE   (. .run/env)   stop: bash Infra/scripts/down.sh"
}

# Runs the given scripts in parallel, each with its own log prefix on stderr;
# fails if any fails.
run_parallel() {
  local pids=() rc=0 p
  for cmd in "$@"; do
    bash -c "$cmd" 9>&- &
    pids+=("$!")
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return "$rc"
}

# fault_start_cmd LOCK SCRIPT ARGS... -> a command line that starts a fault instance
# while holding the lock its fault tests hold (CrossProcessLock), without waiting for it:
# when a test holds it, that test has the instance stopped, killed or paused on purpose
# and restarts it itself, so starting it here would break the test.
fault_start_cmd() {
  local lock="$FAULT_TEST_LOCK_DIR/$1.lock" what="$2"; shift 2
  printf 'flock -n -o -E 75 %q %s; rc=$?; if [[ $rc == 75 ]]; then echo %q >&2; rc=0; fi; exit $rc' \
    "$lock" "$*" "[shipboard] $what: a fault test holds $lock; left as that test leaves it"
}

start_all() {
  local with_fault="$1" t0 s
  t0="$(now_ms)"
  ensure_run_dir
  reserve_ports
  s="$(printf '%q' "$SHIPBOARD_SCRIPTS_DIR")"
  # Generate the secrets once, before the parallel starts read them.
  secret postgres-superuser >/dev/null; secret postgres-shipboard >/dev/null; secret postgres-service >/dev/null
  secret rabbitmq-shipboard >/dev/null; secret audit-key-k1 32 >/dev/null; secret dml-token 32 >/dev/null
  if [[ "$with_fault" == 1 ]]; then
    run_parallel "$s/postgres.sh start" "$s/rabbitmq.sh --instance main start" \
      "$(fault_start_cmd shipboard-fault-broker "rabbitmq [fault]" "$s/rabbitmq.sh --instance fault start")" \
      "$(fault_start_cmd shipboard-fault-postgres "postgres [fault]" "$s/postgres.sh --instance fault start")" \
      || die "some servers failed to start (see above)"
  else
    run_parallel "$s/postgres.sh start" "$s/rabbitmq.sh --instance main start" \
      || die "some servers failed to start (see above)"
  fi
  if [[ "$with_fault" == 1 ]]; then
    # Namespaces left by a test process that died (cheap when there are none).
    bash "$SHIPBOARD_SCRIPTS_DIR/netfault.sh" cleanup 9>&- || warn "netfault cleanup failed"
  fi
  write_env
  print_summary "$with_fault"
  log "servers ready in $(elapsed "$t0")"
}

stop_all() {
  local t0 s
  t0="$(now_ms)"
  s="$(printf '%q' "$SHIPBOARD_SCRIPTS_DIR")"
  run_parallel "$s/rabbitmq.sh --instance fault stop" "$s/rabbitmq.sh --instance main stop" "$s/postgres.sh stop" \
    "$s/postgres.sh --instance fault stop" \
    || die "some servers failed to stop (see above)"
  log "servers stopped in $(elapsed "$t0")"
}

status_all() {
  local rc=0
  bash "$SHIPBOARD_SCRIPTS_DIR/postgres.sh" status || rc=1
  bash "$SHIPBOARD_SCRIPTS_DIR/rabbitmq.sh" --instance main status || rc=1
  bash "$SHIPBOARD_SCRIPTS_DIR/rabbitmq.sh" --instance fault status || true
  bash "$SHIPBOARD_SCRIPTS_DIR/postgres.sh" --instance fault status || true
  return "$rc"
}

require_root
case "${1:-}" in
  start)      start_all 0 ;;
  start-test) start_all 1 ;;
  stop)       stop_all ;;
  status)     status_all ;;
  *) echo "usage: $0 {start|start-test|stop|status}" >&2; exit 2 ;;
esac
