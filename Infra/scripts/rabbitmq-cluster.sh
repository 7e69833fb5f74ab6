#!/usr/bin/env bash
# A 3-node RabbitMQ cluster on loopback for tests (quorum queues with 3 members), each node
# an ordinary process with its folder under .run/rabbitmq-cluster/<n>/, one shared HOME
# (one Erlang cookie) and one epmd port. Nodes 2 and 3 join node 1. The users, vhosts and
# password are the main node's (rabbitmq.sh), so a test swaps only the port in its URL.
#
# Usage: Infra/scripts/rabbitmq-cluster.sh VERB [N]
#   start         start the three nodes (a no-op for a node that runs) and cluster them;
#                 returns when every node is usable and all three are members
#   stop          stop every node (in parallel), then epmd
#   stop-node N   stop node N gracefully (the others keep the cluster)
#   kill-node N   SIGKILL node N's Erlang VM
#   start-node N  start node N again (it rejoins: it is still a member)
#   status        exit 0 when all three nodes run
#   url N         print node N's AMQP URL for the test vhost (with the password)
#   members Q     print how many members quorum queue Q (test vhost) has, asking node 1
#
#   node  AMQP   distribution  name                         (epmd 54399)
#   1     55692  55693         shipboard-cluster-1@localhost
#   2     55702  55703         shipboard-cluster-2@localhost
#   3     55712  55713         shipboard-cluster-3@localhost
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER_DIR="$RUN_DIR/rabbitmq-cluster"
EPMD_PORT=54399
NODES=(1 2 3)

# One HOME for every node and CLI call: one Erlang cookie.
export HOME="$CLUSTER_DIR/home"

amqp_port() { echo $((55682 + 10 * $1)); }
node_name() { echo "shipboard-cluster-$1@localhost"; }

# node_env N: the environment of node N (server and CLI alike).
node_env() {
  local port
  port="$(amqp_port "$1")"
  rabbit_node_env "$(node_name "$1")" "$port" $((port + 1)) "$EPMD_PORT" "$CLUSTER_DIR/$1" "$CLUSTER_DIR/$1/rabbitmq.pid"
}

ctl() { "$RABBIT_BIN/rabbitmqctl" "$@" </dev/null 9>&-; }

prepare() {
  local n="$1" dir="$CLUSTER_DIR/$1" pass
  mkdir -p "$HOME" "$dir/mnesia" "$dir/log"
  chmod 700 "$CLUSTER_DIR" "$HOME"
  rabbit_cookie
  : > "$dir/rabbitmq-env.conf"
  echo '[].' > "$dir/enabled_plugins"
  pass="$(secret rabbitmq-shipboard)"
  ( umask 077
    rabbit_definitions "$pass" > "$dir/definitions.json"
    cat > "$dir/rabbitmq.conf" <<CONF
# Written by Infra/scripts/rabbitmq-cluster.sh on every start; edits are lost.
listeners.tcp.default = $RABBIT_HOST:$(amqp_port "$n")
default_vhost = $RABBIT_VHOST
default_user = $RABBIT_USER
default_pass = $pass
definitions.import_backend = local_filesystem
definitions.local.path = $dir/definitions.json
definitions.skip_if_unchanged = true
log.file.level = info
log.console = false
CONF
  )
}

running() { # running N -> true when node N answers
  node_env "$1"
  [[ -s "$RABBITMQ_PID_FILE" ]] && pid_alive "$(tr -dc '0-9' < "$RABBITMQ_PID_FILE")" \
    && ctl -q status >/dev/null 2>&1
}

start_node() {
  local n="$1"
  if running "$n"; then return 0; fi
  prepare "$n"
  node_env "$n"
  port_busy "$RABBITMQ_NODE_PORT" && die "rabbitmq-cluster: port $RABBITMQ_NODE_PORT is taken by $(who_listens "$RABBITMQ_NODE_PORT")"
  ( cd "$CLUSTER_DIR/$n"; close_extra_fds; exec "$RABBIT_BIN/rabbitmq-server" -detached ) \
    </dev/null >>"$RABBITMQ_LOG_BASE/startup.log" 2>&1 || die "rabbitmq-cluster: node $n did not start"
  ctl wait --timeout 120 "$RABBITMQ_PID_FILE" >/dev/null 2>>"$RABBITMQ_LOG_BASE/ctl.err" \
    || { tail -n 20 "$RABBITMQ_LOG_BASE/ctl.err" >&2; die "rabbitmq-cluster: node $n did not come up"; }
  ctl await_startup --timeout 120 >/dev/null 2>>"$RABBITMQ_LOG_BASE/ctl.err" || die "rabbitmq-cluster: node $n did not finish booting"
}

