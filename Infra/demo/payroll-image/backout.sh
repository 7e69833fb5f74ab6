#!/bin/sh
# Removes what install.sh added, leaving the target as it was before.
set -eu
rm -rf "$SHIPBOARD_TARGET_ROOT/opt/payroll"
rmdir "$SHIPBOARD_TARGET_ROOT/opt" 2>/dev/null || true
echo "payroll backed out"
