#!/usr/bin/env bash
# Validates compose.yaml without a Docker engine (test.sh runs it before the Swift build):
#   1. `docker-compose config -q` with an env file made from .env.example, so every variable
#      the file references is set (each change-me becomes a value of its own);
#   2. the owner's database password reaches only the `postgres` and `migrate` containers:
#      no service may receive the owner's URL.
# Exit 0 when valid, 1 with a message naming the problem.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMPOSE_FILE="$SHIPBOARD_ROOT/compose.yaml"
EXAMPLE="$SHIPBOARD_ROOT/.env.example"
command -v docker-compose >/dev/null 2>&1 \
  || die "compose check: docker-compose is missing (Infra/scripts/install-deps.sh installs it)"
[[ -f "$COMPOSE_FILE" ]] || die "compose check: $COMPOSE_FILE is missing"
[[ -f "$EXAMPLE" ]] || die "compose check: $EXAMPLE is missing"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# NAME=change-me -> NAME=change-me-name, so a value found in the rendered file names its variable.
sed -E 's/^([A-Za-z_][A-Za-z0-9_]*)=(.*)change-me(.*)$/\1=\2change-me-\L\1\E\3/' "$EXAMPLE" > "$tmp/env"
names="$(sed -nE 's/^([A-Za-z_][A-Za-z0-9_]*)=.*/\1/p' "$EXAMPLE")"

# The file's variables come from the env file only: the caller's environment (e.g. .run/env)
# would override them.
compose() {
  # shellcheck disable=SC2086
  (unset $names; cd "$SHIPBOARD_ROOT" && docker-compose --env-file "$tmp/env" -f "$COMPOSE_FILE" "$@")
}

if ! compose config -q 2>"$tmp/err"; then
  sed 's/^/  /' "$tmp/err" >&2
  die "compose check: compose.yaml is INVALID (docker-compose config failed; message above)"
fi
compose config >"$tmp/rendered.yaml" 2>"$tmp/err" || { cat "$tmp/err" >&2; die "compose check: rendering compose.yaml failed"; }

owner_password="$(sed -nE 's/^SHIPBOARD_DB_OWNER_PASSWORD=(.*)$/\1/p' "$tmp/env")"
[[ -n "$owner_password" ]] || die "compose check: .env.example does not set SHIPBOARD_DB_OWNER_PASSWORD"
if ! services="$(python3 - "$tmp/rendered.yaml" "$owner_password" <<'PY'
import sys, yaml
rendered, secret = sys.argv[1], sys.argv[2]
services = yaml.safe_load(open(rendered))["services"]
allowed = {"postgres", "migrate"}
leaks = sorted(name for name, spec in services.items() if name not in allowed and secret in yaml.safe_dump(spec))
if "migrate" not in services or secret not in yaml.safe_dump(services["migrate"]):
    print("  the migrate service does not receive the owner's password", file=sys.stderr)
    sys.exit(1)
if leaks:
    print("  the owner's database password (SHIPBOARD_DB_OWNER_PASSWORD) reaches: " + ", ".join(leaks), file=sys.stderr)
    sys.exit(1)
print(" ".join(sorted(services)))
PY
)"; then
  die "compose check: compose.yaml is INVALID: the owner's database credentials must reach migrate and no service but postgres (message above)"
fi
log "compose check: compose.yaml is valid (services: $services; owner credentials only in postgres and migrate)"
