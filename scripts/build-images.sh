#!/usr/bin/env bash
# Builds the container images of hoot's services (auth, registry, cash).
#
# Image names and the tag come from ONE place, the helm chart: `image.repositories` in
# helm/hoot/values.yaml and `appVersion` in helm/hoot/Chart.yaml (override the tag with IMAGE_TAG).
# Each image runs the build output: the service's TypeScript and the libs it uses, compiled with SWC
# (the same transform as tools/ts-node/register.js, path aliases rewritten to relative requires) into
# dist/images/<svc>/app, beside the workspace's package.json and package-lock.json for `npm ci --omit=dev`
# in the image (apps/<svc>/Dockerfile).
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
SERVICES=(auth registry cash)

die() { printf 'build-images: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'build-images: %s\n' "$*" >&2; }

usage() {
  cat <<USAGE
Usage: scripts/build-images.sh [--list] [--builder docker|minikube] [--compile-only] [service…]

  --list           print "<image> <Dockerfile>" for every service and exit
  --builder B      docker (docker build) or minikube (minikube image build, straight into the cluster);
                   default: docker when a Docker engine answers, else minikube when installed
  --compile-only   only write the build contexts under dist/images/ (no engine needed)
Services: ${SERVICES[*]} (default: all). Environment: IMAGE_TAG, IMAGE_REGISTRY (prefix, e.g. ghcr.io/acme).
USAGE
}

chart_tag() {
  awk -F': *' '$1 == "appVersion" { gsub(/["\047 ]/, "", $2); print $2 }' "$ROOT/helm/hoot/Chart.yaml"
}

# The repository of one service from values.yaml: the `repositories:` block under `image:`.
chart_repository() {
  awk -v svc="$1" '
    /^image:/ { in_image = 1; next }
    in_image && /^[^ #]/ { in_image = 0 }
    in_image && /^  repositories:/ { in_repos = 1; next }
    in_repos && !/^    / { in_repos = 0 }
    in_repos { key = $1; sub(/:$/, "", key); if (key == svc) { v = $2; gsub(/["\047]/, "", v); print v; exit } }
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

# Writes dist/images/<svc>/{app/,package.json,package-lock.json}.
compile() {
  local svc="$1" out="$ROOT/dist/images/$1"
  rm -rf "$out"
  mkdir -p "$out/app"
  cp "$ROOT/package.json" "$ROOT/package-lock.json" "$out/"
  (cd "$ROOT" && node - "$svc" "$out/app" <<'NODE'
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');
const [svc, outDir] = process.argv.slice(2);
const root = process.cwd();
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
const sources = [path.join('apps', svc, 'src'), ...fs.readdirSync('libs').map((lib) => path.join('libs', lib, 'src'))];
const skip = (file) => /\.spec\.ts$|\.test\.ts$|[/\\]testing[/\\]|[/\\]__fixtures__[/\\]/.test(file);
let count = 0;
function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (!skip(file)) emit(file);
  }
}
function emit(file) {
  const target = path.join(outDir, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (!file.endsWith('.ts') || file.endsWith('.d.ts')) return fs.copyFileSync(file, target);
  const { code, map } = transformSync(fs.readFileSync(file, 'utf8'), {
    filename: path.join(root, file),
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths: compilerOptions.paths,
    },
    module: { type: 'commonjs' },
    sourceMaps: true,
  });
  fs.writeFileSync(target.replace(/\.ts$/, '.js'), `${code}\n//# sourceMappingURL=${path.basename(target, '.ts')}.js.map\n`);
  fs.writeFileSync(target.replace(/\.ts$/, '.js.map'), map);
  count++;
}
sources.forEach(walk);
const main = path.join(outDir, 'apps', svc, 'src', 'main.js');
if (!fs.existsSync(main)) throw new Error(`no ${main}`);
process.stderr.write(`build-images: ${svc}: ${count} files compiled into ${outDir}\n`);
NODE
  )
}

pick_builder() {
  if docker info >/dev/null 2>&1; then echo docker
  elif command -v minikube >/dev/null 2>&1; then echo minikube
  else die "neither a Docker engine (docker info) nor minikube is available; use --compile-only, or install one"
  fi
}

main() {
  local list=0 compile_only=0 builder="" svcs=()
  while (($#)); do
    case "$1" in
      --list) list=1 ;;
      --compile-only) compile_only=1 ;;
      --builder) builder="${2:-}"; shift ;;
      -h | --help) usage; return 0 ;;
      -*) usage >&2; die "unknown option $1" ;;
      *) [[ " ${SERVICES[*]} " == *" $1 "* ]] || die "unknown service $1 (one of: ${SERVICES[*]})"; svcs+=("$1") ;;
    esac
    shift
  done
  ((${#svcs[@]})) || svcs=("${SERVICES[@]}")

  local svc
  if ((list)); then
    for svc in "${svcs[@]}"; do printf '%s apps/%s/Dockerfile\n' "$(image_of "$svc")" "$svc"; done
    return 0
  fi
  if ((!compile_only)); then
    [[ -n "$builder" ]] || builder="$(pick_builder)"
    [[ "$builder" == docker || "$builder" == minikube ]] || die "--builder must be docker or minikube"
  fi
  for svc in "${svcs[@]}"; do
    compile "$svc"
    if [[ "$svc" == registry ]]; then
      # The registry serves the web app from <cwd>/dist/apps/web (WEB_ROOT): /app/dist/apps/web in the image.
      log "building the web app into the registry image…"
      node "$ROOT/apps/web/build.mjs" --outdir "$ROOT/dist/images/registry/app/dist/apps/web" >&2
    fi
    ((compile_only)) && continue
    local image ctx="$ROOT/dist/images/$svc"
    image="$(image_of "$svc")"
    log "building $image with $builder…"
    case "$builder" in
      docker) docker build -t "$image" -f "$ROOT/apps/$svc/Dockerfile" "$ctx" ;;
      minikube) cp "$ROOT/apps/$svc/Dockerfile" "$ctx/Dockerfile" && minikube image build -t "$image" "$ctx" ;;
    esac
  done
}

main "$@"
