#!/usr/bin/env bash
# Stops the services and every local server started by up.sh / test.sh / bench.sh. Data in .run/ is kept.
set -euo pipefail
bash "$(dirname "${BASH_SOURCE[0]}")/services.sh" stop
exec bash "$(dirname "${BASH_SOURCE[0]}")/servers.sh" stop
