{{/* Labels of every object; selectorLabels are the subset that selects a component's pods. */}}
{{- define "flagger-bridge.selectorLabels" -}}
app.kubernetes.io/name: flagger-bridge
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "flagger-bridge.labels" -}}
{{ include "flagger-bridge.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{/* repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "flagger-bridge.image" -}}
{{ printf "%s:%s" .image.repository (.image.tag | default .root.Chart.AppVersion) }}
{{- end }}

{{/* The bridge's name; its Service's DNS name is <this>.<namespace>. */}}
{{- define "flagger-bridge.bridgeName" -}}
{{ printf "%s-bridge" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The address the consumers subscribe at. */}}
{{- define "flagger-bridge.subscriberAddress" -}}
{{ printf "http://%s:%d" (include "flagger-bridge.bridgeName" .) (int .Values.bridge.service.grpcPort) }}
{{- end }}

{{/* The security context of every container. */}}
{{- define "flagger-bridge.containerSecurityContext" -}}
{{ toYaml .Values.securityContext }}
{{- end }}

{{/* Release-wide checks, run by the bridge's workload. */}}
{{- define "flagger-bridge.validate" -}}
{{- if and (not .Values.kafka.bootstrapServers) (not .Values.development.embeddedKafka) }}
{{- fail "kafka.bootstrapServers is empty: set it to your Kafka's host:port list, or set development.embeddedKafka=true for the in-memory demo cluster (events are lost when the pod goes)" }}
{{- end }}
{{- if and .Values.kafka.sasl.mechanism (not .Values.kafka.sasl.passwordSecret.name) }}
{{- fail "kafka.sasl.mechanism is set but kafka.sasl.passwordSecret.name is empty: name the Secret holding the SASL password" }}
{{- end }}
{{- if and .Values.audit.enabled (eq .Values.audit.storage.provider "postgres") (not .Values.audit.storage.postgres.connectionStringSecret.name) }}
{{- fail "audit.storage.provider is postgres but audit.storage.postgres.connectionStringSecret.name is empty: name the Secret holding the connection string" }}
{{- end }}
{{- end }}
