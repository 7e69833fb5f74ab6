#!/usr/bin/env bash
# The main scenario, typed as users would type it with the `shipboard` CLI against the
# running gateway (run by up.sh once the services are ready):
#   1. the first admin is created (shipboard-gateway bootstrap-admin) and creates one demo
#      user per role and their tokens; the CAB is an approver group;
#   2. governance: a release template, exit criteria; the payroll CIs are imported;
#   3. rita (release manager) records a release coordinated by colin, colin adds an approved
#      change and submits it; colin's own approval is refused (segregation of duties), dave
#      (CAB) approves; colin applies the standard job plan, works initiate's tasks in order
#      (a task out of order, another group's task and leaving initiate early are refused),
#      advances it to plan, bob starts a design task, the Gantt chart is shown, then build;
#   4. bob uploads the image's files (Infra/demo/payroll-image) and saves its spec; when the
#      install scripts and backout are done, planning has shipboard-build build the image;
#      colin moves it to test, shipboard-testing tests it; tess (tester) accepts it into the
#      DML (bob may not); the DML is listed, verified and the image downloaded;
#   5. otto (rollout operator) plans the rollout of the 2 payroll applications to the 20
#      servers at 3 sites (dry run, then stored: 40 rollout tasks, a canary wave and a wave
#      per site); the communication, preparation and education tasks are worked; colin moves
#      the release to deploy and shipboard-rollout deploys with the local driver;
#   6. its impact set, audit trail and the trail's verification are shown.
# Tokens are kept in .run/secrets/tokens/<user> (mode 600); nothing here prints a secret.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="$(cd "$SHIPBOARD_ROOT" && swift build --show-bin-path)"
TOKENS="$RUN_DIR/secrets/tokens"
export SHIPBOARD_URL="${SHIPBOARD_URL:-http://127.0.0.1:58080}"
mkdir -p "$TOKENS" && chmod 700 "$TOKENS"

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

# wait_task KEY TASK STATE: waits (up to 120 s) until the work plan's TASK is in STATE; the
# services' commands and events run in the background.
wait_task() {
  local key="$1" task="$2" want="$3" state="" waited=0
  printf '  (waiting for task %s of %s to be %s)\n' "$task" "$key" "$want"
  while (( waited < 240 )); do
    state="$(SHIPBOARD_TOKEN="$(cat "$TOKENS/vera")" "$BIN/shipboard" plan show "$key" --output json | python3 -c '
import json, sys
tasks = json.load(sys.stdin).get("tasks", [])
print(next((t.get("state", "") for t in tasks if t.get("key") == sys.argv[1]), ""))' "$task")"
    [[ "$state" == "$want" ]] && return 0
    [[ "$state" == failed ]] && { as vera plan show "$key"; die "task $task of $key failed"; }
    sleep 0.5; waited=$((waited + 1))
  done
  die "task $task of $key is '$state' after 120 s, not $want"
}

bootstrap_admin() {
  if [[ -s "$TOKENS/admin" ]] && SHIPBOARD_TOKEN="$(cat "$TOKENS/admin")" "$BIN/shipboard" whoami >/dev/null 2>&1; then
    log "admin: using the token in $TOKENS/admin"
    return
  fi
  log "creating the first admin (shipboard-gateway bootstrap-admin admin)"
  ( set -a; source "$ENV_FILE"; set +a
    umask 077
    "$BIN/shipboard-gateway" bootstrap-admin admin > "$TOKENS/admin" ) \
    || die "bootstrap-admin failed; if an admin exists but $TOKENS/admin is lost, start afresh: bash Infra/scripts/down.sh && rm -rf $RUN_DIR"
}

# demo_user NAME ROLE...: creates the user (kept when it exists) and a fresh 30-day token.
demo_user() {
  local name="$1" roles=(); shift
  for role in "$@"; do roles+=(--role "$role"); done
  ensure admin user create "$name" "${roles[@]}"
  ( umask 077; SHIPBOARD_TOKEN="$(cat "$TOKENS/admin")" "$BIN/shipboard" user token "$name" --label demo --days 30 > "$TOKENS/$name" )
}

