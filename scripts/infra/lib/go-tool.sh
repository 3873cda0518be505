# shellcheck shell=bash
# Shared by scripts/infra/kubernetes.sh, coredns.sh and kube-router.sh: builds the `tool` packages of a wrapper
# module (scripts/infra/<name>/go.mod + go.sum, pinned) from the Go module proxy into a user-level, versioned
# cache folder ${XDG_CACHE_HOME:-$HOME/.cache}/hoot/<name>-<version>-<hash>/ (hash of go.mod, go.sum and the build
# flags), linked to .infra/<name>: one build at a time (flock),
# binaries moved into place atomically, a .complete marker written last.
#
# The sourcing script sets, before calling gotool_main "$@":
#   GT_NAME      short name (coredns, kube-router), also the log prefix
#   GT_SRC_DIR   the wrapper module folder
#   GT_MODULE    the module whose version names the cache (e.g. github.com/coredns/coredns)
#   GT_PKGS      array: packages to build
#   GT_BINARIES  array: binary names those packages produce (same order)
#   GT_LDFLAGS   extra -ldflags (optional)
#   GT_CGO       CGO_ENABLED for the build (default 0: static binaries, which can also go into scratch images)
#   GT_MINUTES   rough cold build time on 2 cores, for the log line
set -euo pipefail

GT_REPO_ROOT="$(cd "$GT_SRC_DIR/../../.." && pwd)"

gt_log() { printf '%s: %s\n' "$GT_NAME" "$*" >&2; }
gt_die() { printf '%s: error: %s\n' "$GT_NAME" "$*" >&2; exit 1; }

gt_version() {
  awk -v m="$GT_MODULE" '($1 == "require" && $2 == m) || $1 == m { v = ($1 == "require") ? $3 : $2; sub(/^v/, "", v); print v; exit }' \
    "$GT_SRC_DIR/go.mod"
}

gt_build_args() { printf '%s\n' -trimpath -ldflags "-s -w ${GT_LDFLAGS:-}"; }

gt_hash() { { cat "$GT_SRC_DIR/go.mod" "$GT_SRC_DIR/go.sum"; gt_build_args; echo "CGO_ENABLED=${GT_CGO:-0}"; } | sha256sum | cut -c1-12; }

gt_cache_dir() { printf '%s/hoot/%s-%s-%s' "${XDG_CACHE_HOME:-$HOME/.cache}" "$GT_NAME" "$(gt_version)" "$(gt_hash)"; }

gt_built() {
  local dir b
  dir="$(gt_cache_dir)"
  [[ -f "$dir/.complete" ]] || return 1
  for b in "${GT_BINARIES[@]}"; do [[ -x "$dir/$b" ]] || return 1; done
}

gt_check_go() {
  command -v go >/dev/null 2>&1 ||
    gt_die "'go' (the Go toolchain, >= 1.26) is not on PATH; install Go (https://go.dev/dl/) and retry"
  local v
  v="$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null || true)"
  if [[ "$v" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] < 26)); then
    gt_die "'go' is $v, but the wrapper module needs Go >= 1.26 (GOTOOLCHAIN=local: no toolchain is downloaded)"
  fi
}

gt_go() {
  local out status=0
  out="$(cd "$GT_SRC_DIR" && CGO_ENABLED="${GT_CGO:-0}" GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" nice -n 10 go "$@" 2>&1)" ||
    status=$?
  if ((status != 0)); then
    printf '%s\n' "$out" >&2
    if grep -Eqi '(403|404|410) (Forbidden|Not Found|Gone)|not available|dial tcp|i/o timeout|no such host|connection refused' <<<"$out"; then
      gt_die "the Go module proxy ($(go env GOPROXY)) refused or could not serve a module (see above)"
    fi
    gt_die "'go $1' failed in $GT_SRC_DIR (see the message above)"
  fi
  [[ -z "$out" ]] || printf '%s\n' "$out" >&2
}

gt_link() {
  local link="$GT_REPO_ROOT/.infra/$GT_NAME"
  mkdir -p "$(dirname "$link")"
  [[ "$(readlink "$link" 2>/dev/null || true)" == "$1" ]] || ln -sfn "$1" "$link"
}

gt_install() {
  local dir version
  dir="$(gt_cache_dir)"
  version="$(gt_version)"
  if gt_built; then gt_link "$dir"; return 0; fi
  gt_check_go
  mkdir -p "$dir"
  exec 8>"$dir/.lock"
  if ! flock -n 8; then
    gt_log "another process is building $GT_NAME $version; waiting for it…"
    flock 8
  fi
  if ! gt_built; then
    local start=$SECONDS tmp="$dir.tmp.$$" args b
    gt_log "building $GT_NAME v$version (${GT_BINARIES[*]}) from the Go module proxy (first time: about ${GT_MINUTES:-5} minutes on 2 cores)…"
    gt_go mod download
    rm -rf "$tmp" && mkdir -p "$tmp"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    mapfile -t args < <(gt_build_args)
    gt_go build "${args[@]}" -o "$tmp/" "${GT_PKGS[@]}"
    for b in "${GT_BINARIES[@]}"; do mv -f "$tmp/$b" "$dir/$b"; done
    touch "$dir/.complete"
    rm -rf "$tmp"
    trap - EXIT
    gt_log "built $GT_NAME v$version in $((SECONDS - start))s: $dir"
  fi
  exec 8>&-
  gt_link "$dir"
}

gt_usage() {
  cat <<EOF
Usage: scripts/infra/$GT_NAME.sh <command>

$GT_NAME v$(gt_version) (${GT_BINARIES[*]}), built from the Go module proxy through scripts/infra/$GT_NAME/.

Commands:
  install      Build once into \${XDG_CACHE_HOME:-\$HOME/.cache}/hoot/$GT_NAME-<version>-<hash>/ (needs Go >= 1.26
               and the Go module proxy; about ${GT_MINUTES:-5} minutes on 2 cores), linked to .infra/$GT_NAME.
               Does nothing when built (milliseconds).
  dir          Install if needed; print the folder holding the binaries.
  path [NAME]  Install if needed; print the path of a binary (default: ${GT_BINARIES[0]}).
  status       Say what is installed; exit 0 if built, 3 if not.
  -h, --help   This help.

Environment: XDG_CACHE_HOME, GOPROXY, GOFLAGS.
EOF
}

gotool_main() {
  local cmd="${1:-}"
  [[ $# -eq 0 ]] || shift
  case "$cmd" in
    install) gt_install; gt_log "ready: $(gt_cache_dir)" ;;
    dir) gt_install >&2; gt_cache_dir; echo ;;
    path)
      local b="${1:-${GT_BINARIES[0]}}"
      [[ " ${GT_BINARIES[*]} " == *" $b "* ]] || gt_die "unknown binary '$b' (one of: ${GT_BINARIES[*]})"
      gt_install >&2
      printf '%s/%s\n' "$(gt_cache_dir)" "$b"
      ;;
    status)
      if gt_built; then echo "$GT_NAME: v$(gt_version) installed: $(gt_cache_dir)"; else
        echo "$GT_NAME: v$(gt_version) not built (run: scripts/infra/$GT_NAME.sh install)"; return 3
      fi
      ;;
    -h | --help | help) gt_usage ;;
    "") gt_usage >&2; exit 2 ;;
    *) gt_log "unknown command '$cmd'"; gt_usage >&2; exit 2 ;;
  esac
}
