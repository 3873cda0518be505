#!/usr/bin/env bash
# Base images for hoot's Dockerfiles on a machine that cannot pull them.
#
#   scripts/infra/base-images.sh ensure [TAG…]   make every base tag present (default: the FROM tags of our Dockerfiles)
#   scripts/infra/base-images.sh list            print the base tags our Dockerfiles use
#
# For each tag: present (`docker image inspect`) → nothing to do; else `docker pull` → done; else build a LOCAL
# stand-in under the SAME tag, so our Dockerfiles stay exactly what a user builds anywhere:
#   1. a Debian bookworm minbase rootfs (`debootstrap --variant=minbase`, ≈2.5 min once; the tarball is cached at
#      user level, ${XDG_CACHE_HOME:-~/.cache}/hoot/base-images/, so a fresh clone does not redo it), imported as
#      hoot-base/debian:bookworm-minbase;
#   2. a small Dockerfile per tag in scripts/infra/base-images/<tag with : and / as ->/ adding what the public
#      image has (node:20-bookworm-slim: the host's Node 20 + npm 10.8.2 + user node 1000; eclipse-temurin:17-jre:
#      Debian's OpenJDK 17 JRE). Only these local images carry the host's CA bundle (this machine intercepts TLS).
# Needs a Docker engine (scripts/infra/docker.sh ensure) and, for step 1, root and debootstrap (installed from
# Debian when missing). Idempotent; progress on stderr.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
RECIPES="$SCRIPT_DIR/base-images"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/hoot/base-images"
ROOTFS_TAG="hoot-base/debian:bookworm-minbase"
ROOTFS_TAR="$CACHE/debian-bookworm-minbase-slim.tar.gz"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NPM_VERSION="10.8.2" # what the official node:20-bookworm-slim ships
HOST_CA="/etc/ssl/certs/ca-certificates.crt"
PULL_TIMEOUT_S="${BASE_IMAGE_PULL_TIMEOUT_S:-60}"
export DOCKER_BUILDKIT=0 # no buildx here; the legacy builder needs no frontend image

log() { printf '[base-images] %s\n' "$*" >&2; }
die() { printf '[base-images] error: %s\n' "$*" >&2; exit 1; }

present() { docker image inspect "$1" >/dev/null 2>&1; }

# The FROM tags of our Dockerfiles (not stage names, not scratch).
our_tags() {
  local f
  for f in "$ROOT"/apps/*/Dockerfile "$ROOT"/images/*/Dockerfile; do
    [[ -f "$f" ]] || continue
    awk 'toupper($1) == "FROM" {
           for (i = 2; i <= NF; i++) if ($i !~ /^--/) { img = $i; break }
           as = (toupper($(NF-1)) == "AS") ? $NF : ""
           if (img != "scratch" && !(img in stages)) print img
           if (as != "") stages[as] = 1
         }' "$f"
  done | sort -u
}

recipe_of() { printf '%s/%s\n' "$RECIPES" "$(printf '%s' "$1" | tr ':/' '--')"; }

# What Debian's -slim images leave out (debuerreotype's slimify): docs but their copyright files, man pages,
# info, locales; a dpkg config keeps packages installed later (the JRE) from adding them back. No apt lists.
slim_rootfs() {
  local dir="$1"
  cat >"$dir/etc/dpkg/dpkg.cfg.d/hoot-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
DPKG
  find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$dir"/usr/share/{man,info,groff,lintian}/* "$dir"/var/cache/man/*
  find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
}

ensure_rootfs_tarball() {
  [[ -s "$ROOTFS_TAR" ]] && return 0
  [[ "$(id -u)" -eq 0 ]] || die "building the Debian rootfs needs root (debootstrap); run as root or provide $1 another way"
  "$SCRIPT_DIR/apt-ensure.sh" debootstrap debootstrap >&2
  mkdir -p "$CACHE"
  local dir
  dir="$(mktemp -d "${TMPDIR:-/var/tmp}/hoot-debootstrap.XXXXXX")"
  log "debootstrap --variant=minbase bookworm from $DEBIAN_MIRROR (≈2.5 min, once per machine; log: $dir.log)"
  local start=$SECONDS
  if ! debootstrap --variant=minbase bookworm "$dir" "$DEBIAN_MIRROR" >"$dir.log" 2>&1; then
    tail -n 20 "$dir.log" >&2
    rm -rf "$dir"
    die "debootstrap failed (full log: $dir.log)"
  fi
  slim_rootfs "$dir"
  tar -C "$dir" --numeric-owner -czf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir" "$dir.log"
  log "rootfs cached: $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1), $((SECONDS - start)) s)"
}

