#!/usr/bin/env bash
# Real single-node KRaft Kafka broker for development and tests, built from Maven Central jars.
#
#   scripts/infra/kafka.sh install
#   scripts/infra/kafka.sh run    [--port P] [--controller-port C] [--data-dir D] [--node-id N]
#   scripts/infra/kafka.sh start  [--port P] [--controller-port C] [--data-dir D] [--node-id N]
#   scripts/infra/kafka.sh stop   [--port P]
#   scripts/infra/kafka.sh status [--port P]
#
# Needs java (17+) and mvn (installed from Debian when missing: scripts/infra/apt-ensure.sh). Jars are cached in Maven's user-level local repository (~/.m2); the classpath is
# copied into the git-ignored .infra/kafka/lib. See `kafka.sh --help`.
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
# log4j version that kafka-server ${KAFKA_VERSION} itself depends on (mvn dependency:tree)
LOG4J_VERSION="${KAFKA_LOG4J_VERSION:-2.25.5}"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
SUPPORT_DIR="$(dirname "$SCRIPT_PATH")/kafka"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/../.." && pwd)"
INFRA_DIR="$REPO_ROOT/.infra"
LIB_DIR="$INFRA_DIR/kafka/lib"
STAMP_FILE="$INFRA_DIR/kafka/lib.stamp"
RUN_DIR="$INFRA_DIR/run"
STAMP_CONTENT="kafka_2.13 $KAFKA_VERSION log4j $LOG4J_VERSION"

DEFAULT_PORT=9092
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
JVM_OPTS=(-Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError
  -Djava.net.preferIPv4Stack=true -Djava.awt.headless=true)

