#!/usr/bin/env bash
# Installs a Debian package when the command it provides is missing: the way the project's scripts get
# their system tools on a fresh machine (apt is one of the registries these machines reach).
#
#   scripts/infra/apt-ensure.sh COMMAND PACKAGE     e.g. apt-ensure.sh java openjdk-17-jre-headless
#
# Idempotent and says what it does. Needs root (or sudo) when it has to install; refreshes the package
# index only when it has no candidate for PACKAGE. Exits non-zero, with the command to run, otherwise.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 COMMAND PACKAGE" >&2
  exit 2
fi
command_name="$1"
package="$2"
tag="[$command_name]"

if command -v "$command_name" >/dev/null 2>&1; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "$tag not installed and not root: run 'apt-get install -y $package' as root" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$tag not installed and this machine has no apt-get: install the package that provides '$command_name' ($package on Debian)" >&2
  exit 1
fi

if ! apt-cache policy "$package" 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null; then
  echo "$tag the package index has no $package candidate: running apt-get update"
  $SUDO apt-get update
fi
echo "$tag installing Debian's $package with apt-get"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "$package"
command -v "$command_name" >/dev/null 2>&1 || {
  echo "$tag $package is installed but '$command_name' is still not on PATH" >&2
  exit 1
}
echo "$tag installed: $(command -v "$command_name")"
