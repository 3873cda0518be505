#!/usr/bin/env bash
# Builds hoot's container images from build outputs, each with a Dockerfile a user can build anywhere.
#
#   image        Dockerfile                  build context (prepared here)   prepared by
#   auth         apps/auth/Dockerfile        dist/apps/auth                  tools/build/build-service.js (nx run auth:build)
#   registry     apps/registry/Dockerfile    dist/apps/registry              … (+ the web app)
#   cash         apps/cash/Dockerfile        dist/apps/cash                  …
#   kms-lite     apps/kms-lite/Dockerfile    dist/apps/kms-lite              …
#   packager     apps/packager/Dockerfile    dist/apps/packager              … (the image adds Debian's ffmpeg)
#   ferretdb     images/ferretdb/Dockerfile  dist/images/ferretdb            CGO_ENABLED=0 go build of scripts/infra/ferretdb
#   kafka        images/kafka/Dockerfile     dist/images/kafka               jars of scripts/infra/kafka.sh install
#
# Names and the tag come from ONE place, the helm chart: `image.repositories` in helm/hoot/values.yaml and
# `appVersion` in helm/hoot/Chart.yaml (override the tag with IMAGE_TAG, prefix a registry with IMAGE_REGISTRY).
# With the docker builder, a Docker engine is started when none answers (scripts/infra/docker.sh) and base images
# that cannot be pulled are built locally under their own tags (scripts/infra/base-images.sh); builds use the
# legacy builder (DOCKER_BUILDKIT=0) unless DOCKER_BUILDKIT is set. The minikube builder builds straight into
# minikube's engine (which pulls bases itself).
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
IMAGES=(auth registry cash kms-lite packager ferretdb kafka)

die() { printf 'build-images: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'build-images: %s\n' "$*" >&2; }

usage() {
  cat <<USAGE
Usage: scripts/build-images.sh [--list] [--builder docker|minikube] [--prepare-only] [image…]

  --list           print "<image> <Dockerfile>" for every image and exit
  --builder B      docker (docker build; starts dockerd and builds missing bases when needed) or minikube
                   (minikube image build); default: docker when an engine answers, else minikube when
                   it runs, else docker (started)
  --prepare-only   only write the build contexts (dist/apps/<svc>, dist/images/<name>); no engine needed
                   (--compile-only is the same)
Images: ${IMAGES[*]} (default: all). Environment: IMAGE_TAG, IMAGE_REGISTRY (prefix, e.g. ghcr.io/acme).
USAGE
}

dockerfile_of() {
  case "$1" in
    ferretdb | kafka) echo "images/$1/Dockerfile" ;;
    *) echo "apps/$1/Dockerfile" ;;
  esac
}

context_of() {
  case "$1" in
    ferretdb | kafka) echo "dist/images/$1" ;;
    *) echo "dist/apps/$1" ;;
  esac
}

chart_tag() {
  awk -F': *' '$1 == "appVersion" { gsub(/["\047 ]/, "", $2); print $2 }' "$ROOT/helm/hoot/Chart.yaml"
}

