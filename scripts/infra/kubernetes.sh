#!/usr/bin/env bash
# Kubernetes' own binaries — kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and
# kubectl — built from the Go module proxy through the wrapper module scripts/infra/kubernetes/ (one `tool`
# line each; k8s.io/kubernetes with its staging modules replaced by their published v0.X.Y, since a plain
# `go install` is refused) in ONE `go build` into a user-level, versioned cache folder, so a fresh clone does
# not rebuild. etcd is Debian's `etcd-server` package. Used by scripts/cluster-up (a real one-node cluster)
# and by @hoot/testing's startKubeApiserver() (API server + etcd only). See --help.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
SRC_DIR="$SCRIPT_DIR/kubernetes"
BIN_DIR_LINK="$REPO_ROOT/.infra/kubernetes"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

log() { printf 'kubernetes: %s\n' "$*" >&2; }
die() { printf 'kubernetes: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: scripts/infra/kubernetes.sh <command>

Kubernetes v$(kube_version) (${BINARIES[*]}), built from the Go module proxy, and Debian's etcd.

Commands:
  install      Install etcd (apt-get install etcd-server; as root or through sudo) if 'etcd' is missing, and
               build the binaries once, in one 'go build', into
               \${XDG_CACHE_HOME:-\$HOME/.cache}/hoot/kubernetes-<version>-<hash>/ (needs Go >= 1.26 and the Go
               module proxy; about 15 minutes on 2 cores) linked to .infra/kubernetes.
               Does nothing when all are there (milliseconds).
  dir          Install if needed; print the folder holding the binaries on stdout.
  path NAME    Install if needed; print the path of one binary (e.g. kube-apiserver) on stdout.
  etcd-path    Install etcd if needed; print etcd's path on stdout.
  status       Say what is installed; exit 0 if everything is, 3 if not.
  -h, --help   This help.

Environment: XDG_CACHE_HOME, GOPROXY, GOFLAGS.
EOF
}

# Kubernetes version required by the wrapper module, without the "v" (e.g. 1.37.2).
kube_version() {
  awk '($1 == "require" && $2 == "k8s.io/kubernetes") || $1 == "k8s.io/kubernetes" {
         v = ($1 == "require") ? $3 : $2; sub(/^v/, "", v); print v; exit }' "$SRC_DIR/go.mod"
}

# What `kube-apiserver --version` and the /version endpoint report (a module build has no git data);
# clients such as helm and kubectl read it.
ldflags() {
  local v major minor
  v="$(kube_version)"
  IFS=. read -r major minor _ <<<"$v"
  local pkg=k8s.io/component-base/version
  printf '%s' "-s -w -X $pkg.gitVersion=v$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
}

build_args() { printf '%s\n' -trimpath -ldflags "$(ldflags)"; }

# 12 hex chars identifying the sources and the build flags.
source_hash() {
  { cat "$SRC_DIR/go.mod" "$SRC_DIR/go.sum"; build_args; } | sha256sum | cut -c1-12
}

check_go() {
  command -v go >/dev/null 2>&1 ||
    die "'go' (the Go toolchain, >= 1.26) is not on PATH; install Go (https://go.dev/dl/ or your package manager) and retry"
  local v
  v="$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null || true)"
  if [[ "$v" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] < 26)); then
    die "'go' is $v, but Kubernetes $(kube_version) needs Go >= 1.26 (the build uses GOTOOLCHAIN=local and downloads no toolchain)"
  fi
}

# Runs a go command in SRC_DIR, niced (the machines are small and shared); explains proxy refusals.
go_in_src() {
  local out status=0
  out="$(cd "$SRC_DIR" && GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" nice -n 10 go "$@" 2>&1)" ||
    status=$?
  if ((status != 0)); then
    printf '%s\n' "$out" >&2
    if grep -Eqi '(403|404|410) (Forbidden|Not Found|Gone)|not available|proxy|dial tcp|i/o timeout|no such host|connection refused' <<<"$out"; then
      die "the Go module proxy ($(go env GOPROXY)) refused or could not serve a module needed for Kubernetes $(kube_version) (see above)"
    fi
    die "'go $1' failed in $SRC_DIR (see the message above)"
  fi
  [[ -z "$out" ]] || printf '%s\n' "$out" >&2
}

