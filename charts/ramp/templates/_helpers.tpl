{{/*
Name of the chart, overridable with nameOverride.
*/}}
{{- define "ramp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name used for the release's objects. A release already named after the chart
(the usual "helm install ramp ...") is not prefixed twice.
*/}}
{{- define "ramp.fullname" -}}
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

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "ramp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object of the release.
*/}}
{{- define "ramp.labels" -}}
helm.sh/chart: {{ include "ramp.chart" . }}
{{ include "ramp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the operator's pods; they never change across upgrades.
*/}}
{{- define "ramp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ramp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
ServiceAccount the operator runs as.
*/}}
{{- define "ramp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ramp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "ramp.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
egress.inClusterAllow as the operator's setting ramp.egress.in-cluster-allow: <namespace>=<entry>
for each entry of a namespace, the entry alone for those of "*" (every namespace).
*/}}
{{- define "ramp.inClusterAllow" -}}
{{- $entries := list }}
{{- range $namespace, $targets := .Values.egress.inClusterAllow }}
{{- range $targets }}
{{- if eq $namespace "*" }}
{{- $entries = append $entries . }}
{{- else }}
{{- $entries = append $entries (printf "%s=%s" $namespace .) }}
{{- end }}
{{- end }}
{{- end }}
{{- join "," $entries }}
{{- end }}

{{/*
The operator Deployments to render, as JSON: one unsharded (no name, every namespace, every
Rollout and GitSource, the Lease leaderElection.leaseName), or one per entry of shards, each
with its Lease <leaseName>-<name>.
*/}}
{{- define "ramp.instances" -}}
{{- $instances := list }}
{{- if .Values.shards }}
{{- range .Values.shards }}
{{- $instances = append $instances (dict "name" .name "namespaces" (.namespaces | default list) "selector" (.selector | default "") "lease" (printf "%s-%s" $.Values.leaderElection.leaseName .name)) }}
{{- end }}
{{- else }}
{{- $instances = append $instances (dict "name" "" "namespaces" list "selector" "" "lease" .Values.leaderElection.leaseName) }}
{{- end }}
{{- toJson $instances }}
{{- end }}
