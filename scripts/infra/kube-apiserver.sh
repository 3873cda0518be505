#!/usr/bin/env bash
# A real Kubernetes API server (kube-apiserver + etcd) for integration tests and for
# `kubectl apply --dry-run=server` checks of our manifests. No kubelet, no controllers: pods, services,
# RBAC, admission (PodSecurity included) and watches are real; nothing is scheduled or run.
#
# kube-apiserver is built from the Go module proxy through the wrapper module scripts/infra/kube-apiserver/
# (k8s.io/kubernetes with its staging modules replaced by their published v0.X.Y; a plain `go install` is
# refused) into a user-level, versioned cache folder, so a fresh clone does not rebuild. etcd is Debian's
# `etcd-server` package. @hoot/testing's startKubeApiserver() starts both. See --help.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
SRC_DIR="$SCRIPT_DIR/kube-apiserver"
BIN_LINK="$REPO_ROOT/.infra/bin/kube-apiserver"
PACKAGE="k8s.io/kubernetes/cmd/kube-apiserver"

log() { printf 'kube-apiserver: %s\n' "$*" >&2; }
die() { printf 'kube-apiserver: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: scripts/infra/kube-apiserver.sh <command>

kube-apiserver v$(kube_version) (built from the Go module proxy) and Debian's etcd.

Commands:
  install      Install etcd (apt-get install etcd-server; as root or through sudo) if 'etcd' is missing, and
               build kube-apiserver once into
               \${XDG_CACHE_HOME:-\$HOME/.cache}/hoot/kube-apiserver-<version>-<hash>/ (needs Go >= 1.26 and
               the Go module proxy; about 11 minutes on 2 cores) linked to .infra/bin/kube-apiserver.
               Does nothing when both are there (milliseconds).
  path         Install if needed; print kube-apiserver's path on stdout.
  etcd-path    Install etcd if needed; print etcd's path on stdout.
  status       Say what is installed; exit 0 if both are, 3 if not.
  -h, --help   This help.

The binaries are started by @hoot/testing's startKubeApiserver() (certificates, token, kubeconfig, free
ports). Environment: XDG_CACHE_HOME, GOPROXY, GOFLAGS.
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

cache_bin() {
  printf '%s/hoot/kube-apiserver-%s-%s/kube-apiserver' "${XDG_CACHE_HOME:-$HOME/.cache}" "$(kube_version)" "$(source_hash)"
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

link_bin() {
  mkdir -p "$(dirname "$BIN_LINK")"
  if [[ "$(readlink "$BIN_LINK" 2>/dev/null || true)" != "$1" ]]; then
    ln -sfn "$1" "$BIN_LINK"
  fi
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

install_apiserver() {
  local bin version
  bin="$(cache_bin)"
  version="$(kube_version)"
  if [[ -x "$bin" ]]; then
    link_bin "$bin"
    return 0
  fi
  check_go
  mkdir -p "$(dirname "$bin")"
  # One build at a time per cache folder (parallel test workers may all ask on a fresh machine).
  exec 9>"$(dirname "$bin")/.lock"
  if ! flock -n 9; then
    log "another process is building kube-apiserver $version; waiting for it…"
    flock 9
  fi
  if [[ ! -x "$bin" ]]; then
    local start=$SECONDS
    log "building kube-apiserver v$version from the Go module proxy (first time: about 11 minutes on 2 cores)…"
    log "downloading modules…"
    go_in_src mod download
    log "compiling…"
    local tmp="$bin.tmp.$$"
    trap "rm -f '$tmp'" EXIT
    local args
    mapfile -t args < <(build_args)
    go_in_src build "${args[@]}" -o "$tmp" "$PACKAGE"
    mv -f "$tmp" "$bin" # atomic: nobody ever sees a half-written binary
    trap - EXIT
    log "built kube-apiserver v$version in $((SECONDS - start))s: $bin"
  fi
  exec 9>&-
  link_bin "$bin"
}

cmd_install() {
  [[ $# -eq 0 ]] || die "install takes no arguments"
  install_etcd
  install_apiserver
  log "ready: $(cache_bin), $(command -v etcd)"
}

cmd_path() {
  [[ $# -eq 0 ]] || die "path takes no arguments"
  install_apiserver >&2
  cache_bin
  echo
}

cmd_etcd_path() {
  [[ $# -eq 0 ]] || die "etcd-path takes no arguments"
  install_etcd
  command -v etcd
}

cmd_status() {
  local bin ok=0
  bin="$(cache_bin)"
  if [[ -x "$bin" ]]; then
    echo "kube-apiserver: v$(kube_version) installed: $bin"
  else
    echo "kube-apiserver: v$(kube_version) not built (run: scripts/infra/kube-apiserver.sh install)"
    ok=3
  fi
  if command -v etcd >/dev/null 2>&1; then
    echo "kube-apiserver: etcd installed: $(command -v etcd) ($(etcd --version 2>/dev/null | head -n 1))"
  else
    echo "kube-apiserver: etcd not installed (run: scripts/infra/kube-apiserver.sh install)"
    ok=3
  fi
  return $ok
}

main() {
  local cmd="${1:-}"
  [[ $# -eq 0 ]] || shift
  case "$cmd" in
    install) cmd_install "$@" ;;
    path) cmd_path "$@" ;;
    etcd-path) cmd_etcd_path "$@" ;;
    status) cmd_status "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) log "unknown command '$cmd'"; usage >&2; exit 2 ;;
  esac
}

main "$@"; exit $?
