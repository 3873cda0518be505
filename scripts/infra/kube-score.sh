#!/usr/bin/env bash
# kube-score: a Kubernetes manifest linter (security, reliability and best-practice checks), used by
# tools/helm-tests on the rendered chart and the k8s/ overlay.
#
# Built from the Go module proxy (`go install github.com/zegl/kube-score/cmd/kube-score@v1.20.0`) into a
# user-level, versioned cache folder, linked to .infra/bin/kube-score; prints its path.
# (kube-linter was the first choice: the Go proxy refuses golang.stackrox.io/kube-linter v0.8.3 and v0.7.6.)
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
BIN_LINK="$REPO_ROOT/.infra/bin/kube-score"

MODULE="github.com/zegl/kube-score"
VERSION="1.20.0"
LDFLAGS="-s -w -X main.version=v$VERSION"

log() { printf 'kube-score: %s\n' "$*" >&2; }
die() { printf 'kube-score: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<USAGE
Usage: scripts/infra/kube-score.sh install|path|status

kube-score v$VERSION, built from the Go module proxy.
  install, path   build once into \${XDG_CACHE_HOME:-\$HOME/.cache}/hoot/kube-score-$VERSION-<hash>/ (needs
                  Go >= 1.24; about 2-3 minutes cold, milliseconds when cached), link it to
                  .infra/bin/kube-score and print its path on stdout (build messages on stderr)
  status          exit 0 when built, 3 when not
USAGE
}

cache_dir() {
  local hash
  hash="$(printf '%s\n' "$MODULE" "$VERSION" "$LDFLAGS" "recipe-1" | sha256sum | cut -c1-12)"
  printf '%s/hoot/kube-score-%s-%s' "${XDG_CACHE_HOME:-$HOME/.cache}" "$VERSION" "$hash"
}

build() {
  command -v go >/dev/null 2>&1 || die "'go' (>= 1.24) is not on PATH; install Go and retry"
  local dir="$1" bin="$1/kube-score" tmp out status=0 start=$SECONDS
  tmp="$dir/tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  log "building kube-score v$VERSION from the Go module proxy (first time takes a few minutes)…"
  out="$(cd / && GOBIN="$tmp" GOTOOLCHAIN=local GO111MODULE=on GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
    nice -n 10 go install -trimpath -ldflags "$LDFLAGS" "$MODULE/cmd/kube-score@v$VERSION" 2>&1)" || status=$?
  if ((status != 0)); then
    rm -rf "$tmp"
    printf '%s\n' "$out" >&2
    die "'go install $MODULE/cmd/kube-score@v$VERSION' failed (see above; a 403/404/410 means the proxy refused it)"
  fi
  mv -f "$tmp/kube-score" "$bin" # atomic
  rm -rf "$tmp"
  log "built kube-score v$VERSION in $((SECONDS - start))s: $bin"
}

cmd_install() {
  local dir bin
  dir="$(cache_dir)"
  bin="$dir/kube-score"
  if [[ ! -x "$bin" ]]; then
    mkdir -p "$dir"
    exec 9>"$dir/.lock"
    flock 9 # one build at a time; later callers wait and then find the binary
    [[ -x "$bin" ]] || build "$dir"
    exec 9>&-
  fi
  mkdir -p "$(dirname "$BIN_LINK")"
  [[ "$(readlink "$BIN_LINK" 2>/dev/null || true)" == "$bin" ]] || ln -sfn "$bin" "$BIN_LINK"
  printf '%s\n' "$bin"
}

cmd_status() {
  local bin
  bin="$(cache_dir)/kube-score"
  if [[ -x "$bin" ]]; then echo "kube-score: v$VERSION installed: $bin"; return 0; fi
  echo "kube-score: v$VERSION not installed (run: scripts/infra/kube-score.sh install)"
  return 3
}

case "${1:-}" in
  install | path) cmd_install ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
