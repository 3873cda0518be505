{{/* Names */}}
{{- define "hoot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hoot.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains (include "hoot.name" .) .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "hoot.name" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "hoot.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "hoot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hoot
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "auth") */}}
{{- define "hoot.selector" -}}
app.kubernetes.io/name: {{ include "hoot.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "hoot.image" -}}
{{- $root := .root -}}
{{- $tag := default $root.Chart.AppVersion $root.Values.image.tag -}}
{{- if $root.Values.image.registry -}}
{{- printf "%s/%s:%s" $root.Values.image.registry .repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The media server image of the CoreMX `kms` container: Kurento, or kms-lite in its place */}}
{{- define "hoot.kmsImage" -}}
{{- $kms := .Values.coremx.kms -}}
{{- if eq (default "kurento" $kms.engine) "kms-lite" -}}
{{- include "hoot.image" (dict "root" . "repository" (index .Values.image.repositories "kms-lite")) -}}
{{- else -}}
{{- printf "%s:%s" $kms.image $kms.tag -}}
{{- end -}}
{{- end -}}

{{- define "hoot.registryId" -}}
{{- printf "reg-%s-%v" .cloud (int .priority) -}}
{{- end -}}

{{- define "hoot.registryName" -}}
{{- printf "%s-%s" (include "hoot.fullname" .root) (include "hoot.registryId" .node) -}}
{{- end -}}

{{- define "hoot.registryInternalUrl" -}}
{{- printf "http://%s.%s.svc:%v" (include "hoot.registryName" .) .root.Release.Namespace (int .root.Values.registry.port) -}}
{{- end -}}

{{- define "hoot.authUrl" -}}
{{- printf "http://%s-auth.%s.svc:%v" (include "hoot.fullname" .) .Release.Namespace (int .Values.auth.port) -}}
{{- end -}}

{{/* Restricted Pod Security: pod level */}}
{{- define "hoot.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Restricted Pod Security: container level */}}
{{- define "hoot.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Probes on /health/live and /health/ready at the named port "http" */}}
{{- define "hoot.probes" -}}
startupProbe:
  httpGet: { path: /health/live, port: http }
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet: { path: /health/live, port: http }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /health/ready, port: http }
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{/* Prometheus scrape annotations for a port */}}
{{- define "hoot.scrapeAnnotations" -}}
{{- if .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}

{{/* Env of a Secret file: (dict "name" "AUTH_ADMIN_API_KEY" "path" "/…") */}}
{{- define "hoot.fileEnv" -}}
- name: {{ .name }}_FILE
  value: {{ .path | quote }}
{{- end -}}

{{/* Registry URLs for CASH of one cloud: own cloud by priority, then the others by priority */}}
{{- define "hoot.registryUrlsFor" -}}
{{- $root := .root -}}
{{- $cloud := .cloud -}}
{{- $own := list -}}
{{- $rest := list -}}
{{- range $n := $root.Values.registry.nodes -}}
{{- $key := printf "%03d-%s" (int $n.priority) $n.cloud -}}
{{- $url := include "hoot.registryInternalUrl" (dict "root" $root "node" $n) -}}
{{- if eq $n.cloud $cloud -}}
{{- $own = append $own (printf "%s|%s" $key $url) -}}
{{- else -}}
{{- $rest = append $rest (printf "%s|%s" $key $url) -}}
{{- end -}}
{{- end -}}
{{- $urls := list -}}
{{- range $e := concat (sortAlpha $own) (sortAlpha $rest) -}}
{{- $urls = append $urls (last (splitList "|" $e)) -}}
{{- end -}}
{{- join "," $urls -}}
{{- end -}}

{{/* Checks across values that the schema cannot express */}}
{{- define "hoot.validate" -}}
{{- $ids := dict -}}
{{- $clouds := dict -}}
{{- range $n := .Values.registry.nodes -}}
{{- $id := include "hoot.registryId" $n -}}
{{- if hasKey $ids $id -}}
{{- fail (printf "registry.nodes: %s is listed twice (each cloud+priority once)" $id) -}}
{{- end -}}
{{- $_ := set $ids $id true -}}
{{- $_ := set $clouds $n.cloud true -}}
{{- end -}}
{{- range $g := .Values.coremx.groups -}}
{{- if not (hasKey $clouds $g.cloud) -}}
{{- fail (printf "coremx.groups: cloud %q has no registry node in registry.nodes" $g.cloud) -}}
{{- end -}}
{{- end -}}
{{- if hasKey .Values.coremx "existingSecretKey" -}}
{{- fail "coremx.existingSecretKey is gone: CoreMX no longer share one CASH key. Secret coremx.existingSecret holds one key per CoreMX pod, named cash-<pod name>, and auth's bootstrap-service-keys lists each as cash-<pod name>:hk_… (helm/hoot/README.md, Secrets)" -}}
{{- end -}}
{{- if ge (int .Values.coremx.media.minPort) (int .Values.coremx.media.maxPort) -}}
{{- fail "coremx.media.minPort must be below coremx.media.maxPort" -}}
{{- end -}}
{{- $pk := .Values.coremx.packager -}}
{{- if ge (int $pk.rtpMinPort) (int $pk.rtpMaxPort) -}}
{{- fail "coremx.packager.rtpMinPort must be below coremx.packager.rtpMaxPort" -}}
{{- end -}}
{{- if and (le (int $pk.rtpMinPort) (int .Values.coremx.media.maxPort)) (ge (int $pk.rtpMaxPort) (int .Values.coremx.media.minPort)) -}}
{{- fail "coremx.packager.rtpMinPort..rtpMaxPort must not overlap coremx.media.minPort..maxPort (the media server and the packager share the pod's ports)" -}}
{{- end -}}
{{- if or (eq (int $pk.port) (int .Values.coremx.cash.port)) (eq (int $pk.port) (int .Values.coremx.kms.port)) -}}
{{- fail "coremx.packager.port must differ from coremx.cash.port and coremx.kms.port (one pod, one network)" -}}
{{- end -}}
{{- if gt (mul 3 (int $pk.partTargetMs)) (int $pk.segmentTargetMs) -}}
{{- fail "coremx.packager.partTargetMs must be at most a third of coremx.packager.segmentTargetMs" -}}
{{- end -}}
{{- if le (int .Values.coremx.terminationGracePeriodSeconds) (int .Values.coremx.cash.drainDeadlineSeconds) -}}
{{- fail "coremx.terminationGracePeriodSeconds must exceed coremx.cash.drainDeadlineSeconds (the drain must finish before the kill)" -}}
{{- end -}}
{{- end -}}

{{/* The two packager keys of this pod only (Secret coremx.packager.existingSecret), as files. */}}
{{- define "hoot.packagerKeyMounts" -}}
- name: packager-keys
  mountPath: /var/run/secrets/hoot/packager/control-key
  subPathExpr: packager-control-key-$(POD_NAME)
  readOnly: true
- name: packager-keys
  mountPath: /var/run/secrets/hoot/packager/viewer-token-key
  subPathExpr: packager-viewer-token-key-$(POD_NAME)
  readOnly: true
{{- end -}}
