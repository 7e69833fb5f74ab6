#!/bin/sh
# Installs payroll 4.2 under the target host's root ($SHIPBOARD_TARGET_ROOT).
set -eu
mkdir -p "$SHIPBOARD_TARGET_ROOT/opt/payroll"
cp -R payroll/bin payroll/etc "$SHIPBOARD_TARGET_ROOT/opt/payroll/"
echo "payroll $SHIPBOARD_IMAGE_VERSION installed"
