#!/usr/bin/env bash
# FerretDB 1.x (MongoDB wire protocol on SQLite) for local development and tests.
#
# Builds scripts/infra/ferretdb (our small Go program embedding github.com/FerretDB/FerretDB/ferretdb)
# from the Go module proxy into a user-level, versioned cache folder, links it to .infra/bin/hoot-ferretdb,
# and runs it. See `scripts/infra/ferretdb.sh --help`.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
SRC_DIR="$SCRIPT_DIR/ferretdb"
INFRA_DIR="$REPO_ROOT/.infra"
RUN_DIR="$INFRA_DIR/run"
BIN_LINK="$INFRA_DIR/bin/hoot-ferretdb"
DEFAULT_PORT=27017
DEFAULT_DATA_DIR="$INFRA_DIR/ferretdb/data"
READY_TIMEOUT_S="${HOOT_FERRETDB_READY_TIMEOUT:-60}"
STOP_TIMEOUT_S=20

# Only SQLite is used; this tag drops the PostgreSQL handler (and pgx) from the binary.
BUILD_TAGS="ferretdb_no_postgresql"
BUILD_ARGS=(-trimpath -tags "$BUILD_TAGS" -ldflags "-s -w")

# All messages go to stderr: stdout of `run` carries only the binary's ready line (a parent process parses it).
log() { printf 'ferretdb: %s\n' "$*" >&2; }
die() { printf 'ferretdb: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: scripts/infra/ferretdb.sh <command> [options]

FerretDB $(ferret_version) (MongoDB wire protocol, SQLite storage) on 127.0.0.1.
Connection string: mongodb://127.0.0.1:<port>/<db> (no options needed).

Commands:
  install                  Build hoot-ferretdb once into
                           \${XDG_CACHE_HOME:-\$HOME/.cache}/hoot/ferretdb-<version>-<hash>/ (needs Go >= 1.24
                           and the Go module proxy) and link it to .infra/bin/hoot-ferretdb. Skips the build
                           when the cached binary exists.
  run --port P (--data-dir D | --memory) [--log-level L]
                           Install if needed, then exec the server in the foreground. Prints one line to
                           stdout when it answers MongoDB pings:
                             ferretdb: ready on 127.0.0.1:P uri=mongodb://127.0.0.1:P/
                           Stops cleanly (exit 0) on SIGTERM/SIGINT. --port 0 picks a free port (read it from
                           the ready line). --memory keeps all data in memory (lost on exit).
  start [--port P] [--data-dir D] [--log-level L]
                           Start in the background (defaults: port $DEFAULT_PORT, data dir .infra/ferretdb/data),
                           wait until ready, print "ferretdb: ready on 127.0.0.1:P".
                           Pid file .infra/run/ferretdb-P.pid, log .infra/run/ferretdb-P.log.
                           Does nothing if this instance is already running.
  stop [--port P]          SIGTERM the instance started by 'start' (default port $DEFAULT_PORT), wait up to
                           ${STOP_TIMEOUT_S}s, then SIGKILL; remove the pid file. Succeeds if it is not running.
  status [--port P]        Show the installed binary and the instances started by 'start'. With --port, exit 0
                           if that instance runs, 3 if not.
  path                     Install if needed and print the binary's path.
  -h, --help               This help.

--log-level is FerretDB's own log level on stderr (debug, info, warn, error; default error: at warn
FerretDB dumps every failed command, including the endSessions every driver sends on disconnect).
Environment: HOOT_FERRETDB_READY_TIMEOUT (seconds 'start' waits, default 60), XDG_CACHE_HOME, GOPROXY, GOFLAGS.
EOF
}

# --- version / cache location -------------------------------------------------------------------------

# FerretDB version required by scripts/infra/ferretdb/go.mod, without the leading "v" (e.g. 1.24.2).
ferret_version() {
  awk '($1 == "require" && $2 == "github.com/FerretDB/FerretDB") || $1 == "github.com/FerretDB/FerretDB" {
         v = ($1 == "require") ? $3 : $2; sub(/^v/, "", v); print v; exit }' "$SRC_DIR/go.mod"
}

# 12 hex chars identifying the sources and the build flags.
source_hash() {
  { cat "$SRC_DIR/main.go" "$SRC_DIR/go.mod" "$SRC_DIR/go.sum"; printf '%s\n' "${BUILD_ARGS[@]}"; } |
    sha256sum | cut -c1-12
}

cache_bin() {
  local cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/hoot"
  printf '%s/ferretdb-%s-%s/hoot-ferretdb' "$cache_root" "$(ferret_version)" "$(source_hash)"
}

# --- install --------------------------------------------------------------------------------------------

check_go() {
  command -v go >/dev/null 2>&1 ||
    die "'go' (the Go toolchain, >= 1.24) is not on PATH; install Go (https://go.dev/dl/ or your package manager) and retry"

  local v
  v="$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null || true)" # e.g. go1.26.8
  if [[ "$v" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] < 24)); then
    die "'go' is $v, but FerretDB $(ferret_version) needs Go >= 1.24 (the build uses GOTOOLCHAIN=local and downloads no toolchain)"
  fi
}

