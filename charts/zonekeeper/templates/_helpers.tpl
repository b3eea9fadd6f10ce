{{/* The chart's name, or nameOverride. */}}
{{- define "zonekeeper.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every object's name: fullnameOverride, else the release name when it already
says zonekeeper, else "<release>-<name>". At most 40 characters, so that every name the chart
builds from it (the longest adds "-policy-settings") stays a valid 63-character name.
*/}}
{{- define "zonekeeper.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := include "zonekeeper.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "zonekeeper.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "zonekeeper.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: zonekeeper
{{- end }}

{{/* Selector labels of one component: include "zonekeeper.selectorLabels" (list . "manager") */}}
{{- define "zonekeeper.selectorLabels" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ include "zonekeeper.name" $ }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* An image reference: include "zonekeeper.image" (list . .Values.manager.image) */}}
{{- define "zonekeeper.image" -}}
{{- $ := index . 0 -}}
{{- $image := index . 1 -}}
{{- printf "%s:%s" $image.repository (default $.Chart.AppVersion $image.tag) }}
{{- end }}

{{- define "zonekeeper.webhookService" -}}
{{- printf "%s-webhook" (include "zonekeeper.fullname" .) }}
{{- end }}

{{- define "zonekeeper.tlsSecret" -}}
{{- default (printf "%s-webhook-tls" (include "zonekeeper.fullname" .)) .Values.webhook.tls.secretName }}
{{- end }}

{{- define "zonekeeper.policySettings" -}}
{{- printf "%s-policy-settings" (include "zonekeeper.fullname" .) }}
{{- end }}
