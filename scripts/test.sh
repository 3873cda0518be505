#!/usr/bin/env bash
# The one test command (`npm test`, the README's second command; `.ci/run` calls exactly this).
# On a bare machine it installs what it needs (npm packages, Kafka jars from Maven Central, the FerretDB
# build from the Go module proxy, Debian's Chromium, a Docker engine, Kubernetes built from the Go module
# proxy), then runs lint, type checks, unit, integration and end-to-end specs — the last ones on a real
# one-node Kubernetes cluster — and ends with one line of counts. Heavy caches live at user level (~/.m2, Go's caches,
# ~/.cache/hoot) so a fresh clone is fast the second time.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false FORCE_COLOR=0

results="$root/test-artifacts/jest"
rm -rf "$results"
mkdir -p "$results"
failed=()
t0=$(date +%s)

step() { printf '\n\033[1m== %s\033[0m (%ss)\n' "$*" "$(($(date +%s) - t0))"; }
run() {
  local name=$1
  shift
  if ! "$@"; then
    failed+=("$name")
    printf '!! %s failed\n' "$name"
  fi
}
need() { "$@" || { printf '!! setup failed: %s\n' "$*"; exit 1; }; }

step "npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Installs exactly the lockfile's versions (`npm ci` accepts it too, on npm 10 and 11) but keeps an existing tree.
  need npm install --no-audit --no-fund
else
  echo "node_modules is current"
fi

step "local infrastructure (cached under .infra/ and user caches)"
need scripts/infra/kafka.sh install >/dev/null
need scripts/infra/ferretdb.sh install >/dev/null
if [ -x scripts/infra/chromium.sh ]; then need scripts/infra/chromium.sh install >/dev/null; fi
if [ -x scripts/infra/ffmpeg.sh ]; then need scripts/infra/ffmpeg.sh >/dev/null; fi
# etcd (apt) and the Kubernetes binaries built from the Go module proxy: ~15 min once per machine, then cached.
need scripts/infra/kubernetes.sh install >/dev/null
need scripts/infra/helm.sh install >/dev/null
need scripts/infra/kube-score.sh install >/dev/null

step "static checks: path aliases and formatting"
run aliases node tools/workspace/src/check-aliases.js
run format npx prettier --check --log-level warn .

step "lint, type checks and unit specs (every project)"
nx_flags=(--parallel=2 --outputStyle=static)
# CI runs everything for real; a developer's second run may reuse Nx's cache for unchanged projects.
[ "${CI:-}" = "true" ] && nx_flags+=(--skip-nx-cache)
run unit npx nx run-many -t lint typecheck test "${nx_flags[@]}"

step "integration specs (real Kafka broker, real MongoDB-protocol server, real processes)"
run integration npx jest -c jest.integration.config.js --forceExit --json --outputFile="$results/integration.json"

for e2e in apps/*/jest.e2e.config.js; do
  [ -f "$e2e" ] || continue
  name=$(basename "$(dirname "$e2e")")
  step "end-to-end specs: $name (real headless Chromium)"
  run "e2e:$name" npx jest -c "$e2e" --forceExit --json --outputFile="$results/e2e-$name.json"
done

# Kubernetes for real: the images users run, a one-node cluster from real components (scripts/cluster-up),
# the chart installed into it, and a call through it. Each suite starts its own cluster and tears it down.
# The image builds start a Docker engine when none answers; one this run started is stopped at the end.
docker_was_up=0
scripts/infra/docker.sh status >/dev/null 2>&1 && docker_was_up=1
step "cluster specs: cluster-up/down, NetworkPolicy enforcement (a real one-node Kubernetes)"
run cluster npx jest -c tools/cluster-tests/jest.config.js --forceExit --json --outputFile="$results/cluster.json"
step "end-to-end through the cluster: images, chart, Chromium calls, failures (a real one-node Kubernetes)"
run cluster-e2e npx jest -c tools/cluster-e2e/jest.config.js --forceExit --json --outputFile="$results/cluster-e2e.json"

if [ "$docker_was_up" = 0 ]; then scripts/infra/docker.sh stop >/dev/null 2>&1 || true; fi

step "summary"
node tools/jest/summary.js "$results"
summary_status=$?
if [ ${#failed[@]} -gt 0 ] || [ $summary_status -ne 0 ]; then
  printf 'FAILED steps: %s\n' "${failed[*]:-(test counts)}"
  exit 1
fi
printf 'all green in %ss\n' "$(($(date +%s) - t0))"
