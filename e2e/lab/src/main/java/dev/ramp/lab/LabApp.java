package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The demo application in one namespace: its repository ({@link AppRepository}), the GitSource
 * that syncs it (with credentials and a webhook key), and the steady load its users put on it
 * through its {@link DataPlane}.
 */
public final class LabApp implements AutoCloseable {

    /** What routes the app's users, and which router of Ramp's its Rollout names. */
    public enum DataPlane {
        /** The Istio stand-in ({@link MeshProxy}), a VirtualService: Ramp's default provider. */
        MESH,
        /**
         * Traefik ({@link TraefikGateway}), an HTTPRoute on the lab's Gateway: {@code provider:
         * GatewayAPI}. Cluster lab only.
         */
        GATEWAY_API,
        /**
         * No router: users call the Service {@code podinfo}'s ClusterIP, kube-proxy spreads their
         * connections over the pods it selects, and the canary's share is its share of the pods
         * ({@code provider: None}, docs/no-mesh.md); judged on the demo's own metrics. Cluster lab only.
         */
        NONE
    }

    /** The ServiceAccount the app's GitSource acts as; the chart lets Ramp impersonate it (HelmOperator). */
    static final String DEPLOYER = "deployer";
    private static final String[] WRITE = {"get", "list", "watch", "create", "update", "patch", "delete"};
    /** How long the demo takes to answer, in milliseconds, unless a release says otherwise. */
    public static final int LATENCY_MS = 20;

    private final Lab lab;
    private final String namespace;
    private final AppRepository repository;
    private final AppRoutes routes;
    private Manifests.Analysis analysis;
    private int progressDeadlineSeconds = 60;
    /** The Rollout's whole {@code spec.analysis} as YAML, in place of {@link #analysis}'s; null: {@link #analysis}'s. */
    private String analysisYaml;
    private DataPlane dataPlane = DataPlane.MESH;
    /** Whether the app is the StatefulSet {@code podinfo} ({@link #statefulSet}) rather than the Deployment. */
    private boolean statefulSet;
    /** The Rollout's {@code spec.service} when not the data plane's usual one ({@link #service}); null otherwise. */
    private String service;
    /** The Rollout's {@code spec.autoscalerRef} lines ({@link #autoscaled}); null: none. */
    private String autoscalerRef;
    private LoadGenerator load;
    private final java.util.List<LoadGenerator> extraLoads = new java.util.ArrayList<>();
    private final java.util.List<CookieUsers> cookieUsers = new java.util.ArrayList<>();

    LabApp(Lab lab, String namespace, Manifests.Analysis analysis) throws Exception {
        this.lab = lab;
        this.namespace = namespace;
        this.analysis = analysis;
        KubernetesClient client = lab.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .serverSideApply();
        this.repository = new AppRepository(lab, namespace);
        this.routes = new AppRoutes(lab, namespace);
        client.resource(new SecretBuilder().withNewMetadata().withName("git-creds").withNamespace(namespace).endMetadata()
                .addToStringData("username", GitServer.USER).addToStringData("password", lab.git().password()).build())
                .serverSideApply();
        client.resource(new SecretBuilder().withNewMetadata().withName("git-webhook").withNamespace(namespace).endMetadata()
                .addToStringData("secret", AppRepository.WEBHOOK_KEY).build()).serverSideApply();
        deployer(client);
        write("rollout.yaml", rollout("Canary", ""));
        write("metric-template.yaml", Manifests.metricTemplate());
    }

