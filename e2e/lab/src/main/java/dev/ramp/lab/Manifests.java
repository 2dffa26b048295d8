package dev.ramp.lab;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What the lab's Git repository declares under {@code apps/podinfo/}: the demo Deployment, its
 * Rollout (canary, with gitRevert) and a MetricTemplate the Rollout checks besides the built-in
 * metrics. The Deployment's image tag is the demo's version; its env sets errors and latency.
 */
public final class Manifests {

    public static final String DIR = "apps/podinfo";

    /**
     * A Rollout's analysis settings; a null field is left out, so Ramp's default applies
     * (interval 30s, threshold 3, stepWeight 10 up to maxWeight 50, metric window = interval,
     * minRequests 20).
     */
    public record Analysis(String interval, Integer threshold, List<Integer> stepWeights, String metricInterval,
            Integer minRequests) {

        /** Ramp's defaults. */
        public static final Analysis DEFAULTS = new Analysis(null, null, null, null);

        public Analysis(String interval, Integer threshold, List<Integer> stepWeights, String metricInterval) {
            this(interval, threshold, stepWeights, metricInterval, null);
        }

        String yaml() {
            return yaml(false);
        }

        /**
         * With {@code ownMetrics}, the app's own metrics instead of the mesh's: the minimum sample
         * from {@link #REQUESTS} and the check on {@link #SUCCESS_RATE}, the built-in metrics
         * having no telemetry to read without a mesh (docs/no-mesh.md, "Metrics").
         */
        String yaml(boolean ownMetrics) {
            StringBuilder out = new StringBuilder("  analysis:\n");
            if (interval != null) {
                out.append("    interval: ").append(interval).append('\n');
            }
            if (threshold != null) {
                out.append("    threshold: ").append(threshold).append('\n');
            }
            if (stepWeights != null) {
                out.append("    stepWeights: [").append(stepWeights.stream().map(String::valueOf)
                        .collect(Collectors.joining(", "))).append("]\n");
            }
            if (minRequests != null) {
                out.append("    minRequests: ").append(minRequests).append('\n');
            }
            String window = metricInterval == null ? "" : "\n        interval: " + metricInterval;
            if (ownMetrics) {
                return out.append("""
                            requestsTemplateRef: {name: %1$s}
                            metrics:
                              - name: %2$s
                                templateRef: {name: %2$s}
                                thresholdRange: {min: 99}%3$s
                        """.formatted(REQUESTS, SUCCESS_RATE, window)).toString();
            }
            out.append("""
                        metrics:
                          - name: request-success-rate
                            thresholdRange: {min: 99}%1$s
                          - name: request-duration
                            thresholdRange: {max: 500}%1$s
                          - name: error-percent
                            templateRef: {name: error-percent}
                            thresholdRange: {max: 1}%1$s
                    """.formatted(window));
            return out.toString();
        }

        @Override
        public String toString() {
            return "interval " + (interval == null ? "30s (default)" : interval)
                    + ", threshold " + (threshold == null ? "3 (default)" : threshold)
                    + ", steps " + (stepWeights == null ? "10,20,30,40,50 (default)" : stepWeights)
                    + ", metric window " + (metricInterval == null ? "= interval (default)" : metricInterval)
                    + ", minRequests " + (minRequests == null ? "20 (default)" : minRequests);
        }
    }

    private Manifests() {
    }