log "Users (as admin):"
bootstrap_admin
demo_user rita release_manager
demo_user colin release_manager approver
demo_user dave approver
demo_user erin approver
demo_user bob build_engineer
demo_user tess tester
demo_user otto rollout_operator
demo_user vera viewer
as admin user list

log "Governance (as admin):"
for member in dave erin colin; do ensure admin group add cab "$member"; done
ensure admin group add build-engineers bob
ensure admin group add communications colin
ensure admin group add rollout-operators otto
as admin group list

log "Who is told what (as admin; mail goes to the local SMTP sink, $RUN_DIR/mail):"
for name in rita colin dave erin bob tess otto vera; do
  as admin notify contacts --user "$name" --email "$name@payroll.example"
done
# otto speaks for the London site: he hears of the rollout's start, end, halt or backout there.
as admin notify site-contacts LON1 --set otto
# vera (viewer) follows every phase change of every release by email.
as admin notify subscribe 'release.phase_changed' --channel email --for vera
as admin template define standard-release --type minor --impact medium --urgency medium --risk medium \
  --job-plan standard-release --description "Quarterly application release" --gate initiate=cab:1 --gate review=cab:1
as admin exit-criteria set initiate phase_tasks_finished error
as admin exit-criteria set plan changes_added error
as admin exit-criteria set plan affected_cis_identified error
as admin exit-criteria set plan schedule_set warning
as admin ci import "$SHIPBOARD_ROOT/Infra/demo/payroll-cis.csv"
if ! SHIPBOARD_TOKEN="$(cat "$TOKENS/admin")" "$BIN/shipboard" freeze list | grep -q "Year-end change freeze"; then
  as admin freeze add --name "Year-end change freeze" --start 2026-12-20T00:00 --end 2027-01-05T00:00 --zone Europe/Berlin
fi
as vera freeze list

log "Release (rita requests, colin coordinates):"
log "  a deployment in the year-end freeze is refused:"
refused 5 rita release create --title "Payroll 4.2" --start 2026-12-28T09:00:00Z --end 2026-12-28T12:00:00Z
# release_key ARGS...: creates a release as rita and prints its key.
release_key() {
  SHIPBOARD_TOKEN="$(cat "$TOKENS/rita")" "$BIN/shipboard" release create "$@" --output json \
    | sed -n 's/.*"releaseKey" *: *"\([^"]*\)".*/\1/p'
}
KEY="$(release_key --title "Payroll 4.2" --description "Tax tables and payslip layout" \
  --justification "Legal change on 1 January" --coordinator colin --template standard-release \
  --start 2027-01-12T18:00:00Z --end 2027-01-12T22:00:00Z)"
[[ "$KEY" == REL-* ]] || die "the release was not created"
log "  rita created $KEY"
as colin change add "$KEY" --id CHG0042001 --title "Update payroll tax tables" --risk medium --ci CI-APP-0001 --ci CI-DB-0001
log "  a database patch in an overlapping window collides with it:"
PATCH="$(release_key --title "Payroll DB patch" --start 2027-01-12T20:00:00Z --end 2027-01-12T23:00:00Z)"
[[ "$PATCH" == REL-* ]] || die "the patch release was not created"
as rita change add "$PATCH" --id CHG0042002 --title "Database minor version" --risk low --ci CI-DB-0001
as vera release collisions "$KEY"
as rita release submit "$KEY"
log "  colin may not approve the release he coordinates:"
refused 3 colin release approve "$KEY"
as dave release approve "$KEY" --comment "CAB 2026-11"
log "Work plan (the template names the standard job plan; colin applies it and works initiate's tasks):"
as colin plan apply "$KEY"
log "  initiate's tasks are not finished, so the release may not leave initiate yet:"
refused 5 colin release advance "$KEY"
log "  ci-relationships waits for structure:"
refused 5 colin task start "$KEY" ci-relationships
as colin task start "$KEY" structure
as colin task finish "$KEY" structure
as colin task start "$KEY" ci-relationships
as colin task finish "$KEY" ci-relationships
log "  bob (build engineer) may not work the communication plan, which is not his group's:"
refused 3 bob task start "$KEY" communication-plan
as colin release advance "$KEY"
as bob task start "$KEY" image-design
as vera plan show "$KEY" --gantt
as colin release advance "$KEY"