    /**
     * Routes the app through {@code plane}, before {@link #bootstrap}: the Rollout's
     * {@code spec.service} and the MetricTemplate for it, and where its users send their requests.
     */
    public LabApp dataPlane(DataPlane plane) throws IOException {
        if (plane == DataPlane.GATEWAY_API && !lab.hasGateway()) {
            throw new IllegalStateException("the Gateway API's data plane, Traefik, runs only in the cluster lab (this one is "
                    + lab.mode() + ")");
        }
        if (plane == DataPlane.NONE && lab.mode() != Lab.Mode.CLUSTER) {
            throw new IllegalStateException("a canary without a mesh needs kube-proxy, which runs only in the cluster lab"
                    + " (this one is " + lab.mode() + ")");
        }
        this.dataPlane = plane;
        write("metric-template.yaml", plane == DataPlane.NONE ? Manifests.noMeshMetricTemplates()
                : Manifests.metricTemplate(plane == DataPlane.GATEWAY_API));
        return write("rollout.yaml", rollout("Canary", ""));
    }

    public DataPlane dataPlane() {
        return dataPlane;
    }

    /**
     * Makes the app the StatefulSet {@code podinfo} ({@link Manifests#statefulSet}), released by its
     * partition without a mesh, before {@link #bootstrap}: its Services and StatefulSet in Git, the
     * Rollout targeting it, judged on the pods of the release's revision. Its claims need volumes of
     * {@link Manifests#LAB_STORAGE_CLASS}, which the lab has no provisioner for: the caller makes them.
     */
    public LabApp statefulSet() throws IOException {
        return statefulSet(DataPlane.NONE);
    }

    /**
     * The same behind {@code plane}: with {@link DataPlane#GATEWAY_API}, Traefik routes between the
     * Services Ramp generates for the two revisions (docs/statefulsets.md#behind-a-router), judged on
     * Traefik's metrics of the canary's Service, and users call the Gateway.
     */
    public LabApp statefulSet(DataPlane plane) throws IOException {
        dataPlane(plane);
        this.statefulSet = true;
        if (plane == DataPlane.NONE) {
            write("metric-template.yaml", Manifests.statefulSetMetricTemplates());
        }
        return write("rollout.yaml", rollout("Canary", ""));
    }

    private String rollout(String strategy, String analysisExtra) {
        String rollout = Manifests.rollout(analysisYaml != null ? analysisYaml : analysis.yaml(dataPlane == DataPlane.NONE),
                progressDeadlineSeconds, strategy, analysisExtra, service != null ? service
                : switch (dataPlane) {
                    case MESH -> Manifests.MESH_SERVICE;
                    case GATEWAY_API -> Manifests.gatewayService(namespace);
                    case NONE -> Manifests.NO_MESH_SERVICE;
                });
        if (statefulSet) {
            rollout = Manifests.statefulSetRollout(rollout);
        }
        return autoscalerRef == null ? rollout : Manifests.withSpecLines(rollout, autoscalerRef);
    }

    /**
     * Autoscales the app, before {@link #bootstrap}: {@code autoscaler} (an HPA of the target
     * Deployment {@code podinfo}) goes into Git beside it, and the Rollout gets
     * {@code autoscalerRefLines} (its {@code spec.autoscalerRef}, two spaces deep).
     */
    public LabApp autoscaled(String autoscaler, String autoscalerRefLines) throws IOException {
        this.autoscalerRef = autoscalerRefLines;
        write("autoscaler.yaml", autoscaler);
        return write("rollout.yaml", rollout("Canary", ""));
    }

    /**
     * Removes {@code spec.autoscalerRef} from the Rollout in Git (the HPA stays) and syncs it, as a
     * developer would; no release starts.
     */
    public LabApp withoutAutoscalerRef() throws Exception {
        this.autoscalerRef = null;
        write("rollout.yaml", rollout("Canary", ""));
        commitAndPush("Rollout: no autoscalerRef");
        webhook();
        return this;
    }

    /**
     * Changes the Rollout's {@code spec.service} in Git (null: back to the data plane's usual one)
     * and syncs it, as a developer would; no release starts.
     */
    public LabApp service(String spec) throws Exception {
        this.service = spec;
        write("rollout.yaml", rollout("Canary", ""));
        commitAndPush("Rollout: service " + (spec == null ? "as before" : spec));
        webhook();
        return this;
    }

