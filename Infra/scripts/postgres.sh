#!/usr/bin/env bash
# Local PostgreSQL instances for Shipboard, each with its own data folder, listening
# on 127.0.0.1 only, with the same roles and passwords.
#
# Usage: Infra/scripts/postgres.sh [--instance main|fault] {start|stop|kill|pause|resume|status|reset-bench}
#   start   initialise (first time), start, set passwords, create roles and databases;
#           resumes a paused server
#   stop    fast shutdown (clients are disconnected, then a clean checkpoint)
#   kill    SIGKILL the postmaster and every backend at once (a simulated crash:
#           clients see their connections drop; the next start runs crash recovery)
#   pause   SIGSTOP the postmaster and every backend (a frozen server: connections
#           stay open, nothing answers, new connections hang)
#   resume  SIGCONT them again
#   status  exit 0 when running (prints "paused" when frozen)
#   reset-bench  drop and recreate shipboard_bench (main instance), so every benchmark
#           run starts on an empty database, as a fresh install does
#
#   instance  port   data                       databases
#   main      55432  .run/postgres/data         shipboard, shipboard_test, shipboard_bench
#   fault     55442  .run/postgres-fault/data   shipboard_test  (stopped/killed/paused by tests)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INSTANCE=main
ACTION=
USAGE="usage: $0 [--instance main|fault] {start|stop|kill|pause|resume|status|reset-bench}"
while (( $# )); do
  case "$1" in
    --instance) INSTANCE="${2:?--instance needs a value}"; shift 2 ;;
    --instance=*) INSTANCE="${1#*=}"; shift ;;
    start|stop|kill|pause|resume|status|reset-bench) ACTION="$1"; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$USAGE" >&2; exit 2 ;;
  esac
done
[[ -n "$ACTION" ]] || { echo "$USAGE" >&2; exit 2; }
pg_instance "$INSTANCE"
MARK="[$INSTANCE]"

PG_BIN="$(pg_bin_dir)"

as_postgres() { runuser -u postgres -- "$@"; }

# Prints the postmaster PID if our server runs, else nothing (and removes a
# postmaster.pid that names a dead or foreign process).
pg_running_pid() {
  local pidfile="$PG_DATA/postmaster.pid" pid exe
  [[ -f "$pidfile" ]] || return 0
  pid="$(head -n1 "$pidfile" 2>/dev/null || true)"
  if pid_alive "$pid"; then
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
    if [[ "$exe" == */postgres* ]]; then
      echo "$pid"; return 0
    fi
  fi
  log "postgres $MARK: removing stale postmaster.pid (PID ${pid:-?} is not a running postgres)"
  rm -f "$pidfile"
}

