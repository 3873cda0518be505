#!/usr/bin/env bash
# Installs Debian's chromium (for the headless-browser end-to-end specs) unless it is already there.
# Idempotent; says what it does. Needs root (or sudo) the first time. Never downloads browsers any other way.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "[chromium] already installed: $(command -v chromium) ($(chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "[chromium] not installed and not root: run 'apt-get install -y chromium' as root" >&2
    exit 1
  fi
fi

if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  echo "[chromium] package index has no chromium candidate: running apt-get update"
  $SUDO apt-get update
fi

echo "[chromium] installing Debian's chromium with apt-get"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
echo "[chromium] installed: $(command -v chromium) ($(chromium --version 2>/dev/null || echo 'version unknown'))"