    /** Where the app's users send their requests: the mesh stand-in, Traefik's Service, or the app's own Service. */
    private String usersAddress() {
        return switch (dataPlane) {
            case MESH -> lab.proxyAddress();
            case GATEWAY_API -> lab.gatewayAddress();
            case NONE -> lab.client().services().inNamespace(namespace).withName("podinfo").get().getSpec().getClusterIP()
                    + ":9898";
        };
    }

    /**
     * What every user request carries besides the Host: without a mesh, {@code Connection: close}.
     * kube-proxy chooses a pod per connection, and the load generator is one client, whose pooled
     * connections would each stay on the pod they first reached; a new connection per request is
     * many users' worth of connections, each placed anew among the pods the Service selects now.
     */
    private Map<String, String> usersHeaders() {
        return dataPlane == DataPlane.NONE ? Map.of("Connection", "close") : Map.of();
    }

    /** The demo Deployment as this app's data plane needs it. */
    String deployment(String version, double errorRate) {
        return deployment(version, errorRate, LATENCY_MS);
    }

    private String deployment(String version, double errorRate, int latencyMs) {
        if (statefulSet) {
            return Manifests.statefulSet(version, errorRate, latencyMs);
        }
        return dataPlane == DataPlane.NONE ? Manifests.noMeshDeployment(version, errorRate, latencyMs)
                : Manifests.deployment(version, errorRate, latencyMs);
    }

    public String namespace() {
        return namespace;
    }

    /**
     * ServiceAccount {@value #DEPLOYER}, which the GitSource acts as: it may write the kinds the
     * repository holds, Deployments, StatefulSets, Services, Rollouts, MetricTemplates and HPAs, in this namespace only (Ramp
     * itself writes no Ramp object from Git).
     */
    private void deployer(KubernetesClient client) {
        client.resource(new ServiceAccountBuilder().withNewMetadata().withName(DEPLOYER).withNamespace(namespace)
                .endMetadata().build()).serverSideApply();
        client.resource(new RoleBuilder().withNewMetadata().withName(DEPLOYER).withNamespace(namespace).endMetadata()
                .addNewRule().withApiGroups("apps").withResources("deployments", "statefulsets").withVerbs(WRITE).endRule()
                .addNewRule().withApiGroups("").withResources("services").withVerbs(WRITE).endRule()
                .addNewRule().withApiGroups("ramp.dev").withResources("rollouts", "metrictemplates").withVerbs(WRITE)
                .endRule()
                .addNewRule().withApiGroups("autoscaling").withResources("horizontalpodautoscalers").withVerbs(WRITE)
                .endRule().build()).serverSideApply();
        client.resource(new RoleBindingBuilder().withNewMetadata().withName(DEPLOYER).withNamespace(namespace)
                .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
                .withName(DEPLOYER).endRoleRef().addNewSubject().withKind("ServiceAccount").withName(DEPLOYER)
                .withNamespace(namespace).endSubject().build()).serverSideApply();
    }

    /**
     * Before {@link #bootstrap}: the Rollout's {@code spec.analysis} is {@code yaml} ({@code "  analysis:\n"}
     * and its lines, as the Rollout's manifest holds them), e.g. a judged analysis with no threshold.
     */
    public LabApp analysisYaml(String yaml) throws IOException {
        this.analysisYaml = yaml;
        return write("rollout.yaml", rollout("Canary", ""));
    }

    public LabApp progressDeadlineSeconds(int seconds) throws IOException {
        this.progressDeadlineSeconds = seconds;
        return write("rollout.yaml", rollout("Canary", ""));
    }

    /**
     * Commits version 1 and the Rollout, creates the GitSource and waits until Ramp has synced it
     * and initialised the Rollout; then users start sending {@code perSecond} requests a second,
     * until the app is closed.
     */
    public LabApp bootstrap(String version, int perSecond) throws Exception {
        return bootstrap(version, perSecond, Integer.MAX_VALUE);
    }

