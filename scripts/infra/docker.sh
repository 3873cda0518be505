#!/usr/bin/env bash
# A Docker engine for building hoot's images on a machine that has none running.
#
#   scripts/infra/docker.sh ensure   start dockerd in the background when `docker info` fails, wait until it answers
#   scripts/infra/docker.sh status   print whether an engine answers (exit 1 when none does)
#   scripts/infra/docker.sh stop     stop the dockerd this script started (its pid file), nothing else
#
# Uses Debian's docker.io (installed with scripts/infra/apt-ensure.sh when dockerd is missing). An engine that
# already answers (Docker Desktop, a system service, another user's daemon) is used as it is. The daemon's log
# is .infra/docker/dockerd.log, its pid .infra/docker/dockerd.pid. Idempotent.
#
# Note: dockerd sets the iptables FORWARD policy to DROP when it starts; the cluster scripts account for that.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE="$ROOT/.infra/docker"
LOG="$STATE/dockerd.log"
PIDFILE="$STATE/dockerd.pid"
WAIT_S="${DOCKERD_WAIT_S:-60}"

log() { printf '[docker] %s\n' "$*" >&2; }
die() { printf '[docker] error: %s\n' "$*" >&2; exit 1; }

answers() { docker info >/dev/null 2>&1; }

ensure() {
  if answers; then
    log "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    return 0
  fi
  command -v docker >/dev/null 2>&1 || "$SCRIPT_DIR/apt-ensure.sh" docker docker.io >&2
  command -v dockerd >/dev/null 2>&1 || "$SCRIPT_DIR/apt-ensure.sh" dockerd docker.io >&2
  [[ "$(id -u)" -eq 0 ]] || die "no Docker engine answers and dockerd needs root: start one (e.g. 'sudo systemctl start docker') or run this as root"
  mkdir -p "$STATE"
  if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    log "dockerd (pid $(cat "$PIDFILE")) is running but does not answer yet; waiting"
  else
    log "starting dockerd in the background (log: ${LOG#"$ROOT"/})"
    # setsid: its own session, so it outlives this script and a Ctrl-C here does not reach it. Every other
    # descriptor we inherited is closed first: a daemon keeping a caller's lock file open (`flock LOCK
    # scripts/build-images.sh`) would hold that lock for as long as it runs.
    (
      for fd in /proc/self/fd/*; do
        fd="${fd##*/}"
        ((fd > 2)) && eval "exec ${fd}>&-" 2>/dev/null
      done
      exec setsid dockerd >>"$LOG" 2>&1 </dev/null
    ) &
    echo $! >"$PIDFILE"
  fi
  local waited=0
  until answers; do
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -n 20 "$LOG" >&2; die "dockerd exited; see ${LOG#"$ROOT"/}"; }
    ((waited < WAIT_S * 2)) || { tail -n 20 "$LOG" >&2; die "dockerd did not answer within ${WAIT_S}s; see ${LOG#"$ROOT"/}"; }
    sleep 0.5
    waited=$((waited + 1))
  done
  log "dockerd answers (pid $(cat "$PIDFILE"), engine $(docker version --format '{{.Server.Version}}'))"
}

stop() {
  if [[ ! -f "$PIDFILE" ]] || ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    log "no dockerd started by this script is running"
    rm -f "$PIDFILE"
    return 0
  fi
  local pid
  pid="$(cat "$PIDFILE")"
  log "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && die "dockerd (pid $pid) still running after 30 s"
  rm -f "$PIDFILE"
  log "stopped"
}

case "${1:-}" in
  ensure) ensure ;;
  status) if answers; then log "engine answers"; else log "no engine answers"; exit 1; fi ;;
  stop) stop ;;
  *) printf 'usage: %s ensure|status|stop\n' "$0" >&2; exit 2 ;;
esac