    /** The demo Deployment: 2 replicas of {@code version}, failing {@code errorRate} of requests. */
    public static String deployment(String version, double errorRate, int latencyMs) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: podinfo
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: podinfo}
                  template:
                    metadata:
                      labels: {app: podinfo}
                    spec:
                      containers:
                        - name: podinfo
                          image: ramp.dev/demo:%s
                          ports: [{containerPort: 9898}]
                          env:
                            - {name: ERROR_RATE, value: "%s"}
                            - {name: LATENCY_MS, value: "%d"}
                          resources:
                            requests: {cpu: 50m, memory: 16Mi}
                """.formatted(version, errorRate, latencyMs);
    }

    /**
     * The demo Deployment for a canary without a mesh: 4 replicas of {@code version} whose rolling
     * update allows 2 pods more ({@code maxSurge: 50%}, so the canary's 2 pods at most, as in
     * docs/examples/no-mesh.yaml), exporting their own metrics to the lab's Prometheus
     * ({@code prometheus.io/scrape}, {@link Prometheus#POD_JOB}), Ready once they answer: kube-proxy
     * sends users to Ready pods, with no proxy in between to retry.
     */
    public static String noMeshDeployment(String version, double errorRate, int latencyMs) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: podinfo
                spec:
                  replicas: 4
                  strategy:
                    type: RollingUpdate
                    rollingUpdate: {maxSurge: 50%%}
                  selector:
                    matchLabels: {app: podinfo}
                  template:
                    metadata:
                      labels: {app: podinfo}
                      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9898"}
                    spec:
                      containers:
                        - name: podinfo
                          image: ramp.dev/demo:%s
                          ports: [{containerPort: 9898}]
                          env:
                            - {name: ERROR_RATE, value: "%s"}
                            - {name: LATENCY_MS, value: "%d"}
                          readinessProbe:
                            httpGet: {path: /healthz, port: 9898}
                            periodSeconds: 1
                          resources:
                            requests: {cpu: 20m, memory: 16Mi}
                """.formatted(version, errorRate, latencyMs);
    }

    /** The StorageClass of the volumes the lab's admin makes for a StatefulSet's claims (the lab has no provisioner). */
    public static final String LAB_STORAGE_CLASS = "lab-local";

    /**
     * The demo as a StatefulSet released by its partition (docs/examples/statefulset.yaml's shape):
     * a headless Service {@code podinfo-pods} for the pods' names, a Service {@code podinfo} whose
     * ClusterIP users call (Ramp generates no Service for a StatefulSet), and 4 pods of
     * {@code version}, each with its own volume ({@code data-podinfo-<ordinal>}, of
     * {@link #LAB_STORAGE_CLASS}) at /data, where the demo writes {@code written-by-<version>} at
     * start ({@code DATA_DIR}); scraped with their labels, {@code controller-revision-hash} among them.
     */
    public static String statefulSet(String version, double errorRate, int latencyMs) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: podinfo-pods
                spec:
                  clusterIP: None
                  selector: {app: podinfo}
                  ports: [{name: http, port: 9898}]
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: podinfo
                spec:
                  selector: {app: podinfo}
                  ports: [{name: http, port: 9898}]
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: podinfo
                spec:
                  serviceName: podinfo-pods
                  replicas: 4
                  selector:
                    matchLabels: {app: podinfo}
                  # No partition here: Ramp owns spec.updateStrategy.rollingUpdate.partition.
                  updateStrategy: {type: RollingUpdate}
                  template:
                    metadata:
                      labels: {app: podinfo}
                      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9898"}
                    spec:
                      containers:
                        - name: podinfo
                          image: ramp.dev/demo:%s
                          ports: [{containerPort: 9898}]
                          env:
                            - {name: ERROR_RATE, value: "%s"}
                            - {name: LATENCY_MS, value: "%d"}
                            - {name: DATA_DIR, value: /data}
                          volumeMounts: [{name: data, mountPath: /data}]
                          readinessProbe:
                            httpGet: {path: /healthz, port: 9898}
                            periodSeconds: 1
                          resources:
                            requests: {cpu: 20m, memory: 16Mi}
                  volumeClaimTemplates:
                    - metadata: {name: data}
                      spec:
                        storageClassName: %s
                        accessModes: [ReadWriteOnce]
                        resources: {requests: {storage: 16Mi}}
                """.formatted(version, errorRate, latencyMs, LAB_STORAGE_CLASS);
    }

    /**
     * The two MetricTemplates of a StatefulSet released by its partition: {@link #noMeshMetricTemplates}'s
     * queries on the pods of the release's revision, {@code controller_revision_hash="{{ revision }}"}
     * (docs/examples/statefulset.yaml's).
     */
    public static String statefulSetMetricTemplates() {
        return noMeshMetricTemplates().replace("ramp_dev_revision=", "controller_revision_hash=");
    }

    /** {@code rollout} releasing the StatefulSet {@code podinfo} instead of the Deployment. */
    public static String statefulSetRollout(String rollout) {
        String deployment = "targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}";
        if (!rollout.contains(deployment)) {
            throw new IllegalArgumentException("no Deployment target in " + rollout);
        }
        return rollout.replace(deployment, "targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: podinfo}");
    }

    /** The Rollout's {@code spec.service} without a mesh: users call the Service {@code podinfo}'s ClusterIP. */
    public static final String NO_MESH_SERVICE = "{port: 9898, provider: None}";

    /** The MetricTemplate counting the canary's requests, the minimum sample without a mesh. */
    static final String REQUESTS = "requests";
    /** The MetricTemplate of the canary's percent of requests not answered 5xx, without a mesh. */
    static final String SUCCESS_RATE = "success-rate";

    /**
     * The two MetricTemplates of a canary without a mesh, on the demo's own counter
     * {@code http_requests_total{code}} with its Pod's labels (docs/examples/no-mesh.yaml's queries):
     * {@link #REQUESTS} and {@link #SUCCESS_RATE}.
     */
    public static String noMeshMetricTemplates() {
        String selector = "namespace=\"{{ namespace }}\",ramp_dev_revision=\"{{ revision }}\"";
        return """
                apiVersion: ramp.dev/v1alpha1
                kind: MetricTemplate
                metadata:
                  name: %1$s
                spec:
                  provider: {type: prometheus}
                  query: |
                    sum(increase(http_requests_total{%3$s}[{{ interval }}]))
                ---
                apiVersion: ramp.dev/v1alpha1
                kind: MetricTemplate
                metadata:
                  name: %2$s
                spec:
                  provider: {type: prometheus}
                  query: |
                    100 * sum(increase(http_requests_total{%3$s,code!~"5.."}[{{ interval }}]))
                      / sum(increase(http_requests_total{%3$s}[{{ interval }}]))
                """.formatted(REQUESTS, SUCCESS_RATE, selector);
    }

    /** The Rollout's {@code spec.service} for the mesh (Istio, the default provider). */
    public static final String MESH_SERVICE = "{port: 9898}";

    public static String rollout(Analysis analysis, int progressDeadlineSeconds) {
        return rollout(analysis, progressDeadlineSeconds, "Canary", "");
    }

    /** The Rollout with another strategy; {@code analysisExtra} are more lines of its analysis (4 spaces deep). */
    public static String rollout(Analysis analysis, int progressDeadlineSeconds, String strategy, String analysisExtra) {
        return rollout(analysis, progressDeadlineSeconds, strategy, analysisExtra, MESH_SERVICE);
    }

    /** The same, routed as {@code service} says ({@link #MESH_SERVICE} or {@link #gatewayService}). */
    public static String rollout(Analysis analysis, int progressDeadlineSeconds, String strategy, String analysisExtra,
            String service) {
        return rollout(analysis, progressDeadlineSeconds, strategy, analysisExtra, service, false);
    }

    /** The same, judged on the app's own metrics with {@code ownMetrics} ({@link Analysis#yaml(boolean)}). */
    public static String rollout(Analysis analysis, int progressDeadlineSeconds, String strategy, String analysisExtra,
            String service, boolean ownMetrics) {
        return rollout(analysis.yaml(ownMetrics), progressDeadlineSeconds, strategy, analysisExtra, service);
    }

    /** The same with {@code analysisYaml} as its {@code spec.analysis} ({@code "  analysis:\n"} and its lines). */
    public static String rollout(String analysisYaml, int progressDeadlineSeconds, String strategy, String analysisExtra,
            String service) {
        return """
                apiVersion: ramp.dev/v1alpha1
                kind: Rollout
                metadata:
                  name: podinfo
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
                  strategy: %s
                  progressDeadlineSeconds: %d
                  service: %s
                  gitRevert: {enabled: true, sourceRef: {name: apps}, mode: Push}
                """.formatted(strategy, progressDeadlineSeconds, service) + analysisYaml + analysisExtra;
    }

    /** {@code rollout} with {@code lines} (two spaces deep, newline-terminated) first in its spec. */
    public static String withSpecLines(String rollout, String lines) {
        int spec = rollout.indexOf("\nspec:\n");
        if (spec < 0) {
            throw new IllegalArgumentException("no spec in " + rollout);
        }
        int at = spec + "\nspec:\n".length();
        return rollout.substring(0, at) + lines + rollout.substring(at);
    }

    /**
     * The Rollout's {@code spec.service} on the Gateway API: an HTTPRoute attached to the lab's
     * Gateway ({@link TraefikGateway}, allowed to Ramp by the lab's Helm values) for the host
     * users send, {@code podinfo.<namespace>} (one of the Rollout's own names; without it the
     * route would take every host of the listener, and the lab's apps would share one route).
     */
    public static String gatewayService(String namespace) {
        return "{port: 9898, provider: GatewayAPI, hosts: [podinfo.%s], parentRefs: [{name: %s, namespace: %s}]}"
                .formatted(namespace, TraefikGateway.GATEWAY, TraefikGateway.NAMESPACE);
    }

    /**
     * Percent of the canary revision's requests answered 5xx in the window; no 5xx series counts as
     * 0. Counts are, series by series, the counter now minus one window ago (the whole counter for
     * a series born since), so the canary's first 5xx count at once, where rate() would wait for
     * a second sample.
     */
    public static String metricTemplate() {
        return metricTemplate(false);
    }

    /**
     * The same for an app on the Gateway API ({@code gateway}): the requests Traefik sent to the
     * canary's Service, whatever route rule sent them ({@link TraefikGateway#serviceLabel}).
     * Traefik's metrics name the backend Service, not the Pods' revision: an older canary's
     * requests in the window count too.
     */
    public static String metricTemplate(boolean gateway) {
        if (gateway) {
            return """
                    apiVersion: ramp.dev/v1alpha1
                    kind: MetricTemplate
                    metadata:
                      name: error-percent
                    spec:
                      provider: {type: prometheus}
                      query: |
                    """ + errorPercentQuery("traefik_service_requests_total", "code",
                    "service=~\"" + TraefikGateway.serviceLabel("{{ namespace }}", "{{ target }}-canary") + "\"").indent(4);
        }
        String selector = "reporter=\"destination\",destination_workload_namespace=\"{{ namespace }}\","
                + "destination_workload=\"{{ target }}\",destination_canonical_revision=\"{{ revision }}\"";
        return """
                apiVersion: ramp.dev/v1alpha1
                kind: MetricTemplate
                metadata:
                  name: error-percent
                spec:
                  provider: {type: prometheus}
                  query: |
                """ + errorPercentQuery(selector).indent(4);
    }

    /** {@link #errorPercentQuery(String)} over another counter, whose status label is {@code code}. */
    static String errorPercentQuery(String counter, String code, String selector) {
        return errorPercentQuery(selector).replace("istio_requests_total", counter).replace("response_code=", code + "=");
    }

    /**
     * The error-percent query over the {@code istio_requests_total} series {@code selector} picks;
     * {@code {{ interval }}} is the metric's window, in the template syntax Ramp and Flagger share.
     */
    static String errorPercentQuery(String selector) {
        return """
                100 * (sum(clamp_min(istio_requests_total{%1$s,response_code=~"5.."}
                    - istio_requests_total{%1$s,response_code=~"5.."} offset {{ interval }}, 0)
                  or istio_requests_total{%1$s,response_code=~"5.."}) or vector(0))
                  / sum(clamp_min(istio_requests_total{%1$s} - istio_requests_total{%1$s} offset {{ interval }}, 0)
                  or istio_requests_total{%1$s})
                """.formatted(selector);
    }
}
