{{/* Non-secret environment of the CASH containers of one CoreMX group: (dict "root" $ "group" $g) */}}
{{- define "hoot.coremx.config" -}}
{{- $root := .root -}}
{{- $g := .group -}}
PORT: {{ $root.Values.coremx.cash.port | quote }}
HOST: "0.0.0.0"
LOG_LEVEL: {{ $root.Values.logLevel | quote }}
SERVICE_VERSION: {{ $root.Chart.AppVersion | quote }}
KMS_URL: {{ printf "ws://127.0.0.1:%v/kurento" (int $root.Values.coremx.kms.port) | quote }}
{{- if not $root.Values.kafka.existingSecret }}
KAFKA_BROKERS: {{ join "," $root.Values.kafka.brokers | quote }}
{{- end }}
CCES_JOURNAL_DIR: "/var/lib/hoot/journal"
AUTH_ISSUER: {{ $root.Values.authIssuer | quote }}
AUTH_URL: {{ include "hoot.authUrl" $root | quote }}
AUTH_JWKS_URL: {{ printf "%s/.well-known/jwks.json" (include "hoot.authUrl" $root) | quote }}
AUTH_INTERNAL_AUDIENCE: {{ $root.Values.auth.internalAudience | quote }}
REGISTRY_URLS: {{ include "hoot.registryUrlsFor" (dict "root" $root "cloud" $g.cloud) | quote }}
DRAIN_DEADLINE_MS: {{ mul (int $root.Values.coremx.cash.drainDeadlineSeconds) 1000 | toString | quote }}
CHAT_EVENTS: {{ $root.Values.coremx.cash.chatEvents | quote }}
{{- range $k, $v := $root.Values.coremx.cash.extraEnv }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{- define "hoot.coremxName" -}}
{{- printf "%s-coremx-%s" (include "hoot.fullname" .root) .group.cloud -}}
{{- end -}}
