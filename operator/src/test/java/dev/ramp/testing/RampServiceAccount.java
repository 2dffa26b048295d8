package dev.ramp.testing;

import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.ramp.api.GitSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Ramp's own ServiceAccount on the test cluster with exactly the RBAC the chart grants it: the
 * chart in charts/ramp is rendered (as {@code helm template} would, with the given values), its
 * ServiceAccount, ClusterRole, ClusterRoleBinding and leader-election Role and RoleBinding are
 * created in a fresh release namespace (which doubles as the release name, so the cluster-scoped
 * objects are unique too), and a token is minted for the ServiceAccount with the TokenRequest
 * API. {@link #client()} makes its requests with that bearer token and no client certificate:
 * the API server authenticates them as {@code system:serviceaccount:<namespace>:<name>} and
 * its RBAC authorizer decides, as for the operator's pod.
 */
public final class RampServiceAccount implements AutoCloseable {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final List<Class<? extends HasMetadata>> INSTALLED = List.of(ServiceAccount.class,
            ClusterRole.class, ClusterRoleBinding.class, Role.class, RoleBinding.class);

    private final KubernetesClient admin;
    private final String namespace;
    private final String name;
    private final List<HasMetadata> installed;
    private final KubernetesClient client;

    private RampServiceAccount(KubernetesClient admin, String namespace, String name, List<HasMetadata> installed,
            KubernetesClient client) {
        this.admin = admin;
        this.namespace = namespace;
        this.name = name;
        this.installed = installed;
        this.client = client;
    }

    /** The chart's RBAC for its default values: a multi-tenant install ({@code sync.resources: []}). */
    public static RampServiceAccount install() {
        return install(Map.of());
    }

    /** The chart's RBAC for these values ({@code --set key=value}). */
    public static RampServiceAccount install(Map<String, Object> values) {
        TestCluster cluster = TestCluster.get();
        KubernetesClient admin = cluster.client();
        String release = cluster.newNamespace("ramp");
        TemplateCommand template = new Helm(TestCluster.repoRoot().resolve("charts").resolve("ramp")).template()
                .withName(release).withNamespace(release);
        values.forEach(template::set);
        List<HasMetadata> installed = parse(template.call()).stream()
                .filter(o -> INSTALLED.stream().anyMatch(kind -> kind.isInstance(o))).toList();
        installed.forEach(o -> admin.resource(o).create());
        ServiceAccount account = installed.stream().filter(ServiceAccount.class::isInstance)
                .map(ServiceAccount.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("the chart rendered no ServiceAccount"));
        String name = account.getMetadata().getName();
        String token = admin.serviceAccounts().inNamespace(release).withName(name)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(bearer(admin.getConfiguration(), token))
                .build();
        RampServiceAccount ramp = new RampServiceAccount(admin, release, name, installed, client);
        ramp.awaitGrants();
        return ramp;
    }

    /** A client of Ramp's ServiceAccount: the chart's RBAC is all it may do. */
    public KubernetesClient client() {
        return client;
    }

    /** The release namespace, where the ServiceAccount is. */
    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    /** {@code system:serviceaccount:<namespace>:<name>}, as the API server names it in a refusal. */
    public String username() {
        return "system:serviceaccount:" + namespace + ":" + name;
    }

    /**
     * The admin's connection (server and CA) with the ServiceAccount's token in place of the
     * admin's client certificate.
     */
    static Config bearer(Config admin, String token) {
        return new ConfigBuilder(admin).withClientCertData(null).withClientKeyData(null).withClientCertFile(null)
                .withClientKeyFile(null).withUsername(null).withPassword(null).withOauthToken(token)
                .withImpersonateUsername(null).withImpersonateGroups(new String[0]).build();
    }

    /**
     * Waits until the RBAC authorizer, which learns of new bindings through an informer, lets the
     * ServiceAccount watch GitSources; first checks that its requests are not an admin's.
     */
    private void awaitGrants() {
        try {
            client.namespaces().list();
            throw new IllegalStateException("Ramp's ServiceAccount may list Namespaces: its client is no ServiceAccount's");
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403 || !e.getMessage().contains(username())) {
                throw e;
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> client.resources(GitSource.class).inAnyNamespace().list() != null);
    }

    private static List<HasMetadata> parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        if (parsed instanceof List<?> list) {
            return list.stream().map(HasMetadata.class::cast).toList();
        }
        return List.of((HasMetadata) parsed);
    }

    /**
     * Closes the client and deletes the cluster-scoped objects (the namespaced ones stay with the
     * namespace: the test cluster has no namespace controller).
     */
    @Override
    public void close() {
        client.close();
        installed.stream().filter(o -> o instanceof ClusterRole || o instanceof ClusterRoleBinding)
                .forEach(o -> admin.resource(o).delete());
    }
}