log "Build (bob uploads the image's files through the gateway and saves its spec; planning has"
log "shipboard-build build it as soon as the install scripts and the backout procedure are done):"
IMAGE_DIR="$SHIPBOARD_ROOT/Infra/demo/payroll-image"
# One version per release, so that a second run of up.sh adds a new DML entry.
VERSION="4.2.$((10#${KEY#REL-}))"
spec_args=()
for file in install.sh backout.sh verify.sh tests/config.sh payroll/bin/payroll payroll/etc/payroll.conf \
            communication-plan.md education-plan.md; do
  as bob image upload "$KEY" "$IMAGE_DIR/$file" --as "$file"
  mode=""; [[ -x "$IMAGE_DIR/$file" ]] && mode=":x"
  spec_args+=(--file "$file=uploads/$KEY/$file$mode")
done
as bob image spec "$KEY" --name payroll --version "$VERSION" --target-class application "${spec_args[@]}"
as bob task finish "$KEY" image-design
for task in install-scripts backout; do
  as bob task start "$KEY" "$task"
  as bob task finish "$KEY" "$task"
done
wait_task "$KEY" build done
as vera image show "$KEY"

log "Test (colin moves the release to test; shipboard-testing installs the image in a sandbox,"
log "runs verify.sh and its tests, backs it out and checks the sandbox is as before):"
as colin release advance "$KEY"
wait_task "$KEY" test done
as vera test results "$KEY"
log "  bob built the image, and build engineers do not accept images:"
refused 3 bob test accept "$KEY"
as tess test accept "$KEY"
wait_task "$KEY" dml-acceptance done
log "The Definitive Media Library:"
as vera dml list
as vera dml show "payroll@$VERSION"
as tess dml verify
as vera dml download "payroll@$VERSION" -o "$RUN_DIR/payroll-$VERSION.tar.gz"

log "Rollout plan (otto, a rollout operator: the 2 payroll applications to the 20 servers at 3 sites,"
log "a canary wave of 2 servers, then a wave per site, 4 deploys at once, halt after 2 failures;"
log "the dry run stores nothing):"
rollout_args=(--source CI-APP-0001,CI-APP-0002 --class server --site FRA1,AMS1,LON1 --canary 2
              --site-order FRA1,AMS1,LON1 --window 4 --threshold 2)
as otto rollout plan "$KEY" "${rollout_args[@]}" --dry-run
log "  vera (a viewer) may not plan a rollout:"
refused 3 vera rollout plan "$KEY" "${rollout_args[@]}"
as otto rollout plan "$KEY" "${rollout_args[@]}"
log "  colin moves the release to rollout_plan; planning's rollout-plan task takes otto's plan:"
as colin release advance "$KEY"
wait_task "$KEY" rollout-plan done
for task in communication-plan education-plan stakeholder-briefing; do
  as colin task start "$KEY" "$task"
  as colin task finish "$KEY" "$task"
done
log "Prepare (otto prepares the sites, colin educates the users):"
as colin release advance "$KEY"
as otto task start "$KEY" site-preparation.fra1
as otto task finish "$KEY" site-preparation.fra1
as colin task start "$KEY" user-education
as colin task finish "$KEY" user-education
log "Deploy (the CAB brings the deployment forward to today; colin moves the release to deploy;"
log "planning starts the rollout; shipboard-rollout deploys with the local driver, a folder per"
log "server under $RUN_DIR/targets):"
as rita release update "$KEY" --start "$(date -u -d '+5 minutes' +%Y-%m-%dT%H:%M:%SZ)" \
  --end "$(date -u -d '+3 hours' +%Y-%m-%dT%H:%M:%SZ)"
status=0
as colin release advance "$KEY" || status=$?
if [[ "$status" == 5 ]]; then
  log "  refused: today is in a blackout; rita (release manager) overrides it:"
  as rita release override "$KEY" --reason "Legal deadline: deploy ahead of the freeze, payroll team on call"
  as colin release advance "$KEY"
