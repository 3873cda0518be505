#!/usr/bin/env bash
# `npm start`: runs what the platform has so far on this machine, in the foreground, until Ctrl-C.
#   Kafka (KRaft, :9092) and the MongoDB-protocol server (FerretDB, :27017), data kept under .infra/,
#   the auth service (:3100) with a bootstrap admin and demo accounts, and two kms-lite media servers
#   (:8888, :8890, real WebRTC). Registry nodes, CASH and the web app join this script as they land.
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
  Kafka            127.0.0.1:9092
  MongoDB protocol mongodb://127.0.0.1:27017/
  auth             http://127.0.0.1:3100   (token: POST /v1/tokens {"grant_type":"password","username":"alice","password":"…"})
  kms-lite         ws://127.0.0.1:8888/kurento, ws://127.0.0.1:8890/kurento
  logs             .infra/run/*.log
Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}" || true
say "a service exited; see .infra/run/*.log"