say() { printf 'kafka: %s\n' "$*" >&2; }
die() { printf 'kafka: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: scripts/infra/kafka.sh <command> [options]

Single-node KRaft Kafka broker (org.apache.kafka:kafka_2.13 $KAFKA_VERSION from Maven Central).

Commands:
  install    Fetch the broker jars into .infra/kafka/lib (idempotent; prints the lib dir on stdout).
  run        Install if needed, write <data-dir>/server.properties, format the storage if new, then
             exec the broker in the foreground (its PID is the JVM's; SIGTERM shuts it down cleanly).
  start      Like run, but in the background: pid file .infra/run/kafka-<port>.pid, log
             .infra/run/kafka-<port>.log. Waits until the broker accepts connections and has started.
  stop       SIGTERM the broker from the pid file, wait up to ${STOP_TIMEOUT}s, then SIGKILL. Idempotent.
  status     Show whether the broker(s) started by 'start' are running (exit 0 running, 3 not running).

Options (run, start, stop, status):
  --port P              Client (PLAINTEXT) port on 127.0.0.1           [default: $DEFAULT_PORT]
  --controller-port C   KRaft controller port on 127.0.0.1            [default: port + 1]
  --data-dir D          Data dir (server.properties, cluster id, logs/)
                        [default: .infra/kafka/data for port $DEFAULT_PORT, .infra/kafka/data-<port> otherwise]
  --node-id N           KRaft node id                                  [default: 1]

Environment:
  KAFKA_VERSION         kafka_2.13 version to use           [default: 4.4.0]
  KAFKA_LOG4J_VERSION   log4j2 version (slf4j-impl + core)   [default: 2.25.5]
  KAFKA_JAVA_OPTS       extra JVM options appended to the defaults
  KAFKA_START_TIMEOUT   seconds 'start' waits for readiness  [default: 90]
  KAFKA_STOP_TIMEOUT    seconds 'stop' waits before SIGKILL  [default: 30]

Clients connect to 127.0.0.1:<port> (never 'localhost').
EOF
}

# ---------------------------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------------------------

require_java() {
  # A fresh Debian machine: install the runtime (as chromium.sh installs the browser).
  "$(dirname "$SCRIPT_PATH")/apt-ensure.sh" java openjdk-17-jre-headless >&2 || true
  command -v java >/dev/null 2>&1 || die "'java' not found on PATH: Kafka $KAFKA_VERSION needs a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)"
  local v major
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${v%%.*}"
  [[ "$major" == 1 ]] && major="$(echo "$v" | cut -d. -f2)"
  if [[ "$major" =~ ^[0-9]+$ ]] && (( major < 17 )); then
    die "'java' is version $v; Kafka $KAFKA_VERSION needs Java 17 or newer"
  fi
}

require_mvn() {
  "$(dirname "$SCRIPT_PATH")/apt-ensure.sh" mvn maven >&2 || true
  command -v mvn >/dev/null 2>&1 || die "'mvn' (Apache Maven) not found on PATH: it is needed to fetch kafka_2.13 $KAFKA_VERSION from Maven Central (e.g. apt-get install maven)"
}

is_installed() {
  [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$STAMP_CONTENT" && -d "$LIB_DIR" ]]
}

do_install() {
  if is_installed; then
    echo "$LIB_DIR"
    return 0
  fi
  require_java
  require_mvn
  mkdir -p "$INFRA_DIR/kafka"
  # Serialise concurrent installs (parallel test workers); the holder of the lock does the work.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$INFRA_DIR/kafka/.install.lock"
    flock 9
    if is_installed; then
      exec 9>&-
      echo "$LIB_DIR"
      return 0
    fi
  fi

  if [[ -f "$HOME/.m2/repository/org/apache/kafka/kafka_2.13/$KAFKA_VERSION/kafka_2.13-$KAFKA_VERSION.jar" ]]; then
    say "copying kafka_2.13 $KAFKA_VERSION (+ log4j $LOG4J_VERSION) from the Maven cache ~/.m2 into $LIB_DIR…"
  else
    say "downloading kafka_2.13 $KAFKA_VERSION (+ log4j $LOG4J_VERSION) from Maven Central (cached in ~/.m2)…"
  fi
  local tmp_lib="$INFRA_DIR/kafka/lib.tmp.$$" mvn_log="$INFRA_DIR/kafka/mvn.log" start=$SECONDS rc=0
  rm -rf "$tmp_lib"
  # -U: retry artifacts whose earlier download failed (Maven would otherwise cache the failure for a day);
  # nothing already in ~/.m2 is downloaded again.
  MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1}" \
    mvn -B -q -U -f "$SUPPORT_DIR/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$LOG4J_VERSION" \
      "$DEPENDENCY_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$tmp_lib" >"$mvn_log" 2>&1 || rc=$?
  if (( rc != 0 )); then
    rm -rf "$tmp_lib"
    local clean missing
    clean="$(sed -e 's/\x1b\[[0-9;]*m//g' "$mvn_log")"
    grep -E '^\[ERROR\] [^ ]' <<<"$clean" | grep -v -e 'Re-run Maven' -e 'For more information' -e '\[Help 1\] http' \
      -e 'To see the full stack' | head -5 >&2 || true
    missing="$(sed -nE \
      -e 's/.*Could not find artifact ([^ ]+).*/\1/p' \
      -e 's/.*: ([^ :]+:[^ :]+:[^ :]+:[^ :]+) was not found in .*/\1/p' \
      -e 's/.*Failure to find ([^ ]+).*/\1/p' \
      -e 's/.*Could not transfer artifact ([^ ]+).*/\1/p' \
      -e 's/.*The following artifacts could not be resolved: ([^ ,]+).*/\1/p' \
      -e 's/.*Plugin ([^ ]+) or one of its dependencies could not be resolved.*/\1/p' \
      <<<"$clean" | head -1)"
    if [[ -n "$missing" ]]; then
      die "Maven could not resolve $missing (wanted kafka_2.13 $KAFKA_VERSION + log4j $LOG4J_VERSION via $DEPENDENCY_PLUGIN; full log: $mvn_log)"
    fi
    die "mvn failed (exit $rc) fetching kafka_2.13 $KAFKA_VERSION; full log: $mvn_log"
  fi
  compgen -G "$tmp_lib/kafka_2.13-*.jar" >/dev/null || die "mvn succeeded but no kafka_2.13 jar in $tmp_lib (see $mvn_log)"
  rm -rf "$LIB_DIR"
  mv "$tmp_lib" "$LIB_DIR"
  printf '%s\n' "$STAMP_CONTENT" >"$STAMP_FILE"
  { exec 9>&-; } 2>/dev/null || true   # release the install lock (must not leak into a backgrounded broker)
  say "installed $(ls "$LIB_DIR" | wc -l | tr -d ' ') jars in $((SECONDS - start))s"
  echo "$LIB_DIR"
}

# ---------------------------------------------------------------------------------------------------------------
# option parsing shared by run/start/stop/status
# ---------------------------------------------------------------------------------------------------------------

PORT="" CONTROLLER_PORT="" DATA_DIR="" NODE_ID=""

parse_opts() {
  while (($#)); do
    case "$1" in
      --port) PORT="${2:?--port needs a value}"; shift 2 ;;
      --port=*) PORT="${1#*=}"; shift ;;
      --controller-port) CONTROLLER_PORT="${2:?--controller-port needs a value}"; shift 2 ;;
      --controller-port=*) CONTROLLER_PORT="${1#*=}"; shift ;;
      --data-dir) DATA_DIR="${2:?--data-dir needs a value}"; shift 2 ;;
      --data-dir=*) DATA_DIR="${1#*=}"; shift ;;
      --node-id) NODE_ID="${2:?--node-id needs a value}"; shift 2 ;;
      --node-id=*) NODE_ID="${1#*=}"; shift ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown option '$1' (see --help)" ;;
    esac
  done
  PORT="${PORT:-$DEFAULT_PORT}"
  [[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT > 0 && PORT < 65536 )) || die "invalid --port '$PORT'"
  CONTROLLER_PORT="${CONTROLLER_PORT:-$((PORT + 1))}"
  [[ "$CONTROLLER_PORT" =~ ^[0-9]+$ ]] && (( CONTROLLER_PORT > 0 && CONTROLLER_PORT < 65536 )) \
    || die "invalid --controller-port '$CONTROLLER_PORT'"
  (( CONTROLLER_PORT != PORT )) || die "--controller-port must differ from --port"
  NODE_ID="${NODE_ID:-1}"
  [[ "$NODE_ID" =~ ^[0-9]+$ ]] || die "invalid --node-id '$NODE_ID'"
  if [[ -z "$DATA_DIR" ]]; then
    if (( PORT == DEFAULT_PORT )); then DATA_DIR="$INFRA_DIR/kafka/data"; else DATA_DIR="$INFRA_DIR/kafka/data-$PORT"; fi
  fi
  mkdir -p "$DATA_DIR"
  DATA_DIR="$(cd "$DATA_DIR" && pwd -P)"
  [[ "$DATA_DIR" != *\\* ]] || die "--data-dir must not contain backslashes: $DATA_DIR"
}

