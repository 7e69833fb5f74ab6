#!/usr/bin/env bash
# Validates the Kubernetes manifests (Infra/k8s) without a cluster; test.sh runs it after
# check-compose.sh. Alone: bash Infra/scripts/check-k8s.sh [MANIFEST_DIR]
#   1. every built-in kind against the Kubernetes $K8S_VERSION schemas, strictly (an unknown
#      field is an error), with kubernetes-validate from PyPI in .run/venv (shared with
#      smtp.sh and fuzz-api.sh). $K8S_VERSION is the oldest Kubernetes these manifests
#      must run on: a field newer than it fails;
#   2. KEDA's kinds, which no Kubernetes schema has, by structure (check-k8s.py): each
#      ScaledObject scales a rollout Deployment of these manifests on that pool's own
#      queue (rollout.deploy.<pool>, the name read from Services/Rollout) with a rabbitmq
#      QueueLength trigger whose authenticationRef names a TriggerAuthentication here;
#   3. what compose.yaml and the code imply: kustomization.yaml lists every file; no
#      Secret is committed and every secret variable comes from a secretKeyRef whose key
#      README.md's `kubectl create secret` commands name; the owner's database URL reaches
#      the migrate Job only; each workload runs its compose service's program with
#      exactly that service's variables, non-root with a read-only root file system, with
#      requests, limits and /health probes on SHIPBOARD_HTTP_PORT; Services and
#      PodDisruptionBudgets select existing pods; each rollout pool has a ScaledObject
#      and a PodDisruptionBudget.
# Exit 0 when valid, 1 with every problem listed.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KUBERNETES_VALIDATE_VERSION="1.37.0"
K8S_VERSION="1.33"
MANIFESTS="${1:-$SHIPBOARD_ROOT/Infra/k8s}"
[[ -f "$MANIFESTS/kustomization.yaml" ]] || die "k8s check: $MANIFESTS/kustomization.yaml is missing"

ensure_venv_package kubernetes-validate "$KUBERNETES_VALIDATE_VERSION"
if ! summary="$("$RUN_DIR/venv/bin/python" "$SHIPBOARD_SCRIPTS_DIR/check-k8s.py" "$MANIFESTS" "$K8S_VERSION" "$SHIPBOARD_ROOT")"; then
  die "k8s check: the manifests in $MANIFESTS are INVALID (problems above)"
fi
log "k8s check: the manifests in $MANIFESTS are valid ($summary; kubernetes-validate $KUBERNETES_VALIDATE_VERSION)"
