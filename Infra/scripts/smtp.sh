#!/usr/bin/env bash
# The SMTP sink (Infra/scripts/smtp-sink.py, aiosmtpd from PyPI) for demos and tests.
#   ensure   create .run/venv (shared with fuzz-api.sh and check-k8s.sh) and install aiosmtpd there (quick when present)
#   start    the demo sink on 127.0.0.1:58025, mail under .run/mail/, log .run/logs/smtp-sink.log
#   stop     stop the demo sink
#   status   exit 0 when it runs, 3 when not
# Tests start their own sinks on free ports (Tests/TestSupport/SMTPSink.swift); they need only `ensure`.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
AIOSMTPD_VERSION="1.4.6"
SMTP_SINK_PORT="${SHIPBOARD_SMTP_SINK_PORT:-58025}"
VENV="$RUN_DIR/venv"
MAIL_DIR="$RUN_DIR/mail"
PID_FILE="$RUN_DIR/smtp-sink.pid"
LOG_FILE="$RUN_DIR/logs/smtp-sink.log"

ensure_venv() { ensure_venv_package aiosmtpd "$AIOSMTPD_VERSION"; }

running() { [[ -s "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

start() {
  ensure_venv
  if running; then log "smtp sink already running on 127.0.0.1:$SMTP_SINK_PORT (pid $(cat "$PID_FILE"))"; return 0; fi
  mkdir -p "$MAIL_DIR" "$(dirname "$LOG_FILE")"
  rm -f "$RUN_DIR/smtp-sink.port"
  ( close_extra_fds; exec "$VENV/bin/python" "$SHIPBOARD_SCRIPTS_DIR/smtp-sink.py" --port "$SMTP_SINK_PORT" \
      --dir "$MAIL_DIR" --ready-file "$RUN_DIR/smtp-sink.port" ) </dev/null >>"$LOG_FILE" 2>&1 &
  echo $! > "$PID_FILE"
  for _ in $(seq 1 100); do
    [[ -s "$RUN_DIR/smtp-sink.port" ]] && { log "smtp sink on 127.0.0.1:$SMTP_SINK_PORT, mail in $MAIL_DIR"; return 0; }
    running || break
    sleep 0.1
  done
  die "the smtp sink did not start (see $LOG_FILE)"
}

stop() {
  if running; then
    kill -TERM "$(cat "$PID_FILE")"
    for _ in $(seq 1 50); do running || break; sleep 0.1; done
    log "smtp sink stopped"
  fi
  rm -f "$PID_FILE" "$RUN_DIR/smtp-sink.port"
}

case "${1:-}" in
  ensure) ensure_venv ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "smtp sink running on 127.0.0.1:$SMTP_SINK_PORT (pid $(cat "$PID_FILE"))"; else echo "smtp sink not running"; exit 3; fi ;;
  *) die "usage: smtp.sh ensure|start|stop|status" ;;
esac
