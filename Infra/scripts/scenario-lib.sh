#!/usr/bin/env bash
# What the scenarios (scenario.sh, scenario-halt.sh) share: running the `shipboard` CLI as a
# demo user, expecting refusals, waiting for the services, and the steps both runs take the
# same way (the image's upload, tasks worked in order, the move to deploy). Sourced, not run.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The products' folder: SHIPBOARD_BIN_DIR when set (up.sh: the release build), else the
# debug build's (the tests' e2e run).
BIN="${SHIPBOARD_BIN_DIR:-$(cd "$SHIPBOARD_ROOT" && swift build --show-bin-path)}"
TOKENS="$RUN_DIR/secrets/tokens"
# Demo users' dashboard passwords, one file each (mode 600), made on the first run.
PASSWORDS="$RUN_DIR/secrets/passwords"
IMAGE_DIR="$SHIPBOARD_ROOT/Infra/demo/payroll-image"
export SHIPBOARD_URL="${SHIPBOARD_URL:-http://127.0.0.1:58080}"
mkdir -p "$TOKENS" "$PASSWORDS" && chmod 700 "$TOKENS" "$PASSWORDS"

# as USER shipboard-args...: runs the CLI with USER's token, echoing the command as typed.
as() {
  local user="$1"; shift
  printf '  %s$ shipboard %s\n' "$user" "$*"
  SHIPBOARD_TOKEN="$(cat "$TOKENS/$user")" "$BIN/shipboard" "$@"
}

# refused STATUS USER args...: the command must fail with exit status STATUS.
refused() {
  local expected="$1" status=0; shift
  as "$@" || status=$?
  [[ "$status" == "$expected" ]] || die "expected exit status $expected, got $status"
}

# ensure USER args...: like `as`, but a conflict (exit 5: it exists already, e.g. on a second
# run of up.sh) is fine too.
ensure() {
  local status=0
  as "$@" || status=$?
  [[ "$status" == 0 || "$status" == 5 ]] || die "failed with exit status $status"
}

# json_of USER args...: the command's JSON output, quietly.
json_of() { local user="$1"; shift; SHIPBOARD_TOKEN="$(cat "$TOKENS/$user")" "$BIN/shipboard" "$@" --output json; }

# wait_task KEY TASK STATE: waits (up to 120 s) until the work plan's TASK is in STATE; the
# services' commands and events run in the background.
wait_task() {
  local key="$1" task="$2" want="$3" state="" waited=0
  printf '  (waiting for task %s of %s to be %s)\n' "$task" "$key" "$want"
  while (( waited < 240 )); do
    state="$(json_of vera plan show "$key" | python3 -c '
import json, sys
tasks = json.load(sys.stdin).get("tasks", [])
print(next((t.get("state", "") for t in tasks if t.get("key") == sys.argv[1]), ""))' "$task")"
    [[ "$state" == "$want" ]] && return 0
    [[ "$state" == failed ]] && { as vera plan show "$key"; die "task $task of $key failed"; }
    sleep 0.5; waited=$((waited + 1))
  done
  die "task $task of $key is '$state' after 120 s, not $want"
}

# rollout_state KEY: the rollout's state as the API names it (planned, running, halted, ...).
rollout_state() {
  json_of vera rollout status "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])'
}

# wait_rollout KEY STATE: waits (up to 120 s) until the rollout is in STATE.
wait_rollout() {
  local key="$1" want="$2" state="" waited=0
  printf '  (waiting for the rollout of %s to be %s)\n' "$key" "$want"
  while (( waited < 240 )); do
    state="$(rollout_state "$key")"
    [[ "$state" == "$want" ]] && return 0
    sleep 0.5; waited=$((waited + 1))
  done
  die "the rollout of $key is '$state' after 120 s, not $want"
}

# release_key USER ARGS...: creates a release as USER and prints its key.
release_key() {
  local user="$1"; shift
  json_of "$user" release create "$@" | sed -n 's/.*"releaseKey" *: *"\([^"]*\)".*/\1/p'
}

# work USER KEY TASK...: USER starts and finishes each task, in order.
work() {
  local user="$1" key="$2"; shift 2
  for task in "$@"; do
    as "$user" task start "$key" "$task"
    as "$user" task finish "$key" "$task"
  done
}

# upload_image KEY VERSION: bob uploads the demo image's files through the gateway and saves
# the image's spec (name payroll, VERSION).
upload_image() {
  local key="$1" version="$2" spec_args=() mode
  for file in install.sh backout.sh verify.sh tests/config.sh payroll/bin/payroll payroll/etc/payroll.conf \
              communication-plan.md education-plan.md; do
    as bob image upload "$key" "$IMAGE_DIR/$file" --as "$file"
    mode=""; [[ -x "$IMAGE_DIR/$file" ]] && mode=":x"
    spec_args+=(--file "$file=uploads/$key/$file$mode")
  done
  as bob image spec "$key" --name payroll --version "$version" --target-class application "${spec_args[@]}"
}

# build_image KEY: bob uploads and specifies the image (version 4.2.<release number>, one per
# release so that every run adds a new DML entry; set in VERSION), finishes the design,
# install-script and backout tasks, and planning has shipboard-build build it.
build_image() {
  local key="$1"
  VERSION="4.2.$((10#${key#REL-}))"
  upload_image "$key" "$VERSION"
  as bob task finish "$key" image-design
  work bob "$key" install-scripts backout
  wait_task "$key" build done
}

# deploy_now KEY: rita brings the deployment forward to now and colin moves the release to
# deploy; when today is in a blackout, rita (release manager) overrides it with a reason.
deploy_now() {
  local key="$1" status=0
  as rita release update "$key" --start "$(date -u -d '+5 minutes' +%Y-%m-%dT%H:%M:%SZ)" \
    --end "$(date -u -d '+3 hours' +%Y-%m-%dT%H:%M:%SZ)"
  as colin release advance "$key" || status=$?
  if [[ "$status" == 5 ]]; then
    log "  refused: today is in a blackout; rita (release manager) overrides it:"
    as rita release override "$key" --reason "Legal deadline: deploy ahead of the freeze, payroll team on call"
    as colin release advance "$key"
  elif [[ "$status" != 0 ]]; then
    die "moving $key to deploy failed with exit status $status"
  fi
}

# mails_of NAME EVENT: how many messages the SMTP sink holds for NAME@payroll.example about
# EVENT (a type such as rollout.halted; empty: any) and release KEY_FILTER (empty: any).
mails_of() {
  python3 - "$RUN_DIR/mail" "$1@payroll.example" "${2:-}" "${3:-}" <<'EOF'
import glob, json, sys
folder, address, event, key = sys.argv[1:5]
count = 0
for path in glob.glob(folder + "/*.json"):
    record = json.load(open(path))
    headers = {name.lower(): value for name, value in record["headers"]}
    if address not in headers.get("to", ""): continue
    if event and headers.get("x-shipboard-event", "").strip() != event: continue
    if key and key not in headers.get("subject", "") + record.get("text", ""): continue
    count += 1
print(count)
EOF
}
