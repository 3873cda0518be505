#!/usr/bin/env bash
# Kubernetes' own binaries — kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and
# kubectl — built from the Go module proxy through the wrapper module scripts/infra/kubernetes/ (one `tool`
# line each; k8s.io/kubernetes with its staging modules replaced by their published v0.X.Y, since a plain
# `go install` is refused) in ONE `go build` into a user-level, versioned cache folder (scripts/infra/lib/go-tool.sh,
# as for CoreDNS and kube-router), so a fresh clone does not rebuild; and Debian's `etcd-server`. Used by
# scripts/cluster-up (a real one-node cluster) and by @hoot/testing's startKubeApiserver() (API server + etcd).
#
#   install      etcd (apt) when missing, then the build (about 15 minutes on 2 cores, once)
#   dir | path NAME | status    as for every Go tool (see --help), status also says whether etcd is there
#   etcd-path    install etcd if needed; print its path
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034 # read by go-tool.sh
GT_NAME=kubernetes
GT_SRC_DIR="$SCRIPT_DIR/kubernetes"
GT_MODULE=k8s.io/kubernetes
GT_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
GT_PKGS=("${GT_BINARIES[@]/#/k8s.io/kubernetes/cmd/}")
GT_CGO=1
GT_MINUTES=15
# shellcheck source=scripts/infra/lib/go-tool.sh
source "$SCRIPT_DIR/lib/go-tool.sh"

# What `kube-apiserver --version` and the /version endpoint report (a module build has no git data);
# clients such as helm and kubectl read it.
version="$(gt_version)"
IFS=. read -r major minor _ <<<"$version"
pkg=k8s.io/component-base/version
GT_LDFLAGS="-X $pkg.gitVersion=v$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"

install_etcd() {
  command -v etcd >/dev/null 2>&1 && return 0
  "$SCRIPT_DIR/apt-ensure.sh" etcd etcd-server >&2 || gt_die "etcd is missing and could not be installed (Debian: etcd-server)"
}

case "${1:-}" in
  install) install_etcd; gotool_main install ;;
  etcd-path) install_etcd; command -v etcd ;;
  status)
    status=0
    gotool_main status || status=$?
    if command -v etcd >/dev/null 2>&1; then echo "kubernetes: etcd installed: $(command -v etcd)"; else
      echo "kubernetes: etcd not installed (run: scripts/infra/kubernetes.sh install)"; status=3
    fi
    exit "$status"
    ;;
  *) gotool_main "$@" ;;
esac
