#!/usr/bin/env bash
# Stops the services and every local server started by up.sh / test.sh / bench.sh. Data in .run/ is kept.
set -euo pipefail
bash "$(dirname "${BASH_SOURCE[0]}")/services.sh" stop
bash "$(dirname "${BASH_SOURCE[0]}")/smtp.sh" stop || true
# The 3-node cluster the cluster test starts (a crashed test run may leave it running).
bash "$(dirname "${BASH_SOURCE[0]}")/rabbitmq-cluster.sh" stop || true
exec bash "$(dirname "${BASH_SOURCE[0]}")/servers.sh" stop
