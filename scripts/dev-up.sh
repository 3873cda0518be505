#!/usr/bin/env bash
# `npm start`: installs the npm packages when they are missing or older than package-lock.json, then runs
# scripts/start.ts — the whole platform in the foreground until Ctrl-C, through the same launcher the
# end-to-end specs use (`startPlatform` in libs/platform; what runs and where is in its README).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  printf '\033[1m[hoot]\033[0m %s\n' "installing npm packages…"
  npm install --no-audit --no-fund
fi
exec node -r ./tools/ts-node/register.js scripts/start.ts "$@"