    /** The same, users stopping by themselves after {@code requests} requests. */
    public LabApp bootstrap(String version, int perSecond, int requests) throws Exception {
        write("deployment.yaml", deployment(version, 0));
        commitAndPush("podinfo " + version);
        GenericKubernetesResource source = new GenericKubernetesResource();
        source.setApiVersion("ramp.dev/v1alpha1");
        source.setKind("GitSource");
        source.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("apps")
                .withNamespace(namespace).build());
        source.setAdditionalProperty("spec", Map.of("url", lab.git().url(namespace), "branch", "main",
                "path", Manifests.DIR, "interval", "1m", "secretRef", Map.of("name", "git-creds"),
                "webhookSecretRef", Map.of("name", "git-webhook"), "prune", true, "serviceAccountName", DEPLOYER,
                "revertAuthor", Map.of("name", "Ramp", "email", "ramp@lab.local")));
        lab.client().resource(source).serverSideApply();
        Net.await("Rollout " + namespace + "/podinfo Initialized", Duration.ofSeconds(120),
                () -> "Initialized".equals(rollout().phase()));
        load = new LoadGenerator(usersAddress(), "podinfo", namespace, perSecond, usersHeaders(), requests);
        // Checks need the primary's telemetry in Prometheus before any release starts.
        String primaryRequests = switch (dataPlane) {
            case GATEWAY_API -> "traefik_service_requests_total{service=~\""
                    + TraefikGateway.serviceLabel(namespace, "podinfo-primary") + "\"}";
            case MESH -> "istio_requests_total{destination_workload_namespace=\"" + namespace
                    + "\",destination_workload=\"podinfo-primary\"}";
            // The demo's own counter, labelled with its Pod's labels by the lab's pod scrape job.
            case NONE -> "http_requests_total{namespace=\"" + namespace + "\",app=\"podinfo"
                    + (statefulSet ? "" : "-primary") + "\"}";
        };
        Net.await("the demo's telemetry in Prometheus", Duration.ofSeconds(120),
                () -> lab.prometheus().query("sum(rate(" + primaryRequests + "[5s]))") != null);
        return this;
    }

    /** A release as a developer makes it: commit a new version, push it, and the Git host's webhook. */
    public Release release(String version, double errorRate) throws Exception {
        return announce(push(version, errorRate));
    }

    /** The same, the new version answering after {@code latencyMs} (the demo's usual is {@value #LATENCY_MS}). */
    public Release release(String version, double errorRate, int latencyMs) throws Exception {
        write("deployment.yaml", deployment(version, errorRate, latencyMs));
        return announce(new Pushed(version, commitAndPush("podinfo " + version + " (answers after " + latencyMs + " ms"
                + (errorRate > 0 ? ", fails " + Math.round(errorRate * 100) + "% of requests" : "") + ")")));
    }

    /**
     * The first half of a release: the new version committed and pushed, of which Ramp hears
     * nothing until {@link #announce} sends the webhook; so that a benchmark can start several
     * releases at one instant.
     */
    public Pushed push(String version, double errorRate) throws Exception {
        write("deployment.yaml", deployment(version, errorRate));
        return new Pushed(version, commitAndPush("podinfo " + version + (errorRate > 0 ? " (fails "
                + Math.round(errorRate * 100) + "% of requests)" : "")));
    }

    /** A commit pushed by {@link #push}, not yet announced. */
    public record Pushed(String version, String commit) {
    }

    /** The second half of a release: the Git host's push webhook, the release's start. */
    public Release announce(Pushed pushed) throws IOException, InterruptedException {
        Instant at = Instant.now();
        int status = webhook();
        if (status != 202) {
            throw new IllegalStateException("webhook answered " + status);
        }
        return new Release(pushed.version(), pushed.commit(), at);
    }

    /** A release: the version, its commit and when it was pushed. */
    public record Release(String version, String commit, Instant pushed) {
    }

    /** Changes the Rollout's analysis settings in Git (synced with the next push). */
    public LabApp analysis(Manifests.Analysis settings) throws Exception {
        this.analysis = settings;
        write("rollout.yaml", rollout("Canary", ""));
        commitAndPush("Rollout: analysis " + settings);
        webhook();
        return this;
    }

    private LabApp write(String file, String content) throws IOException {
        repository.write(file, content);
        return this;
    }

    private String commitAndPush(String message) throws Exception {
        return repository.commitAndPush(message);
    }

    /** The signed push webhook a Git host sends; returns the operator's answer. */
    public int webhook() throws IOException, InterruptedException {
        return repository.webhook();
    }

    public RolloutView rollout() {
        return RolloutView.of(lab.client().genericKubernetesResources("ramp.dev/v1alpha1", "Rollout")
                .inNamespace(namespace).withName("podinfo").get());
    }

    /** The image a Deployment of this app declares, e.g. {@code ramp.dev/demo:1.0.0}. */
    public String image(String deployment) {
        Deployment d = lab.client().apps().deployments().inNamespace(namespace).withName(deployment).get();
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    public int replicas(String deployment) {
        Deployment d = lab.client().apps().deployments().inNamespace(namespace).withName(deployment).get();
        return d == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
    }

    /** The app's routes as its data plane reads them. */
    public AppRoutes routes() {
        return routes;
    }

    /**
     * The canary's weight in the route of the app's data plane: VirtualService or HTTPRoutes; without
     * a mesh, its share of the pods (status) while the Service selects the canary's pods, else 0.
     */
    public int routedCanaryWeight() {
        return switch (dataPlane) {
            case MESH -> routes.virtualServiceCanaryWeight();
            case GATEWAY_API -> routes.httpRouteCanaryWeight();
            case NONE -> routes.serviceSelector().containsKey("ramp.dev/service") ? rollout().canaryWeight() : 0;
        };
    }

    /** {@code git log --oneline} of the app's repository on the Git server. */
    public String gitLog() throws IOException, InterruptedException {
        return repository.log();
    }

    /** The full message of the branch's head commit on the server. */
    public String headMessage() throws IOException, InterruptedException {
        return repository.headMessage();
    }

    /** The addresses pushes to the app's repository came from, in order (the developer's, then any Ramp made). */
    public java.util.List<String> pushedFrom() {
        return repository.pushedFrom();
    }

    public String fileAtHead(String file) throws IOException, InterruptedException {
        return repository.fileAtHead(file);
    }

    public LoadGenerator load() {
        return load;
    }

    /** More users, sending these headers with every request (e.g. an A/B test's cohort). */
    public LoadGenerator extraLoad(int perSecond, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(usersHeaders());
        all.putAll(headers);
        LoadGenerator extra = new LoadGenerator(usersAddress(), "podinfo", namespace, perSecond, all);
        extraLoads.add(extra);
        return extra;
    }

    /**
     * {@code users} more users, each keeping the cookies its answers set, one request every
     * {@code period} each, {@code requests} at most each (e.g. session affinity's).
     */
    public CookieUsers cookieUsers(int users, Duration period, int requests) {
        CookieUsers added = new CookieUsers(usersAddress(), "podinfo", namespace, users, period, requests);
        cookieUsers.add(added);
        return added;
    }

    /** Switches the Rollout to another strategy in Git and syncs it; no release starts. */
    public LabApp strategy(String strategy, String analysisExtra) throws Exception {
        write("rollout.yaml", rollout(strategy, analysisExtra));
        commitAndPush("Rollout: strategy " + strategy);
        webhook();
        Net.await("Rollout " + namespace + "/podinfo with strategy " + strategy, Duration.ofSeconds(30),
                () -> strategy.equals(lab.client().genericKubernetesResources("ramp.dev/v1alpha1", "Rollout")
                        .inNamespace(namespace).withName("podinfo").get().get("spec", "strategy")));
        return this;
    }

    @Override
    public void close() {
        extraLoads.forEach(LoadGenerator::close);
        cookieUsers.forEach(CookieUsers::close);
        if (load != null) {
            load.close();
        }
        repository.close();
    }
}
