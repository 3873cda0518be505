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
{{- with $root.Values.registry.trustedProxies }}
TRUSTED_PROXIES: {{ join "," . | quote }}
{{- end }}
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
{{- if not $root.Values.kafka.existingSecret }}
KAFKA_BROKERS: {{ join "," $root.Values.kafka.brokers | quote }}
{{- end }}
WEB_BASE_URL: {{ $n.publicUrl | quote }}
{{- $conf := $root.Values.registry.conferences }}
JOIN_TICKET_TTL_S: {{ int64 $conf.joinTicketTtlSeconds | toString | quote }}
CREATE_RATE_PER_MIN: {{ int64 $conf.createRatePerMinute | toString | quote }}
JOIN_RATE_PER_MIN: {{ int64 $conf.joinRatePerMinute | toString | quote }}
{{- $hooks := $root.Values.registry.webhooks }}
WEBHOOK_ALLOW_PRIVATE_URLS: {{ $hooks.allowPrivateUrls | toString | quote }}
WEBHOOK_MAX_ATTEMPTS: {{ int64 $hooks.maxAttempts | toString | quote }}
WEBHOOK_BACKOFF_BASE_MS: {{ int64 $hooks.backoffBaseMs | toString | quote }}
WEBHOOK_BACKOFF_MAX_MS: {{ int64 $hooks.backoffMaxMs | toString | quote }}
WEBHOOK_TIMEOUT_MS: {{ int64 $hooks.timeoutMs | toString | quote }}
K8S_POD_WATCH: {{ $root.Values.registry.podWatch | toString | quote }}
K8S_COREMX_SELECTOR: {{ printf "app.kubernetes.io/instance=%s,app.kubernetes.io/component=coremx" $root.Release.Name | quote }}
{{- range $k, $v := $root.Values.registry.extraEnv }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}