install_etcd() {
  if command -v etcd >/dev/null 2>&1; then return 0; fi
  local sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 ||
      die "etcd is not installed and we are not root: run 'apt-get install -y --no-install-recommends etcd-server' as root"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || die "etcd is not installed and there is no apt-get: install etcd (>= 3.4) yourself"
  if ! apt-cache policy etcd-server 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    log "package index has no etcd-server candidate: running apt-get update"
    $sudo apt-get update >&2
  fi
  log "installing Debian's etcd-server with apt-get (the package's service is not started in containers)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends etcd-server >&2
  command -v etcd >/dev/null 2>&1 || die "etcd-server installed, but 'etcd' is not on PATH"
  log "installed $(etcd --version 2>/dev/null | head -n 1)"
}

cache_dir() {
  printf '%s/hoot/kubernetes-%s-%s' "${XDG_CACHE_HOME:-$HOME/.cache}" "$(kube_version)" "$(source_hash)"
}

built() {
  local dir b
  dir="$(cache_dir)"
  [[ -f "$dir/.complete" ]] || return 1
  for b in "${BINARIES[@]}"; do [[ -x "$dir/$b" ]] || return 1; done
}

link_dir() {
  mkdir -p "$(dirname "$BIN_DIR_LINK")"
  if [[ "$(readlink "$BIN_DIR_LINK" 2>/dev/null || true)" != "$1" ]]; then
    ln -sfn "$1" "$BIN_DIR_LINK"
  fi
}

install_kubernetes() {
  local dir version
  dir="$(cache_dir)"
  version="$(kube_version)"
  if built; then
    link_dir "$dir"
    return 0
  fi
  check_go
  mkdir -p "$dir"
  # One build at a time per cache folder (parallel test workers may all ask on a fresh machine).
  exec 9>"$dir/.lock"
  if ! flock -n 9; then
    log "another process is building Kubernetes $version; waiting for it…"
    flock 9
  fi
  if ! built; then
    local start=$SECONDS
    log "building Kubernetes v$version (${BINARIES[*]}) from the Go module proxy (first time: about 15 minutes on 2 cores)…"
    log "downloading modules…"
    go_in_src mod download
    log "compiling…"
    local tmp="$dir.tmp.$$" args pkgs=() b
    rm -rf "$tmp" && mkdir -p "$tmp"
    trap "rm -rf '$tmp'" EXIT
    mapfile -t args < <(build_args)
    for b in "${BINARIES[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
    go_in_src build "${args[@]}" -o "$tmp/" "${pkgs[@]}"
    for b in "${BINARIES[@]}"; do mv -f "$tmp/$b" "$dir/$b"; done # each rename is atomic
    touch "$dir/.complete"
    rm -rf "$tmp"
    trap - EXIT
    log "built Kubernetes v$version in $((SECONDS - start))s: $dir"
  fi
  exec 9>&-
  link_dir "$dir"
}

cmd_install() {
  [[ $# -eq 0 ]] || die "install takes no arguments"
  install_etcd
  install_kubernetes
  log "ready: $(cache_dir), $(command -v etcd)"
}

cmd_dir() {
  [[ $# -eq 0 ]] || die "dir takes no arguments"
  install_kubernetes >&2
  cache_dir
  echo
}

cmd_path() {
  [[ $# -eq 1 ]] || die "path takes one argument: one of ${BINARIES[*]}"
  [[ " ${BINARIES[*]} " == *" $1 "* ]] || die "unknown binary '$1' (one of: ${BINARIES[*]})"
  install_kubernetes >&2
  printf '%s/%s\n' "$(cache_dir)" "$1"
}

cmd_etcd_path() {
  [[ $# -eq 0 ]] || die "etcd-path takes no arguments"
  install_etcd
  command -v etcd
}

cmd_status() {
  local ok=0
  if built; then
    echo "kubernetes: v$(kube_version) installed: $(cache_dir)"
  else
    echo "kubernetes: v$(kube_version) not built (run: scripts/infra/kubernetes.sh install)"
    ok=3
  fi
  if command -v etcd >/dev/null 2>&1; then
    echo "kubernetes: etcd installed: $(command -v etcd) ($(etcd --version 2>/dev/null | head -n 1))"
  else
    echo "kubernetes: etcd not installed (run: scripts/infra/kubernetes.sh install)"
    ok=3
  fi
  return $ok
}

main() {
  local cmd="${1:-}"
  [[ $# -eq 0 ]] || shift
  case "$cmd" in
    install) cmd_install "$@" ;;
    dir) cmd_dir "$@" ;;
    path) cmd_path "$@" ;;
    etcd-path) cmd_etcd_path "$@" ;;
    status) cmd_status "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) log "unknown command '$cmd'"; usage >&2; exit 2 ;;
  esac
}

main "$@"; exit $?
