# shellcheck shell=bash
# Installing hoot into a cluster, shared by scripts/cluster-install (the local one-node cluster) and
# scripts/minikube-up: the dev infrastructure of k8s/overlays/<overlay>, the Secrets made exactly as
# helm/hoot/README.md tells users (generated once into .infra/<overlay>-secrets/, never printed, never
# committed), `helm upgrade --install --wait` with k8s/overlays/<overlay>/values.yaml, `helm test`.
#
# Source it, then: hoot_install_init OVERLAY PREFIX [KUBECONFIG]; hoot_apply_overlay; hoot_create_secrets;
# hoot_helm_install [helm args…]; hoot_helm_test. Environment: HOOT_NAMESPACE (hoot), HOOT_RELEASE (hoot),
# HOOT_KUBECTL (a kubectl binary), HOOT_HELM_TIMEOUT (10m).

HOOT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

hoot_say() { printf '%s: [%5ss] %s\n' "$HOOT_PREFIX" "$((SECONDS - HOOT_T0))" "$*" >&2; }
hoot_die() { printf '%s: error: %s\n' "$HOOT_PREFIX" "$*" >&2; exit 1; }

# hoot_install_init OVERLAY PREFIX [KUBECONFIG]: sets HOOT_{OVERLAY,NS,RELEASE,SECRETS,VALUES,HELM} and
# the commands `kc` (kubectl for the cluster) and `hm` (helm for the cluster).
hoot_install_init() {
  HOOT_OVERLAY="$1" HOOT_PREFIX="$2" HOOT_KUBECONFIG="${3:-}"
  HOOT_T0=$SECONDS
  HOOT_NS="${HOOT_NAMESPACE:-hoot}"
  HOOT_RELEASE="${HOOT_RELEASE:-hoot}"
  HOOT_OVERLAY_DIR="$HOOT_ROOT/k8s/overlays/$HOOT_OVERLAY"
  HOOT_VALUES="$HOOT_OVERLAY_DIR/values.yaml"
  HOOT_SECRETS="$HOOT_ROOT/.infra/$HOOT_OVERLAY-secrets"
  [[ -f "$HOOT_OVERLAY_DIR/kustomization.yaml" && -f "$HOOT_VALUES" ]] ||
    hoot_die "no overlay k8s/overlays/$HOOT_OVERLAY (kustomization.yaml + values.yaml)"
  if [[ -n "${HOOT_KUBECTL:-}" ]]; then HOOT_KUBECTL_BIN="$HOOT_KUBECTL"
  elif [[ -x "$HOOT_ROOT/.infra/kubernetes/kubectl" ]]; then HOOT_KUBECTL_BIN="$HOOT_ROOT/.infra/kubernetes/kubectl"
  else HOOT_KUBECTL_BIN="$(command -v kubectl)" || hoot_die "kubectl is not installed"
  fi
  HOOT_HELM="$("$HOOT_ROOT/scripts/infra/helm.sh" path)" || hoot_die "no helm (scripts/infra/helm.sh path)"
  HOOT_KCARGS=() HOOT_HMARGS=()
  if [[ -n "$HOOT_KUBECONFIG" ]]; then
    [[ -f "$HOOT_KUBECONFIG" ]] || hoot_die "no kubeconfig at $HOOT_KUBECONFIG (start the cluster first)"
    HOOT_KCARGS=(--kubeconfig "$HOOT_KUBECONFIG") HOOT_HMARGS=(--kubeconfig "$HOOT_KUBECONFIG")
  fi
}
kc() { "$HOOT_KUBECTL_BIN" "${HOOT_KCARGS[@]}" "$@"; }
hm() { "$HOOT_HELM" "${HOOT_HMARGS[@]}" "$@"; }

# The dev Kafka and MongoDB-protocol server, the namespace (Pod Security `restricted`) and their policies.
hoot_apply_overlay() {
  hoot_say "applying k8s/overlays/$HOOT_OVERLAY (namespace $HOOT_NS, dev Kafka and MongoDB, their NetworkPolicies)…"
  kc apply -k "$HOOT_OVERLAY_DIR" >/dev/null
  local ns_enforce
  ns_enforce="$(kc get namespace "$HOOT_NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')"
  [[ "$ns_enforce" == restricted ]] || hoot_die "namespace $HOOT_NS does not enforce Pod Security restricted ($ns_enforce)"
}

