{{/* Non-secret environment of one registry node: (dict "root" $ "node" $n) */}}
{{- define "hoot.registry.config" -}}
{{- $root := .root -}}
{{- $n := .node -}}
{{- $id := include "hoot.registryId" $n -}}
{{- $peers := list -}}
{{- range $p := $root.Values.registry.nodes -}}
{{- if ne (include "hoot.registryId" $p) $id -}}
{{- $peers = append $peers (include "hoot.registryInternalUrl" (dict "root" $root "node" $p)) -}}
{{- end -}}
{{- end -}}
{{- $peers = concat $peers $root.Values.registry.externalPeers -}}
PORT: {{ $root.Values.registry.port | quote }}
HOST: "0.0.0.0"
LOG_LEVEL: {{ $root.Values.logLevel | quote }}
SERVICE_VERSION: {{ $root.Chart.AppVersion | quote }}
TRUST_PROXY: "true"
REGISTRY_ID: {{ $id | quote }}
REGISTRY_PUBLIC_URL: {{ $n.publicUrl | quote }}
REGISTRY_PEERS: {{ join "," $peers | quote }}
REGISTRY_REGION: {{ default "local" $n.region | quote }}
REGISTRY_LATITUDE: {{ default 0 $n.latitude | toString | quote }}
REGISTRY_LONGITUDE: {{ default 0 $n.longitude | toString | quote }}
AUTH_URL: {{ include "hoot.authUrl" $root | quote }}
AUTH_ISSUER: {{ $root.Values.authIssuer | quote }}
AUTH_AUDIENCE: {{ $root.Values.auth.audience | quote }}
AUTH_INTERNAL_AUDIENCE: {{ $root.Values.auth.internalAudience | quote }}
{{- if not $root.Values.mongodb.existingSecret }}
MONGO_URI: {{ printf "%s/%s" (trimSuffix "/" $root.Values.mongodb.uri) $root.Values.mongodb.databases.registry | quote }}
{{- end }}
K8S_POD_WATCH: {{ $root.Values.registry.podWatch | toString | quote }}
K8S_COREMX_SELECTOR: {{ printf "app.kubernetes.io/instance=%s,app.kubernetes.io/component=coremx" $root.Release.Name | quote }}
{{- range $k, $v := $root.Values.registry.extraEnv }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}
