#!/usr/bin/env bash
# CoreDNS (the cluster DNS of scripts/cluster-up) built from github.com/coredns/coredns through the Go module
# proxy via the wrapper module scripts/infra/coredns/ (pinned go.mod/go.sum), cached at user level in
# ${XDG_CACHE_HOME:-$HOME/.cache}/hoot/coredns-<version>-<hash>/ and linked to .infra/coredns. See --help.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck disable=SC2034 # read by go-tool.sh
GT_NAME=coredns
GT_SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/coredns"
GT_MODULE=github.com/coredns/coredns
GT_PKGS=(github.com/coredns/coredns)
GT_BINARIES=(coredns)
GT_MINUTES=5
# shellcheck source=scripts/infra/lib/go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-tool.sh"
gotool_main "$@"
