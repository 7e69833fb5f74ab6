#!/usr/bin/env bash
# Local PostgreSQL for Shipboard: 127.0.0.1:55432, data in .run/postgres/data.
# Usage: Infra/scripts/postgres.sh {start|stop|status}
#   start  initialise (first time), start, set passwords, create roles and databases
#   stop   fast shutdown
#   status exit 0 when running
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
  log "postgres: removing stale postmaster.pid (PID ${pid:-?} is not a running postgres)"
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
  log "postgres: removing stale socket lock file (PID ${pid:-?} is not a running postgres)"
  rm -f "$lock" "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT"
}

write_config() {
  # Rewritten on every start so a moved checkout keeps working.
  cat > "$PG_DATA/shipboard.conf" <<CONF
# Written by Infra/scripts/postgres.sh on every start; edits are lost.
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 200
password_encryption = 'scram-sha-256'
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
    log "postgres: removing incomplete data folder $PG_DATA (no PG_VERSION)"
    rm -rf "$PG_DATA"
  fi
  log "postgres: initdb $PG_DATA"
  local pwfile
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$PG_DIR/initdb.log" 2>&1 9>&- \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed (log: $PG_DIR/initdb.log)"; }
}

# Roles: `shipboard` owns the databases and schemas and runs the migrations;
# `shipboard_service` is what the services log in as. It owns nothing, so it can
# neither disable the audit triggers nor change privileges; migration 0006 grants
# it what the services need (and not UPDATE/DELETE/TRUNCATE on audit tables).
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
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'shipboard') AS need_db \\gset
\\if :need_db
CREATE DATABASE shipboard OWNER shipboard;
\\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'shipboard_test') AS need_db \\gset
\\if :need_db
CREATE DATABASE shipboard_test OWNER shipboard;
\\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'shipboard_bench') AS need_db \\gset
\\if :need_db
CREATE DATABASE shipboard_bench OWNER shipboard;
\\endif
SQL
}

pg_start() {
  local t0 pid
  t0="$(now_ms)"
  init_cluster
  pid="$(pg_running_pid)"
  if [[ -z "$pid" ]]; then
    if port_busy "$PG_PORT"; then
      die "port $PG_PORT is already taken by another process: $(who_listens "$PG_PORT")"
    fi
    clear_stale_socket_lock
    write_config
    touch "$PG_LOG"; chown postgres:postgres "$PG_LOG"; chmod 640 "$PG_LOG"
    log "postgres: starting on $PG_HOST:$PG_PORT"
    local attempt
    for attempt in 1 2 3; do
      # The daemon must inherit neither our lock nor a caller's pipe.
      if ( close_extra_fds; exec runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s start ) \
           </dev/null >/dev/null 2>>"$PG_DIR/pg_ctl.err"; then
        break
      fi
      # After a SIGKILL of the postmaster its children may still hold the old
      # shared memory for a moment; retry briefly.
      [[ $attempt == 3 ]] && { tail -n 20 "$PG_LOG" >&2; die "postgres failed to start (log: $PG_LOG)"; }
      warn "postgres: start attempt $attempt failed; retrying"
      sleep 1
    done
  else
    write_config  # harmless; takes effect on the next start
  fi
  setup_roles
  log "postgres: ready at postgres://{shipboard,shipboard_service}:***@$PG_HOST:$PG_PORT/{shipboard,shipboard_test,shipboard_bench} (socket $PG_SOCKET_DIR) in $(elapsed "$t0")"
}

pg_stop() {
  local pid t0
  t0="$(now_ms)"
  [[ -d "$PG_DATA" ]] || { log "postgres: not initialised"; return 0; }
  pid="$(pg_running_pid)"
  if [[ -z "$pid" ]]; then log "postgres: not running"; return 0; fi
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 -s stop </dev/null 9>&- \
    || die "pg_ctl stop failed"
  log "postgres: stopped in $(elapsed "$t0")"
}

pg_status() {
  local pid
  pid="$( [[ -d "$PG_DATA" ]] && pg_running_pid || true)"
  if [[ -n "$pid" ]]; then
    log "postgres: running (PID $pid) on $PG_HOST:$PG_PORT"
    return 0
  fi
  log "postgres: not running"
  return 3
}

require_root
case "${1:-}" in
  start)  with_lock postgres pg_start ;;
  stop)   with_lock postgres pg_stop ;;
  status) pg_status ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