# After a crash the socket lock file may name a PID that still exists as a
# zombie (this machine's init does not reap orphans at once); postgres would
# then refuse to start ("lock file ... already exists"). Remove it when its PID
# is not a live postgres process.
clear_stale_socket_lock() {
  local lock="$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT.lock" pid
  [[ -f "$lock" ]] || return 0
  pid="$(head -n1 "$lock" 2>/dev/null || true)"
  if pid_alive "$pid" && [[ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" == */postgres* ]]; then
    return 0
  fi
  log "postgres $MARK: removing stale socket lock file (PID ${pid:-?} is not a running postgres)"
  rm -f "$lock" "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT"
}

# instance_config -> settings of one instance only. The fault instance runs without
# fsync: its crashes are SIGKILLs of processes, never of the machine, so the page cache
# keeps every committed write, and a restart skips the data-folder sync and the slow
# end-of-recovery checkpoint (seconds on a busy disk) that fault tests would wait for.
instance_config() {
  if [[ "$PG_INSTANCE" == fault ]]; then
    printf "%s\n" "# The fault-injection instance only (see postgres.sh):" "fsync = off"
  fi
}

write_config() {
  # Rewritten on every start so a moved checkout keeps working.
  cat > "$PG_DATA/shipboard.conf" <<CONF
# Written by Infra/scripts/postgres.sh on every start; edits are lost.
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 400
password_encryption = 'scram-sha-256'
$(instance_config)
CONF
  cat > "$PG_DATA/pg_hba.conf" <<'HBA'
# Written by Infra/scripts/postgres.sh on every start; edits are lost.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
HBA
  grep -q "^include_if_exists = 'shipboard.conf'" "$PG_DATA/postgresql.conf" \
    || printf "\ninclude_if_exists = 'shipboard.conf'\n" >> "$PG_DATA/postgresql.conf"
  chown postgres:postgres "$PG_DATA/shipboard.conf" "$PG_DATA/pg_hba.conf"
  chmod 600 "$PG_DATA/shipboard.conf" "$PG_DATA/pg_hba.conf"
}

init_cluster() {
  mkdir -p "$PG_DIR"
  chown postgres:postgres "$PG_DIR"
  chmod 755 "$PG_DIR"
  if [[ "$PG_SOCKET_DIR" != "$PG_DIR" ]]; then
    mkdir -p "$PG_SOCKET_DIR"; chown postgres:postgres "$PG_SOCKET_DIR"; chmod 755 "$PG_SOCKET_DIR"
  fi
  # Every parent folder must be traversable by the postgres user.
  local d="$PG_DIR"
  while [[ "$d" != / ]]; do
    d="$(dirname "$d")"
    if ! runuser -u postgres -- test -x "$d"; then
      chmod o+x "$d" 2>/dev/null || die "the postgres user cannot enter $d; make it traversable (chmod o+x)"
    fi
  done
  if [[ -f "$PG_DATA/PG_VERSION" ]]; then
    # e.g. after a copy by root: the server must own its data folder.
    [[ "$(stat -c %U "$PG_DATA")" == postgres ]] || chown -R postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    return 0
  fi
  if [[ -e "$PG_DATA" ]]; then
    log "postgres $MARK: removing incomplete data folder $PG_DATA (no PG_VERSION)"
    rm -rf "$PG_DATA"
  fi
  log "postgres $MARK: initdb $PG_DATA"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$PG_DIR/initdb.log" 2>&1 9>&- \
    || { cat "$PG_DIR/initdb.log" >&2; die "postgres $MARK: initdb failed (log: $PG_DIR/initdb.log)"; }
}

# Roles: `shipboard` owns the databases and schemas and runs the migrations;
# `shipboard_service` is what the services log in as. It owns nothing, so it can
# neither disable the audit triggers nor change privileges; migration 0006 grants
# it what the services need (and not UPDATE/DELETE/TRUNCATE on audit tables).
# create_databases_sql -> psql lines creating each of the instance's databases when missing.
create_databases_sql() {
  local db
  for db in "${PG_DATABASES[@]}"; do
    printf '%s\n' "SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db') AS need_db \gset" \
      '\if :need_db' "CREATE DATABASE $db OWNER shipboard;" '\endif'
  done
}

setup_roles() {
  local pgpass apppass servicepass
  pgpass="$(secret postgres-superuser)"
  apppass="$(secret postgres-shipboard)"
  servicepass="$(secret postgres-service)"
  # Passwords travel on stdin (not argv) and are quoted by psql (:'var').
  "$PG_BIN/psql" -X -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres \
      -v ON_ERROR_STOP=1 >/dev/null 9>&- <<SQL
\\set pgpass '$pgpass'
\\set apppass '$apppass'
\\set servicepass '$servicepass'
SET client_min_messages = warning;
ALTER ROLE postgres PASSWORD :'pgpass';
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shipboard') AS need_role \\gset
\\if :need_role
CREATE ROLE shipboard LOGIN PASSWORD :'apppass';
\\else
ALTER ROLE shipboard LOGIN PASSWORD :'apppass';
\\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shipboard_service') AS need_role \\gset
\\if :need_role
CREATE ROLE shipboard_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'servicepass';
\\else
ALTER ROLE shipboard_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'servicepass';
\\endif
$(create_databases_sql)
SQL
}

pg_start() {
  local t0 pid
  t0="$(now_ms)"
  init_cluster
  pid="$(pg_running_pid)"
  if [[ -z "$pid" ]]; then
    if port_busy "$PG_PORT"; then
      die "postgres $MARK: port $PG_PORT is already taken by another process: $(who_listens "$PG_PORT")"
    fi
    clear_stale_socket_lock
    write_config
    touch "$PG_LOG"; chown postgres:postgres "$PG_LOG"; chmod 640 "$PG_LOG"
    log "postgres $MARK: starting on $PG_HOST:$PG_PORT"
    local attempt
    for attempt in 1 2 3; do
      # The daemon must inherit neither our lock nor a caller's pipe.
      if ( close_extra_fds; exec runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s start ) \
           </dev/null >/dev/null 2>>"$PG_DIR/pg_ctl.err"; then
        break
      fi
      # After a SIGKILL of the postmaster its children may still hold the old
      # shared memory for a moment; retry briefly.
      [[ $attempt == 3 ]] && { tail -n 20 "$PG_LOG" >&2; die "postgres $MARK: failed to start (log: $PG_LOG)"; }
      warn "postgres $MARK: start attempt $attempt failed; retrying"
      sleep 1
    done
  else
    if [[ "$(proc_state "$pid")" == T ]]; then
      log "postgres $MARK: paused; resuming"
      signal_server CONT "$pid"
    fi
    write_config  # harmless; takes effect on the next start
  fi
  setup_roles
  local IFS=,
  log "postgres $MARK: ready at postgres://{shipboard,shipboard_service}:***@$PG_HOST:$PG_PORT/{${PG_DATABASES[*]}} (socket $PG_SOCKET_DIR) in $(elapsed "$t0")"
}

pg_stop() {
  local pid t0
  t0="$(now_ms)"
  [[ -d "$PG_DATA" ]] || { log "postgres $MARK: not initialised"; return 0; }
  pid="$(pg_running_pid)"
  if [[ -z "$pid" ]]; then log "postgres $MARK: not running"; return 0; fi
  # A paused server could not answer the shutdown request.
  signal_server CONT "$pid"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 -s stop </dev/null 9>&- \
    || die "postgres $MARK: pg_ctl stop failed"
  log "postgres $MARK: stopped in $(elapsed "$t0")"
}

# proc_state PID -> the process state letter (R, S, T for stopped, Z, ...), or nothing.
# Reads /proc with builtins only: pause and kill walk every process.
proc_state() {
  local stat=""
  read -r stat 2>/dev/null < "/proc/$1/stat" || true
  stat="${stat##*) }"   # the command name may contain spaces; the state follows ") "
  printf '%s' "${stat%% *}"
}

# server_pids POSTMASTER_PID -> the postmaster and its children (backends, background
# workers), one per line; postgres processes never fork grandchildren.
server_pids() {
  local p stat rest
  echo "$1"
  for p in /proc/[0-9]*; do
    stat=""
    read -r stat 2>/dev/null < "$p/stat" || continue
    rest="${stat##*) }"          # "S PPID ..."
    rest="${rest#* }"
    [[ "${rest%% *}" == "$1" ]] && echo "${p#/proc/}"
  done
  return 0
}

# signal_server SIGNAL POSTMASTER_PID: STOP freezes the postmaster first (so it forks
# nothing new), then its children; CONT wakes the children first, then the postmaster.
signal_server() {
  local sig="$1" pid="$2" children
  if [[ "$sig" == STOP ]]; then kill -STOP "$pid" 2>/dev/null || true; fi
  children="$(server_pids "$pid" | tail -n +2)"
  if [[ -n "$children" ]]; then
    # shellcheck disable=SC2086
    kill "-$sig" $children 2>/dev/null || true
  fi
  if [[ "$sig" != STOP ]]; then kill "-$sig" "$pid" 2>/dev/null || true; fi
}

pg_kill() {
  local pid pids p deadline t0
  t0="$(now_ms)"
  pid="$( [[ -d "$PG_DATA" ]] && pg_running_pid || true)"
  if [[ -z "$pid" ]]; then log "postgres $MARK: not running"; return 0; fi
  # Freeze first so that no backend exits cleanly or is forked between listing and killing.
  signal_server STOP "$pid"
  pids="$(server_pids "$pid")"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  deadline=$(( $(now_ms) + 30000 ))
  for p in $pids; do
    while pid_alive "$p"; do
      (( $(now_ms) < deadline )) || die "postgres $MARK: PID $p is still alive 30 s after SIGKILL"
      sleep 0.05
    done
  done
  # postmaster.pid and the socket lock stay behind, as after a real crash; start copes.
  log "postgres $MARK: killed PID $pid and its $(( $(wc -w <<<"$pids") - 1 )) children (SIGKILL) in $(elapsed "$t0")"
}

pg_pause() {
  local pid
  pid="$( [[ -d "$PG_DATA" ]] && pg_running_pid || true)"
  [[ -n "$pid" ]] || die "postgres $MARK: not running"
  signal_server STOP "$pid"
  log "postgres $MARK: paused PID $pid and its children (SIGSTOP)"
}

pg_resume() {
  local pid
  pid="$( [[ -d "$PG_DATA" ]] && pg_running_pid || true)"
  [[ -n "$pid" ]] || die "postgres $MARK: not running"
  signal_server CONT "$pid"
  log "postgres $MARK: resumed PID $pid and its children (SIGCONT)"
}

pg_status() {
  local pid
  pid="$( [[ -d "$PG_DATA" ]] && pg_running_pid || true)"
  if [[ -n "$pid" ]]; then
    if [[ "$(proc_state "$pid")" == T ]]; then
      log "postgres $MARK: paused (PID $pid, SIGSTOP) on $PG_HOST:$PG_PORT"
    else
      log "postgres $MARK: running (PID $pid) on $PG_HOST:$PG_PORT"
    fi
    return 0
  fi
  log "postgres $MARK: not running"
  return 3
}

# A benchmark database left by earlier runs holds their releases (hundreds of thousands
# after a few days), and planning's start-up audit pass over them runs during the timing.
pg_reset_bench() {
  [[ "$INSTANCE" == main ]] || die "postgres $MARK: reset-bench is for the main instance"
  [[ -n "$(pg_running_pid)" ]] || die "postgres $MARK: not running"
  "$PG_BIN/psql" -X -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null 9>&- <<SQL
SET client_min_messages = warning;
DROP DATABASE IF EXISTS shipboard_bench WITH (FORCE);
CREATE DATABASE shipboard_bench OWNER shipboard;
SQL
  log "postgres $MARK: shipboard_bench recreated empty"
}

require_root
LOCK_NAME=postgres
[[ "$INSTANCE" == main ]] || LOCK_NAME="postgres-$INSTANCE"
case "$ACTION" in
  start)  with_lock "$LOCK_NAME" pg_start ;;
  stop)   with_lock "$LOCK_NAME" pg_stop ;;
  kill)   with_lock "$LOCK_NAME" pg_kill ;;
  pause)  with_lock "$LOCK_NAME" pg_pause ;;
  resume) with_lock "$LOCK_NAME" pg_resume ;;
  status) pg_status ;;
  reset-bench) with_lock "$LOCK_NAME" pg_reset_bench ;;
esac