# Runs a go command in SRC_DIR with our environment; on failure explains proxy refusals.
go_in_src() {
  local out status=0
  out="$(cd "$SRC_DIR" && GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" go "$@" 2>&1)" || status=$?
  if ((status != 0)); then
    printf '%s\n' "$out" >&2
    if grep -Eqi '(403|404|410) (Forbidden|Not Found|Gone)|not available|proxy|dial tcp|i/o timeout|no such host|connection refused|unrecognized import path' <<<"$out"; then
      die "the Go module proxy ($(go env GOPROXY)) refused or could not serve a module needed for FerretDB $(ferret_version) (see the message above)"
    fi
    die "'go $1' failed in $SRC_DIR (see the message above)"
  fi
  [[ -z "$out" ]] || printf '%s\n' "$out" >&2
}

link_bin() {
  local bin="$1"
  mkdir -p "$(dirname "$BIN_LINK")"
  if [[ "$(readlink "$BIN_LINK" 2>/dev/null || true)" != "$bin" ]]; then
    ln -sfn "$bin" "$BIN_LINK"
  fi
}

cmd_install() {
  [[ $# -eq 0 ]] || die "install takes no arguments"
  local bin version
  bin="$(cache_bin)"
  version="$(ferret_version)"

  if [[ -x "$bin" ]]; then
    link_bin "$bin"
    log "FerretDB $version already built: $bin"
    return 0
  fi

  check_go
  mkdir -p "$(dirname "$bin")"

  # One build at a time per cache folder (parallel test workers may all call `run` on a fresh machine).
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$(dirname "$bin")/.lock"
    if ! flock -n 9; then
      log "another process is building FerretDB $version; waiting for it…"
      flock 9
    fi
    if [[ -x "$bin" ]]; then
      exec 9>&-
      link_bin "$bin"
      log "FerretDB $version already built: $bin"
      return 0
    fi
  fi

  local start=$SECONDS
  log "building FerretDB $version from the Go module proxy (first time takes minutes)…"
  log "downloading modules…"
  go_in_src mod download
  log "compiling…"
  local tmp="$bin.tmp.$$"
  trap "rm -f '$tmp'" EXIT
  go_in_src build "${BUILD_ARGS[@]}" -o "$tmp" .
  mv -f "$tmp" "$bin" # atomic: nobody ever sees a half-written binary
  trap - EXIT
  exec 9>&- # release the lock (never leak it into an exec'd server)
  link_bin "$bin"
  log "built FerretDB $version in $((SECONDS - start))s: $bin"
}

ensure_installed() {
  local bin
  bin="$(cache_bin)"
  if [[ -x "$bin" ]]; then
    link_bin "$bin"
  else
    cmd_install >&2
  fi
  printf '%s' "$bin"
}

# --- process helpers ------------------------------------------------------------------------------------

pid_file() { printf '%s/ferretdb-%s.pid' "$RUN_DIR" "$1"; }
log_file() { printf '%s/ferretdb-%s.log' "$RUN_DIR" "$1"; }

# True if pid is alive (not a zombie) and runs hoot-ferretdb.
is_our_process() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ "$state" != "Z" && "$state" != "X" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep 'hoot-ferretdb' >/dev/null
}

# Pid from the pid file if that process is running, else nothing.
running_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(<"$f")"
  is_our_process "$pid" || return 1
  printf '%s' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && (("$1" <= 65535)) || die "invalid port '$1'"
}

# --- commands -------------------------------------------------------------------------------------------

cmd_run() {
  local port="" data_dir="" memory=false level=error
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) port="${2:?--port needs a value}"; shift 2 ;;
      --data-dir) data_dir="${2:?--data-dir needs a value}"; shift 2 ;;
      --memory) memory=true; shift ;;
      --log-level) level="${2:?--log-level needs a value}"; shift 2 ;;
      *) die "run: unknown option '$1' (see --help)" ;;
    esac
  done
  [[ -n "$port" ]] || die "run: --port is required"
  check_port "$port"
  if $memory; then
    [[ -z "$data_dir" ]] || die "run: use either --data-dir or --memory"
  else
    [[ -n "$data_dir" ]] || die "run: --data-dir D or --memory is required"
  fi

  local bin
  bin="$(ensure_installed)"
  if $memory; then
    exec "$bin" -listen-addr "127.0.0.1:$port" -memory -log-level "$level"
  fi
  exec "$bin" -listen-addr "127.0.0.1:$port" -data-dir "$data_dir" -log-level "$level"
}

