#!/usr/bin/env bash
# The main scenario, typed as users would type it with the `shipboard` CLI against the
# running gateway (run by up.sh once the services are ready, and by e2e.sh in the tests):
#   1. the first admin is created (shipboard-gateway bootstrap-admin) and creates one demo
#      user per role, with a token and a dashboard password each; the CAB is an approver group;
#   2. governance: a release template, exit criteria; the payroll CIs are imported (2
#      applications, 20 servers at 3 sites, their relationships);
#   3. rita (release manager) records a release coordinated by colin, colin adds an approved
#      change (an unapproved one is refused) and rita submits it; colin's own approval is
#      refused (segregation of duties), dave (CAB) approves; colin applies the standard job
#      plan, works initiate's tasks in order (a task out of order, another group's task and
#      leaving initiate early are refused), advances it to plan, bob starts a design task,
#      the Gantt chart is shown, then build;
#   4. bob uploads the image's files (Infra/demo/payroll-image) and saves its spec; when the
#      install scripts and backout are done, planning has shipboard-build build the image;
#      colin moves it to test, shipboard-testing tests it; tess (tester) accepts it into the
#      DML (bob may not); the DML is listed, verified and the image downloaded;
#   5. otto (rollout operator) plans the rollout of the 2 payroll applications to the 20
#      servers at 3 sites (dry run, then stored: 40 rollout tasks, a canary wave and a wave
#      per site); the communication, preparation and education tasks are worked (briefings
#      are mailed); colin moves the release to deploy and shipboard-rollout deploys with the
#      local driver while `release watch` shows its progress;
#   6. verification, the post-implementation review (its CAB gate, approved by dave on the
#      dashboard in headless Chromium with SHIPBOARD_BROWSER_CHECK=1, as e2e.sh sets) and close; its impact set,
#      audit trail and the trail's verification are shown, and the final state is checked.
# Tokens are kept in .run/secrets/tokens/<user>, passwords in .run/secrets/passwords/<user>
# (mode 600); nothing here prints a secret.
set -euo pipefail
# shellcheck source=scenario-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scenario-lib.sh"

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