elif [[ "$status" != 0 ]]; then
  die "moving $KEY to deploy failed with exit status $status"
fi
wait_task "$KEY" deployment done
as vera rollout status "$KEY"
installed=$(find "$RUN_DIR/targets" -path '*/opt/payroll/etc' -type d 2>/dev/null | wc -l)
log "  payroll is installed on $installed server folder(s) under $RUN_DIR/targets"
as otto task start "$KEY" verification
as otto task finish "$KEY" verification
as vera release show "$KEY"
as vera ci impact "$KEY"
as vera audit show "$KEY"
as vera audit verify "$KEY"

log "Stakeholders' mail (the local SMTP sink, $RUN_DIR/mail):"
as vera notify log "$KEY"
# Deliveries go out within moments of their events; give the last ones (the rollout's end) time.
mailed_to() { grep -l "\"$1@payroll.example\"" "$RUN_DIR"/mail/*.json 2>/dev/null | wc -l; }
for _ in $(seq 1 50); do
  (( $(mailed_to otto) >= 2 && $(mailed_to rita) >= 1 && $(mailed_to vera) >= 1 )) && break
  sleep 0.2
done
for name in rita colin dave otto vera; do log "  $name: $(mailed_to "$name") message(s)"; done
(( $(mailed_to rita) >= 1 )) || die "rita (the requester) was mailed nothing"
(( $(mailed_to otto) >= 2 )) || die "otto (LON1's site contact) was not mailed the rollout's start and end"
(( $(mailed_to vera) >= 1 )) || die "vera (subscribed to phase changes) was mailed nothing"
log "Final state (checked, not just shown):"
json_of() { local user="$1"; shift; SHIPBOARD_TOKEN="$(cat "$TOKENS/$user")" "$BIN/shipboard" "$@" --output json; }
json_of vera rollout status "$KEY" | python3 -c '
import json, sys
counts = json.load(sys.stdin)["progress"]["counts"]
assert counts["total"] == 40 and counts["succeeded"] == 40, "rollout: %r, expected 40 of 40 succeeded" % counts
print("  rollout: 40 of 40 targets succeeded")' || die "the rollout did not end with 40 of 40 targets succeeded"
json_of vera dml show "payroll@$VERSION" | python3 -c '
import json, sys
entry = json.load(sys.stdin)
state = entry.get("state") or entry.get("entry", {}).get("state")
assert state == "available", "DML entry state %r" % state
print("  DML: payroll@'"$VERSION"' is available (and dml verify passed above)")' || die "the DML entry is not available"
# Every email the log calls sent reached the sink exactly once (by its X-Shipboard-Delivery id).
json_of vera notify log "$KEY" --channel email --all | python3 -c '
import glob, json, sys
data = json.load(sys.stdin)
pages = data if isinstance(data, list) else [data]
items = [item for page in pages for item in (page.get("items", []) if isinstance(page, dict) else [page])]
sent = [item["id"] for item in items if item["state"] == "sent"]
others = [item for item in items if item["state"] != "sent"]
mails = {}
for path in glob.glob(sys.argv[1] + "/*.json"):
    record = json.load(open(path))
    for name, value in record["headers"]:
        if name.lower() == "x-shipboard-delivery":
            mails[value.strip()] = mails.get(value.strip(), 0) + 1
wrong = {d: mails.get(d, 0) for d in sent if mails.get(d, 0) != 1}
assert not others, "email deliveries not sent: %r" % [(o["recipient"], o["state"]) for o in others]
assert sent and not wrong, "mails per sent delivery (want exactly 1): %r" % wrong
print("  notifications: %d email deliveries sent, each mailed exactly once" % len(sent))' "$RUN_DIR/mail" \
  || die "the stakeholders were not mailed exactly once per delivery"
log "Scenario done: $KEY (payroll@$VERSION) is rolled out to 20 servers at 3 sites; demo tokens are in $TOKENS (e.g. SHIPBOARD_TOKEN=\$(cat $TOKENS/vera) $BIN/shipboard release list)"
