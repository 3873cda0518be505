#!/usr/bin/env bash
# Helm 3 for chart linting/templating and installs.
#
# Builds helm.sh/helm/v3/cmd/helm from the Go module proxy (`go install …@version`) into a user-level,
# versioned cache folder (so a fresh clone does not rebuild), links it to .infra/bin/helm and prints its
# path. See `scripts/infra/helm.sh --help`.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
BIN_LINK="$REPO_ROOT/.infra/bin/helm"

HELM_MODULE="helm.sh/helm/v3"
HELM_VERSION="3.21.4"
# The Kubernetes version `helm template`/`helm lint` assume without --kube-version. Helm's own Makefile
# derives it from the k8s.io/client-go it is built with (v0.36.x -> 1.36); a plain `go install` leaves the
# compiled-in default of 1.20. We do what the Makefile does (see kube_version below).
LDFLAGS_BASE="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"

log() { printf 'helm: %s\n' "$*" >&2; }
die() { printf 'helm: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: scripts/infra/helm.sh <command>

Helm v$HELM_VERSION, built from the Go module proxy.

Commands:
  install      Build helm once into \${XDG_CACHE_HOME:-\$HOME/.cache}/hoot/helm-$HELM_VERSION-<hash>/ (needs
               Go >= 1.24 and the Go module proxy), link it to .infra/bin/helm and print its path.
               Skips the build when the cached binary exists (then it takes milliseconds).
  path         Same as install (prints the binary's path on stdout; build messages go to stderr).
  status       Say whether it is built; exit 0 if so, 3 if not.
  -h, --help   This help.

The binary assumes Kubernetes 1.<minor of its client-go> when no cluster is reachable; still pass
--kube-version to 'helm lint' and 'helm template' to pin what charts are checked against.
Environment: XDG_CACHE_HOME, GOPROXY, GOFLAGS.
EOF
}

# 12 hex chars identifying what we build (module, version, flags, this script's build recipe version).
build_hash() {
  printf '%s\n' "$HELM_MODULE" "$HELM_VERSION" "$LDFLAGS_BASE" "recipe-1" | sha256sum | cut -c1-12
}

cache_dir() {
  printf '%s/hoot/helm-%s-%s' "${XDG_CACHE_HOME:-$HOME/.cache}" "$HELM_VERSION" "$(build_hash)"
}

check_go() {
  command -v go >/dev/null 2>&1 ||
    die "'go' (the Go toolchain, >= 1.24) is not on PATH; install Go (https://go.dev/dl/ or your package manager) and retry"
  local v
  v="$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null || true)"
  if [[ "$v" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] < 24)); then
    die "'go' is $v, but helm v$HELM_VERSION needs Go >= 1.24 (the build uses GOTOOLCHAIN=local and downloads no toolchain)"
  fi
}

# Runs a go command outside any module, niced (the machines this runs on are small and shared); on
# failure explains proxy refusals.
go_run() {
  local out status=0
  out="$(cd / && GOTOOLCHAIN=local GO111MODULE=on GOFLAGS="${GOFLAGS:-} -buildvcs=false" nice -n 10 go "$@" 2>&1)" || status=$?
  if ((status != 0)); then
    printf '%s\n' "$out" >&2
    if grep -Eqi '(403|404|410) (Forbidden|Not Found|Gone)|not available|proxy|dial tcp|i/o timeout|no such host|connection refused' <<<"$out"; then
      die "the Go module proxy ($(go env GOPROXY)) refused or could not serve a module needed for helm v$HELM_VERSION (see the message above)"
    fi
    die "'go $1' failed (see the message above)"
  fi
  printf '%s' "$out"
}

# "1 36" for a helm whose go.mod requires k8s.io/client-go v0.36.x (Helm's Makefile: major = 0 + 1).
kube_version() {
  local gomod
  gomod="$(go_run mod download -json "$HELM_MODULE@v$HELM_VERSION" | awk -F'"' '$2 == "GoMod" { print $4 }')"
  [[ -f "$gomod" ]] || die "could not find the go.mod of $HELM_MODULE@v$HELM_VERSION"
  awk '$1 == "k8s.io/client-go" { v = $2; sub(/^v/, "", v); split(v, p, "."); print p[1] + 1, p[2]; exit }' "$gomod"
}

link_bin() {
  mkdir -p "$(dirname "$BIN_LINK")"
  if [[ "$(readlink "$BIN_LINK" 2>/dev/null || true)" != "$1" ]]; then
    ln -sfn "$1" "$BIN_LINK"
  fi
}

cmd_install() {
  [[ $# -eq 0 ]] || die "install takes no arguments"
  local dir bin
  dir="$(cache_dir)"
  bin="$dir/helm"
  if [[ -x "$bin" ]]; then
    link_bin "$bin"
    printf '%s\n' "$bin"
    return 0
  fi

  check_go
  mkdir -p "$dir"
  # One build at a time per cache folder (parallel callers on a fresh machine wait for the first).
  exec 9>"$dir/.lock"
  if ! flock -n 9; then
    log "another process is building helm v$HELM_VERSION; waiting for it…"
    flock 9
  fi
  if [[ ! -x "$bin" ]]; then
    local start=$SECONDS major minor
    log "building helm v$HELM_VERSION from the Go module proxy (first time takes a few minutes)…"
    read -r major minor <<<"$(kube_version)"
    [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || die "could not read helm's k8s.io/client-go version"
    local ldflags="$LDFLAGS_BASE"
    local pkg
    for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
      ldflags+=" -X $pkg.k8sVersionMajor=$major -X $pkg.k8sVersionMinor=$minor"
    done
    local tmp="$dir/tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    trap "rm -rf '$tmp'" EXIT
    GOBIN="$tmp" go_run install -trimpath -ldflags "$ldflags" "$HELM_MODULE/cmd/helm@v$HELM_VERSION" >/dev/null
    mv -f "$tmp/helm" "$bin" # atomic: nobody ever sees a half-written binary
    rm -rf "$tmp"
    trap - EXIT
    log "built helm v$HELM_VERSION (default Kubernetes $major.$minor) in $((SECONDS - start))s: $bin"
  fi
  exec 9>&-
  link_bin "$bin"
  printf '%s\n' "$bin"
}

cmd_status() {
  local bin
  bin="$(cache_dir)/helm"
  if [[ -x "$bin" ]]; then
    echo "helm: v$HELM_VERSION installed: $bin"
    return 0
  fi
  echo "helm: v$HELM_VERSION not installed (run: scripts/infra/helm.sh install)"
  return 3
}

main() {
  local cmd="${1:-}"
  [[ $# -eq 0 ]] || shift
  case "$cmd" in
    install | path) cmd_install "$@" ;;
    status) cmd_status "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) log "unknown command '$cmd'"; usage >&2; exit 2 ;;
  esac
}

main "$@"; exit $?