# join N: node N becomes a member of node 1's cluster (a no-op when it is one).
join() {
  local n="$1"
  node_env "$n"
  if ctl -q cluster_status --formatter json 2>/dev/null | grep -q "$(node_name 1)"; then return 0; fi
  {
    ctl -q stop_app && ctl -q reset && ctl -q join_cluster "$(node_name 1)" && ctl -q start_app \
      && ctl await_startup --timeout 120
  } >>"$RABBITMQ_LOG_BASE/join.log" 2>&1 || { tail -n 20 "$RABBITMQ_LOG_BASE/join.log" >&2; die "rabbitmq-cluster: node $n could not join node 1"; }
}

stop_node() {
  local n="$1" pid
  node_env "$n"
  [[ -s "$RABBITMQ_PID_FILE" ]] || return 0
  pid="$(tr -dc '0-9' < "$RABBITMQ_PID_FILE")"
  if pid_alive "$pid"; then
    ctl stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RABBITMQ_PID_FILE"
}

kill_node() {
  local n="$1" pid
  node_env "$n"
  [[ -s "$RABBITMQ_PID_FILE" ]] || return 0
  pid="$(tr -dc '0-9' < "$RABBITMQ_PID_FILE")"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 100); do pid_alive "$pid" || break; sleep 0.1; done
  rm -f "$RABBITMQ_PID_FILE"
}

cluster_start() {
  local t0 n
  t0="$(now_ms)"
  ensure_run_dir
  reserve_ports
  mkdir -p "$CLUSTER_DIR"
  # The nodes boot on their own (in parallel: each takes seconds), then 2 and 3 join 1.
  local pids=()
  for n in "${NODES[@]}"; do ( start_node "$n" ) & pids+=($!); done
  for n in "${pids[@]}"; do wait "$n" || die "rabbitmq-cluster: a node did not start"; done
  for n in 2 3; do join "$n"; done
  node_env 1
  [[ "$(ctl -q cluster_status --formatter json | grep -o 'shipboard-cluster-[0-9]@localhost' | sort -u | wc -l)" == 3 ]] \
    || die "rabbitmq-cluster: the cluster does not have three members"
  log "rabbitmq-cluster: 3 nodes on $RABBIT_HOST:$(amqp_port 1),$(amqp_port 2),$(amqp_port 3) ready in $(elapsed "$t0")"
}

cluster_stop() {
  local n
  for n in "${NODES[@]}"; do ( stop_node "$n" ) & done
  wait
  # epmd outlives the nodes, and refuses to stop while a node is still registered.
  for _ in $(seq 50); do
    epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 9>&- || break
    epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 9>&- && break
    sleep 0.1
  done
  log "rabbitmq-cluster: stopped"
}

node_arg() { [[ "${1:-}" =~ ^[123]$ ]] || die "rabbitmq-cluster: a node number 1, 2 or 3 is required"; echo "$1"; }

case "${1:-}" in
  start) with_lock rabbitmq-cluster cluster_start ;;
  stop) with_lock rabbitmq-cluster cluster_stop ;;
  stop-node) n="$(node_arg "${2:-}")"; with_lock rabbitmq-cluster stop_node "$n" ;;
  kill-node) n="$(node_arg "${2:-}")"; with_lock rabbitmq-cluster kill_node "$n" ;;
  start-node) n="$(node_arg "${2:-}")"; with_lock rabbitmq-cluster start_node "$n" ;;
  status) for n in "${NODES[@]}"; do running "$n" || exit 3; done ;;
  url) n="$(node_arg "${2:-}")"
       echo "amqp://$RABBIT_USER:$(secret rabbitmq-shipboard)@$RABBIT_HOST:$(amqp_port "$n")/$(uri_encode_path "$RABBIT_TEST_VHOST")" ;;
  members) node_env 1
           ctl -q list_queues -p "$RABBIT_TEST_VHOST" name members --formatter json \
             | python3 -c 'import json,sys; q=sys.argv[1]; print(next((len(r["members"]) for r in json.load(sys.stdin) if r["name"]==q), 0))' "${2:?a queue name}" ;;
  *) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
