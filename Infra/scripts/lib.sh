# shellcheck shell=bash
# Shared settings and helpers for the Shipboard local-server scripts.
# Source it from a script that runs under `set -euo pipefail`.

if [[ -n "${SHIPBOARD_LIB_LOADED:-}" ]]; then return 0; fi
SHIPBOARD_LIB_LOADED=1

SHIPBOARD_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
SHIPBOARD_ROOT="$(cd "$SHIPBOARD_SCRIPTS_DIR/../.." && pwd -P)"
# SHIPBOARD_RUN_DIR lets a second checkout (a git worktree) drive the servers of
# another one instead of starting a second set on the same ports, and
# SHIPBOARD_ENV_FILE lets it write its own settings file instead of overwriting
# the one the other checkout's users source.
RUN_DIR="${SHIPBOARD_RUN_DIR:-$SHIPBOARD_ROOT/.run}"
SECRETS_DIR="$RUN_DIR/secrets"
LOCK_DIR="$RUN_DIR/locks"
ENV_FILE="${SHIPBOARD_ENV_FILE:-$RUN_DIR/env}"
MIGRATIONS_DIR="$SHIPBOARD_ROOT/Infra/postgres/migrations"
# Locks that fault tests hold while they stop, kill or pause a fault instance
# (CrossProcessLock in Tests/TestSupport: a file in the temporary folder).
FAULT_TEST_LOCK_DIR="${TMPDIR:-/tmp}"

# --- PostgreSQL --------------------------------------------------------------
PG_HOST=127.0.0.1

