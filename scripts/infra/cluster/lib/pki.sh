# shellcheck shell=bash
# Certificates and kubeconfigs of the one-node cluster, made with openssl under .infra/cluster/pki/ (once; kept
# across cluster-down so the admin kubeconfig stays valid; --purge removes them). Sourced after lib/cluster.sh.

# cert NAME CN O EKU [SAN]: key + certificate signed by the cluster CA.
pki_cert() {
  local name="$1" cn="$2" org="$3" eku="$4" san="${5:-}" subj ext
  [[ -s "$PKI/$name.crt" && -s "$PKI/$name.key" ]] && return 0
  subj="/CN=$cn"
  [[ -z "$org" ]] || subj="/O=$org$subj"
  ext="$PKI/$name.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -z "$san" ]] || echo "subjectAltName=$san"
  } >"$ext"
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
  chmod 600 "$PKI/$name.key"
}

# kubeconfig FILE CERT_NAME: a kubeconfig for https://NODE_IP:API_PORT with the cert's client identity embedded.
pki_kubeconfig() {
  local file="$1" name="$2"
  [[ -s "$file" ]] && return 0
  cat >"$file.tmp" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: hoot
    cluster:
      server: https://$NODE_IP:$API_PORT
      certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
  - name: $name
    user:
      client-certificate-data: $(base64 -w0 "$PKI/$name.crt")
      client-key-data: $(base64 -w0 "$PKI/$name.key")
contexts:
  - name: hoot
    context: { cluster: hoot, user: $name }
current-context: hoot
YAML
  chmod 600 "$file.tmp"
  mv -f "$file.tmp" "$file"
}

pki_ensure() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  if [[ ! -s "$PKI/ca.crt" || ! -s "$PKI/ca.key" ]]; then
    log "certificates: new cluster CA (openssl)"
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=hoot-cluster-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null
    chmod 600 "$PKI/ca.key"
  fi
  pki_cert apiserver kube-apiserver "" serverAuth \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:$NODE_NAME,DNS:localhost,IP:$KUBERNETES_SVC_IP,IP:$NODE_IP,IP:127.0.0.1"
  pki_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters clientAuth
  pki_cert admin hoot-admin system:masters clientAuth
  pki_cert controller-manager system:kube-controller-manager "" clientAuth
  pki_cert scheduler system:kube-scheduler "" clientAuth
  pki_cert kubelet "system:node:$NODE_NAME" system:nodes clientAuth
  pki_cert kubelet-serving "$NODE_NAME" "" serverAuth "DNS:$NODE_NAME,IP:$NODE_IP"
  pki_cert kube-proxy system:kube-proxy "" clientAuth
  if [[ ! -s "$PKI/sa.key" ]]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
    chmod 600 "$PKI/sa.key"
  fi
  pki_kubeconfig "$KUBECONFIG_ADMIN" admin
  pki_kubeconfig "$PKI/controller-manager.kubeconfig" controller-manager
  pki_kubeconfig "$PKI/scheduler.kubeconfig" scheduler
  pki_kubeconfig "$PKI/kubelet.kubeconfig" kubelet
  pki_kubeconfig "$PKI/kube-proxy.kubeconfig" kube-proxy
}
