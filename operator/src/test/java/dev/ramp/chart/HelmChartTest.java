package dev.ramp.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.ramp.chart.AccessReview.Ask;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart in charts/ramp, rendered by the Helm library helm-java bundles, as
 * {@code helm template} would render it for a user: the operator Deployment, its Services,
 * and least-privilege RBAC, which one test also installs on a real API server and questions.
 */
class HelmChartTest {

    static final Path REPO = Path.of(System.getProperty("ramp.root", "..")).toAbsolutePath().normalize();
    static final Path CHART = REPO.resolve("charts").resolve("ramp");
    static final String NAMESPACE = "ramp-system";
    /** The Maven project's version: the chart's appVersion must follow it. */
    static final String VERSION = System.getProperty("ramp.version", "0.1.0-SNAPSHOT");
    /** With release name "ramp", every object is named "ramp" or "ramp-<suffix>". */
    static final String RELEASE = "ramp";

    private static final List<String> CRUD = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    private static final String COPY_CRDS = "charts/ramp/crds/ must hold exact copies of crds/: "
            + "run cp crds/*.yml charts/ramp/crds/ and commit";

    @TempDir
    Path tmp;

    @Test
    void lintPassesInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void deploymentRunsTheOperatorImageLockedDown() {
        RenderedChart chart = render(Map.of());
        Deployment deployment = chart.one(Deployment.class, RELEASE);
        Container operator = chart.operator(RELEASE);

        assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/name", "ramp")
                .containsEntry("app.kubernetes.io/instance", RELEASE)
                .containsEntry("app.kubernetes.io/version", VERSION)
                .containsEntry("app.kubernetes.io/managed-by", "Helm");
        // The image the operator module's build produces (quarkus.container-image.* in its pom).
        assertThat(operator.getImage()).isEqualTo("ramp/operator:" + VERSION);
        assertThat(operator.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(operator.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(operator.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(operator.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .containsExactly(tuple("http", 8080), tuple("management", 9000));
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(RELEASE);
        assertThat(chart.find(ServiceAccount.class, RELEASE)).isPresent();
    }

    @Test
    void theScratchVolumeAndEachGitTransferAreBounded() {
        RenderedChart chart = render(Map.of());
        assertThat(scratch(chart).getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("1Gi"));
        assertThat(chart.operator(RELEASE).getVolumeMounts()).anyMatch(m -> m.getName().equals("tmp")
                && m.getMountPath().equals("/tmp"));
        assertThat(chart.env(RELEASE, "RAMP_GIT_FETCH_TIMEOUT")).isEqualTo("2m");
        assertThat(chart.env(RELEASE, "RAMP_GIT_MAX_FETCH_BYTES")).isEqualTo("268435456");

        RenderedChart set = render(Map.of("scratch.sizeLimit", "4Gi", "sync.fetchTimeout", "90s",
                "sync.maxFetchBytes", 1073741824L));
        assertThat(scratch(set).getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("4Gi"));
        assertThat(set.env(RELEASE, "RAMP_GIT_FETCH_TIMEOUT")).isEqualTo("90s");
        assertThat(set.env(RELEASE, "RAMP_GIT_MAX_FETCH_BYTES")).isEqualTo("1073741824");

        assertThatThrownBy(() -> render(Map.of("scratch.sizeLimit", "a lot"))).hasMessageContaining("sizeLimit");
        assertThatThrownBy(() -> render(Map.of("sync.fetchTimeout", "2 minutes"))).hasMessageContaining("fetchTimeout");
    }

    private static io.fabric8.kubernetes.api.model.Volume scratch(RenderedChart chart) {
        return chart.one(Deployment.class, RELEASE).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
    }

    @Test
    void imageTagAndReplicasComeFromValues() {
        RenderedChart chart = render(Map.of("image.tag", "0.2.0-rc1", "image.repository", "registry.example.com/ramp",
                "image.pullPolicy", "Always", "replicaCount", 2));

        assertThat(chart.operator(RELEASE).getImage()).isEqualTo("registry.example.com/ramp:0.2.0-rc1");
        assertThat(chart.operator(RELEASE).getImagePullPolicy()).isEqualTo("Always");
        assertThat(chart.one(Deployment.class, RELEASE).getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void defaultEnvironmentConfiguresTheOperator() {
        RenderedChart chart = render(Map.of());

        assertThat(chart.env(RELEASE, "RAMP_PROMETHEUS_ADDRESS")).isEqualTo("http://prometheus.istio-system:9090");
        assertThat(chart.env(RELEASE, "RAMP_METRICS_GATEWAY_API")).isEqualTo("traefik");
        assertThat(chart.env(RELEASE, "RAMP_ANALYSIS_BATCH_MAX_AGE")).isEqualTo("1s");
        assertThat(chart.env(RELEASE, "RAMP_LOG_LEVEL")).isEqualTo("INFO");
        assertThat(chart.env(RELEASE, "RAMP_GIT_WEBHOOK_RATE_LIMIT_BURST")).isEqualTo("10");
        assertThat(chart.env(RELEASE, "RAMP_GIT_WEBHOOK_RATE_LIMIT_PER_MINUTE")).isEqualTo("30");
        assertThat(chart.env(RELEASE, "RAMP_LEADER_ELECTION_ENABLED")).isEqualTo("true");
        assertThat(chart.env(RELEASE, "RAMP_LEADER_ELECTION_LEASE_NAME")).isEqualTo("ramp-operator");
        assertThat(chart.env(RELEASE, "RAMP_LEADER_ELECTION_LEASE_NAMESPACE")).isEqualTo(NAMESPACE);
        assertThat(chart.env(RELEASE, "RAMP_GIT_FETCH_DEPTH")).isEqualTo("100");
        assertThat(chart.env(RELEASE, "RAMP_OUTSIDE_THREADS")).isEqualTo("16");
        assertThat(chart.env(RELEASE, "RAMP_OUTSIDE_PER_NAMESPACE")).isEqualTo("4");
        assertThat(chart.env(RELEASE, "RAMP_OUTSIDE_QUEUE_PER_NAMESPACE")).isEqualTo("64");
        assertThat(chart.env(RELEASE, "QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS")).isEqualTo("50");
        assertThat(chart.env(RELEASE, "RAMP_GIT_MAX_FILE_BYTES")).isEqualTo("1048576");
        assertThat(chart.env(RELEASE, "RAMP_GIT_MAX_TOTAL_BYTES")).isEqualTo("33554432");
        // The root filesystem is read-only: JGit's user config goes under the /tmp volume.
        assertThat(chart.env(RELEASE, "XDG_CONFIG_HOME")).isEqualTo("/tmp/.config");
        assertThat(chart.operator(RELEASE).getEnv()).extracting(EnvVar::getName)
                .as("the prod profile, where the operator elects a leader").doesNotContain("QUARKUS_PROFILE")
                .as("no default ServiceAccount: GitSources naming none stay in their namespace")
                .doesNotContain("RAMP_SYNC_DEFAULT_SERVICE_ACCOUNT");
        assertThat(chart.operator(RELEASE).getEnv())
                .filteredOn(e -> e.getValueFrom() != null)
                .extracting(EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath())
                .containsExactlyInAnyOrder(tuple("POD_NAMESPACE", "metadata.namespace"),
                        tuple("POD_NAME", "metadata.name"), tuple("RAMP_SERVICE_ACCOUNT_NAME", "spec.serviceAccountName"));
    }

    @Test
    void referencesStayHomeAndMetadataAddressesAreDeniedByDefault() {
        RenderedChart chart = render(Map.of());

        assertThat(chart.env(RELEASE, "RAMP_ALLOW_CROSS_NAMESPACE_REFS")).isEqualTo("false");
        assertThat(chart.env(RELEASE, "RAMP_EGRESS_DENY_CIDRS"))
                .isEqualTo("169.254.0.0/16,fe80::/10,fd00:ec2::254/128,100.100.100.200/32");
        assertThat(chart.env(RELEASE, "RAMP_EGRESS_DENY_HOSTS")).isEqualTo("metadata.google.internal,metadata.goog");
        assertThat(chart.env(RELEASE, "RAMP_EGRESS_ALLOW_CIDRS")).isEmpty();
        assertThat(chart.env(RELEASE, "RAMP_EGRESS_CLUSTER_CIDRS")).isEmpty();
        assertThat(chart.env(RELEASE, "RAMP_EGRESS_IN_CLUSTER_ALLOW")).as("no tenant reaches an in-cluster address").isEmpty();
        assertThat(chart.all(NetworkPolicy.class)).isEmpty();
        assertThat(chart.env(RELEASE, "RAMP_ROUTING_ALLOWED_HOSTS")).as("routes to the Rollouts' own names only").isEmpty();
        assertThat(chart.env(RELEASE, "RAMP_ROUTING_ALLOWED_GATEWAYS")).isEmpty();
    }

    @Test
    void theClusterRangesAndTheInClusterAllowListReachTheOperator() throws IOException {
        RenderedChart chart = render("""
                egress:
                  clusterCidrs: [10.244.0.0/16, 10.96.0.0/12]
                  inClusterAllow:
                    team-a: [hooks.team-a.svc.cluster.local:8080, 10.96.12.0/24]
                    "*": ["[fd00::1]:9090"]
                """);

        assertThat(chart.env(RELEASE, "RAMP_EGRESS_CLUSTER_CIDRS")).isEqualTo("10.244.0.0/16,10.96.0.0/12");
        assertThat(chart.env(RELEASE, "RAMP_EGRESS_IN_CLUSTER_ALLOW"))
                .isEqualTo("[fd00::1]:9090,team-a=hooks.team-a.svc.cluster.local:8080,team-a=10.96.12.0/24");
        // What the chart renders, the operator accepts.
        assertThat(EgressPolicy.of(List.of(), List.of(), List.of(), List.of(chart.env(RELEASE, "RAMP_EGRESS_CLUSTER_CIDRS").split(",")),
                List.of(chart.env(RELEASE, "RAMP_EGRESS_IN_CLUSTER_ALLOW").split(",")))
                .forNamespace("team-a").resolve("10.96.12.7", 80).refusal()).isEmpty();
        assertThatThrownBy(() -> render(Map.of("egress.inClusterAllow.team-a[0]", "hooks.team-a.svc")))
                .hasMessageContaining("inClusterAllow");
        assertThatThrownBy(() -> render(Map.of("egress.inClusterAllow.Team_A[0]", "10.0.0.0/8")))
                .hasMessageContaining("inClusterAllow");
        assertThatThrownBy(() -> render(Map.of("egress.clusterCidrs[0]", "cluster.local"))).hasMessageContaining("clusterCidrs");
    }

    @Test
    void theRoutingAllowListsReachTheOperator() throws IOException {
        RenderedChart chart = render("""
                routing:
                  allowedHosts: ["*.example.com", "team-a=*.team-a.example.com"]
                  allowedGateways: [istio-system/public, "team-a=edge/*"]
                """);

        assertThat(chart.env(RELEASE, "RAMP_ROUTING_ALLOWED_HOSTS")).isEqualTo("*.example.com,team-a=*.team-a.example.com");
        assertThat(chart.env(RELEASE, "RAMP_ROUTING_ALLOWED_GATEWAYS")).isEqualTo("istio-system/public,team-a=edge/*");
        assertThat(chart.env(RELEASE, "RAMP_ROUTING_GATEWAY_API_REQUEST_MIRROR")).as("Traefik, say, does not mirror")
                .isEqualTo("false");
        assertThat(render(Map.of("routing.gatewayApi.requestMirror", true)).env(RELEASE, "RAMP_ROUTING_GATEWAY_API_REQUEST_MIRROR"))
                .isEqualTo("true");
        assertThatThrownBy(() -> render(Map.of("routing.allowedHosts[0]", "https://login.example.com")))
                .hasMessageContaining("allowedHosts");
        assertThatThrownBy(() -> render(Map.of("routing.allowedGateways[0]", "public"))).hasMessageContaining("allowedGateways");
    }

    @Test
    void theEgressNetworkPolicyExcludesTheDeniedRanges() throws IOException {
        RenderedChart chart = render("""
                allowCrossNamespaceRefs: true
                egress:
                  allowCidrs: [10.0.0.0/8]
                  networkPolicy:
                    enabled: true
                    extraEgress:
                      - ports: [{port: 53, protocol: UDP}]
                """);

        assertThat(chart.env(RELEASE, "RAMP_ALLOW_CROSS_NAMESPACE_REFS")).isEqualTo("true");
        assertThat(chart.env(RELEASE, "RAMP_EGRESS_ALLOW_CIDRS")).isEqualTo("10.0.0.0/8");
        NetworkPolicy policy = chart.one(NetworkPolicy.class, RELEASE + "-egress");
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Egress");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(chart.one(Deployment.class, RELEASE).getSpec().getSelector().getMatchLabels());
        var blocks = policy.getSpec().getEgress().get(1).getTo();
        assertThat(blocks.get(0).getIpBlock().getCidr()).isEqualTo("0.0.0.0/0");
        assertThat(blocks.get(0).getIpBlock().getExcept()).containsExactly("169.254.0.0/16", "100.100.100.200/32");
        assertThat(blocks.get(1).getIpBlock().getCidr()).isEqualTo("::/0");
        assertThat(blocks.get(1).getIpBlock().getExcept()).containsExactly("fe80::/10", "fd00:ec2::254/128");
        assertThat(policy.getSpec().getEgress()).hasSize(3);
        assertThatThrownBy(() -> render(Map.of("egress.allowCidrs[0]", "example.com"))).hasMessageContaining("allowCidrs");
    }

    @Test
    void prometheusAddressAndLogLevelFollowTheValues() {
        RenderedChart chart = render(Map.of("prometheus.address", "https://prometheus.monitoring:9091",
                "prometheus.gatewayApi", "envoy-gateway", "logLevel", "DEBUG"));

        assertThat(chart.env(RELEASE, "RAMP_PROMETHEUS_ADDRESS")).isEqualTo("https://prometheus.monitoring:9091");
        assertThat(chart.env(RELEASE, "RAMP_METRICS_GATEWAY_API")).isEqualTo("envoy-gateway");
        assertThat(chart.env(RELEASE, "RAMP_LOG_LEVEL")).isEqualTo("DEBUG");
    }

    @Test
    void leaderElectionCanBeTurnedOff() {
        RenderedChart chart = render(Map.of("leaderElection.enabled", false));

        assertThat(chart.env(RELEASE, "RAMP_LEADER_ELECTION_ENABLED")).isEqualTo("false");
        assertThat(chart.env(RELEASE, "QUARKUS_PROFILE")).as("leader election runs in the prod profile only")
                .isEqualTo("single");
        assertThat(chart.all(Role.class)).as("no Lease permissions without leader election").isEmpty();
        assertThat(chart.all(RoleBinding.class)).isEmpty();
    }

    @Test
    void resourcesComeFromValues() {
        Map<String, Quantity> defaultRequests = render(Map.of()).operator(RELEASE).getResources().getRequests();
        assertThat(defaultRequests).containsEntry("cpu", new Quantity("100m")).containsEntry("memory", new Quantity("256Mi"));
        assertThat(render(Map.of()).operator(RELEASE).getResources().getLimits())
                .containsExactly(Map.entry("memory", new Quantity("512Mi")));
        // What is resident outside the JVM's accounting stays bounded under the limit (docs/install.md, "Memory").
        assertThat(render(Map.of()).env(RELEASE, "MALLOC_ARENA_MAX")).isEqualTo("2");

        var resources = render(Map.of("resources.requests.cpu", "250m", "resources.limits.memory", "1Gi"))
                .operator(RELEASE).getResources();
        assertThat(resources.getRequests()).containsEntry("cpu", new Quantity("250m"));
        assertThat(resources.getLimits()).containsEntry("memory", new Quantity("1Gi"));
    }

    @Test
    void schedulingSettingsPassThrough() throws IOException {
        var pod = render("""
                nodeSelector: {kubernetes.io/os: linux}
                tolerations: [{key: dedicated, operator: Equal, value: ops, effect: NoSchedule}]
                affinity:
                  nodeAffinity:
                    requiredDuringSchedulingIgnoredDuringExecution:
                      nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [ops]}]}]
                """).one(Deployment.class, RELEASE).getSpec().getTemplate().getSpec();

        assertThat(pod.getNodeSelector()).containsExactly(Map.entry("kubernetes.io/os", "linux"));
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
        assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchExpressions().get(0).getValues()).containsExactly("ops");
    }

    @Test
    void webhookServiceSendsToTheHttpPort() {
        RenderedChart chart = render(Map.of("gitWebhook.service.port", 443, "gitWebhook.service.type", "LoadBalancer",
                "gitWebhook.rateLimit.burst", 50, "gitWebhook.rateLimit.perMinute", 120));
        Service webhook = chart.one(Service.class, RELEASE + "-webhook");

        assertThat(webhook.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(webhook.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(443);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
        });
        assertThat(chart.env(RELEASE, "RAMP_GIT_WEBHOOK_RATE_LIMIT_BURST")).isEqualTo("50");
        assertThat(chart.env(RELEASE, "RAMP_GIT_WEBHOOK_RATE_LIMIT_PER_MINUTE")).isEqualTo("120");
        assertThat(webhook.getSpec().getSelector())
                .isEqualTo(chart.one(Deployment.class, RELEASE).getSpec().getSelector().getMatchLabels());
        assertThat(render(Map.of()).one(Service.class, RELEASE + "-webhook").getSpec().getType()).isEqualTo("ClusterIP");
    }

    @Test
    void metricsServiceOnlyWhenEnabled() {
        assertThat(render(Map.of()).find(Service.class, RELEASE + "-metrics")).isEmpty();

        Service metrics = render(Map.of("metrics.service.enabled", true)).one(Service.class, RELEASE + "-metrics");
        assertThat(metrics.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(9000);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("management");
        });
    }

    @Test
    void anExistingServiceAccountCanBeUsed() {
        RenderedChart chart = render(Map.of("serviceAccount.create", false, "serviceAccount.name", "ramp-sa"));

        assertThat(chart.all(ServiceAccount.class)).isEmpty();
        assertThat(chart.one(Deployment.class, RELEASE).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("ramp-sa");
        assertThat(chart.one(ClusterRoleBinding.class, RELEASE).getSubjects())
                .singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("ramp-sa"));
        assertThat(chart.one(RoleBinding.class, RELEASE + "-leader-election").getSubjects())
                .singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("ramp-sa"));
    }

    @Test
    void clusterRoleGrantsNoWildcard() {
        List<PolicyRule> rules = render(Map.of()).one(ClusterRole.class, RELEASE).getRules();

        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getVerbs()).as("verbs of %s", rule).isNotEmpty().doesNotContain("*");
            assertThat(rule.getResources()).as("resources of %s", rule).isNotEmpty().noneMatch(r -> r.contains("*"));
            assertThat(rule.getApiGroups()).as("apiGroups of %s", rule).isNotEmpty().doesNotContain("*");
            assertThat(rule.getNonResourceURLs()).as("non-resource URLs of %s", rule).isNullOrEmpty();
        });
    }

