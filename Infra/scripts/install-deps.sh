#!/usr/bin/env bash
# Installs the Debian packages Shipboard needs, only when missing, and checks
# that Swift is available. Quick (no apt-get) when everything is present.
# Source it to also get /opt/swift/usr/bin on PATH in the calling shell.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Servers (run as ordinary processes by postgres.sh / rabbitmq.sh), the C
# client libraries the Swift package links, pkg-config, which SwiftPM uses
# to find their headers, and openssl, which creates the local TLS certificates
# (rabbitmq-server depends on it too; listed because lib.sh runs it itself).
# iproute2 and iptables are for the fault harness (Infra/scripts/netfault.sh: network
# namespaces, and packet loss inside them).
# docker-compose (v1, the client only: no Docker engine here) lets test.sh validate
# compose.yaml (Infra/scripts/check-compose.sh).
# openssh-client is what shipboard-rollout's ssh driver runs; openssh-server is the real
# sshd its tests start on a loopback port (never as a system service).
SHIPBOARD_PACKAGES=(rabbitmq-server librabbitmq-dev postgresql libpq-dev zlib1g-dev pkg-config openssl iproute2 iptables docker-compose
                    curl libcurl4-openssl-dev python3 python3-venv wrk openssh-client openssh-server chromium-headless-shell fonts-dejavu-core)  # the last two: the dashboard check, browser.sh

install_missing_packages() {
  local missing=() p status
  for p in "${SHIPBOARD_PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
    [[ "$status" == installed ]] || missing+=("$p")
  done
  (( ${#missing[@]} )) || return 0

  require_root
  log "installing missing packages: ${missing[*]}"
  # No service manager here: tell invoke-rc.d not to start the system
  # PostgreSQL/RabbitMQ services during installation (exit 101 = "action not
  # allowed"). Our servers run on their own ports as ordinary processes.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; created_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ "$created_policy" == 1 ]]; then rm -f "$policy"; trap - EXIT; fi

  # Should a package have started a system instance anyway, stop it: it would
  # only waste memory (it cannot clash with our ports).
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1, $2}' | while read -r ver name; do
      pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
    done
  fi
  log "packages installed"
}

install_missing_packages
ensure_swift_on_path
