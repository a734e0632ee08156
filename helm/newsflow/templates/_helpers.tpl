{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "newsflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name when it already contains the chart name. */}}
{{- define "newsflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "newsflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "newsflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "newsflow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "newsflow.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: consumer
{{- end }}

{{- define "newsflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "newsflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "newsflow.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The newsflow configuration file: `config` with the keys the chart owns set from their values
(brokers and group id also reach the pods as environment variables, which win; metrics.address
must match the container port the probes use).
*/}}
{{- define "newsflow.config" -}}
{{- $cfg := deepCopy .Values.config }}
{{- $kafka := default dict (get $cfg "kafka") }}
{{- $_ := set $kafka "brokers" .Values.kafka.brokers }}
{{- $_ := set $kafka "group_id" .Values.kafka.groupId }}
{{- $_ := set $cfg "kafka" $kafka }}
{{- /* The built-in taxonomy loads from the image's compiled snapshot (ops/container/Containerfile)
     unless the values name a taxonomy file or a snapshot of their own. */}}
{{- $taxonomy := default dict (get $cfg "taxonomy") }}
{{- if and (not (get $taxonomy "path")) (not (hasKey $taxonomy "snapshot")) }}
{{- $_ := set $taxonomy "snapshot" .Values.image.taxonomySnapshot }}
{{- end }}
{{- $_ := set $cfg "taxonomy" $taxonomy }}
{{- $_ := set $cfg "metrics" (dict "enabled" true "address" (printf "0.0.0.0:%d" (int .Values.metrics.port))) }}
{{- toYaml $cfg }}
{{- end }}

{{/* shutdown_timeout_ms of the rendered config (the built-in default when not set). */}}
{{- define "newsflow.shutdownTimeoutMs" -}}
{{- $kafka := default dict (get .Values.config "kafka") }}
{{- if hasKey $kafka "shutdown_timeout_ms" }}{{ int (get $kafka "shutdown_timeout_ms") }}{{ else }}30000{{ end }}
{{- end }}

{{/* terminationGracePeriodSeconds: set, or the shutdown timeout + 15 s; must exceed the timeout. */}}
{{- define "newsflow.terminationGracePeriodSeconds" -}}
{{- $shutdownMs := int (include "newsflow.shutdownTimeoutMs" .) }}
{{- $shutdownS := div (add $shutdownMs 999) 1000 }}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- if eq $grace 0 }}{{ $grace = add $shutdownS 15 }}{{ end }}
{{- if le (int $grace) (int $shutdownS) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed config.kafka.shutdown_timeout_ms (%d ms): the pod would be killed before it drains and commits" (int $grace) $shutdownMs) }}
{{- end }}
{{- $grace }}
{{- end }}

{{/* Maximum replicas of an autoscaler: the asked maximum capped at the partition count. */}}
{{- define "newsflow.cappedMax" -}}
{{- min (int .max) (int .partitions) }}
{{- end }}

{{/* Checks of value combinations the schema cannot express. */}}
{{- define "newsflow.validate" -}}
{{- if and .Values.autoscaling.enabled .Values.keda.enabled }}
{{- fail "autoscaling.enabled and keda.enabled are mutually exclusive: both would own the Deployment's replicas" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas exceeds autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.keda.enabled (gt (int .Values.keda.minReplicas) (int .Values.keda.maxReplicas)) }}
{{- fail "keda.minReplicas exceeds keda.maxReplicas" }}
{{- end }}
{{- $kafka := default dict (get .Values.config "kafka") }}
{{- range $k := list "brokers" "group_id" }}
{{- if hasKey $kafka $k }}
{{- fail (printf "config.kafka.%s: set it with kafka.%s instead (the chart owns it)" $k (ternary "brokers" "groupId" (eq $k "brokers"))) }}
{{- end }}
{{- end }}
{{- if hasKey $.Values.config "metrics" }}
{{- fail "config.metrics: set metrics.port instead (the chart owns the metrics section)" }}
{{- end }}
{{- end }}