ensure_rootfs_image() {
  present "$ROOTFS_TAG" && return 0
  ensure_rootfs_tarball "$1"
  log "importing the rootfs as $ROOTFS_TAG"
  docker import -c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$ROOTFS_TAR" "$ROOTFS_TAG" >/dev/null
}

# Writes what the node recipe copies in: the host's Node 20 binary and npm's tarball.
node_context() {
  local ctx="$1" node_bin version
  node_bin="${NODE20_BINARY:-$(command -v node || true)}"
  [[ -n "$node_bin" ]] || die "no node on PATH: the local node:20 base copies the host's Node 20 (set NODE20_BINARY)"
  version="$("$node_bin" --version)"
  [[ "$version" == v20.* ]] || die "$node_bin is $version, not Node 20: set NODE20_BINARY to a Node 20 binary"
  cp "$(readlink -f "$node_bin")" "$ctx/node"
  local tgz="$CACHE/npm-$NPM_VERSION.tgz"
  if [[ ! -s "$tgz" ]]; then
    log "npm pack npm@$NPM_VERSION (from the npm registry)"
    mkdir -p "$CACHE"
    (cd "$CACHE" && npm pack "npm@$NPM_VERSION" --silent >/dev/null)
    [[ -s "$tgz" ]] || die "npm pack did not write $tgz"
  fi
  cp "$tgz" "$ctx/npm.tgz"
  log "context: node $version ($node_bin), npm $NPM_VERSION"
}

build_local() {
  local tag="$1" recipe ctx
  recipe="$(recipe_of "$tag")"
  [[ -f "$recipe/Dockerfile" ]] ||
    die "$tag is not present, cannot be pulled, and there is no local recipe ($recipe/Dockerfile)"
  ensure_rootfs_image "$tag"
  ctx="$(mktemp -d "${TMPDIR:-/tmp}/hoot-base-ctx.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$ctx'" RETURN
  cp -R "$recipe/." "$ctx/"
  if [[ -f "$HOST_CA" ]]; then cp "$HOST_CA" "$ctx/host-ca.crt"; else : >"$ctx/host-ca.crt"; fi
  case "$tag" in node:*) node_context "$ctx" ;; esac
  log "building the local stand-in for $tag"
  local start=$SECONDS
  local build_log
  build_log="$CACHE/build-$(basename "$recipe").log"
  mkdir -p "$CACHE"
  if ! docker build -t "$tag" "$ctx" >"$build_log" 2>&1; then
    tail -n 25 "$build_log" >&2
    die "building the local $tag failed (full log: $build_log)"
  fi
  log "built $tag locally in $((SECONDS - start)) s ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}'))"
}

ensure_one() {
  local tag="$1"
  if present "$tag"; then log "$tag: present"; return 0; fi
  log "$tag: not present, trying docker pull"
  if timeout "$PULL_TIMEOUT_S" docker pull -q "$tag" >/dev/null 2>&1; then log "$tag: pulled"; return 0; fi
  log "$tag: cannot be pulled, building it locally"
  build_local "$tag"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    list) our_tags ;;
    ensure)
      docker info >/dev/null 2>&1 || die "no Docker engine answers (scripts/infra/docker.sh ensure starts one)"
      local tags=("$@")
      ((${#tags[@]})) || mapfile -t tags < <(our_tags)
      local tag
      for tag in "${tags[@]}"; do ensure_one "$tag"; done
      ;;
    *) printf 'usage: %s ensure [TAG…] | list\n' "$0" >&2; exit 2 ;;
  esac
}

main "$@"
