#!/usr/bin/env bash
# Network faults between a process and a server on this machine, without touching the
# root namespace's firewall: a network namespace with a veth pair to the root namespace,
# and iptables rules applied inside that namespace only. A forwarder in the root
# namespace (Tests/TestSupport TCPProxy) listens on the root side's address and forwards
# to a loopback server; a process in the namespace reaches the server only through it,
# and every packet on the way crosses the namespace's rules.
#
# Usage: Infra/scripts/netfault.sh VERB [ARGS]
#   create [--owner PID]   make a namespace (named after its owner, default the caller);
#                          prints "NAME HOST_ADDRESS NAMESPACE_ADDRESS": the root side's
#                          address (bind forwarders there) and the namespace side's
#   loss NAME PERCENT      drop PERCENT % of the packets to and from the root side, at
#                          random (iptables statistic), in each direction
#   blackhole NAME         drop every packet to and from the root side (no reset: open
#                          connections hang, new ones time out)
#   clear NAME             remove the loss or blackhole rules
#   dropped NAME           print how many packets the rules dropped so far
#   exec NAME CMD [ARG...] run a command inside the namespace (ip netns exec)
#   delete NAME            kill what still runs inside, delete the namespace and its veth pair
#   cleanup [--all]        delete the namespaces whose owner process is gone (--all: every one)
#   list                   print the namespaces this script made: NAME OWNER-PID alive|stale
#
# Addresses: slot N (0-63) uses 169.254.213.(4N+1) on the root side and 4N+2 inside,
# a /30 on the veth pair sbnfN-h / sbnfN-n (link-local: never routed off the link).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NETNS_PREFIX=sbnf
NETNS_RUN=/run/netns
FAULT_CHAIN=SHIPBOARD-FAULT
USAGE="usage: $0 {create [--owner PID]|loss NAME PERCENT|blackhole NAME|clear NAME|dropped NAME|exec NAME CMD...|delete NAME|cleanup [--all]|list}"

require_tools() {
  command -v ip >/dev/null 2>&1 || die "netfault: ip not found (run Infra/scripts/install-deps.sh: iproute2)"
  command -v iptables >/dev/null 2>&1 || die "netfault: iptables not found (run Infra/scripts/install-deps.sh)"
}

# our_namespaces -> the names of every namespace this script made, one per line.
our_namespaces() {
  local path
  for path in "$NETNS_RUN/$NETNS_PREFIX"*; do
    [[ -e "$path" ]] || continue
    path="${path##*/}"
    [[ "$path" =~ ^${NETNS_PREFIX}[0-9]+-[0-9]+$ ]] && echo "$path"
  done
  return 0
}

# check_name NAME: dies unless NAME is one of ours and exists, so that no command here
# ever runs against a namespace (or the root namespace) it did not make.
check_name() {
  [[ "$1" =~ ^${NETNS_PREFIX}[0-9]+-[0-9]+$ ]] || die "netfault: '$1' is not a namespace made by netfault.sh"
  [[ -e "$NETNS_RUN/$1" ]] || die "netfault: namespace $1 does not exist"
}

slot_of()  { local n="${1#"$NETNS_PREFIX"}"; echo "${n%%-*}"; }
owner_of() { echo "${1##*-}"; }
host_address() { echo "169.254.213.$(( 4 * $1 + 1 ))"; }
ns_address()   { echo "169.254.213.$(( 4 * $1 + 2 ))"; }

# global_lock CMD...: CMD under a machine-wide lock (namespaces and veth names are
# machine-wide, whichever checkout's .run a caller uses).
global_lock() {
  ( exec 9>/tmp/shipboard-netfault.lock; flock 9; "$@" )
}

# in_ns NAME CMD...: CMD inside the namespace. Every iptables call goes through here.
in_ns() { local name="$1"; shift; ip netns exec "$name" "$@"; }

ns_create() {
  local owner="$1" slot name host inner
  cleanup_stale 0
  for (( slot = 0; slot < 64; slot++ )); do
    compgen -G "$NETNS_RUN/$NETNS_PREFIX$slot-*" >/dev/null && continue
    ip link show "$NETNS_PREFIX$slot-h" >/dev/null 2>&1 && continue
    break
  done
  (( slot < 64 )) || die "netfault: all 64 slots are in use (netfault.sh list)"
  name="$NETNS_PREFIX$slot-$owner"
  host="$(host_address "$slot")"
  inner="$(ns_address "$slot")"
  ip netns add "$name"
  if ! {
    in_ns "$name" ip link set lo up &&
    ip link add "$NETNS_PREFIX$slot-h" type veth peer name "$NETNS_PREFIX$slot-n" netns "$name" &&
    ip addr add "$host/30" dev "$NETNS_PREFIX$slot-h" &&
    ip link set "$NETNS_PREFIX$slot-h" up &&
    in_ns "$name" ip addr add "$inner/30" dev "$NETNS_PREFIX$slot-n" &&
    in_ns "$name" ip link set "$NETNS_PREFIX$slot-n" up &&
    in_ns "$name" iptables -w -N "$FAULT_CHAIN" &&
    in_ns "$name" iptables -w -A INPUT -j "$FAULT_CHAIN" &&
    in_ns "$name" iptables -w -A OUTPUT -j "$FAULT_CHAIN"
  }; then
    ns_delete "$name"
    die "netfault: could not set up namespace $name"
  fi
  echo "$name $host $inner"
}

