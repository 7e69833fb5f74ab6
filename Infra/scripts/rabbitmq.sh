#!/usr/bin/env bash
# Local RabbitMQ nodes for Shipboard, each a separate node with its own folder
# under .run/rabbitmq/<instance>/ (HOME with the Erlang cookie, mnesia, logs,
# pid file, config), listening on 127.0.0.1 only.
#
# Usage: Infra/scripts/rabbitmq.sh [--instance main|fault] VERB
#   start   start the node (no-op when running with the same configuration;
#           restarts it when rabbitmq.conf or the TLS certificates changed)
#           and wait until it is usable
#   stop    graceful stop, then stop the instance's epmd
#   kill    SIGKILL the node's Erlang VM (simulated crash), then stop its epmd
#   pause   SIGSTOP the node's Erlang VM (a frozen broker, for heartbeat tests)
#   resume  SIGCONT it again
#   status  exit 0 when the node runs
#   alarm             raise a memory alarm (vm_memory_high_watermark 0.0001): the node
#                     blocks every publishing connection (connection.blocked)
#   clear-alarm       clear it (watermark back to 0.4, the default)
#   disk-alarm        raise a disk alarm (disk_free_limit 1 PB), with the same effect
#   clear-disk-alarm  clear it (disk_free_limit back to 50 MB, the default)
#   alarms            print the active alarms
#   upgrade-topology [VHOST]  delete what an older Shipboard declared and the current one
#                     cannot re-declare (406): delay queues, and empty work queues without
#                     at-least-once dead-lettering (default vhost: shipboard); for local brokers
#   Alarm verbs return once the node reports the alarm raised or cleared; a restart
#   of the node clears them too.
#
#   instance  AMQP   AMQPS  distribution  epmd   node
#   main      55672  55671  55673         54369  shipboard-main@localhost
#   fault     55682  -      55683         54379  shipboard-fault@localhost  (stopped/killed by tests)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INSTANCE=main
ACTION=
ACTION_ARG=
USAGE="usage: $0 [--instance main|fault] {start|stop|kill|pause|resume|status|alarm|clear-alarm|disk-alarm|clear-disk-alarm|alarms|upgrade-topology [VHOST]}"
while (( $# )); do
  case "$1" in
    --instance) INSTANCE="${2:?--instance needs a value}"; shift 2 ;;
    --instance=*) INSTANCE="${1#*=}"; shift ;;
    start|stop|kill|pause|resume|status) ACTION="$1"; shift ;;
    alarm|clear-alarm|disk-alarm|clear-disk-alarm|alarms) ACTION="$1"; shift ;;
    upgrade-topology) ACTION="$1"; shift; if (( $# )) && [[ "$1" != --* ]]; then ACTION_ARG="$1"; shift; fi ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$USAGE" >&2; exit 2 ;;
  esac
done
[[ -n "$ACTION" ]] || { echo "$USAGE" >&2; exit 2; }

rabbit_instance_ports "$INSTANCE"
INST_DIR="$RABBIT_BASE/$INSTANCE"
PID_FILE="$INST_DIR/rabbitmq.pid"
# Fingerprint of the configuration the running node booted with (see config_fingerprint).
BOOTED_FP_FILE="$INST_DIR/booted-config.sha256"
MARK="[$INSTANCE]"

# Environment shared by the server and every CLI call (same HOME => same cookie).
export HOME="$INST_DIR/home"
rabbit_node_env "$NODE_NAME" "$AMQP_PORT" "$DIST_PORT" "$EPMD_PORT" "$INST_DIR" "$PID_FILE"

ctl() { "$RABBIT_BIN/rabbitmqctl" "$@" </dev/null 9>&-; }

prepare_dirs() {
  mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  chmod 700 "$INST_DIR" "$HOME"
  rabbit_cookie
  : > "$RABBITMQ_CONF_ENV_FILE"
  [[ -f "$RABBITMQ_ENABLED_PLUGINS_FILE" ]] || echo '[].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"

  local pass tls_conf=""
  pass="$(secret rabbitmq-shipboard)"
  if [[ -n "$AMQPS_PORT" ]]; then
    ensure_tls
    # The node runs as root here, so it reads the mode-600 key.
    tls_conf="listeners.ssl.default = $RABBIT_HOST:$AMQPS_PORT
ssl_options.cacertfile = $TLS_CA_CERT
ssl_options.certfile = $TLS_SERVER_CERT
ssl_options.keyfile = $TLS_SERVER_KEY
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
"
  fi
  # Users, vhosts and permissions are imported from definitions at every boot
  # (skipped when unchanged), so no rabbitmqctl round trips are needed; the
  # default_user settings make sure the first boot never creates `guest`.
  ( umask 077
    rabbit_definitions "$pass" > "$INST_DIR/definitions.json.tmp"
    cat > "$RABBITMQ_CONFIG_FILE.tmp" <<CONF
# Written by Infra/scripts/rabbitmq.sh on every start; edits are lost.
listeners.tcp.default = $RABBIT_HOST:$AMQP_PORT
${tls_conf}default_vhost = $RABBIT_VHOST
default_user = $RABBIT_USER
default_pass = $pass
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
definitions.import_backend = local_filesystem
definitions.local.path = $INST_DIR/definitions.json
definitions.skip_if_unchanged = true
log.file.level = info
log.console = false
CONF
  )
  mv -f "$INST_DIR/definitions.json.tmp" "$INST_DIR/definitions.json"
  # A node started before the fingerprint existed booted with the previous
  # rabbitmq.conf (rewritten on every start): remember its fingerprint.
  LEGACY_FP=""
  if [[ ! -s "$BOOTED_FP_FILE" && -f "$RABBITMQ_CONFIG_FILE" ]]; then
    LEGACY_FP="$(config_fingerprint)"
  fi
  mv -f "$RABBITMQ_CONFIG_FILE.tmp" "$RABBITMQ_CONFIG_FILE"
}

# config_fingerprint -> SHA-256 of what the node reads only at boot: rabbitmq.conf,
# enabled_plugins and, with a TLS listener, the certificates (a new key comes
# with a new certificate).
config_fingerprint() {
  local files=("$RABBITMQ_CONFIG_FILE" "$RABBITMQ_ENABLED_PLUGINS_FILE") sum
  if [[ -n "$AMQPS_PORT" ]]; then files+=("$TLS_CA_CERT" "$TLS_SERVER_CERT"); fi
  sum="$(cat "${files[@]}" | sha256sum)"
  printf '%s' "${sum%% *}"
}

# booted_fingerprint -> the fingerprint recorded when the running node was launched.
booted_fingerprint() {
  if [[ -s "$BOOTED_FP_FILE" ]]; then tr -dc '0-9a-f' < "$BOOTED_FP_FILE"; else printf '%s' "$LEGACY_FP"; fi
}

# The Erlang VM binary, to recognise our node's process without forking.
BEAM_BINS=(/usr/lib/erlang/erts-*/bin/beam.smp)

# is_our_beam PID -> true if PID is the Erlang VM of this instance.
is_our_beam() {
  local pid="$1" b is_beam=0
  for b in "${BEAM_BINS[@]}"; do
    if [[ "/proc/$pid/exe" -ef "$b" ]]; then is_beam=1; break; fi
  done
  (( is_beam )) || return 1
  pid_alive "$pid" || return 1
  # No pipe here: with pipefail, `... | grep -q` fails when grep exits early.
  grep -qzxF "RABBITMQ_PID_FILE=$PID_FILE" "/proc/$pid/environ" 2>/dev/null
}

# Prints the VM's PID when the node runs (pid file first, then a /proc scan in
# case the pid file is gone); removes a stale pid file.
beam_pid() {
  local pid p
  if [[ -f "$PID_FILE" ]]; then
    pid="$(tr -dc '0-9' < "$PID_FILE" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && is_our_beam "$pid"; then echo "$pid"; return 0; fi
    rm -f "$PID_FILE"
  fi
  for p in /proc/[0-9]*; do
    p="${p#/proc/}"
    if is_our_beam "$p"; then echo "$p"; return 0; fi
  done
  return 0
}

epmd_kill() {
  # epmd outlives the node; stop the one that belongs to this instance's port.
  # It refuses while a node is still registered, and a killed VM's
  # registration disappears a moment after the process: retry briefly.
  local i
  for (( i = 0; i < 50; i++ )); do
    epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 9>&- || return 0   # no epmd
    epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 9>&- && return 0
    sleep 0.1
  done
  warn "rabbitmq $MARK: epmd on port $EPMD_PORT still has registered nodes: $(epmd -port "$EPMD_PORT" -names 2>&1 | tail -n +2 | tr '\n' ' ')"
}

rabbit_start() {
  local t0 pid p fp ports
  t0="$(now_ms)"
  prepare_dirs
  fp="$(config_fingerprint)"
  pid="$(beam_pid)"
  if [[ -n "$pid" ]] && ! port_busy "$AMQP_PORT"; then
    log "rabbitmq $MARK: node process $pid exists; waiting until it is usable"
    [[ -s "$PID_FILE" ]] || echo "$pid" > "$PID_FILE"
    wait_ready || boot_failed
  fi
  if [[ -n "$pid" ]]; then
    if [[ "$(booted_fingerprint)" == "$fp" ]]; then
      [[ -s "$BOOTED_FP_FILE" ]] || printf '%s\n' "$fp" > "$BOOTED_FP_FILE"
      log "rabbitmq $MARK: already running (PID $pid)"
      log_ready "$t0"
      return 0
    fi
    log "rabbitmq $MARK: the configuration changed since PID $pid booted (rabbitmq.conf, enabled_plugins or TLS certificates); restarting"
    rabbit_stop
  fi
  ports=("$AMQP_PORT" "$DIST_PORT")
  if [[ -n "$AMQPS_PORT" ]]; then ports+=("$AMQPS_PORT"); fi
  for p in "${ports[@]}"; do
    port_busy "$p" && die "rabbitmq $MARK: port $p is already taken by another process: $(who_listens "$p")"
  done
  log "rabbitmq $MARK: starting $NODE_NAME on $RABBIT_HOST:$AMQP_PORT${AMQPS_PORT:+ (AMQPS $AMQPS_PORT)}"
  printf '%s\n' "$fp" > "$BOOTED_FP_FILE"
  # stdin/stdout/stderr, the lock and any other descriptor must not leak
  # into the detached VM (a caller reading our output would otherwise
  # never see EOF).
  ( cd "$INST_DIR"; close_extra_fds; exec "$RABBIT_BIN/rabbitmq-server" -detached ) \
    </dev/null >>"$RABBITMQ_LOG_BASE/startup.log" 2>&1 \
    || { tail -n 30 "$RABBITMQ_LOG_BASE/startup.log" >&2; die "rabbitmq $MARK: rabbitmq-server -detached failed"; }
  wait_ready || boot_failed
  log_ready "$t0"
}

log_ready() {
  log "rabbitmq $MARK: ready at amqp://$RABBIT_USER:***@$RABBIT_HOST:$AMQP_PORT/{$RABBIT_VHOST,$RABBIT_TEST_VHOST}${AMQPS_PORT:+ and amqps://$RABBIT_USER:***@localhost:$AMQPS_PORT/…} in $(elapsed "$1")"
}

boot_failed() {
  local pid
  cat "$RABBITMQ_LOG_BASE/ctl.err" >&2 || true
  grep -h -A3 'BOOT FAILED\|error' "$RABBITMQ_LOG_BASE/$NODE_NAME.log" 2>/dev/null | tail -n 20 >&2 || true
  pid="$(beam_pid)"
  if [[ -n "$pid" ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  epmd_kill
  die "rabbitmq $MARK: node did not become ready (logs: $RABBITMQ_LOG_BASE)"
}

# wait_ready: `rabbitmqctl wait` on the pid file, then `rabbitmqctl await_startup`;
# fails fast when the VM dies while booting instead of waiting for the timeout.
wait_ready() {
  local wpid vm_pid="" i=0
  : > "$RABBITMQ_LOG_BASE/ctl.err"
  ctl wait --timeout 120 "$PID_FILE" >/dev/null 2>>"$RABBITMQ_LOG_BASE/ctl.err" &
  wpid=$!
  while kill -0 "$wpid" 2>/dev/null; do
    if [[ -z "$vm_pid" && -s "$PID_FILE" ]]; then vm_pid="$(tr -dc '0-9' < "$PID_FILE")"; fi
    if [[ -n "$vm_pid" ]] && ! pid_alive "$vm_pid"; then
      kill "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true
      echo "the Erlang VM (PID $vm_pid) exited while booting" >> "$RABBITMQ_LOG_BASE/ctl.err"
      return 1
    fi
    if [[ -z "$vm_pid" ]] && (( ++i > 300 )); then
      kill "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true
      echo "no pid file after 30 s" >> "$RABBITMQ_LOG_BASE/ctl.err"
      return 1
    fi
    sleep 0.1
  done
  wait "$wpid" || return 1
  ctl await_startup --timeout 120 >/dev/null 2>>"$RABBITMQ_LOG_BASE/ctl.err"
}

rabbit_stop() {
  local t0 pid
  t0="$(now_ms)"
  pid="$(beam_pid)"
  if [[ -z "$pid" ]]; then
    epmd_kill
    log "rabbitmq $MARK: not running"
    return 0
  fi
  [[ -f "$PID_FILE" ]] || echo "$pid" > "$PID_FILE"
  # A paused (SIGSTOPped) node could not answer the stop request.
  kill -CONT "$pid" 2>/dev/null || true
  if ! ctl stop "$PID_FILE" >/dev/null 2>"$RABBITMQ_LOG_BASE/ctl.err"; then
    warn "rabbitmq $MARK: rabbitmqctl stop failed ($(tr '\n' ' ' < "$RABBITMQ_LOG_BASE/ctl.err" | cut -c1-200)); killing PID $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait_gone "$pid"
  rm -f "$PID_FILE"
  epmd_kill
  log "rabbitmq $MARK: stopped in $(elapsed "$t0")"
}

wait_gone() {
  local pid="$1" i
  for (( i = 0; i < 300; i++ )); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  die "rabbitmq $MARK: PID $pid is still alive"
}

rabbit_kill() {
  local pid
  pid="$(beam_pid)"
  if [[ -n "$pid" ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid"
    log "rabbitmq $MARK: killed PID $pid (SIGKILL)"
  else
    log "rabbitmq $MARK: not running"
  fi
  # Leave the pid file behind, as a real crash would; start copes with it.
  epmd_kill
}

rabbit_status() {
  local pid
  pid="$(beam_pid)"
  if [[ -n "$pid" ]] && port_busy "$AMQP_PORT"; then
    log "rabbitmq $MARK: running (PID $pid) on $RABBIT_HOST:$AMQP_PORT${AMQPS_PORT:+ (AMQPS $AMQPS_PORT)}"
    return 0
  elif [[ -n "$pid" ]]; then
    log "rabbitmq $MARK: VM running (PID $pid) but AMQP port $AMQP_PORT is not open (booting or stopping)"
    return 3
  fi
  log "rabbitmq $MARK: not running"
  return 3
}

# Freezes the node (SIGSTOP): its sockets stay open but nothing answers, as with a hung
# host or a network partition. Tests use it to check heartbeat-based failure detection.
rabbit_signal() {
  local pid
  pid="$(beam_pid)"
  [[ -n "$pid" ]] || die "rabbitmq $MARK: not running"
  kill "-$1" "$pid"
  log "rabbitmq $MARK: sent SIG$1 to PID $pid"
}

# rabbit_alarm KIND(memory|disk) RAISE(1|0): sets the limit and waits, inside the
# node, until the alarm is raised or cleared, all in one CLI call (each rabbitmqctl
# call starts an Erlang VM: about a second on a busy machine).
rabbit_alarm() {
  local kind="$1" raise="$2" set out
  [[ -n "$(beam_pid)" ]] || die "rabbitmq $MARK: not running"
  case "$kind/$raise" in
    memory/1) set="vm_memory_monitor:set_vm_memory_high_watermark(0.0001)" ;;
    memory/0) set="vm_memory_monitor:set_vm_memory_high_watermark(0.4)" ;;
    disk/1)   set="rabbit_disk_monitor:set_disk_free_limit(1000000000000000)" ;;
    disk/0)   set="rabbit_disk_monitor:set_disk_free_limit(50000000)" ;;
  esac
  out="$(ctl eval "
    $set,
    Want = $( (( raise )) && echo true || echo false ),
    Key = {resource_limit, $kind, node()},
    Wait = fun W(0) -> timeout;
               W(N) -> case lists:keymember(Key, 1, rabbit_alarm:get_alarms()) of
                         Want -> ok;
                         _ -> timer:sleep(50), W(N - 1)
                       end
           end,
    Wait(200)." 2>&1)" || die "rabbitmq $MARK: rabbitmqctl eval failed: $out"
  [[ "$out" == ok ]] || die "rabbitmq $MARK: the $kind alarm did not $( (( raise )) && echo rise || echo clear) within 10 s ($out)"
  log "rabbitmq $MARK: $kind alarm $( (( raise )) && echo raised || echo cleared)"
}

rabbit_alarms() {
  [[ -n "$(beam_pid)" ]] || die "rabbitmq $MARK: not running"
  ctl eval '[{Resource, Node} || {{resource_limit, Resource, Node}, _} <- rabbit_alarm:get_alarms()].'
}

# rabbit_upgrade_topology VHOST: a local broker whose Shipboard queues were declared by an
# older version (without x-dead-letter-strategy, with the delay queues Q.retry.N) makes the
# services' declarations fail with 406 PRECONDITION_FAILED. On a development broker there is
# no traffic to keep: delete the old delay queues, and the old work queues that are empty
# (a non-empty one is named, for the operator's migration in the README). Production brokers
# follow the README's "Topology migration" instead.
rabbit_upgrade_topology() {
  local vhost="$1" name messages arguments
  [[ -n "$(beam_pid)" ]] || die "rabbitmq $MARK: not running"
  while IFS=$'\t' read -r name messages arguments; do
    [[ "$name" =~ ^(planning|build|testing|rollout|notify)\.(commands|events)(\.retry\.[0-9]+)?$|^rollout\.deploy(\.retry\.[0-9]+)?$ ]] || continue
    if [[ "$name" =~ \.retry\.[0-9]+$ ]]; then
      ctl delete_queue -p "$vhost" "$name" >/dev/null
      log "rabbitmq $MARK: deleted the old delay queue $vhost/$name"
    elif [[ "$arguments" != *x-dead-letter-strategy* ]]; then
      if [[ "$messages" == 0 ]]; then
        ctl delete_queue -p "$vhost" --if-empty "$name" >/dev/null
        log "rabbitmq $MARK: deleted $vhost/$name (declared by an older Shipboard; the service declares it anew)"
      else
        log "rabbitmq $MARK: $vhost/$name was declared by an older Shipboard and holds $messages message(s): move it as README \"Topology migration\" says"
      fi
    fi
  done < <(ctl list_queues -p "$vhost" -q --no-table-headers name messages arguments 2>/dev/null || true)
  # Event queues of services not built yet were bound by older versions (notify.events to
  # every event): delete them, with what piled up, which no consumer will ever read; the
  # services declare them again, unbound.
  local source destination
  while IFS=$'\t' read -r source destination; do
    [[ "$source" == shipboard.events && "$destination" =~ ^(build|testing|rollout|notify)\.events$ ]] || continue
    ctl delete_queue -p "$vhost" "$destination" >/dev/null 2>&1 \
      && log "rabbitmq $MARK: deleted $vhost/$destination (bound by an older Shipboard before its service existed)"
  done < <(ctl list_bindings -p "$vhost" -q --no-table-headers source_name destination_name 2>/dev/null | sort -u || true)
  # Older versions declared one deploy queue, rollout.deploy, bound to every deploy job
  # (rollout.deploy.#) before shipboard-rollout existed: nothing ever read it. Deploy jobs now
  # go to one queue per worker pool (rollout.deploy.<pool>).
  for name in rollout.deploy rollout.deploy.dead; do
    ctl delete_queue -p "$vhost" "$name" >/dev/null 2>&1 \
      && log "rabbitmq $MARK: deleted $vhost/$name (an older Shipboard's single deploy queue)"
  done
  ctl list_exchanges -p "$vhost" -q --no-table-headers name 2>/dev/null | grep -qx 'shipboard.retry' \
    && ctl eval "rabbit_exchange:delete(rabbit_misc:r(<<\"$vhost\">>, exchange, <<\"shipboard.retry\">>), false, <<\"shipboard\">>)." >/dev/null 2>&1 \
    && log "rabbitmq $MARK: deleted the old exchange $vhost/shipboard.retry"
  return 0
}

require_root
case "$ACTION" in
  pause)  rabbit_signal STOP ;;
  resume) rabbit_signal CONT ;;
  start)  with_lock "rabbitmq-$INSTANCE" rabbit_start ;;
  stop)   with_lock "rabbitmq-$INSTANCE" rabbit_stop ;;
  kill)   with_lock "rabbitmq-$INSTANCE" rabbit_kill ;;
  status) rabbit_status ;;
  alarm)            with_lock "rabbitmq-$INSTANCE" rabbit_alarm memory 1 ;;
  clear-alarm)      with_lock "rabbitmq-$INSTANCE" rabbit_alarm memory 0 ;;
  disk-alarm)       with_lock "rabbitmq-$INSTANCE" rabbit_alarm disk 1 ;;
  clear-disk-alarm) with_lock "rabbitmq-$INSTANCE" rabbit_alarm disk 0 ;;
  alarms) rabbit_alarms ;;
  upgrade-topology) with_lock "rabbitmq-$INSTANCE" rabbit_upgrade_topology "${ACTION_ARG:-$RABBIT_VHOST}" ;;
esac
