package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Traefik, the cluster lab's Gateway API data plane (issue 20): the binary {@code e2e/traefik/build.sh}
 * builds and caches, packed as the image {@code ramp.dev/traefik:<version>} and imported into the
 * node's containerd; the Gateway API CRDs (standard channel) of the same build; and, in namespace
 * {@value #NAMESPACE}, Traefik as a Deployment of one Pod under its own ServiceAccount and
 * ClusterRole, behind the Service {@value #NAMESPACE}, with the GatewayClass {@value #GATEWAY_CLASS}
 * and the Gateway {@value #GATEWAY} whose HTTP listener admits routes from every namespace. The
 * objects are written to {@code <lab>/traefik.yaml} and applied with kubectl, as a user would.
 */
final class TraefikGateway {

    static final String NAMESPACE = "traefik";
    static final String GATEWAY_CLASS = "traefik";
    static final String GATEWAY = "lab";
    static final String CONTROLLER = "traefik.io/gateway-controller";
    /** Traefik's entry point for users: the Gateway's listener names this port (Traefik matches them by port). */
    static final int WEB_PORT = 8000;
    /** Traefik's entry point for Prometheus and the readiness probe ({@code /metrics}, {@code /ping}). */
    static final int METRICS_PORT = 9100;
    /**
     * Request-duration buckets, in seconds, fine enough for a p99 between 5 ms and 5 s (Traefik's
     * default, 0.1, 0.3, 1.2 and 5 s, is not).
     */
    static final String BUCKETS = "0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5";

    private final String clusterIp;

    private TraefikGateway(String clusterIp) {
        this.clusterIp = clusterIp;
    }

    /**
     * Builds what is missing (a no-op when cached; a cold build takes about 10 minutes), imports
     * the image, installs the CRDs and Traefik, and returns once Traefik's Pod is Ready and the
     * Gateway is Programmed.
     */
    static TraefikGateway install(Lab lab, Containerd containerd) throws Exception {
        long begin = System.nanoTime();
        Path root = lab.root();
        GitServer.run(root, "bash", root.resolve("e2e/traefik/build.sh").toString());
        Path goMod = root.resolve("e2e/traefik/go.mod");
        String version = moduleVersion(goMod, "github.com/traefik/traefik/v3");
        Path cache = Path.of(System.getenv().getOrDefault("RAMP_CACHE", System.getProperty("user.home") + "/.cache/ramp"));
        Path binary = cache.resolve("traefik").resolve(version).resolve("traefik");
        Path crds = cache.resolve("gateway-api").resolve(moduleVersion(goMod, "sigs.k8s.io/gateway-api"))
                .resolve("standard-install.yaml");
        String image = "ramp.dev/traefik:" + version;
        containerd.importImage(archive(root, binary, image, version));
        lab.kubectl("apply", "--server-side", "-f", crds.toString());
        lab.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/gatewayclasses.gateway.networking.k8s.io",
                "crd/gateways.gateway.networking.k8s.io", "crd/httproutes.gateway.networking.k8s.io",
                "crd/grpcroutes.gateway.networking.k8s.io", "crd/referencegrants.gateway.networking.k8s.io");
        Path manifests = lab.dir().resolve("traefik.yaml");
        Files.writeString(manifests, manifests(image));
        lab.kubectl("apply", "--server-side", "-f", manifests.toString());
        Net.await("Traefik's Pod Ready", Duration.ofSeconds(120), () -> lab.client().pods().inNamespace(NAMESPACE)
                .withLabel("app", "traefik").list().getItems().stream().anyMatch(PodRunner::ready));
        Net.await("Gateway " + NAMESPACE + "/" + GATEWAY + " Programmed", Duration.ofSeconds(60),
                () -> "True".equals(condition(lab.client().genericKubernetesResources("gateway.networking.k8s.io/v1", "Gateway")
                        .inNamespace(NAMESPACE).withName(GATEWAY).get(), "Programmed")));
        Service service = lab.client().services().inNamespace(NAMESPACE).withName("traefik").get();
        TraefikGateway traefik = new TraefikGateway(service.getSpec().getClusterIP());
        Lab.log("Traefik %s up in %.1fs: Gateway %s/%s Programmed, users at %s, metrics at %s (%s)".formatted(version,
                (System.nanoTime() - begin) / 1e9, NAMESPACE, GATEWAY, traefik.address(), traefik.metricsTarget(), manifests));
        return traefik;
    }

    /** Where users send their requests, with the route's host in the Host header: the Service's ClusterIP, port 80. */
    String address() {
        return clusterIp + ":80";
    }

    /** What Prometheus scrapes: the Service's metrics port (one replica, so one series per backend). */
    String metricsTarget() {
        return clusterIp + ":" + METRICS_PORT;
    }

    /**
     * A regular expression for the {@code service} label Traefik's metrics give a backend Service
     * of any HTTPRoute in {@code namespace}, through this lab's Gateway, by any rule:
     * {@code httproute-<ns>-<route>-gw-traefik-lab-ep-web-<rule>-<hash>-svc-<ns>-<service>-<index>@kubernetesgateway}
     * (Traefik's {@code makeRouterName}; the hash covers the rule's matches, the index is the
     * backendRef's place in the rule). Both arguments may be template placeholders.
     */
    static String serviceLabel(String namespace, String service) {
        return "httproute-" + namespace + "-.+-gw-" + NAMESPACE + "-" + GATEWAY + "-ep-web-[0-9]+-[0-9a-f]+-svc-" + namespace
                + "-" + service + "-[0-9]+@kubernetesgateway";
    }

    /** The status of a condition of {@code resource}'s status, or null. */
    @SuppressWarnings("unchecked")
    static String condition(GenericKubernetesResource resource, String type) {
        if (resource == null || !(resource.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return null;
        }
        for (Object c : (List<Object>) ((Map<String, Object>) status).getOrDefault("conditions", List.of())) {
            Map<String, Object> condition = (Map<String, Object>) c;
            if (type.equals(condition.get("type"))) {
                return (String) condition.get("status");
            }
        }
        return null;
    }

    /** The image archive of the cached binary, made once per version (image-archive.sh is reproducible). */
    private static Path archive(Path root, Path binary, String image, String version) throws IOException, InterruptedException {
        Path archive = Files.createDirectories(root.resolve("e2e/.work/images")).resolve("traefik-" + version + ".tar");
        if (!Files.exists(archive) || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(binary)) < 0) {
            Path partial = archive.resolveSibling(archive.getFileName() + ".tmp");
            GitServer.run(root, "bash", root.resolve("e2e/images/image-archive.sh").toString(), partial.toString(), image,
                    binary.toString(), "/traefik");
            Files.move(partial, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return archive;
    }

    /** A module's version in a go.mod ({@code require m v} or a line of a require block). */
    static String moduleVersion(Path goMod, String module) throws IOException {
        return Files.readAllLines(goMod).stream().map(String::trim)
                .map(l -> l.startsWith("require ") ? l.substring("require ".length()).trim() : l)
                .map(l -> l.split("\\s+")).filter(f -> f.length >= 2 && f[0].equals(module)).map(f -> f[1])
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + module + " in " + goMod));
    }

    /**
     * Traefik's objects. Its RBAC is what its kubernetesgateway provider reads (the informers of
     * Traefik 3.7's gateway client: namespaces, Services, EndpointSlices, Secrets, ConfigMaps and
     * the Gateway API kinds) and the statuses it writes. No version check and no usage report:
     * the lab's network has no way out, and Traefik should not try.
     */
    static String manifests(String image) {
        return """
                apiVersion: v1
                kind: Namespace
                metadata: {name: %1$s}
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: traefik, namespace: %1$s}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: ramp-lab-traefik}
                rules:
                  - apiGroups: [""]
                    resources: [namespaces, services, secrets, configmaps]
                    verbs: [get, list, watch]
                  - apiGroups: [discovery.k8s.io]
                    resources: [endpointslices]
                    verbs: [get, list, watch]
                  - apiGroups: [gateway.networking.k8s.io]
                    resources: [gatewayclasses, gateways, httproutes, grpcroutes, tlsroutes, tcproutes, referencegrants,
                      backendtlspolicies]
                    verbs: [get, list, watch]
                  - apiGroups: [gateway.networking.k8s.io]
                    resources: [gatewayclasses/status, gateways/status, httproutes/status, grpcroutes/status,
                      tlsroutes/status, tcproutes/status, backendtlspolicies/status]
                    verbs: [update, patch]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: ramp-lab-traefik}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ramp-lab-traefik}
                subjects: [{kind: ServiceAccount, name: traefik, namespace: %1$s}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: traefik, namespace: %1$s}
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: traefik}
                  template:
                    metadata:
                      labels: {app: traefik}
                    spec:
                      serviceAccountName: traefik
                      containers:
                        - name: traefik
                          image: %2$s
                          imagePullPolicy: Never
                          args:
                            - --global.checkNewVersion=false
                            - --global.sendAnonymousUsage=false
                            - --log.level=INFO
                            - --entryPoints.web.address=:%3$d
                            - --entryPoints.metrics.address=:%4$d
                            - --ping=true
                            - --ping.entryPoint=metrics
                            - --metrics.prometheus=true
                            - --metrics.prometheus.entryPoint=metrics
                            - --metrics.prometheus.buckets=%5$s
                            - --providers.kubernetesgateway=true
                            - --providers.kubernetesgateway.statusAddress.service.name=traefik
                            - --providers.kubernetesgateway.statusAddress.service.namespace=%1$s
                          ports:
                            - {name: web, containerPort: %3$d}
                            - {name: metrics, containerPort: %4$d}
                          readinessProbe:
                            httpGet: {path: /ping, port: metrics}
                            periodSeconds: 1
                          resources:
                            requests: {cpu: 50m, memory: 64Mi}
                          securityContext:
                            runAsNonRoot: true
                            allowPrivilegeEscalation: false
                            readOnlyRootFilesystem: true
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: traefik, namespace: %1$s}
                spec:
                  selector: {app: traefik}
                  ports:
                    - {name: web, port: 80, targetPort: web}
                    - {name: metrics, port: %4$d, targetPort: metrics}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata: {name: %6$s}
                spec: {controllerName: %7$s}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: %8$s, namespace: %1$s}
                spec:
                  gatewayClassName: %6$s
                  listeners:
                    - name: web
                      protocol: HTTP
                      port: %3$d
                      allowedRoutes:
                        namespaces: {from: All}
                """.formatted(NAMESPACE, image, WEB_PORT, METRICS_PORT, BUCKETS, GATEWAY_CLASS, CONTROLLER, GATEWAY);
    }
}
