{{/*
Chart tests (`helm test`): small Node programs run by the registry image (it has node and nothing to
write), each in a pod that meets `restricted`. Which labels a test pod carries decides which
NetworkPolicies govern it: an unlabelled pod (name `hoot-test`) is a throw-away pod of the namespace;
a pod with the registry's labels is treated exactly like a registry pod.
*/}}

{{/* The pod of one test: (dict "root" $ "name" "registries" "weight" 0 "labels" dict "env" list "script" "…" "secret" dict) */}}
{{- define "hoot.testPod" -}}
{{- $root := .root -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "hoot.fullname" $root }}-test-{{ .name }}
  labels:
    {{- if .labels }}
    {{- toYaml .labels | nindent 4 }}
    {{- else }}
    app.kubernetes.io/name: hoot-test
    app.kubernetes.io/instance: {{ $root.Release.Name }}
    {{- end }}
    app.kubernetes.io/part-of: hoot
    hoot.mx/test: {{ .name }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-weight: {{ .weight | quote }}
    # A passed test's pod is deleted (a namespace whose pods must all be Ready stays so); a failed one
    # stays for `kubectl logs` until the next `helm test`.
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
    {{- if not .labels }}
    # On purpose no NetworkPolicy selects it: it is what any other pod of the namespace is.
    kube-score/ignore: pod-networkpolicy
    {{- end }}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  enableServiceLinks: false
  securityContext:
    {{- include "hoot.podSecurityContext" $root | nindent 4 }}
  {{- with $root.Values.image.pullSecrets }}
  imagePullSecrets: {{ toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: test
      image: {{ include "hoot.image" (dict "root" $root "repository" $root.Values.image.repositories.registry) }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      command:
        - node
        - -e
        - |
          {{- $root.Files.Get "files/tests/lib.js" | nindent 10 }}
          {{- .script | nindent 10 }}
      env:
        - name: TEST_TIMEOUT_MS
          value: {{ mul (int $root.Values.tests.timeoutSeconds) 1000 | toString | quote }}
        {{- with .env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      resources:
        requests: { cpu: 10m, memory: 48Mi, ephemeral-storage: 1Mi }
        limits: { cpu: 500m, memory: 128Mi, ephemeral-storage: 16Mi }
      securityContext:
        {{- include "hoot.containerSecurityContext" $root | nindent 8 }}
      {{- with .secret }}
      volumeMounts:
        - { name: secret, mountPath: /var/run/secrets/hoot/test, readOnly: true }
      {{- end }}
  {{- with .secret }}
  volumes:
    - name: secret
      secret:
        secretName: {{ .name }}
        items: [{ key: {{ .key }}, path: {{ .path }} }]
        defaultMode: 0400
  {{- end }}
{{- end -}}

{{/* host and port of the MongoDB base URI (mongodb://host:port), as "host port" */}}
{{- define "hoot.mongoHostPort" -}}
{{- $hostPort := first (splitList "/" (trimPrefix "mongodb://" .Values.mongodb.uri)) -}}
{{- $first := first (splitList "," $hostPort) -}}
{{- $parts := splitList ":" $first -}}
{{- if eq (len $parts) 2 -}}{{ index $parts 0 }} {{ index $parts 1 }}{{- else -}}{{ $first }} 27017{{- end -}}
{{- end -}}