# Waits until the dev Kafka and MongoDB of the overlay are Ready: hoot's services exit at start while
# they are unreachable (then restart with back-off), so installing after them is faster.
hoot_wait_infra() {
  local t=$SECONDS
  kc -n "$HOOT_NS" rollout status statefulset/hoot-kafka statefulset/hoot-mongodb --timeout="${1:-300}s" >/dev/null ||
    hoot_die "the dev Kafka/MongoDB are not Ready (kubectl -n $HOOT_NS describe pod hoot-kafka-0 hoot-mongodb-0)"
  hoot_say "dev Kafka and MongoDB Ready ($((SECONDS - t))s)"
}

# The registry node ids (reg-<cloud>-<priority>), as the chart derives them from the overlay's values.
hoot_registry_ids() {
  hm template "$HOOT_RELEASE" "$HOOT_ROOT/helm/hoot" -n "$HOOT_NS" -f "$HOOT_VALUES" \
    --show-only templates/registry/configmap.yaml | awk -F'"' '/^  REGISTRY_ID:/ { print $2 }'
}

# The CoreMX pod names (<statefulset>-<ordinal>, each a CoreMX id), as the chart renders the overlay's
# coremx.groups: every one needs its own CASH key, `cash-<pod name>`.
hoot_coremx_pods() {
  hm template "$HOOT_RELEASE" "$HOOT_ROOT/helm/hoot" -n "$HOOT_NS" -f "$HOOT_VALUES" \
    --show-only templates/coremx/statefulset.yaml |
    awk '/^kind:/ { sts = ($2 == "StatefulSet") } sts && /^  name:/ { name = $2 }
         sts && /^  replicas:/ { for (i = 0; i < $2; i++) print name "-" i }'
}

