package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * metrics-server, the cluster lab's resource metrics API (issue 21): the binary
 * {@code e2e/metrics-server/build.sh} builds from Go modules and caches, packed as the image
 * {@code ramp.dev/metrics-server:<version>} and imported into the node's containerd, run in
 * {@value #NAMESPACE} as a Deployment of one Pod under its own ServiceAccount and RBAC, behind the
 * Service {@value #NAME} that the APIService {@value #API_SERVICE} names. It scrapes the kubelet's
 * {@code /metrics/resource} every {@value #RESOLUTION} (the least it accepts), so that
 * {@code kubectl top} and HorizontalPodAutoscalers on CPU or memory work. The objects are written
 * to {@code <lab>/metrics-server.yaml} and applied with kubectl, as a user would.
 */
final class MetricsServer {

    static final String NAMESPACE = "kube-system";
    static final String NAME = "metrics-server";
    static final String API_SERVICE = "v1beta1.metrics.k8s.io";
    static final String RESOLUTION = "10s";
    /** Its HTTPS port in its Pod (the kubelet's number, as upstream's manifests have it; Pods have their own network). */
    static final int PORT = 10250;

    private final Lab lab;
    private final String version;
    private final long begin;

    private MetricsServer(Lab lab, String version, long begin) {
        this.lab = lab;
        this.version = version;
        this.begin = begin;
    }

    /**
     * Builds the binary if it is missing (a no-op when cached; a cold build takes a few minutes),
     * imports the image and applies the objects; {@link #awaitAvailable} waits for it to serve.
     */
    static MetricsServer install(Lab lab, Containerd containerd) throws Exception {
        long begin = System.nanoTime();
        Path root = lab.root();
        GitServer.run(root, "bash", root.resolve("e2e/metrics-server/build.sh").toString());
        String version = TraefikGateway.moduleVersion(root.resolve("e2e/metrics-server/go.mod"), "sigs.k8s.io/metrics-server");
        Path cache = Path.of(System.getenv().getOrDefault("RAMP_CACHE", System.getProperty("user.home") + "/.cache/ramp"));
        Path binary = cache.resolve("metrics-server").resolve(version).resolve("metrics-server");
        String image = "ramp.dev/metrics-server:" + version;
        containerd.importImage(archive(root, binary, image, version));
        Path manifests = lab.dir().resolve("metrics-server.yaml");
        Files.writeString(manifests, manifests(image));
        lab.kubectl("apply", "--server-side", "-f", manifests.toString());
        return new MetricsServer(lab, version, begin);
    }

    /**
     * Returns once the API server serves {@code metrics.k8s.io} through it: its Pod is Ready (its
     * readiness needs a first scrape of the kubelet) and the APIService is Available.
     */
    MetricsServer awaitAvailable() {
        Net.await("metrics-server's Pod Ready", Duration.ofSeconds(120), () -> lab.client().pods().inNamespace(NAMESPACE)
                .withLabel("app", NAME).list().getItems().stream().anyMatch(PodRunner::ready));
        Net.await("APIService " + API_SERVICE + " Available", Duration.ofSeconds(60), () -> "True".equals(TraefikGateway.condition(
                lab.client().genericKubernetesResources("apiregistration.k8s.io/v1", "APIService").withName(API_SERVICE).get(),
                "Available")));
        Lab.log("metrics-server %s up in %.1fs: APIService %s Available, kubelet scraped every %s (%s)".formatted(version,
                (System.nanoTime() - begin) / 1e9, API_SERVICE, RESOLUTION, lab.dir().resolve("metrics-server.yaml")));
        return this;
    }

    /** The APIService as the API server reports it, or null. */
    GenericKubernetesResource apiService() {
        return lab.client().genericKubernetesResources("apiregistration.k8s.io/v1", "APIService").withName(API_SERVICE).get();
    }

    /** The image archive of the cached binary, made once per version (image-archive.sh is reproducible). */
    private static Path archive(Path root, Path binary, String image, String version) throws IOException, InterruptedException {
        Path archive = Files.createDirectories(root.resolve("e2e/.work/images")).resolve("metrics-server-" + version + ".tar");
        if (!Files.exists(archive) || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(binary)) < 0) {
            Path partial = archive.resolveSibling(archive.getFileName() + ".tmp");
            GitServer.run(root, "bash", root.resolve("e2e/images/image-archive.sh").toString(), partial.toString(), image,
                    binary.toString(), "/metrics-server");
            Files.move(partial, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return archive;
    }

    /**
     * metrics-server's objects, as upstream's manifests (manifests/base of v0.8.0) have them, with
     * the lab's flags: the kubelet's self-signed serving certificate is accepted
     * ({@code --kubelet-insecure-tls}; the kubelet is reached only inside the lab's namespace), at
     * the node's InternalIP (the namespace has no DNS), with a request timeout below the
     * resolution, which metrics-server requires. The APIService skips TLS verification of
     * metrics-server's self-signed certificate, as upstream's does.
     */
    static String manifests(String image) {
        return """
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: %2$s, namespace: %1$s}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: system:aggregated-metrics-reader
                  labels:
                    rbac.authorization.k8s.io/aggregate-to-view: "true"
                    rbac.authorization.k8s.io/aggregate-to-edit: "true"
                    rbac.authorization.k8s.io/aggregate-to-admin: "true"
                rules:
                  - apiGroups: [metrics.k8s.io]
                    resources: [pods, nodes]
                    verbs: [get, list, watch]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: "system:metrics-server"}
                rules:
                  - apiGroups: [""]
                    resources: [nodes/metrics]
                    verbs: [get]
                  - apiGroups: [""]
                    resources: [pods, nodes]
                    verbs: [get, list, watch]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: "system:metrics-server"}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:metrics-server"}
                subjects: [{kind: ServiceAccount, name: %2$s, namespace: %1$s}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: "metrics-server:system:auth-delegator"}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:auth-delegator"}
                subjects: [{kind: ServiceAccount, name: %2$s, namespace: %1$s}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: metrics-server-auth-reader, namespace: %1$s}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
                subjects: [{kind: ServiceAccount, name: %2$s, namespace: %1$s}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: %2$s}
                  template:
                    metadata:
                      labels: {app: %2$s}
                    spec:
                      serviceAccountName: %2$s
                      containers:
                        - name: metrics-server
                          image: %3$s
                          imagePullPolicy: Never
                          args:
                            - --cert-dir=/tmp
                            - --secure-port=%4$d
                            - --kubelet-insecure-tls
                            - --kubelet-preferred-address-types=InternalIP
                            - --kubelet-use-node-status-port
                            - --kubelet-request-timeout=5s
                            - --metric-resolution=%5$s
                          ports:
                            - {name: https, containerPort: %4$d}
                          readinessProbe:
                            httpGet: {path: /readyz, port: https, scheme: HTTPS}
                            periodSeconds: 2
                          resources:
                            requests: {cpu: 50m, memory: 64Mi}
                          securityContext:
                            runAsNonRoot: true
                            allowPrivilegeEscalation: false
                            readOnlyRootFilesystem: true
                          volumeMounts:
                            - {name: tmp, mountPath: /tmp}
                      volumes:
                        - {name: tmp, emptyDir: {}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  selector: {app: %2$s}
                  ports:
                    - {name: https, port: 443, targetPort: https}
                ---
                apiVersion: apiregistration.k8s.io/v1
                kind: APIService
                metadata: {name: %6$s}
                spec:
                  service: {name: %2$s, namespace: %1$s, port: 443}
                  group: metrics.k8s.io
                  version: v1beta1
                  insecureSkipTLSVerify: true
                  groupPriorityMinimum: 100
                  versionPriority: 100
                """.formatted(NAMESPACE, NAME, image, PORT, RESOLUTION, API_SERVICE);
    }
}