pid_file() { echo "$RUN_DIR/kafka-$1.pid"; }
log_file() { echo "$RUN_DIR/kafka-$1.log"; }

# running and not a zombie waiting to be reaped
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [[ ! -r "/proc/$1/stat" ]] || [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PID alive and still our broker (guards against PID reuse after a crash)
is_our_broker() {
  local pid="$1"
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -E 'kafka\.Kafka |kafka\.sh run|kafka\.tools\.StorageTool' >/dev/null
}

# ---------------------------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------------------------

new_cluster_id() {
  # 16 random bytes as unpadded base64url (22 chars), like org.apache.kafka.common.Uuid; never starting with '-'
  # (it would be read as a CLI option), and never the all-zero/sentinel ids.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
    [[ "$id" != -* && "$id" != AAAAAAAAAAAAAAAAAAAAA* ]] && break
  done
  echo "$id"
}

do_run() {
  parse_opts "$@"
  local lib
  lib="$(do_install)"
  require_java
  local log_dir="$DATA_DIR/logs" props="$DATA_DIR/server.properties" cid_file="$DATA_DIR/cluster-id" cid=""

  # Cluster id: the one already formatted into the log dir wins, else the persisted one, else a new one.
  if [[ -f "$log_dir/meta.properties" ]]; then
    cid="$(sed -n 's/^cluster\.id=//p' "$log_dir/meta.properties" | head -1)"
  fi
  [[ -n "$cid" ]] || { [[ -f "$cid_file" ]] && cid="$(tr -d ' \n\r' <"$cid_file")"; } || true
  [[ -n "$cid" ]] || cid="$(new_cluster_id)"
  printf '%s\n' "$cid" >"$cid_file"

  local tpl
  tpl="$(cat "$SUPPORT_DIR/server.properties.template")"
  tpl="${tpl//@NODE_ID@/$NODE_ID}"
  tpl="${tpl//@CONTROLLER_PORT@/$CONTROLLER_PORT}"
  tpl="${tpl//@PORT@/$PORT}"
  tpl="${tpl//@LOG_DIR@/$log_dir}"
  printf '%s\n' "$tpl" >"$props"

  local -a java_cmd=(java "${JVM_OPTS[@]}" "-Dlog4j2.configurationFile=$SUPPORT_DIR/log4j2.properties")
  # shellcheck disable=SC2206  # word-splitting of user-supplied extra options is intended
  [[ -z "${KAFKA_JAVA_OPTS:-}" ]] || java_cmd+=($KAFKA_JAVA_OPTS)
  java_cmd+=(-cp "$lib/*")

  if [[ ! -f "$log_dir/meta.properties" ]]; then
    say "formatting $log_dir (cluster id $cid, node $NODE_ID)"
    "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cid" -c "$props" --ignore-formatted >&2 \
      || die "storage format failed for $log_dir"
  fi

  say "starting kafka_2.13 $KAFKA_VERSION on 127.0.0.1:$PORT (controller 127.0.0.1:$CONTROLLER_PORT, data $DATA_DIR)"
  # 'start' asks us to record our PID; exec keeps it, so it is the JVM's.
  [[ -z "${_KAFKA_SH_PIDFILE:-}" ]] || echo "$$" >"$_KAFKA_SH_PIDFILE"
  unset _KAFKA_SH_PIDFILE
  exec "${java_cmd[@]}" kafka.Kafka "$props"
}

# ---------------------------------------------------------------------------------------------------------------
# start / stop / status
# ---------------------------------------------------------------------------------------------------------------

do_start() {
  parse_opts "$@"
  mkdir -p "$RUN_DIR"
  local pidf logf pid
  pidf="$(pid_file "$PORT")"
  logf="$(log_file "$PORT")"
  if [[ -f "$pidf" ]]; then
    pid="$(cat "$pidf" 2>/dev/null || true)"
    if is_our_broker "$pid"; then
      if port_open "$PORT"; then say "already running (pid $pid); ready on 127.0.0.1:$PORT"; echo "127.0.0.1:$PORT"; return 0; fi
      die "a broker (pid $pid) from $pidf is running but not listening on $PORT; run 'kafka.sh stop --port $PORT'"
    fi
    rm -f "$pidf"
  fi
  port_open "$PORT" && die "port 127.0.0.1:$PORT is already in use by another process"
  port_open "$CONTROLLER_PORT" && die "controller port 127.0.0.1:$CONTROLLER_PORT is already in use by another process"

  do_install >/dev/null   # in the foreground, so download progress and errors show here
  local t0=$SECONDS
  : >"$logf"
  # New session: a Ctrl-C or hang-up of the caller's terminal does not reach the broker. 'run' writes its own
  # PID (= the JVM's after exec) to the pid file; 'setsid -w' stays alive as long as it if setsid had to fork.
  local -a detach=()
  command -v setsid >/dev/null 2>&1 && detach=(setsid -w)
  _KAFKA_SH_PIDFILE="$pidf" "${detach[@]}" "$SCRIPT_PATH" run --port "$PORT" --controller-port "$CONTROLLER_PORT" \
    --data-dir "$DATA_DIR" --node-id "$NODE_ID" </dev/null >>"$logf" 2>&1 &
  local child=$!
  say "starting on 127.0.0.1:$PORT (pid $child, log $logf)…"

  while :; do
    if ! alive "$child"; then
      rm -f "$pidf"
      tail -n 30 "$logf" >&2 || true
      die "broker exited during startup (log: $logf)"
    fi
    if port_open "$PORT" && grep -qE 'Kafka Server started|started \(kafka\.server\.Kafka(Raft)?Server\)' "$logf"; then
      break
    fi
    if (( SECONDS - t0 >= START_TIMEOUT )); then
      tail -n 30 "$logf" >&2 || true
      say "not ready after ${START_TIMEOUT}s; stopping it"
      do_stop_port "$PORT" || true
      die "broker did not become ready on 127.0.0.1:$PORT within ${START_TIMEOUT}s (log: $logf)"
    fi
    sleep 0.25
  done
  [[ -f "$pidf" ]] || echo "$child" >"$pidf"
  say "ready on 127.0.0.1:$PORT (pid $(cat "$pidf"), $((SECONDS - t0))s)"
  echo "127.0.0.1:$PORT"
}

do_stop_port() {
  local port="$1" pidf pid
  pidf="$(pid_file "$port")"
  if [[ ! -f "$pidf" ]]; then say "not running on port $port (no pid file)"; return 0; fi
  pid="$(cat "$pidf" 2>/dev/null || true)"
  if ! is_our_broker "$pid"; then
    rm -f "$pidf"
    say "not running on port $port (stale pid file removed)"
    return 0
  fi
  say "stopping broker on port $port (pid $pid)…"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < STOP_TIMEOUT * 4; i++)); do
    alive "$pid" || break
    sleep 0.25
  done
  if alive "$pid"; then
    say "still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do alive "$pid" || break; sleep 0.25; done
  fi
  rm -f "$pidf"
  say "stopped (port $port)"
}

