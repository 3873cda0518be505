#!/usr/bin/env bash
# Installs Debian's chromium (for the headless-browser end-to-end specs) unless it is already there.
# Idempotent; says what it does. Needs root (or sudo) the first time. Never downloads browsers any other way.
set -euo pipefail

"$(dirname "$0")/apt-ensure.sh" chromium chromium
echo "[chromium] $(command -v chromium) ($(chromium --version 2>/dev/null || echo 'version unknown'))"
