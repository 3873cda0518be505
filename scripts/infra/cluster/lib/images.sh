# shellcheck shell=bash
# Images inside the cluster's containerd (namespace k8s.io). No registry can be reached here, so the cluster's
# own images are made from files: a one-layer docker-archive (manifest.json + config + layer.tar) built with tar
# and sha256sum and piped into `ctr images import`. Sourced after lib/cluster.sh.

# grep without -q reads all its input: with pipefail, `grep -q` quitting at the first match can SIGPIPE ctr (exit
# 141) and make a present image look absent.
image_present() { ctr_k8s images ls -q 2>/dev/null | grep -Fx -- "$1" >/dev/null; }

# import_dir_image TAG ROOTFS_DIR USER ENTRYPOINT…: imports ROOTFS_DIR as a one-layer image TAG unless an image
# with that tag and the same content is there already (marker: images/<tag>.id holding the config digest).
import_dir_image() {
  local tag="$1" dir="$2" user="$3"; shift 3
  local work diff_id config cfg_sha entry marker
  mkdir -p "$IMAGES_DIR"
  work="$(mktemp -d "$IMAGES_DIR/.import.XXXXXX")"
  tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$dir" -cf "$work/layer.tar" .
  diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  entry="$(printf '"%s",' "$@")"
  config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\",\"config\":{\"User\":\"$user\",\"Entrypoint\":[${entry%,}],\"Env\":[\"PATH=/\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"$diff_id\"]}}"
  cfg_sha="$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
  marker="$IMAGES_DIR/$(tr '/:' '__' <<<"$tag").id"
  if [[ "$(cat "$marker" 2>/dev/null)" == "$cfg_sha" ]] && image_present "$tag"; then
    rm -rf "$work"
    return 0
  fi
  printf '%s' "$config" >"$work/$cfg_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$cfg_sha" "$tag" >"$work/manifest.json"
  tar -C "$work" -cf - manifest.json "$cfg_sha.json" layer.tar | ctr_k8s images import - >/dev/null
  printf '%s' "$cfg_sha" >"$marker"
  rm -rf "$work"
  log "image $tag imported ($(du -sh "$dir" | cut -f1))"
}

# The sandbox image: scripts/infra/pause/pause.c, gcc -static.
ensure_pause_image() {
  local root="$IMAGES_DIR/pause-rootfs"
  if [[ ! -x "$root/pause" || "$REPO_ROOT/scripts/infra/pause/pause.c" -nt "$root/pause" ]]; then
    command -v gcc >/dev/null 2>&1 || "$REPO_ROOT/scripts/infra/apt-ensure.sh" gcc gcc >&2
    mkdir -p "$root"
    gcc -static -Os -s -o "$root/pause.tmp" "$REPO_ROOT/scripts/infra/pause/pause.c" ||
      die "gcc -static failed (Debian: apt-get install gcc libc6-dev)"
    mv -f "$root/pause.tmp" "$root/pause"
  fi
  import_dir_image "$PAUSE_IMAGE" "$root" 65535 /pause
}

# CoreDNS: the static binary from scripts/infra/coredns.sh, alone in an image.
ensure_coredns_image() {
  local root="$IMAGES_DIR/coredns-rootfs"
  mkdir -p "$root"
  cmp -s "$COREDNS" "$root/coredns" || cp -f "$COREDNS" "$root/coredns"
  import_dir_image "$COREDNS_IMAGE" "$root" 0 /coredns
}

# netcheck (scripts/infra/cluster/netcheck): serve / connect / resolve, for the DNS check and the specs.
NETCHECK_IMAGE=hoot.local/netcheck:1.0
ensure_netcheck_image() {
  local root="$IMAGES_DIR/netcheck-rootfs" src="$CLUSTER_INFRA_DIR/netcheck"
  mkdir -p "$root"
  if [[ ! -x "$root/netcheck" || "$src/main.go" -nt "$root/netcheck" ]]; then
    (cd "$src" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false nice -n 10 go build -trimpath -ldflags '-s -w' -o "$root/netcheck.tmp" .) ||
      die "go build of netcheck failed"
    mv -f "$root/netcheck.tmp" "$root/netcheck"
  fi
  import_dir_image "$NETCHECK_IMAGE" "$root" 65532 /netcheck
}
