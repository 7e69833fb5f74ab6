#!/usr/bin/env bash
# The second run: a rollout that fails. After scenario.sh (its users, CAB, template, CIs and
# site contacts), a hotfix release goes the same way up to deploy, but one AMS1 server
# (ams1-app-03) cannot take the install: its /opt/payroll is a file, so both applications'
# installs fail there. The rollout's failure threshold (2) halts it and, as its plan says
# (backout scope `all`), every target that succeeded is backed out, latest first; the
# coordinator (colin) and LON1's site contact (otto) are mailed the halt and the backout,
# each exactly once.
#
# With SHIPBOARD_BROWSER_CHECK=1 (e2e.sh sets it) the dashboard is driven in headless
# Chromium (browser.sh): dave approves the release's gate on its page, and the page's rollout
# bar is watched moving live while the rollout runs; screenshots in .run/screenshots/.
set -euo pipefail
# shellcheck source=scenario-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scenario-lib.sh"
BROWSER="${SHIPBOARD_BROWSER_CHECK:-0}"
BLOCKED_CI=CI-SRV-0010
BLOCKED="$RUN_DIR/targets/$BLOCKED_CI/opt/payroll"

[[ -s "$TOKENS/admin" && -s "$TOKENS/dave" ]] || die "run scenario.sh first: it makes the users this run needs"

log "Hotfix release (rita requests, colin coordinates, dave approves):"
KEY="$(release_key rita --title "Payroll 4.2 hotfix" --description "Payslip rounding" \
  --justification "Rounding error on payslips" --coordinator colin --template standard-release \
  --start 2027-02-02T18:00:00Z --end 2027-02-02T22:00:00Z)"
[[ "$KEY" == REL-* ]] || die "the hotfix release was not created"
log "  rita created $KEY"
as colin change add "$KEY" --id CHG0042101 --title "Fix payslip rounding" --risk low --ci CI-APP-0002
as rita release submit "$KEY"
if [[ "$BROWSER" == 1 ]]; then
  log "  dave approves it on the dashboard (headless Chromium):"
  bash "$SHIPBOARD_SCRIPTS_DIR/browser.sh" approve --user dave --password-file "$PASSWORDS/dave" \
    --release "$KEY" --comment "CAB: hotfix approved" || die "the dashboard approval failed"
else
  as dave release approve "$KEY" --comment "CAB: hotfix approved"
fi
as colin plan apply "$KEY"
work colin "$KEY" structure ci-relationships
as colin release advance "$KEY"

log "Build, test, DML (as in the main scenario):"
as bob task start "$KEY" image-design
as colin release advance "$KEY"
build_image "$KEY"
as colin release advance "$KEY"
wait_task "$KEY" test done
as tess test accept "$KEY"
wait_task "$KEY" dml-acceptance done

log "Rollout plan (window 1, so the deploys go one by one; a 4 s soak after each wave, so the"
log "dashboard's bar can be seen moving; after 2 failures halt and back out everything):"
as otto rollout plan "$KEY" --source CI-APP-0001,CI-APP-0002 --class server --site FRA1,AMS1,LON1 --canary 2 \
  --site-order FRA1,AMS1,LON1 --window 1 --between soak:4 --threshold 2 --backout-scope all
as colin release advance "$KEY"
wait_task "$KEY" rollout-plan done
work colin "$KEY" communication-plan education-plan stakeholder-briefing
as colin release advance "$KEY"
work otto "$KEY" site-preparation.fra1
work colin "$KEY" user-education

log "A server that cannot take the install: $BLOCKED is a file"
mkdir -p "$(dirname "$BLOCKED")"
rm -rf "$BLOCKED"
echo "occupied" > "$BLOCKED"
trap 'rm -f "$BLOCKED"' EXIT

watcher=""
if [[ "$BROWSER" == 1 ]]; then
  log "  the dashboard's rollout bar is watched while it runs (headless Chromium, no reload):"
  bash "$SHIPBOARD_SCRIPTS_DIR/browser.sh" watch-rollout --user vera --password-file "$PASSWORDS/vera" \
    --release "$KEY" --timeout 180 &
  watcher=$!
  sleep 5  # its sign-in and the page's first load, before the rollout starts
fi
log "Deploy (the rollout halts at the threshold and backs out):"
deploy_now "$KEY"
as vera release watch "$KEY" --until-rollout-ends
wait_rollout "$KEY" backed_out
if [[ -n "$watcher" ]]; then
  wait "$watcher" || die "the dashboard's rollout bar was not seen moving (browser.sh watch-rollout)"
fi
as vera rollout status "$KEY"
as vera release show "$KEY"

log "Final state (checked):"
json_of vera rollout status "$KEY" | python3 -c '
import json, sys
counts = json.load(sys.stdin)["progress"]["counts"]
assert counts["failed"] == 2 and counts["succeeded"] == 0 and counts["backedOut"] >= 4, counts
print("  rollout: %d targets backed out, %d failed, none left succeeded" % (counts["backedOut"], counts["failed"]))' \
  || die "the rollout did not end backed out with the 2 failed targets"
for check in "colin rollout.halted" "otto rollout.halted" "colin rollout.backed_out" "otto rollout.backed_out"; do
  read -r name event <<< "$check"
  got=0
  for _ in $(seq 1 50); do
    got="$(mails_of "$name" "$event" "$KEY")"
    (( got >= 1 )) && break
    sleep 0.2
  done
  [[ "$got" == 1 ]] || die "$name was mailed $got message(s) about $event of $KEY, expected exactly 1"
  log "  $name: mailed $event once"
done
[[ ! -d "$RUN_DIR/targets/CI-SRV-0001/opt/payroll" ]] || die "CI-SRV-0001 (the canary) still has payroll after the backout"
log "  the canary server's payroll folder is gone (backout.sh ran there)"
log "Second run done: $KEY halted at the threshold and was backed out; its stakeholders were told"