# The repository of one image from values.yaml: the `repositories:` block under `image:`.
chart_repository() {
  awk -v name="$1" '
    /^image:/ { in_image = 1; next }
    in_image && /^[^ #]/ { in_image = 0 }
    in_image && /^  repositories:/ { in_repos = 1; next }
    in_repos && /^    #/ { next }
    in_repos && !/^    / { in_repos = 0 }
    in_repos { key = $1; sub(/:$/, "", key); if (key == name) { v = $2; gsub(/["\047]/, "", v); print v; exit } }
  ' "$ROOT/helm/hoot/values.yaml"
}

image_of() {
  local repo tag
  repo="$(chart_repository "$1")"
  [[ -n "$repo" ]] || die "no image.repositories.$1 in helm/hoot/values.yaml"
  tag="${IMAGE_TAG:-$(chart_tag)}"
  [[ -n "$tag" ]] || die "no appVersion in helm/hoot/Chart.yaml"
  printf '%s%s:%s\n' "${IMAGE_REGISTRY:+$IMAGE_REGISTRY/}" "$repo" "$tag"
}

# Writes the build context of one image.
prepare() {
  local name="$1" ctx
  ctx="$ROOT/$(context_of "$name")"
  case "$name" in
    auth | registry | cash | kms-lite | packager)
      (cd "$ROOT" && node tools/build/build-service.js "$name")
      ;;
    ferretdb)
      command -v go >/dev/null 2>&1 || die "ferretdb needs Go (>= 1.24) to build scripts/infra/ferretdb"
      rm -rf "$ctx" && mkdir -p "$ctx/data"
      log "ferretdb: go build (static, CGO_ENABLED=0)…"
      (cd "$ROOT/scripts/infra/ferretdb" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" \
        go build -tags ferretdb_no_postgresql -trimpath -ldflags '-s -w' -o "$ctx/ferretdb" .)
      ;;
    kafka)
      local lib
      lib="$("$ROOT/scripts/infra/kafka.sh" install)"
      rm -rf "$ctx" && mkdir -p "$ctx"
      cp -R "$lib" "$ctx/lib"
      cp "$ROOT/scripts/infra/kafka/log4j2.properties" "$ROOT/images/kafka/kafka-entrypoint.sh" "$ctx/"
      log "kafka: $(find "$ctx/lib" -name '*.jar' | wc -l | tr -d ' ') jars in $(context_of kafka)"
      ;;
  esac
}

pick_builder() {
  if docker info >/dev/null 2>&1; then echo docker
  elif command -v minikube >/dev/null 2>&1 && minikube status >/dev/null 2>&1; then echo minikube
  else echo docker # docker.sh ensure starts one
  fi
}

build() {
  local name="$1" builder="$2" image ctx dockerfile start=$SECONDS
  image="$(image_of "$name")"
  ctx="$ROOT/$(context_of "$name")"
  dockerfile="$ROOT/$(dockerfile_of "$name")"
  log "building $image with $builder…"
  case "$builder" in
    docker) DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build -t "$image" -f "$dockerfile" "$ctx" >&2 ;;
    minikube) cp "$dockerfile" "$ctx/Dockerfile" && minikube image build -t "$image" "$ctx" >&2 ;;
  esac
  local size=""
  [[ "$builder" == docker ]] && size=", $(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%d MB", $1 / 1e6 }')"
  log "built $image in $((SECONDS - start)) s$size"
}

main() {
  local list=0 prepare_only=0 builder="" names=()
  while (($#)); do
    case "$1" in
      --list) list=1 ;;
      --prepare-only | --compile-only) prepare_only=1 ;;
      --builder) builder="${2:-}"; shift ;;
      -h | --help) usage; return 0 ;;
      -*) usage >&2; die "unknown option $1" ;;
      *) [[ " ${IMAGES[*]} " == *" $1 "* ]] || die "unknown image $1 (one of: ${IMAGES[*]})"; names+=("$1") ;;
    esac
    shift
  done
  ((${#names[@]})) || names=("${IMAGES[@]}")

  local name
  if ((list)); then
    for name in "${names[@]}"; do printf '%s %s\n' "$(image_of "$name")" "$(dockerfile_of "$name")"; done
    return 0
  fi
  for name in "${names[@]}"; do image_of "$name" >/dev/null; done # fail on a missing name before any work
  if ((!prepare_only)); then
    [[ -n "$builder" ]] || builder="$(pick_builder)"
    case "$builder" in
      docker)
        "$ROOT/scripts/infra/docker.sh" ensure
        local tags=() df
        for name in "${names[@]}"; do
          df="$ROOT/$(dockerfile_of "$name")"
          mapfile -t -O "${#tags[@]}" tags < <(awk 'toupper($1) == "FROM" && $2 != "scratch" { print $2 }' "$df")
        done
        if ((${#tags[@]})); then
          mapfile -t tags < <(printf '%s\n' "${tags[@]}" | sort -u)
          "$ROOT/scripts/infra/base-images.sh" ensure "${tags[@]}"
        fi
        ;;
      minikube) command -v minikube >/dev/null 2>&1 || die "--builder minikube: minikube is not installed" ;;
      *) die "--builder must be docker or minikube" ;;
    esac
  fi
  local total=$SECONDS
  for name in "${names[@]}"; do
    prepare "$name"
    ((prepare_only)) || build "$name" "$builder"
  done
  log "done: ${names[*]} in $((SECONDS - total)) s"
}

main "$@"