do_stop() {
  local port="" 
  while (($#)); do
    case "$1" in
      --port) port="${2:?--port needs a value}"; shift 2 ;;
      --port=*) port="${1#*=}"; shift ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown option '$1' for stop (see --help)" ;;
    esac
  done
  do_stop_port "${port:-$DEFAULT_PORT}"
}

do_status() {
  local port="" rc=3 f p pid
  while (($#)); do
    case "$1" in
      --port) port="${2:?--port needs a value}"; shift 2 ;;
      --port=*) port="${1#*=}"; shift ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown option '$1' for status (see --help)" ;;
    esac
  done
  if is_installed; then echo "installed: kafka_2.13 $KAFKA_VERSION in $LIB_DIR"; else echo "installed: no (run: kafka.sh install)"; fi
  local -a files=()
  if [[ -n "$port" ]]; then
    files=("$(pid_file "$port")")
  else
    shopt -s nullglob
    files=("$RUN_DIR"/kafka-*.pid)
    shopt -u nullglob
    ((${#files[@]})) || files=("$(pid_file "$DEFAULT_PORT")")
  fi
  for f in "${files[@]}"; do
    p="$(basename "$f" .pid)"; p="${p#kafka-}"
    pid="$(cat "$f" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && is_our_broker "$pid"; then
      if port_open "$p"; then echo "running: 127.0.0.1:$p (pid $pid, log $(log_file "$p"))"; rc=0
      else echo "starting/unhealthy: pid $pid, port $p not accepting connections (log $(log_file "$p"))"; fi
    else
      echo "stopped: port $p$([[ -f "$f" ]] && echo ' (stale pid file)')"
    fi
  done
  return "$rc"
}

main() {
  local cmd="${1:-}"
  (($#)) && shift
  case "$cmd" in
    install) (($# == 0)) || die "install takes no options"; do_install ;;
    run) do_run "$@" ;;
    start) do_start "$@" ;;
    stop) do_stop "$@" ;;
    status) do_status "$@" ;;
    -h|--help|help) usage ;;
    "") usage >&2; exit 2 ;;
    *) say "unknown command '$cmd'"; usage >&2; exit 2 ;;
  esac
}

main "$@"