# ns_rules NAME RULE...: replaces the namespace's fault rules; each RULE is the match
# part of one DROP rule, applied to packets from and to the root side's address.
ns_rules() {
  local name="$1" host match; shift
  host="$(host_address "$(slot_of "$name")")"
  in_ns "$name" iptables -w -F "$FAULT_CHAIN"
  for match in "$@"; do
    # shellcheck disable=SC2086
    in_ns "$name" iptables -w -A "$FAULT_CHAIN" -s "$host" $match -j DROP
    # shellcheck disable=SC2086
    in_ns "$name" iptables -w -A "$FAULT_CHAIN" -d "$host" $match -j DROP
  done
}

ns_loss() {
  local name="$1" percent="$2" probability
  if ! [[ "$percent" =~ ^[0-9]+([.][0-9]+)?$ ]] || ! awk -v p="$percent" 'BEGIN { exit !(p > 0 && p <= 100) }'; then
    die "netfault: PERCENT must be a number in (0, 100], not '$percent'"
  fi
  probability="$(awk -v p="$percent" 'BEGIN { printf "%.4f", p / 100 }')"
  ns_rules "$name" "-m statistic --mode random --probability $probability"
  log "netfault: $name drops $percent% of the packets to and from $(host_address "$(slot_of "$name")")"
}

ns_dropped() {
  in_ns "$1" iptables -w -L "$FAULT_CHAIN" -v -x -n | awk 'NR > 2 && $3 == "DROP" { sum += $1 } END { print sum + 0 }'
}

ns_delete() {
  local name="$1" slot pids
  slot="$(slot_of "$name")"
  if [[ -e "$NETNS_RUN/$name" ]]; then
    # Processes still inside keep the namespace (and its veth) alive: they are test
    # processes started with `exec`, so end them.
    pids="$(ip netns pids "$name" 2>/dev/null || true)"
    if [[ -n "$pids" ]]; then
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
    fi
    ip netns delete "$name" 2>/dev/null || true
  fi
  # Deleting the namespace destroys its veth end and with it the root end; a crashed
  # set-up may have left the root end alone.
  if ip link show "$NETNS_PREFIX$slot-h" >/dev/null 2>&1; then
    ip link delete "$NETNS_PREFIX$slot-h" 2>/dev/null || true
  fi
}

cleanup_stale() {
  local all="${1:-0}" name
  for name in $(our_namespaces); do
    if [[ "$all" == 1 ]] || ! pid_alive "$(owner_of "$name")"; then
      ns_delete "$name"
      log "netfault: deleted namespace $name$([[ "$all" == 1 ]] || echo " (owner gone)")"
    fi
  done
}

ns_list() {
  local name
  for name in $(our_namespaces); do
    echo "$name $(owner_of "$name") $(pid_alive "$(owner_of "$name")" && echo alive || echo stale)"
  done
}

require_root
VERB="${1:-}"; (( $# )) && shift
case "$VERB" in
  create)
    require_tools
    owner="$PPID"
    if [[ "${1:-}" == --owner ]]; then owner="${2:?--owner needs a PID}"; fi
    [[ "$owner" =~ ^[0-9]+$ ]] || die "netfault: --owner needs a PID"
    global_lock ns_create "$owner" ;;
  loss)      require_tools; check_name "${1:-}"; ns_loss "$1" "${2:?loss needs PERCENT}" ;;
  blackhole) require_tools; check_name "${1:-}"; ns_rules "$1" ""; log "netfault: $1 drops every packet to and from $(host_address "$(slot_of "$1")")" ;;
  clear)     require_tools; check_name "${1:-}"; ns_rules "$1" ;;
  dropped)   require_tools; check_name "${1:-}"; ns_dropped "$1" ;;
  exec)      check_name "${1:-}"; name="$1"; shift; (( $# )) || die "netfault: exec needs a command"; exec ip netns exec "$name" "$@" ;;
  delete)    [[ "${1:-}" =~ ^${NETNS_PREFIX}[0-9]+-[0-9]+$ ]] || die "netfault: '${1:-}' is not a namespace made by netfault.sh"
             global_lock ns_delete "$1" ;;
  cleanup)   if [[ "${1:-}" == --all ]]; then global_lock cleanup_stale 1; else global_lock cleanup_stale 0; fi ;;
  list)      ns_list ;;
  *) echo "$USAGE" >&2; exit 2 ;;
esac