cmd_start() {
  local port="$DEFAULT_PORT" data_dir="$DEFAULT_DATA_DIR" level=error
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) port="${2:?--port needs a value}"; shift 2 ;;
      --data-dir) data_dir="${2:?--data-dir needs a value}"; shift 2 ;;
      --log-level) level="${2:?--log-level needs a value}"; shift 2 ;;
      *) die "start: unknown option '$1' (see --help)" ;;
    esac
  done
  check_port "$port"
  ((port != 0)) || die "start: --port 0 is not supported (use 'run --port 0')"

  local pid
  if pid="$(running_pid "$port")"; then
    log "already running on 127.0.0.1:$port (pid $pid)"
    printf 'ferretdb: ready on 127.0.0.1:%s\n' "$port"
    return 0
  fi
  if port_open "$port"; then
    die "port $port on 127.0.0.1 is already in use by another process"
  fi

  local bin
  bin="$(ensure_installed)"
  mkdir -p "$RUN_DIR" "$data_dir"
  data_dir="$(cd "$data_dir" && pwd)"

  local pidf logf
  pidf="$(pid_file "$port")"
  logf="$(log_file "$port")"
  : >"$logf"

  # Detach from this shell's session so terminal signals do not reach the server.
  # (setsid does not fork here: a background job is not a process-group leader, so $! is the server's pid.)
  local launcher=(nohup)
  if command -v setsid >/dev/null 2>&1; then launcher=(setsid); fi
  "${launcher[@]}" "$bin" -listen-addr "127.0.0.1:$port" -data-dir "$data_dir" -log-level "$level" \
    </dev/null >>"$logf" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$pidf"

  local deadline=$((SECONDS + READY_TIMEOUT_S))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidf"
      tail -n 20 "$logf" >&2 || true
      die "FerretDB exited during startup (log: $logf)"
    fi
    # Ready line in the log, and the port accepts TCP and answers a MongoDB ping (our binary's -ping mode
    # connects like a client; a bare bash /dev/tcp connect+close makes FerretDB log a warning).
    if grep -q '^ferretdb: ready on ' "$logf" && "$bin" -ping "127.0.0.1:$port" 2>/dev/null; then
      break
    fi
    if ((SECONDS >= deadline)); then
      tail -n 20 "$logf" >&2 || true
      kill -TERM "$pid" 2>/dev/null || true
      rm -f "$pidf"
      die "FerretDB not ready after ${READY_TIMEOUT_S}s (log: $logf)"
    fi
    sleep 0.1
  done

  log "pid $pid, data dir $data_dir, log $logf"
  printf 'ferretdb: ready on 127.0.0.1:%s\n' "$port"
}

cmd_stop() {
  local port="$DEFAULT_PORT"
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) port="${2:?--port needs a value}"; shift 2 ;;
      *) die "stop: unknown option '$1' (see --help)" ;;
    esac
  done
  check_port "$port"

  local pidf pid
  pidf="$(pid_file "$port")"
  if ! pid="$(running_pid "$port")"; then
    if [[ -f "$pidf" ]]; then
      rm -f "$pidf"
      log "not running on port $port (removed stale pid file)"
    else
      log "not running on port $port"
    fi
    return 0
  fi

  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while is_our_process "$pid"; do
    if ((SECONDS >= deadline)); then
      log "pid $pid still running after ${STOP_TIMEOUT_S}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
  done
  rm -f "$pidf"
  log "stopped (port $port, pid $pid)"
}

cmd_status() {
  local port=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) port="${2:?--port needs a value}"; shift 2 ;;
      *) die "status: unknown option '$1' (see --help)" ;;
    esac
  done

  local bin
  bin="$(cache_bin)"
  if [[ -x "$bin" ]]; then
    echo "ferretdb: FerretDB $(ferret_version) installed: $bin"
  else
    echo "ferretdb: FerretDB $(ferret_version) not installed (run: scripts/infra/ferretdb.sh install)"
  fi

  if [[ -n "$port" ]]; then
    check_port "$port"
    local pid
    if pid="$(running_pid "$port")"; then
      echo "ferretdb: running on 127.0.0.1:$port (pid $pid, log $(log_file "$port"))"
      return 0
    fi
    echo "ferretdb: not running on 127.0.0.1:$port"
    return 3
  fi

  local f found=false
  shopt -s nullglob
  for f in "$RUN_DIR"/ferretdb-*.pid; do
    found=true
    local p pid
    p="$(basename "$f" .pid)"
    p="${p#ferretdb-}"
    if pid="$(running_pid "$p")"; then
      echo "ferretdb: running on 127.0.0.1:$p (pid $pid, log $(log_file "$p"))"
    else
      echo "ferretdb: stale pid file for port $p: $f"
    fi
  done
  $found || echo "ferretdb: no instance started by 'start'"
}

cmd_path() {
  [[ $# -eq 0 ]] || die "path takes no arguments"
  ensure_installed
  echo
}

main() {
  local cmd="${1:-}"
  [[ $# -eq 0 ]] || shift
  case "$cmd" in
    install) cmd_install "$@" ;;
    run) cmd_run "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    path) cmd_path "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) log "unknown command '$cmd'"; usage >&2; exit 2 ;;
  esac
}

# On one line, so bash has parsed everything before running: editing this file while an instance runs is safe.
main "$@"; exit $?
