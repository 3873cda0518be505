#!/usr/bin/env bash
# kube-router (github.com/cloudnativelabs/kube-router/v2), the NetworkPolicy implementation of scripts/cluster-up:
# run there as a host process with only its firewall controller (--run-firewall=true --run-router=false
# --run-service-proxy=false) beside the bridge CNI; it enforces policies with iptables + ipset. v2.1.0 is the
# only v2 version the Go module proxy serves here (later tags answer 403). Built through the wrapper module
# scripts/infra/kube-router/ (pinned go.mod/go.sum), cached at user level in
# ${XDG_CACHE_HOME:-$HOME/.cache}/hoot/kube-router-<version>-<hash>/ and linked to .infra/kube-router. See --help.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck disable=SC2034 # read by go-tool.sh
GT_NAME=kube-router
GT_SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kube-router"
GT_MODULE=github.com/cloudnativelabs/kube-router/v2
GT_PKGS=(github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)
GT_BINARIES=(kube-router)
GT_LDFLAGS="-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=v2.1.0"
GT_MINUTES=5
# shellcheck source=scripts/infra/lib/go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-tool.sh"
gotool_main "$@"
