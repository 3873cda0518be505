{{/* Non-secret environment of auth (ConfigMap data; its sha256 is the pod's checksum/config) */}}
{{- define "hoot.auth.config" -}}
PORT: {{ .Values.auth.port | quote }}
HOST: "0.0.0.0"
LOG_LEVEL: {{ .Values.logLevel | quote }}
SERVICE_VERSION: {{ .Chart.AppVersion | quote }}
{{- with .Values.auth.trustedProxies }}
TRUSTED_PROXIES: {{ join "," . | quote }}
{{- end }}
AUTH_ISSUER: {{ .Values.authIssuer | quote }}
AUTH_AUDIENCE: {{ .Values.auth.audience | quote }}
AUTH_INTERNAL_AUDIENCE: {{ .Values.auth.internalAudience | quote }}
AUTH_KEYS_DIR: "/var/run/secrets/hoot/auth-keys"
{{- if not .Values.kafka.existingSecret }}
KAFKA_BROKERS: {{ join "," .Values.kafka.brokers | quote }}
{{- end }}
{{- if not .Values.mongodb.existingSecret }}
MONGO_URI: {{ printf "%s/%s" (trimSuffix "/" .Values.mongodb.uri) .Values.mongodb.databases.auth | quote }}
{{- end }}
{{- if .Values.auth.bootstrap.adminUsername }}
AUTH_BOOTSTRAP_ADMIN_USERNAME: {{ .Values.auth.bootstrap.adminUsername | quote }}
{{- end }}
{{- range $k, $v := .Values.auth.extraEnv }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}
