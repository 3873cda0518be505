#!/usr/bin/env bash
# `npm start`: runs the whole platform on this machine, in the foreground, until Ctrl-C.
#   Kafka (KRaft, :9092) and the MongoDB-protocol server (FerretDB, :27017), data kept under .infra/,
#   the auth service (:3100) with a bootstrap admin and demo accounts, two kms-lite media servers
#   (:8888, :8890, real WebRTC), two registry nodes in two clouds (:3201 reg-c1-1, :3202 reg-c2-1) that
#   also serve the web app (built here with esbuild), and two CASH (:3301, :3302), one beside each kms-lite.
# Secrets are generated once per machine into .infra/dev-secrets/ (git-ignored) and printed; none is defaulted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
run_dir="$root/.infra/run"
secrets="$root/.infra/dev-secrets"
mkdir -p "$run_dir" "$secrets"
chmod 700 "$secrets"

say() { printf '\033[1m[hoot]\033[0m %s\n' "$*"; }
pids=()
cleanup() {
  trap - EXIT INT TERM
  say "stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  scripts/infra/ferretdb.sh stop --port 27017 >/dev/null 2>&1 || true
  scripts/infra/kafka.sh stop --port 9092 >/dev/null 2>&1 || true
  say "stopped; nothing left running"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages…"
  npm install --no-audit --no-fund
fi

say "Kafka…"
scripts/infra/kafka.sh start --port 9092 --controller-port 9093 --data-dir "$root/.infra/kafka/data"
say "MongoDB-protocol server…"
scripts/infra/ferretdb.sh start --port 27017 --data-dir "$root/.infra/ferretdb/data"

secret() { # secret NAME: a random value generated once
  local file="$secrets/$1"
  [ -s "$file" ] || (umask 077 && openssl rand -hex 24 >"$file")
  cat "$file"
}
node apps/auth/scripts/auth-keys.js --dir "$root/.infra/auth-keys" >/dev/null
admin_key=$(secret admin-api-key)
admin_password=$(secret admin-password)
service_key() { # service_key NAME: a service API key (hk_<16>_<43>) generated once
  local file="$secrets/service-key-$1"
  [ -s "$file" ] || (umask 077 && node apps/auth/scripts/auth-keys.js --service-key >"$file")
  cat "$file"
}
registries=(reg-c1-1 reg-c2-1)
declare -A registry_port=([reg-c1-1]=3201 [reg-c2-1]=3202)
declare -A registry_place=([reg-c1-1]="eu 50.11 8.68" [reg-c2-1]="us 40.71 -74.01")
service_keys="cash:$(service_key cash)"
for r in "${registries[@]}"; do service_keys="$service_keys,$r:$(service_key "$r")"; done

wait_http() { # wait_http NAME URL
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$2" 2>/dev/null; then say "$1 ready ($2)"; return 0; fi
    sleep 0.5
  done
  say "$1 did not become ready: see $run_dir/$1.log"
  exit 1
}

say "auth service…"
MONGO_URI=mongodb://127.0.0.1:27017/hoot_auth KAFKA_BROKERS=127.0.0.1:9092 PORT=3100 HOST=127.0.0.1 \
  AUTH_KEYS_DIR="$root/.infra/auth-keys" AUTH_ADMIN_API_KEY="$admin_key" \
  AUTH_BOOTSTRAP_ADMIN_USERNAME=admin AUTH_BOOTSTRAP_ADMIN_PASSWORD="$admin_password" NODE_ID=auth-local \
  AUTH_BOOTSTRAP_SERVICE_KEYS="$service_keys" \
  node -r ./tools/ts-node/register.js apps/auth/src/main.ts >"$run_dir/auth.log" 2>&1 &
pids+=($!)
wait_http auth http://127.0.0.1:3100/health/ready

for port in 8888 8890; do
  say "kms-lite on :$port…"
  node -r ./tools/ts-node/register.js apps/kms-lite/src/main.ts --port "$port" \
    --min-port $((40000 + (port - 8888) * 500)) --max-port $((40499 + (port - 8888) * 500)) \
    --node-id "kms-lite-$port" >"$run_dir/kms-lite-$port.log" 2>&1 &
  pids+=($!)
  wait_http "kms-lite-$port" "http://127.0.0.1:$port/health/ready"
done

say "web app (apps/web → dist/apps/web)…"
node apps/web/build.mjs >"$run_dir/web-build.log" 2>&1 || { say "the web app did not build: see $run_dir/web-build.log"; exit 1; }
say "web app built"

peers=""
for r in "${registries[@]}"; do peers="$peers${peers:+,}http://127.0.0.1:${registry_port[$r]}"; done
for r in "${registries[@]}"; do
  read -r region lat lon <<<"${registry_place[$r]}"
  say "registry node $r on :${registry_port[$r]}…"
  secret "webhook-signing-key-$r" >/dev/null # each node derives its accounts' webhook secrets from it
  REGISTRY_ID="$r" PORT="${registry_port[$r]}" HOST=127.0.0.1 NODE_ID="$r" \
    REGISTRY_PUBLIC_URL="http://127.0.0.1:${registry_port[$r]}" REGISTRY_PEERS="$peers" \
    REGISTRY_REGION="$region" REGISTRY_LATITUDE="$lat" REGISTRY_LONGITUDE="$lon" \
    AUTH_URL=http://127.0.0.1:3100 AUTH_ISSUER=https://auth.hoot.svc \
    REGISTRY_SERVICE_API_KEY_FILE="$secrets/service-key-$r" KAFKA_BROKERS=127.0.0.1:9092 \
    WEBHOOK_SIGNING_KEY_FILE="$secrets/webhook-signing-key-$r" WEBHOOK_ALLOW_PRIVATE_URLS=true \
    MONGO_URI="mongodb://127.0.0.1:27017/hoot_${r//-/_}" \
    node -r ./tools/ts-node/register.js apps/registry/src/main.ts >"$run_dir/$r.log" 2>&1 &
  pids+=($!)
  wait_http "$r" "http://127.0.0.1:${registry_port[$r]}/health/ready"
done

# One CoreMX per cloud: CASH beside each kms-lite, reporting to its own cloud's registry first.
declare -A cash_cloud=([3301]=c1 [3302]=c2)
declare -A cash_kms=([3301]=8888 [3302]=8890)
for port in 3301 3302; do
  cloud=${cash_cloud[$port]}
  id="coremx-1-$cloud"
  if [ "$cloud" = c1 ]; then order="http://127.0.0.1:3201,http://127.0.0.1:3202"; else order="http://127.0.0.1:3202,http://127.0.0.1:3201"; fi
  say "CASH $id on :$port (kms-lite :${cash_kms[$port]})…"
  mkdir -p "$root/.infra/cash/$id"
  COREMX_ID="$id" COREMX_ADDRESS="$id.$cloud.hoot.mx" SIGNALING_URL="ws://127.0.0.1:$port/signal" \
    PORT="$port" HOST=127.0.0.1 NODE_ID="cash-$id" KMS_URL="ws://127.0.0.1:${cash_kms[$port]}/kurento" \
    KAFKA_BROKERS=127.0.0.1:9092 CCES_JOURNAL_DIR="$root/.infra/cash/$id" \
    AUTH_URL=http://127.0.0.1:3100 AUTH_JWKS_URL=http://127.0.0.1:3100/.well-known/jwks.json \
    AUTH_ISSUER=https://auth.hoot.svc REGISTRY_URLS="$order" \
    CASH_SERVICE_API_KEY_FILE="$secrets/service-key-cash" \
    node -r ./tools/ts-node/register.js apps/cash/src/main.ts >"$run_dir/cash-$id.log" 2>&1 &
  pids+=($!)
  wait_http "cash-$id" "http://127.0.0.1:$port/health/ready"
done

say "demo accounts…"
for user in alice bob carol; do
  password=$(secret "password-$user")
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:3100/v1/admin/accounts \
    -H "authorization: Bearer $admin_key" -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"displayName\":\"${user^}\",\"password\":\"$password\"}")
  case "$code" in
    201 | 409) printf '  %-6s password %s\n' "$user" "$password" ;;
    *) say "could not create $user (HTTP $code)"; exit 1 ;;
  esac
done
printf '  %-6s password %s (admin API key in .infra/dev-secrets/admin-api-key)\n' admin "$admin_password"

cat <<MSG

$(say "up:")
  web app          http://127.0.0.1:3201/  (cloud c1)   http://127.0.0.1:3202/  (cloud c2)   ← open this, sign in as alice
  Kafka            127.0.0.1:9092
  MongoDB protocol mongodb://127.0.0.1:27017/
  auth             http://127.0.0.1:3100   (token: POST /v1/tokens {"grant_type":"password","username":"alice","password":"…"})
  kms-lite         ws://127.0.0.1:8888/kurento, ws://127.0.0.1:8890/kurento
  registry nodes   http://127.0.0.1:3201 (reg-c1-1), http://127.0.0.1:3202 (reg-c2-1)   (OpenAPI at /docs)
  CASH             http://127.0.0.1:3301 (coremx-1-c1), http://127.0.0.1:3302 (coremx-1-c2)   (signaling at /signal)
  logs             .infra/run/*.log
Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}" || true
say "a service exited; see .infra/run/*.log"