# demo_user NAME ROLE...: creates the user (kept when it exists) with a random dashboard
# password (made once, kept in $PASSWORDS/NAME) and a fresh 30-day token.
demo_user() {
  local name="$1" roles=() status=0; shift
  for role in "$@"; do roles+=(--role "$role"); done
  [[ -s "$PASSWORDS/$name" ]] || ( umask 077; openssl rand -base64 18 > "$PASSWORDS/$name" )
  printf '  admin$ shipboard user create %s %s --password-stdin\n' "$name" "${roles[*]}"
  SHIPBOARD_TOKEN="$(cat "$TOKENS/admin")" "$BIN/shipboard" user create "$name" "${roles[@]}" --password-stdin \
    < "$PASSWORDS/$name" || status=$?
  [[ "$status" == 0 || "$status" == 5 ]] || die "creating $name failed with exit status $status"
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
KEY="$(release_key rita --title "Payroll 4.2" --description "Tax tables and payslip layout" \
  --justification "Legal change on 1 January" --coordinator colin --template standard-release \
  --start 2027-01-12T18:00:00Z --end 2027-01-12T22:00:00Z)"
[[ "$KEY" == REL-* ]] || die "the release was not created"
log "  rita created $KEY"
log "  only approved changes belong in a release: a change still submitted is refused:"
refused 1 colin change add "$KEY" --id CHG0042009 --title "Payslip font change" --risk low --status submitted --ci CI-APP-0002
as colin change add "$KEY" --id CHG0042001 --title "Update payroll tax tables" --risk medium --ci CI-APP-0001 --ci CI-DB-0001
log "  a database patch in an overlapping window collides with it:"
PATCH="$(release_key rita --title "Payroll DB patch" --start 2027-01-12T20:00:00Z --end 2027-01-12T23:00:00Z)"
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
build_image "$KEY"
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
work colin "$KEY" communication-plan education-plan stakeholder-briefing
log "Prepare (otto prepares the sites, colin educates the users):"
as colin release advance "$KEY"
work otto "$KEY" site-preparation.fra1
work colin "$KEY" user-education
log "Deploy (the CAB brings the deployment forward to today; colin moves the release to deploy;"
log "planning starts the rollout; shipboard-rollout deploys with the local driver, a folder per"
log "server under $RUN_DIR/targets):"
deploy_now "$KEY"
log "  the rollout as it goes (release watch, until the rollout ends):"
as vera release watch "$KEY" --until-rollout-ends
wait_task "$KEY" deployment done
as vera rollout status "$KEY"
installed=$(find "$RUN_DIR/targets" -path '*/opt/payroll/etc' -type d 2>/dev/null | wc -l)
log "  payroll is installed on $installed server folder(s) under $RUN_DIR/targets"
work otto "$KEY" verification
log "Review (colin moves the release to review; rita holds the post-implementation review;"
log "the CAB's review gate decides; colin closes it):"
as colin release advance "$KEY"
work rita "$KEY" review
log "  the review gate is not yet approved, so the release may not close:"
refused 5 colin release close "$KEY"
if [[ "${SHIPBOARD_BROWSER_CHECK:-0}" == 1 ]]; then
  log "  dave approves the review gate on the dashboard (headless Chromium; screenshots in $RUN_DIR/screenshots):"
  bash "$SHIPBOARD_SCRIPTS_DIR/browser.sh" approve --user dave --password-file "$PASSWORDS/dave" --release "$KEY" \
    --comment "Post-implementation review held: no incidents" --shots "$RUN_DIR/screenshots/seed-review" \
    || die "the dashboard approval of the review gate failed"
else
  as dave release approve "$KEY" --comment "Post-implementation review held: no incidents"
fi
as colin release close "$KEY"
as vera release show "$KEY"
as vera ci impact "$KEY"
as vera audit show "$KEY"
as vera audit verify "$KEY"

log "Stakeholders' mail (the local SMTP sink, $RUN_DIR/mail):"
as vera notify log "$KEY"
# What each stakeholder must have been told about this release, as their roles and
# subscriptions say, each exactly once: vera (subscribed to phase changes by email) one mail
# per phase change in the audit trail; otto (LON1's site contact) the rollout's start and end.
PHASE_CHANGES="$(json_of vera audit show "$KEY" | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)["entries"] if e["action"] == "release.phase_changed"))')"
expected_mail() { # NAME EVENT COUNT
  local got=0
  for _ in $(seq 1 50); do  # deliveries follow their events within moments; allow 10 s
    got="$(mails_of "$1" "$2" "$KEY")"
    (( got >= $3 )) && break
    sleep 0.2
  done
  [[ "$got" == "$3" ]] || die "$1 was mailed $got message(s) about $2 of $KEY, expected exactly $3"
  log "  $1: $got mail(s) about $2, as expected"
}
expected_mail vera release.phase_changed "$PHASE_CHANGES"
expected_mail otto rollout.started 1
expected_mail otto rollout.completed 1
for name in rita colin dave otto vera; do log "  $name: $(mails_of "$name" "" "$KEY") message(s) about $KEY in all"; done
(( $(mails_of rita "" "$KEY") >= 1 )) || die "rita (the requester) was mailed nothing"
log "Final state (checked, not just shown):"
json_of vera release show "$KEY" | python3 -c '
import json, sys
release = json.load(sys.stdin)
assert (release["phase"], release["status"]) == ("review", "completed"), "release: %s %s" % (release["phase"], release["status"])
print("  release: closed (review, completed)")' || die "the release was not closed"
json_of vera audit verify "$KEY" | python3 -c '
import json, sys
verdict = json.load(sys.stdin)
assert verdict["intact"] is True and verdict["entries"] > 0, verdict
print("  audit trail: %d entries, hash chain intact" % verdict["entries"])' || die "the audit trail is not intact"
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
echo "$KEY" > "$RUN_DIR/scenario-release"
log "Scenario done: $KEY (payroll@$VERSION) is rolled out to 20 servers at 3 sites; demo tokens are in $TOKENS (e.g. SHIPBOARD_TOKEN=\$(cat $TOKENS/vera) $BIN/shipboard release list)"
