#!/usr/bin/env bash
# Stops every local server started by up.sh / test.sh / bench.sh. Data in .run/ is kept.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/servers.sh" stop
