# shellcheck shell=bash disable=SC2034 # (file-wide) the variables are read by the scripts that source this file
# Shell functions shared by scripts/cluster-up, scripts/cluster-down and scripts/cluster-load-images: the fixed
# addressing, the state layout under .infra/cluster/, process start/stop by pid file, waits with timings.
# Sourced, not run. See scripts/cluster-up for the whole picture.
set -euo pipefail
shopt -s inherit_errexit

CLUSTER_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER_INFRA_DIR="$(cd "$CLUSTER_LIB_DIR/.." && pwd)"      # scripts/infra/cluster
REPO_ROOT="$(cd "$CLUSTER_INFRA_DIR/../../.." && pwd)"

# ---- fixed addressing (documented in scripts/cluster-up) ----
NODE_NAME=hoot-node
NODE_IP=10.201.0.1
NODE_BRIDGE=hoot0           # empty bridge holding NODE_IP/32 (no dummy devices in this kernel; not loopback)
POD_BRIDGE=hootcni0         # the CNI bridge the pods' veths join (gateway 10.202.0.1)
POD_CIDR=10.202.0.0/16
SERVICE_CIDR=10.203.0.0/16
KUBERNETES_SVC_IP=10.203.0.1
CLUSTER_DNS=10.203.0.10
CLUSTER_DOMAIN=cluster.local
API_PORT=6443
ETCD_CLIENT_PORT=23790      # not 2379: never collide with another etcd on the machine
ETCD_PEER_PORT=23800
CNI_NETWORK=hoot
PAUSE_IMAGE=registry.k8s.io/pause:3.10
COREDNS_IMAGE=hoot.local/coredns:1.15.0
STORAGE_CLASS=local
PV_COUNT="${HOOT_CLUSTER_PVS:-12}"
PV_SIZE=2Gi

# ---- state layout ----
C="$REPO_ROOT/.infra/cluster"
# The same directory by its physical path: the kernel lists mounts by it, so cluster-down finds them also
# when .infra (or the checkout) is reached through a symlink (a git worktree sharing .infra, say).
mkdir -p "$REPO_ROOT/.infra"
C_PHYSICAL="$(cd "$REPO_ROOT/.infra" && pwd -P)/cluster"
PKI="$C/pki"
LOGS="$C/logs"
RUN="$C/run"                # pid files
KUBECONFIG_ADMIN="$C/kubeconfig"
CTRD_DIR="$C/containerd"
CTRD_SOCK="$CTRD_DIR/containerd.sock"
CNI_CONF_DIR="$C/cni/net.d"
CNI_IPAM_DIR="$C/cni/ipam"
KUBELET_DIR="$C/kubelet"
VOLUMES_DIR="$C/volumes"
IMAGES_DIR="$C/images"
CNI_BIN_DIR=/usr/lib/cni

# The addresses, bridges and iptables chains are machine-wide: one cluster per machine. This file (tmpfs) names
# the checkout whose cluster owns them, so a cluster-up or cluster-down from another clone cannot take apart a
# running cluster's network (seen: a second checkout's cluster-down deleted hoot0 under a running cluster; its
# API address then went to the default route).
OWNER_FILE=/run/hoot-cluster.owner
# cluster-up and cluster-down run one at a time on a machine (test suites in parallel may both ask).
LOCK_FILE=/run/hoot-cluster.lock

# Processes, in start order (stopped in reverse).
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router)