# pg_instance INSTANCE -> sets PG_INSTANCE PG_PORT PG_DIR PG_DATA PG_LOG
# PG_SOCKET_DIR PG_DATABASES (the databases created in that instance).
#   main   55432  .run/postgres/        shipboard, shipboard_test, shipboard_bench
#   fault  55442  .run/postgres-fault/  shipboard_test (stopped, killed, paused by tests)
pg_instance() {
  case "$1" in
    main)  PG_PORT=55432; PG_DIR="$RUN_DIR/postgres";       PG_DATABASES=(shipboard shipboard_test shipboard_bench) ;;
    fault) PG_PORT=55442; PG_DIR="$RUN_DIR/postgres-fault"; PG_DATABASES=(shipboard_test) ;;
    *) die "unknown PostgreSQL instance '$1' (expected main or fault)" ;;
  esac
  PG_INSTANCE="$1"
  PG_DATA="$PG_DIR/data"
  PG_LOG="$PG_DIR/postgres.log"
  PG_SOCKET_DIR="$PG_DIR"
  # A unix socket path is limited to 107 bytes; fall back to a short folder in /tmp
  # (named after the checkout that owns .run) when the checkout lives deep in the tree.
  if (( ${#PG_SOCKET_DIR} + 20 > 100 )); then
    PG_SOCKET_DIR="/tmp/shipboard-pg-$(printf '%s' "${RUN_DIR%/.run}" | cksum | cut -d' ' -f1)"
    [[ "$1" == main ]] || PG_SOCKET_DIR+="-$1"
  fi
}
pg_instance main

pg_bin_dir() {
  local dir
  if [[ -x /usr/lib/postgresql/15/bin/postgres ]]; then echo /usr/lib/postgresql/15/bin; return 0; fi
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  [[ -n "$dir" && -x "$dir/postgres" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (run Infra/scripts/install-deps.sh)"
  echo "$dir"
}

# --- RabbitMQ ----------------------------------------------------------------
RABBIT_HOST=127.0.0.1
RABBIT_BIN=/usr/lib/rabbitmq/bin
RABBIT_BASE="$RUN_DIR/rabbitmq"
RABBIT_VHOST=shipboard
RABBIT_TEST_VHOST=shipboard-test
RABBIT_USER=shipboard

# rabbit_instance_ports INSTANCE -> sets AMQP_PORT AMQPS_PORT DIST_PORT EPMD_PORT NODE_NAME
# (AMQPS_PORT is empty for an instance without a TLS listener).
rabbit_instance_ports() {
  case "$1" in
    main)  AMQP_PORT=55672; AMQPS_PORT=55671; DIST_PORT=55673; EPMD_PORT=54369; NODE_NAME=shipboard-main@localhost ;;
    fault) AMQP_PORT=55682; AMQPS_PORT="";    DIST_PORT=55683; EPMD_PORT=54379; NODE_NAME=shipboard-fault@localhost ;;
    *) die "unknown RabbitMQ instance '$1' (expected main or fault)" ;;
  esac
}

# rabbit_node_env NODE AMQP_PORT DIST_PORT EPMD_PORT DIR PID_FILE: exports what a node and
# every CLI call for it share (with HOME, set by the caller: same HOME => same cookie), all on
# loopback, its files under DIR.
rabbit_node_env() {
  export RABBITMQ_NODENAME="$1"
  export RABBITMQ_NODE_IP_ADDRESS="$RABBIT_HOST"
  export RABBITMQ_NODE_PORT="$2"
  export RABBITMQ_DIST_PORT="$3"
  export ERL_EPMD_ADDRESS="$RABBIT_HOST"
  export ERL_EPMD_PORT="$4"
  export RABBITMQ_MNESIA_BASE="$5/mnesia"
  export RABBITMQ_LOG_BASE="$5/log"
  export RABBITMQ_PID_FILE="$6"
  export RABBITMQ_CONFIG_FILE="$5/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$5/enabled_plugins"
  export RABBITMQ_CONF_ENV_FILE="$5/rabbitmq-env.conf"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  # The CLI is a short-lived Erlang node too: keep its distribution port on loopback.
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export ERL_CRASH_DUMP="$5/log/erl_crash.dump"
  unset RABBITMQ_USE_LONGNAME RABBITMQ_CONFIG_FILES RABBITMQ_ADVANCED_CONFIG_FILE 2>/dev/null || true
}

# rabbit_cookie: the Erlang cookie in $HOME (a node and its CLI read the same one), made once.
rabbit_cookie() {
  if [[ ! -s "$HOME/.erlang.cookie" ]]; then
    ( umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F' > "$HOME/.erlang.cookie" )
  fi
  chmod 400 "$HOME/.erlang.cookie"
}

# rabbit_definitions PASSWORD -> the definitions a node imports at boot: the shipboard user
# (with PASSWORD), both vhosts, and its permissions on them.
rabbit_definitions() {
  cat <<JSON
{
  "users": [
    {"name": "$RABBIT_USER", "password": "$1", "tags": ["administrator"]}
  ],
  "vhosts": [
    {"name": "$RABBIT_VHOST"},
    {"name": "$RABBIT_TEST_VHOST"}
  ],
  "permissions": [
    {"user": "$RABBIT_USER", "vhost": "$RABBIT_VHOST", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "$RABBIT_USER", "vhost": "$RABBIT_TEST_VHOST", "configure": ".*", "write": ".*", "read": ".*"}
  ]
}
JSON
}

# --- TLS ---------------------------------------------------------------------
# A local CA and a server certificate for the `main` node's AMQPS listener,
# generated once (ensure_tls) and reused. Clients trust ca.pem.
TLS_DIR="$RUN_DIR/tls"
TLS_CA_CERT="$TLS_DIR/ca.pem"
TLS_CA_KEY="$TLS_DIR/ca.key"
TLS_SERVER_CERT="$TLS_DIR/server.pem"
TLS_SERVER_KEY="$TLS_DIR/server.key"
TLS_DAYS=3650

# ensure_tls: create the CA and the server certificate when any file is missing
# (cheap when they all exist). Keys are mode 600, certificates 644.
ensure_tls() {
  if [[ -s "$TLS_CA_CERT" && -s "$TLS_CA_KEY" && -s "$TLS_SERVER_CERT" && -s "$TLS_SERVER_KEY" ]]; then
    chmod 600 "$TLS_CA_KEY" "$TLS_SERVER_KEY"
    return 0
  fi
  with_lock tls tls_generate
}

tls_generate() {
  local tmp ca_cert="$TLS_CA_CERT" ca_key="$TLS_CA_KEY" new_ca=0 serial
  command -v openssl >/dev/null 2>&1 || die "openssl not found (run Infra/scripts/install-deps.sh)"
  mkdir -p "$TLS_DIR"
  chmod 755 "$TLS_DIR"
  rm -rf "$TLS_DIR"/.new.*   # left by a killed run (we hold the lock)
  tmp="$(mktemp -d "$TLS_DIR/.new.XXXXXX")"
  # with_lock runs this in a subshell: the trap only cleans up this call. The
  # path is expanded now, as $tmp is gone by the time the subshell exits.
  # shellcheck disable=SC2064
  trap "rm -rf $(printf '%q' "$tmp")" EXIT
  umask 077
  # Our own openssl config, independent of the system's openssl.cnf. The CA may
  # only vouch for localhost/127.0.0.1 (name constraints), in case someone
  # trusts ca.pem more widely than intended.
  cat > "$tmp/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical, permitted;DNS:localhost, permitted;IP:127.0.0.1/255.255.255.255
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
  if [[ ! -s "$TLS_CA_CERT" || ! -s "$TLS_CA_KEY" ]]; then
    log "tls: generating a local CA in $TLS_DIR"
    openssl req -x509 -new -config "$tmp/openssl.cnf" -extensions ca_ext \
      -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days "$TLS_DAYS" \
      -subj "/O=Shipboard/CN=Shipboard local test CA" \
      -keyout "$tmp/ca.key" -out "$tmp/ca.pem" >/dev/null 2>"$tmp/err" \
      || { cat "$tmp/err" >&2; die "tls: could not create the CA certificate"; }
    ca_cert="$tmp/ca.pem"; ca_key="$tmp/ca.key"; new_ca=1
  fi
  if (( new_ca )) || [[ ! -s "$TLS_SERVER_CERT" || ! -s "$TLS_SERVER_KEY" ]]; then
    log "tls: generating the server certificate for localhost/127.0.0.1"
    serial="0x$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    openssl req -new -config "$tmp/openssl.cnf" \
      -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
      -subj "/O=Shipboard/CN=localhost" \
      -keyout "$tmp/server.key" -out "$tmp/server.csr" >/dev/null 2>"$tmp/err" \
      && openssl x509 -req -in "$tmp/server.csr" -CA "$ca_cert" -CAkey "$ca_key" \
           -set_serial "$serial" -sha256 -days "$TLS_DAYS" \
           -extfile "$tmp/openssl.cnf" -extensions server_ext \
           -out "$tmp/server.pem" >/dev/null 2>"$tmp/err" \
      || { cat "$tmp/err" >&2; die "tls: could not create the server certificate"; }
  fi
  chmod 600 "$tmp"/*.key
  chmod 644 "$tmp"/*.pem
  # A new CA invalidates the old server certificate: remove that first, so an
  # interrupted run leaves server.pem missing (regenerated next time) rather
  # than a server certificate the CA did not sign.
  if (( new_ca )); then
    rm -f "$TLS_SERVER_CERT"
    mv -f "$tmp/ca.key" "$TLS_CA_KEY"
    mv -f "$tmp/ca.pem" "$TLS_CA_CERT"
  fi
  if [[ -f "$tmp/server.pem" ]]; then
    mv -f "$tmp/server.key" "$TLS_SERVER_KEY"
    mv -f "$tmp/server.pem" "$TLS_SERVER_CERT"
  fi
  chmod 600 "$TLS_CA_KEY" "$TLS_SERVER_KEY"
}

# --- logging -----------------------------------------------------------------
log()  { printf '[shipboard] %s\n' "$*" >&2; }
warn() { printf '[shipboard] WARNING: %s\n' "$*" >&2; }
die()  { printf '[shipboard] ERROR: %s\n' "$*" >&2; exit 1; }

# Milliseconds since the epoch, for timing.
now_ms() { date +%s%3N; }
elapsed() { # elapsed START_MS -> "1.23s"
  local ms=$(( $(now_ms) - $1 ))
  printf '%d.%02ds' $(( ms / 1000 )) $(( (ms % 1000) / 10 ))
}

require_root() {
  [[ "$(id -u)" == 0 ]] || die "run this as root (it installs packages and starts servers as the postgres user)"
}

ensure_run_dir() {
  mkdir -p "$RUN_DIR" "$LOCK_DIR"
  chmod 755 "$RUN_DIR"
  mkdir -p "$SECRETS_DIR"
  chmod 700 "$SECRETS_DIR"
}

# with_lock NAME CMD... : run CMD while holding .run/locks/NAME.lock.
# The lock descriptor is closed for the command's children by the callers that
# start daemons (see `9>&-`), so a server never inherits it.
with_lock() {
  local name="$1"; shift
  ensure_run_dir
  (
    exec 9>"$LOCK_DIR/$name.lock"
    flock 9
    "$@"
  )
}

# close_extra_fds: close every descriptor above 2 in the current (sub)shell.
# Called right before exec'ing a daemon, so that a server never keeps a lock
# file or a caller's pipe open (a caller reading our output would otherwise
# never see EOF, and a lock would stay held).
close_extra_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd="${fd##*/}"
    if (( fd > 2 )); then exec {fd}>&-; fi
  done
}

# secret NAME [BYTES] -> prints the secret stored in .run/secrets/NAME, generating it
# (BYTES random bytes, default 16, as hex, so it never needs URL encoding) on first use.
secret() {
  local file="$SECRETS_DIR/$1" bytes="${2:-16}" value
  ensure_run_dir
  if [[ ! -s "$file" ]]; then
    value="$(head -c "$bytes" /dev/urandom | od -An -tx1 | tr -d ' \n')"
    [[ ${#value} == $((bytes * 2)) ]] || die "could not generate a secret"
    ( umask 077; printf '%s\n' "$value" > "$file.tmp.$$" )
    mv -f "$file.tmp.$$" "$file"
  fi
  chmod 600 "$file"
  value="$(tr -d '\n' < "$file")"
  [[ "$value" =~ ^[A-Za-z0-9]+$ ]] || die "secret $file must be alphanumeric; delete it to regenerate"
  printf '%s' "$value"
}

# Every fixed port the scripts bind (PostgreSQL, RabbitMQ and its cluster, epmd, the services,
# the SMTP sink). They lie in Linux's ephemeral range (32768-60999).
SHIPBOARD_PORTS="54369,54379,54399,55432,55442,55671-55673,55682-55683,55692-55713,58025,58080-58099"

# reserve_ports: keeps SHIPBOARD_PORTS out of the kernel's choice of local ports for outgoing
# connections, so a client socket never holds a port a server is about to bind (seen: the test
# cluster's node 1 failed with eaddrinuse on 55692 while a test run had many connections open).
# Adds to what is reserved already; best effort: where /proc/sys is read-only (an unprivileged
# container) nothing changes and a restarted server may, rarely, find its port taken.
reserve_ports() {
  local file=/proc/sys/net/ipv4/ip_local_reserved_ports current
  [[ -r "$file" ]] || return 0
  current="$(tr -d '\n' < "$file" 2>/dev/null)" || return 0
  { echo "${current:+$current,}$SHIPBOARD_PORTS" > "$file"; } 2>/dev/null \
    || warn "could not reserve Shipboard's ports from the ephemeral range ($file is read-only)"
  return 0
}

# port_busy PORT -> true if something listens on 127.0.0.1:PORT (or on all interfaces).
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# who_listens PORT -> a short description of the listener, for error messages.
who_listens() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$1" 2>/dev/null | head -n3 || true
  fi
}

# pid_alive PID -> true if the process exists (and is not a zombie).
pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/stat" ]] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# Add Swift to PATH when it is installed in /opt/swift but not on PATH.
ensure_swift_on_path() {
  if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
  fi
  command -v swift >/dev/null 2>&1 || die "swift is not on PATH and /opt/swift/usr/bin/swift does not exist; install Swift 6 (https://www.swift.org/install/linux/) into /opt/swift or put it on PATH"
}

# ensure_venv_package NAME VERSION: NAME==VERSION from PyPI in the project's Python venv,
# $RUN_DIR/venv (made on first use; shared by smtp.sh, fuzz-api.sh and check-k8s.sh);
# quick when that version is installed.
ensure_venv_package() {
  local venv="$RUN_DIR/venv" installed
  installed="$("$venv/bin/python" -c 'import importlib.metadata, sys; print(importlib.metadata.version(sys.argv[1]))' \
    "$1" 2>/dev/null || true)"
  [[ "$installed" == "$2" ]] && return 0
  log "installing $1 $2 into $venv"
  [[ -x "$venv/bin/pip" ]] || python3 -m venv "$venv" || die "python3 -m venv failed (install python3-venv)"
  "$venv/bin/pip" install --quiet "$1==$2" || die "pip could not install $1 $2"
}

# uri_encode_path VALUE -> VALUE with every byte outside [A-Za-z0-9._~/-]
# percent-encoded (for a file path in a URL query).
uri_encode_path() {
  local LC_ALL=C s="$1" out="" c i
  for (( i = 0; i < ${#s}; i++ )); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9._~/-]) out+="$c" ;;
      *) printf -v c '%%%02X' "'$c"; out+="$c" ;;
    esac
  done
  printf '%s' "$out"
}

# sh_quote VALUE -> VALUE in single quotes, safe to paste into bash/sh.
sh_quote() {
  local v="${1//\'/\'\\\'\'}"
  printf "'%s'" "$v"
}
