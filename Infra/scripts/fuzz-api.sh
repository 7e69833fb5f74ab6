#!/usr/bin/env bash
# Fuzzes the gateway's HTTP API with schemathesis (from PyPI, in .run/venv) against the
# served OpenAPI document: shipboard-planning, shipboard-build, shipboard-testing,
# shipboard-rollout and shipboard-gateway run as processes (folders under .run/fuzz) on a database of its own, created afresh each run (`shipboard_fuzz`: the test database holds
# fixtures that tests corrupt on purpose) and the test vhost, and a user holding every role
# drives every operation.
# Fails when any response is a 5xx or breaks the document (status, content type, schema,
# headers). The event stream (getReleaseEvents) is left out: it stays open until its release
# is terminal, and GatewayEventsTests and the CLI test cover it. test.sh runs this after the
# Swift tests; alone: bash Infra/scripts/fuzz-api.sh
# (needs servers.sh start-test). Extra arguments go to `schemathesis run`.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0="$(now_ms)"
SCHEMATHESIS_VERSION="4.32.5"
GATEWAY_PORT=58090
PLANNING_PORT=58091
BUILD_PORT=58095
TESTING_PORT=58096
DML_PORT=58097
ROLLOUT_PORT=58098
NOTIFY_PORT=58099
VENV="$RUN_DIR/venv"

[[ -f "$ENV_FILE" ]] || die "$ENV_FILE is missing: run bash Infra/scripts/servers.sh start-test first"
# shellcheck source=/dev/null
source "$ENV_FILE"

ensure_venv_package schemathesis "$SCHEMATHESIS_VERSION"

cd "$SHIPBOARD_ROOT"
swift build --product shipboard-migrate >/dev/null
swift build --product shipboard-planning >/dev/null
swift build --product shipboard-gateway >/dev/null
swift build --product shipboard-build >/dev/null
swift build --product shipboard-testing >/dev/null
swift build --product shipboard-rollout >/dev/null
swift build --product shipboard-notify >/dev/null
BIN="$(swift build --show-bin-path)"
[[ "$SHIPBOARD_TEST_DATABASE_URL" == */shipboard_test && "$SHIPBOARD_TEST_DATABASE_SERVICE_URL" == */shipboard_test ]] \
  || die "unexpected test database URLs in $ENV_FILE"
OWNER_URL="${SHIPBOARD_TEST_DATABASE_URL%/shipboard_test}/shipboard_fuzz"
SERVICE_URL="${SHIPBOARD_TEST_DATABASE_SERVICE_URL%/shipboard_test}/shipboard_fuzz"
"$(pg_bin_dir)/psql" -X -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS shipboard_fuzz WITH (FORCE)" -c "CREATE DATABASE shipboard_fuzz OWNER shipboard" >/dev/null 9>&-
SHIPBOARD_MIGRATION_DATABASE_URL="$OWNER_URL" "$BIN/shipboard-migrate" >/dev/null

LOGS="$RUN_DIR/logs/fuzz"
mkdir -p "$LOGS"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# run_service NAME PORT: the service on the fuzz database and the test vhost, as the service role.
run_service() {
  ( unset SHIPBOARD_MIGRATION_DATABASE_URL
    export SHIPBOARD_DATABASE_URL="$SERVICE_URL" SHIPBOARD_AMQP_URL="$SHIPBOARD_TEST_AMQP_URL" \
           SHIPBOARD_HTTP_PORT="$2" SHIPBOARD_LOG_FORMAT=json
    close_extra_fds
    exec "$BIN/$1" </dev/null >"$LOGS/$1.log" 2>&1 ) &
  PIDS+=("$!")
  local waited=0
  until curl -fsS "http://127.0.0.1:$2/health/ready" >/dev/null 2>&1; do
    (( waited < 600 )) || { tail -n 20 "$LOGS/$1.log" >&2; die "$1 not ready after 60 s"; }
    sleep 0.1; waited=$((waited + 1))
  done
}
# Images, uploads, test sandboxes and the DML of this run, shared by the services as in compose.
FUZZ_DIR="$RUN_DIR/fuzz"
rm -rf "$FUZZ_DIR"
mkdir -p "$FUZZ_DIR/import/uploads" "$FUZZ_DIR/images" "$FUZZ_DIR/dml" "$FUZZ_DIR/work" "$FUZZ_DIR/targets"
export SHIPBOARD_IMPORT_ROOT="$FUZZ_DIR/import" SHIPBOARD_UPLOAD_ROOT="$FUZZ_DIR/import/uploads" SHIPBOARD_UPLOAD_LIMIT_MB=16 \
       SHIPBOARD_IMAGE_STORE="$FUZZ_DIR/images" SHIPBOARD_DML_STORE="$FUZZ_DIR/dml" SHIPBOARD_SANDBOX_ROOT="$FUZZ_DIR/work" \
       SHIPBOARD_DML_HTTP_PORT="$DML_PORT" SHIPBOARD_DML_URL="http://127.0.0.1:$DML_PORT" \
       SHIPBOARD_DML_TOKEN="fuzz-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
       SHIPBOARD_ROLLOUT_DRIVER=local SHIPBOARD_ROLLOUT_TARGETS_ROOT="$FUZZ_DIR/targets" \
       SHIPBOARD_ROLLOUT_STAGING_ROOT="$FUZZ_DIR/rollout-staging" SHIPBOARD_ROLLOUT_CACHE="$FUZZ_DIR/rollout-cache" \
       SHIPBOARD_NOTIFY_WEBHOOK_SECRET="fuzz-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
       SHIPBOARD_NOTIFY_SMTP_URL="smtp://127.0.0.1:9" SHIPBOARD_NOTIFY_SMTP_STARTTLS=off
for port in "$GATEWAY_PORT" "$PLANNING_PORT" "$BUILD_PORT" "$TESTING_PORT" "$DML_PORT" "$ROLLOUT_PORT" "$NOTIFY_PORT"; do
  port_busy "$port" && die "port $port is taken: $(who_listens "$port")"
done
run_service shipboard-planning "$PLANNING_PORT"
run_service shipboard-build "$BUILD_PORT"
run_service shipboard-testing "$TESTING_PORT"
run_service shipboard-rollout "$ROLLOUT_PORT"
run_service shipboard-notify "$NOTIFY_PORT"
run_service shipboard-gateway "$GATEWAY_PORT"

ROLES="admin,release_manager,approver,build_engineer,tester,rollout_operator,viewer"
TOKEN="$(SHIPBOARD_DATABASE_URL="$SERVICE_URL" "$BIN/shipboard-gateway" \
  create-user "fuzzer-$(date +%s)-$RANDOM" "$ROLES" 2>/dev/null)" || die "could not create the fuzzing user"

log "schemathesis $SCHEMATHESIS_VERSION against http://127.0.0.1:$GATEWAY_PORT/api/v1/openapi.json"
set +e
"$VENV/bin/schemathesis" run "http://127.0.0.1:$GATEWAY_PORT/api/v1/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --exclude-operation-id getReleaseEvents \
  --max-examples 30 --seed 20261129 --no-color "$@"
rc=$?
set -e
if [[ $rc == 0 ]]; then log "API fuzzing passed in $(elapsed "$T0")"; else log "API fuzzing FAILED (exit $rc) in $(elapsed "$T0"); logs in $LOGS"; fi
exit "$rc"