T0=$SECONDS
log() { printf '[cluster %3ss] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

require_root() { [[ "$(id -u)" -eq 0 ]] || die "a one-node Kubernetes needs root (network namespaces, iptables, mounts): run as root"; }

kctl() { "$KUBECTL" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
ctr_k8s() { ctr --address "$CTRD_SOCK" -n k8s.io "$@"; }

pidfile() { printf '%s/%s.pid' "$RUN" "$1"; }
pid_of() { local f; f="$(pidfile "$1")"; [[ -f "$f" ]] && cat "$f"; }
running() { local p; p="$(pid_of "$1" 2>/dev/null || true)"; [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; }

# start NAME CMD…: runs CMD in its own session in the background, output to logs/NAME.log, pid to run/NAME.pid.
start_proc() {
  local name="$1"; shift
  if running "$name"; then log "$name already running (pid $(pid_of "$name"))"; return 0; fi
  mkdir -p "$LOGS" "$RUN"
  printf '\n==== %s %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOGS/$name.log"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 7>&- &
  echo $! >"$(pidfile "$name")"
}

# stop_proc NAME [GRACE_S]: TERM, wait, KILL; only the pid recorded in our pid file.
stop_proc() {
  local name="$1" grace="${2:-10}" p i
  p="$(pid_of "$name" 2>/dev/null || true)"
  if [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; then
    kill -TERM "$p" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then log "$name (pid $p) ignored TERM for ${grace}s: KILL"; kill -KILL "$p" 2>/dev/null || true
    elif ((i >= 10)); then log "$name stopped ($((i / 10)).$((i % 10))s after TERM)"; fi
  fi
  rm -f "$(pidfile "$name")"
}

# stop_procs GRACE_S NAME…: stop_proc for several at once (each takes 1–2 s to stop after TERM).
stop_procs() {
  local grace="$1" n pids=()
  shift
  for n in "$@"; do stop_proc "$n" "$grace" & pids+=($!); done
  wait "${pids[@]}" 2>/dev/null || true
}

# wait_for DESC TIMEOUT_S CMD…: polls CMD every 0.25 s.
wait_for() {
  local desc="$1" timeout="$2" start=$SECONDS; shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS - start >= timeout)); then die "$desc: not within ${timeout}s (logs: ${LOGS#"$REPO_ROOT"/}/)"; fi
    sleep 0.25
  done
}

# Binaries: Kubernetes' from scripts/infra/kubernetes.sh, CoreDNS and kube-router from their scripts (each builds
# once into the user-level cache when missing).
resolve_binaries() {
  local kdir
  kdir="$("$REPO_ROOT/scripts/infra/kubernetes.sh" dir)"
  KUBE_APISERVER="$kdir/kube-apiserver"
  KUBE_CM="$kdir/kube-controller-manager"
  KUBE_SCHEDULER="$kdir/kube-scheduler"
  KUBELET="$kdir/kubelet"
  KUBE_PROXY="$kdir/kube-proxy"
  KUBECTL="$kdir/kubectl"
  ETCD="$("$REPO_ROOT/scripts/infra/kubernetes.sh" etcd-path)"
  COREDNS="$("$REPO_ROOT/scripts/infra/coredns.sh" path)"
  KUBE_ROUTER="$("$REPO_ROOT/scripts/infra/kube-router.sh" path)"
}

# Only kubectl (cluster-down, load-images): no build is started for it.
resolve_kubectl() {
  KUBECTL="$REPO_ROOT/.infra/kubernetes/kubectl"
  [[ -x "$KUBECTL" ]] || KUBECTL="$(command -v kubectl || true)"
}

api_healthy() { [[ -f "$KUBECONFIG_ADMIN" ]] && kctl get --raw /readyz >/dev/null 2>&1; }
node_ready() {
  [[ "$(kctl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

# owner_other: prints the other checkout owning the machine's cluster, if its etcd or API server still runs.
owner_other() {
  local root p
  root="$(cat "$OWNER_FILE" 2>/dev/null || true)"
  [[ -n "$root" && "$root" != "$REPO_ROOT" ]] || return 1
  for p in etcd kube-apiserver kubelet containerd; do
    if [[ -f "$root/.infra/cluster/run/$p.pid" ]] && kill -0 "$(cat "$root/.infra/cluster/run/$p.pid")" 2>/dev/null; then
      printf '%s' "$root"
      return 0
    fi
  done
  return 1
}

# cluster_lock: waits (up to 10 min) for another cluster-up/down on this machine to finish. fd 7 is closed in
# every daemon start_proc starts, so the lock ends with this script.
cluster_lock() {
  exec 7>"$LOCK_FILE"
  if ! flock -n 7; then
    log "another cluster-up/cluster-down is running on this machine; waiting for it…"
    flock -w 600 7 || die "still locked after 10 min ($LOCK_FILE)"
  fi
}
