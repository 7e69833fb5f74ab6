#!/bin/sh
# The installed payroll answers with its version.
set -eu
"$SHIPBOARD_TARGET_ROOT/opt/payroll/bin/payroll" --version | grep -q "^payroll 4\.2\."
