#!/bin/sh
# The installed configuration uses the new tax tables.
set -eu
grep -q '^tax_tables = 2027$' "$SHIPBOARD_TARGET_ROOT/opt/payroll/etc/payroll.conf"