# Secrets, generated once into $HOOT_SECRETS (mode 700/600) and applied with the commands of
# helm/hoot/README.md ("Any cluster"), in their idempotent form (create --dry-run=client | apply).
hoot_create_secrets() {
  hoot_say "Secrets hoot-auth, hoot-auth-signing-keys, hoot-registry, hoot-cash and hoot-packager (keys per CoreMX pod; values in ${HOOT_SECRETS#"$HOOT_ROOT"/})…"
  mkdir -p "$HOOT_SECRETS" && chmod 700 "$HOOT_SECRETS"
  local once
  once() { # once FILE COMMAND…: run COMMAND into FILE unless FILE exists
    local file="$HOOT_SECRETS/$1"; shift
    [[ -s "$file" ]] || (umask 077 && "$@" >"$file.tmp" && mv "$file.tmp" "$file")
  }
  local registries=() id
  while read -r id; do registries+=("$id"); done < <(hoot_registry_ids)
  ((${#registries[@]})) || hoot_die "no registry nodes found in $HOOT_VALUES"
  local cash_accounts=() pod
  while read -r pod; do cash_accounts+=("cash-$pod"); done < <(hoot_coremx_pods)
  once admin-api-key openssl rand -hex 24
  once bootstrap-admin-password openssl rand -hex 12
  once webhook-signing-key openssl rand -hex 32
  # Service API keys: one per CoreMX pod (account cash-<pod name>: the registries accept a CoreMX's
  # membership only from its own CASH), every registry node, and `ops` (kubectl hoot coremx drain|undrain).
  local name
  for name in "${cash_accounts[@]}" ops "${registries[@]}"; do
    once "service-key-$name" node "$HOOT_ROOT/apps/auth/scripts/auth-keys.js" --service-key
  done
  (umask 077 && node "$HOOT_ROOT/apps/auth/scripts/auth-keys.js" --dir "$HOOT_SECRETS/auth-keys" >/dev/null)
  local service_keys
  service_keys="ops:$(<"$HOOT_SECRETS/service-key-ops")"
  for name in "${cash_accounts[@]}" "${registries[@]}"; do
    service_keys+=",$name:$(<"$HOOT_SECRETS/service-key-$name")"
  done
  (umask 077 && printf '%s' "$service_keys" >"$HOOT_SECRETS/bootstrap-service-keys")

  apply_secret() { kc -n "$HOOT_NS" create secret generic "$@" --dry-run=client -o yaml | kc apply -f - >/dev/null; }
  apply_secret hoot-auth-signing-keys --from-file="$HOOT_SECRETS/auth-keys"
  apply_secret hoot-auth --from-file=admin-api-key="$HOOT_SECRETS/admin-api-key" \
    --from-file=bootstrap-admin-password="$HOOT_SECRETS/bootstrap-admin-password" \
    --from-file=bootstrap-service-keys="$HOOT_SECRETS/bootstrap-service-keys"
  local reg_args=()
  for id in "${registries[@]}"; do reg_args+=(--from-file="$id=$HOOT_SECRETS/service-key-$id"); done
  apply_secret hoot-registry "${reg_args[@]}" --from-file=webhook-signing-key="$HOOT_SECRETS/webhook-signing-key"
  local cash_args=()
  for name in "${cash_accounts[@]}"; do cash_args+=(--from-file="$name=$HOOT_SECRETS/service-key-$name"); done
  # Replaced whole: a former shared `cash-service-api-key` does not survive.
  apply_secret hoot-cash "${cash_args[@]}"
  # The packager's two keys per CoreMX pod (control API, viewer-token HMAC), mounted by its packager and CASH.
  local packager_args=()
  while read -r pod; do
    once "packager-control-key-$pod" openssl rand -hex 24
    once "packager-viewer-token-key-$pod" openssl rand -hex 32
    packager_args+=(--from-file="packager-control-key-$pod=$HOOT_SECRETS/packager-control-key-$pod")
    packager_args+=(--from-file="packager-viewer-token-key-$pod=$HOOT_SECRETS/packager-viewer-token-key-$pod")
  done < <(hoot_coremx_pods)
  apply_secret hoot-packager "${packager_args[@]}"
}

# helm upgrade --install --wait with the overlay's values (extra helm args appended).
hoot_helm_install() {
  hoot_say "helm upgrade --install $HOOT_RELEASE (namespace $HOOT_NS, values k8s/overlays/$HOOT_OVERLAY/values.yaml), waiting for Ready…"
  local t=$SECONDS
  hm upgrade --install "$HOOT_RELEASE" "$HOOT_ROOT/helm/hoot" --namespace "$HOOT_NS" -f "$HOOT_VALUES" \
    --wait --timeout "${HOOT_HELM_TIMEOUT:-10m}" "$@" >/dev/null || {
    kc -n "$HOOT_NS" get pods -o wide >&2 || true
    hoot_die "helm upgrade --install failed or timed out (pods above; kubectl -n $HOOT_NS describe pod …)"
  }
  HOOT_INSTALL_SECONDS=$((SECONDS - t))
  hoot_say "release $HOOT_RELEASE deployed, workloads Ready, in ${HOOT_INSTALL_SECONDS}s"
}

# Waits until every pod of the namespace is Ready (Succeeded ones excepted); prints the time it took.
hoot_wait_pods_ready() {
  local t=$SECONDS timeout="${1:-600}" pending
  while :; do
    pending="$(kc -n "$HOOT_NS" get pods -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{if ne .status.phase "Succeeded"}}{{$ready := false}}{{range .status.conditions}}{{if and (eq .type "Ready") (eq .status "True")}}{{$ready = true}}{{end}}{{end}}{{if not $ready}}{{.metadata.name}} {{end}}{{end}}{{end}}{{end}}')"
    [[ -z "$pending" ]] && break
    ((SECONDS - t < timeout)) || hoot_die "pods not Ready after ${timeout}s: $pending"
    sleep 2
  done
  HOOT_READY_SECONDS=$((SECONDS - t))
}

# helm test; on failure, the logs of the failed test pods (kept by their hook-delete-policy).
hoot_helm_test() {
  hoot_say "helm test $HOOT_RELEASE…"
  local t=$SECONDS out
  if out="$(hm test "$HOOT_RELEASE" --namespace "$HOOT_NS" --timeout "${HOOT_HELM_TIMEOUT:-10m}" 2>&1)"; then
    HOOT_TEST_SECONDS=$((SECONDS - t))
    grep -E '^(TEST SUITE|Phase)' <<<"$out" | paste - - | awk '{ printf "  %s %s\n", $3, $NF }' >&2 || true
    hoot_say "helm test passed in ${HOOT_TEST_SECONDS}s"
  else
    printf '%s\n' "$out" >&2
    local pod
    for pod in $(kc -n "$HOOT_NS" get pods -l hoot.mx/test -o name); do
      printf -- '--- %s\n' "$pod" >&2
      kc -n "$HOOT_NS" logs "$pod" >&2 || true
    done
    hoot_die "helm test failed"
  fi
}