    @Test
    void clusterRoleGrantsWhatRampUses() {
        List<PolicyRule> rules = render(Map.of()).one(ClusterRole.class, RELEASE).getRules();

        assertThat(verbs(rules, "ramp.dev", "rollouts")).as("Ramp writes a Rollout's status, never its spec")
                .containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(verbs(rules, "ramp.dev", "metrictemplates")).containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(verbs(rules, "ramp.dev", "gitsources")).as("patch: a push webhook's sync request annotation")
                .containsExactlyInAnyOrder("get", "list", "watch", "patch");
        assertThat(verbs(rules, "ramp.dev", "rollouts/status")).containsExactlyInAnyOrder("get", "patch", "update");
        assertThat(verbs(rules, "ramp.dev", "gitsources/status")).containsExactlyInAnyOrder("get", "patch", "update");
        assertThat(verbs(rules, "apps", "deployments")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "", "services")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "autoscaling", "horizontalpodautoscalers")).as("the primary's copy of the target's HPA")
                .containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "keda.sh", "scaledobjects")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "", "events")).containsExactlyInAnyOrder("create", "patch");
        assertThat(verbs(rules, "", "pods")).as("read: why a canary missed its progress deadline; delete: a StatefulSet's pod"
                + " stuck on a rolled-back revision").containsExactlyInAnyOrder("get", "list", "watch", "delete");
        assertThat(verbs(rules, "apps", "statefulsets")).as("a StatefulSet target's partition and, in a rollback, its template")
                .containsExactlyInAnyOrder("get", "list", "watch", "update", "patch");
        assertThat(verbs(rules, "apps", "controllerrevisions")).as("the template a StatefulSet's rollback restores")
                .containsExactlyInAnyOrder("get");
        assertThat(verbs(rules, "networking.istio.io", "virtualservices")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "networking.istio.io", "destinationrules")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "gateway.networking.k8s.io", "httproutes")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "gateway.networking.k8s.io", "grpcroutes")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "gateway.networking.k8s.io", "gateways")).as("read only").containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(verbs(rules, "gateway.networking.k8s.io", "gatewayclasses")).as("read only")
                .containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(verbs(rules, "gateway.networking.k8s.io", "referencegrants")).as("no ReferenceGrant is needed").isEmpty();
        assertThat(verbs(rules, "apiextensions.k8s.io", "customresourcedefinitions"))
                .as("read only: Ramp's own CRDs checked, a router's CRDs watched for").containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(verbs(rules, "", "serviceaccounts")).as("no ServiceAccount named, none impersonated").isEmpty();
        assertThat(verbs(rules, "coordination.k8s.io", "leases")).as("leases belong in the namespaced Role").isEmpty();
    }

    @Test
    void secretsCanOnlyBeRead() {
        List<PolicyRule> rules = render(Map.of()).one(ClusterRole.class, RELEASE).getRules();

        assertThat(verbs(rules, "", "secrets")).containsExactly("get");
    }

    @Test
    void rampMayLabelTheTargetsItManages() {
        List<PolicyRule> rules = render(Map.of()).one(ClusterRole.class, RELEASE).getRules();

        // The label ramp.dev/rollout, set by server-side apply (a PATCH), on what its informers cache.
        for (String[] resource : List.of(new String[] {"apps", "deployments"}, new String[] {"apps", "statefulsets"},
                new String[] {"autoscaling", "horizontalpodautoscalers"})) {
            assertThat(verbs(rules, resource[0], resource[1])).as(resource[1]).contains("get", "list", "watch", "patch");
        }
    }

    @Test
    void leasesAreGrantedOnlyInTheReleaseNamespace() {
        RenderedChart chart = render(Map.of("leaderElection.leaseName", "ramp-leader"));
        Role role = chart.one(Role.class, RELEASE + "-leader-election");
        RoleBinding binding = chart.one(RoleBinding.class, RELEASE + "-leader-election");

        assertThat(role.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(role.getRules()).allSatisfy(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
            assertThat(rule.getResources()).containsExactly("leases");
        });
        assertThat(verbs(role.getRules(), "coordination.k8s.io", "leases"))
                .containsExactlyInAnyOrder("get", "create", "update", "patch");
        assertThat(role.getRules()).filteredOn(rule -> rule.getVerbs().contains("update"))
                .allSatisfy(rule -> assertThat(rule.getResourceNames()).containsExactly("ramp-leader"));
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
        });
        assertThat(chart.env(RELEASE, "RAMP_LEADER_ELECTION_LEASE_NAME")).isEqualTo("ramp-leader");
    }

    @Test
    void byDefaultOneUnshardedDeploymentReconcilesEverything() {
        RenderedChart chart = render(Map.of());

        assertThat(chart.all(Deployment.class)).extracting(d -> d.getMetadata().getName()).containsExactly(RELEASE);
        assertThat(chart.operator(RELEASE).getEnv()).extracting(EnvVar::getName)
                .doesNotContain("RAMP_WATCH_NAMESPACES", "RAMP_SHARD_SELECTOR");
        assertThat(chart.env(RELEASE, "RAMP_LEADER_ELECTION_LEASE_NAME")).isEqualTo("ramp-operator");
        assertThat(chart.one(Deployment.class, RELEASE).getSpec().getSelector().getMatchLabels()).doesNotContainKey("ramp.dev/shard");
    }

    @Test
    void eachShardIsADeploymentWithItsOwnLeaseSelectionAndWebhookService() throws IOException {
        RenderedChart chart = render("""
                shards:
                  - {name: one, selector: "ramp.dev/shard=one"}
                  - {name: teams, namespaces: [team-a, team-b]}
                  - {name: rest, selector: "!ramp.dev/shard"}
                """);

        assertThat(chart.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("ramp-one", "ramp-teams", "ramp-rest");
        assertThat(chart.env("ramp-one", "RAMP_SHARD_SELECTOR")).isEqualTo("ramp.dev/shard=one");
        assertThat(chart.operator("ramp-one").getEnv()).extracting(EnvVar::getName).doesNotContain("RAMP_WATCH_NAMESPACES");
        assertThat(chart.env("ramp-teams", "RAMP_WATCH_NAMESPACES")).isEqualTo("team-a,team-b");
        assertThat(chart.operator("ramp-teams").getEnv()).extracting(EnvVar::getName).doesNotContain("RAMP_SHARD_SELECTOR");
        assertThat(chart.env("ramp-rest", "RAMP_SHARD_SELECTOR")).isEqualTo("!ramp.dev/shard");
        for (String shard : List.of("one", "teams", "rest")) {
            Deployment deployment = chart.one(Deployment.class, "ramp-" + shard);
            assertThat(chart.env("ramp-" + shard, "RAMP_LEADER_ELECTION_LEASE_NAME")).isEqualTo("ramp-operator-" + shard);
            // No Deployment selects another's pods, and each shard's webhooks reach its own pods only.
            Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
            assertThat(selector).containsEntry("ramp.dev/shard", shard);
            assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector);
            assertThat(chart.one(Service.class, "ramp-webhook-" + shard).getSpec().getSelector()).isEqualTo(selector);
        }
        assertThat(chart.find(Service.class, RELEASE + "-webhook")).isEmpty();
        Role role = chart.one(Role.class, RELEASE + "-leader-election");
        assertThat(role.getRules()).filteredOn(rule -> rule.getVerbs().contains("update")).singleElement()
                .satisfies(rule -> assertThat(rule.getResourceNames())
                        .containsExactlyInAnyOrder("ramp-operator-one", "ramp-operator-teams", "ramp-operator-rest"));
        assertThatThrownBy(() -> render(Map.of("shards[0].name", "One"))).hasMessageContaining("name");
        assertThatThrownBy(() -> render(Map.of("shards[0].selector", "x"))).hasMessageContaining("name");
    }

    @Test
    void byDefaultRampMayNeitherImpersonateNorWriteWhatTeamsKeepInGit() {
        List<PolicyRule> rules = render(Map.of()).one(ClusterRole.class, RELEASE).getRules();

        assertThat(verbs(rules, "", "configmaps")).isEmpty();
        assertThat(verbs(rules, "ramp.dev", "metrictemplates")).doesNotContain("create", "update", "patch", "delete");
        assertThat(verbs(rules, "ramp.dev", "rollouts")).doesNotContain("create", "update", "patch", "delete");
        assertThat(verbs(rules, "networking.k8s.io", "ingresses")).isEmpty();
        assertThat(rules).as("impersonation only of ServiceAccounts the install names").noneMatch(rule ->
                rule.getVerbs().contains("impersonate"));
    }

    @Test
    void impersonatingAnyServiceAccountMustBeAskedFor() throws IOException {
        RenderedChart chart = render("""
                sync:
                  impersonateAnyServiceAccount: true
                """);
        List<PolicyRule> rules = chart.one(ClusterRole.class, RELEASE).getRules();

        assertThat(rules).filteredOn(rule -> rule.getVerbs().contains("impersonate")).singleElement()
                .satisfies(rule -> {
                    assertThat(rule.getApiGroups()).containsExactly("");
                    assertThat(rule.getResources()).containsExactly("serviceaccounts");
                    assertThat(rule.getVerbs()).containsExactly("impersonate");
                    assertThat(rule.getResourceNames()).as("any ServiceAccount a GitSource names").isNullOrEmpty();
                });
        assertThat(rules).noneMatch(rule -> rule.getVerbs().contains("impersonate")
                && (rule.getResources().contains("users") || rule.getResources().contains("groups")));
    }

    @Test
    void theOperatorKnowsItsOwnServiceAccount() {
        Container operator = render(Map.of("serviceAccount.create", false, "serviceAccount.name", "ramp-sa"))
                .operator(RELEASE);

        assertThat(operator.getEnv()).filteredOn(e -> e.getName().equals("RAMP_SERVICE_ACCOUNT_NAME")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                        .isEqualTo("spec.serviceAccountName"));
    }

    @Test
    void impersonationCanBeLimitedToNamedServiceAccountsAndADefaultNamed() throws IOException {
        RenderedChart chart = render("""
                sync:
                  defaultServiceAccount: ramp-deployer
                  serviceAccountNames: [deployer]
                """);
        List<PolicyRule> rules = chart.one(ClusterRole.class, RELEASE).getRules();

        assertThat(rules).filteredOn(rule -> rule.getResources().contains("serviceaccounts")).singleElement()
                .satisfies(rule -> assertThat(rule.getResourceNames())
                        .containsExactlyInAnyOrder("deployer", "ramp-deployer"));
        assertThat(chart.env(RELEASE, "RAMP_SYNC_DEFAULT_SERVICE_ACCOUNT")).isEqualTo("ramp-deployer");
        assertThatThrownBy(() -> render(Map.of("sync.defaultServiceAccount", "Not A Name")))
                .hasMessageContaining("defaultServiceAccount");
    }

    @Test
    void extraSyncResourcesBecomeClusterRoleRules() throws IOException {
        List<PolicyRule> rules = render("""
                sync:
                  resources:
                    - apiGroups: [""]
                      resources: [configmaps]
                    - apiGroups: [networking.k8s.io]
                      resources: [ingresses, networkpolicies]
                    - apiGroups: [autoscaling]
                      resources: [horizontalpodautoscalers]
                """).one(ClusterRole.class, RELEASE).getRules();

        assertThat(verbs(rules, "networking.k8s.io", "ingresses")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "networking.k8s.io", "networkpolicies")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "autoscaling", "horizontalpodautoscalers")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "", "configmaps")).containsExactlyInAnyOrderElementsOf(CRUD);
        assertThat(verbs(rules, "ramp.dev", "metrictemplates")).as("only what is listed").doesNotContain("create", "delete");
        assertThat(verbs(rules, "apps", "deployments")).as("Ramp's own grant stays").contains("create", "delete");
    }

    @Test
    void aRealApiServerAcceptsTheChartAndGrantsOnlyWhatItSays() {
        String apps = TestCluster.get().newNamespace("apps");
        Installed installed = install(Map.of(), apps);
        String release = installed.release();

        SoftAssertions softly = new SoftAssertions();
        for (Ask ask : List.of(
                Ask.denied("list", "secrets", apps),
                Ask.denied("watch", "secrets", apps),
                Ask.denied("create", "secrets", apps),
                Ask.allowed("watch", "rollouts.ramp.dev", null),
                Ask.allowed("patch", "rollouts.ramp.dev/status", apps),
                Ask.allowed("update", "rollouts.ramp.dev/status", apps),
                Ask.denied("patch", "rollouts.ramp.dev", apps),
                Ask.denied("update", "rollouts.ramp.dev", apps),
                Ask.allowed("watch", "metrictemplates.ramp.dev", null),
                Ask.denied("patch", "metrictemplates.ramp.dev", apps),
                Ask.denied("update", "metrictemplates.ramp.dev", apps),
                Ask.allowed("update", "gitsources.ramp.dev/status", apps),
                Ask.allowed("patch", "gitsources.ramp.dev", apps),
                Ask.denied("update", "gitsources.ramp.dev", apps),
                Ask.denied("create", "gitsources.ramp.dev", apps),
                Ask.allowed("create", "deployments.apps", apps),
                Ask.allowed("delete", "services", apps),
                Ask.allowed("watch", "horizontalpodautoscalers.autoscaling", null),
                Ask.allowed("patch", "horizontalpodautoscalers.autoscaling", apps),
                Ask.allowed("create", "scaledobjects.keda.sh", apps),
                Ask.allowed("create", "events", apps),
                Ask.allowed("create", "virtualservices.networking.istio.io", apps),
                Ask.allowed("update", "destinationrules.networking.istio.io", apps),
                Ask.allowed("create", "httproutes.gateway.networking.k8s.io", apps),
                Ask.allowed("patch", "grpcroutes.gateway.networking.k8s.io", apps),
                Ask.allowed("watch", "httproutes.gateway.networking.k8s.io", null),
                Ask.allowed("watch", "gateways.gateway.networking.k8s.io", null),
                Ask.allowed("get", "gatewayclasses.gateway.networking.k8s.io", null),
                Ask.denied("update", "gateways.gateway.networking.k8s.io", apps),
                Ask.denied("create", "referencegrants.gateway.networking.k8s.io", apps),
                Ask.denied("update", "httproutes.gateway.networking.k8s.io/status", apps),
                Ask.allowed("list", "customresourcedefinitions.apiextensions.k8s.io", null),
                Ask.allowed("watch", "customresourcedefinitions.apiextensions.k8s.io", null),
                Ask.denied("update", "customresourcedefinitions.apiextensions.k8s.io", null),
                Ask.denied("create", "configmaps", apps),
                Ask.denied("create", "rollouts.ramp.dev", apps),
                Ask.denied("create", "metrictemplates.ramp.dev", apps),
                Ask.denied("impersonate", "serviceaccounts", apps).named("deployer"),
                Ask.denied("impersonate", "serviceaccounts", "kube-system").named("clusterrole-aggregation-controller"),
                Ask.denied("impersonate", "users", null).named("system:admin"),
                Ask.denied("impersonate", "groups", null).named("system:masters"),
                Ask.denied("create", "ingresses.networking.k8s.io", apps),
                Ask.denied("create", "pods", apps),
                Ask.allowed("watch", "pods", null),
                Ask.denied("delete", "namespaces", null),
                Ask.denied("create", "clusterrolebindings.rbac.authorization.k8s.io", null),
                Ask.allowed("create", "leases.coordination.k8s.io", release),
                Ask.allowed("update", "leases.coordination.k8s.io", release).named("ramp-operator"),
                Ask.denied("update", "leases.coordination.k8s.io", release).named("someone-else"),
                Ask.denied("create", "leases.coordination.k8s.io", apps))) {
            softly.assertThat(installed.review().allows(ask)).as(ask.toString()).isEqualTo(ask.allowed());
        }
        softly.assertAll();
    }

    @Test
    void onARealApiServerRampImpersonatesOnlyTheServiceAccountsNamed() {
        String apps = TestCluster.get().newNamespace("apps");
        Installed installed = install(Map.of("sync.serviceAccountNames[0]", "deployer",
                "sync.defaultServiceAccount", "ramp-deployer"), apps);

        SoftAssertions softly = new SoftAssertions();
        for (Ask ask : List.of(
                Ask.allowed("impersonate", "serviceaccounts", apps).named("deployer"),
                Ask.allowed("impersonate", "serviceaccounts", apps).named("ramp-deployer"),
                Ask.denied("impersonate", "serviceaccounts", apps).named("default"),
                Ask.denied("impersonate", "serviceaccounts", "kube-system").named("clusterrole-aggregation-controller"),
                Ask.denied("impersonate", "serviceaccounts", apps))) {
            softly.assertThat(installed.review().allows(ask)).as(ask.toString()).isEqualTo(ask.allowed());
        }
        softly.assertAll();
    }

    /** The chart's objects for these values, created on the test cluster, and questions to its authorizer. */
    private record Installed(String release, AccessReview review) {
    }

    private static Installed install(Map<String, Object> values, String apps) {
        KubernetesClient client = TestCluster.get().client();
        // The release namespace doubles as the release name, so the ClusterRole is unique too.
        String release = TestCluster.get().newNamespace("ramp");
        TemplateCommand command = new Helm(CHART).template().withName(release).withNamespace(release);
        values.forEach(command::set);
        RenderedChart.parse(command.call()).objects().forEach(object -> client.resource(object).create());
        AccessReview review = new AccessReview(client, release, release);
        Ask readSecret = Ask.allowed("get", "secrets", apps).named("git-creds");
        // The RBAC authorizer learns of new bindings through an informer, a moment after creation.
        await().atMost(30, TimeUnit.SECONDS).until(() -> review.allows(readSecret));
        return new Installed(release, review);
    }

    @Test
    void chartCrdsAreCopiesOfTheRepositoryCrds() throws IOException {
        Path repoCrds = REPO.resolve("crds");
        Path chartCrds = CHART.resolve("crds");
        List<String> names = yamlFiles(repoCrds);

        assertThat(names).as("crds/").containsExactlyInAnyOrder("gitsources.ramp.dev-v1.yml",
                "metrictemplates.ramp.dev-v1.yml", "rollouts.ramp.dev-v1.yml");
        assertThat(yamlFiles(chartCrds)).as(COPY_CRDS).containsExactlyInAnyOrderElementsOf(names);
        for (String name : names) {
            assertThat(Files.mismatch(repoCrds.resolve(name), chartCrds.resolve(name)))
                    .as("%s (%s differs)", COPY_CRDS, name).isEqualTo(-1L);
        }
    }

    @Test
    void anInvalidLogLevelIsRefused() {
        assertThatThrownBy(() -> render(Map.of("logLevel", "LOUD")))
                .hasMessageContaining("logLevel").hasMessageContaining("INFO");
    }

    @Test
    void unsafeValuesAreRefused() throws IOException {
        assertThatThrownBy(() -> render(Map.of("gitWebhook.service.port", 70000))).hasMessageContaining("port");
        assertThatThrownBy(() -> render(Map.of("gitWebhook.rateLimit.burst", 0))).hasMessageContaining("burst");
        assertThatThrownBy(() -> render(Map.of("gitWebhook.port", 9090)))
                .as("the removed webhook port is refused, not ignored").hasMessageContaining("port");
        Path wildcard = values("""
                sync:
                  resources:
                    - apiGroups: ["*"]
                      resources: ["*"]
                """);
        assertThatThrownBy(() -> template().withValuesFile(wildcard).call()).hasMessageContaining("sync.resources");
        Path rampKinds = values("""
                sync:
                  resources:
                    - apiGroups: [ramp.dev]
                      resources: [rollouts]
                """);
        assertThatThrownBy(() -> template().withValuesFile(rampKinds).call())
                .as("Ramp objects in Git need a ServiceAccount").hasMessageContaining("sync.resources");
        assertThatThrownBy(() -> render(Map.of("sync.impersonateAnyServiceAccount", "yes")))
                .hasMessageContaining("impersonateAnyServiceAccount");
        assertThatThrownBy(() -> render(Map.of("prometheus.address", "prometheus:9090")))
                .hasMessageContaining("prometheus.address");
        assertThatThrownBy(() -> render(Map.of("leaderElection.enabled", false, "replicaCount", 2)))
                .as("two replicas without leader election would both reconcile").hasMessageContaining("replicaCount");
    }

    static TemplateCommand template() {
        return new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    }

    private static RenderedChart render(Map<String, Object> values) {
        TemplateCommand command = template();
        values.forEach(command::set);
        return RenderedChart.parse(command.call());
    }

    private RenderedChart render(String valuesYaml) throws IOException {
        return RenderedChart.parse(template().withValuesFile(values(valuesYaml)).call());
    }

    private Path values(String yaml) throws IOException {
        return Files.writeString(Files.createTempFile(tmp, "values", ".yaml"), yaml);
    }

    /** Every verb the rules grant on one resource of one API group, across rules. */
    private static List<String> verbs(List<PolicyRule> rules, String apiGroup, String resource) {
        return rules.stream()
                .filter(rule -> rule.getApiGroups().contains(apiGroup) && rule.getResources().contains(resource))
                .flatMap(rule -> rule.getVerbs().stream()).distinct().toList();
    }

    private static List<String> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
                    .toList();
        }
    }
}
