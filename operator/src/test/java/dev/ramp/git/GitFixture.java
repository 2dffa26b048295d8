package dev.ramp.git;

import static org.awaitility.Awaitility.await;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceSpec;
import dev.ramp.api.LocalObjectRef;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.GitWorkspace;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.Predicate;

/** A repository on the test Git server, a developer's clone of it, and a GitSource in one namespace. */
final class GitFixture implements AutoCloseable {

    static final String USER = "ramp-bot";
    static final String PASSWORD = "s3cret-token-never-logged";
    static final String WEBHOOK_KEY = "webhook-key";
    static final String DEPLOYER = "deployer";

    final KubernetesClient client;
    final String namespace;
    final String url;
    final GitWorkspace dev;

    GitFixture(KubernetesClient client, GitHttpServer server, String namespace) throws Exception {
        this.client = client;
        this.namespace = namespace;
        this.url = server.createRepository(namespace);
        this.dev = new GitWorkspace(url, USER, PASSWORD);
        client.resource(new SecretBuilder().withNewMetadata().withName("git-creds").withNamespace(namespace).endMetadata()
                .addToStringData("username", USER).addToStringData("password", PASSWORD).build()).create();
        client.resource(new SecretBuilder().withNewMetadata().withName("git-webhook").withNamespace(namespace).endMetadata()
                .addToStringData("secret", WEBHOOK_KEY).build()).create();
    }

    GitSource createSource(String path, String interval) {
        return createSource(path, interval, spec -> { });
    }

    /** A GitSource "apps" whose spec {@code customise} completes before it is created. */
    GitSource createSource(String path, String interval, java.util.function.Consumer<GitSourceSpec> customise) {
        GitSource source = new GitSource();
        source.getMetadata().setName("apps");
        source.getMetadata().setNamespace(namespace);
        GitSourceSpec spec = new GitSourceSpec();
        spec.setUrl(url);
        spec.setPath(path);
        spec.setInterval(interval);
        spec.setSecretRef(new LocalObjectRef("git-creds"));
        spec.setWebhookSecretRef(new LocalObjectRef("git-webhook"));
        customise.accept(spec);
        source.setSpec(spec);
        return client.resource(source).create();
    }

    /**
     * ServiceAccount deployer of the namespace, which may write what a release's repository holds
     * (ConfigMaps, Deployments, Rollouts, MetricTemplates), as a team's admin would set it up: a
     * GitSource acting as Ramp itself may write no Ramp object. Returns its name once the API
     * server's authorizer applies the grant (it learns of bindings through an informer).
     */
    String deployer() {
        client.resource(new ServiceAccountBuilder().withNewMetadata().withName(DEPLOYER).withNamespace(namespace)
                .endMetadata().build()).create();
        client.resource(new RoleBuilder().withNewMetadata().withName(DEPLOYER).withNamespace(namespace).endMetadata()
                .addNewRule().withApiGroups("", "apps").withResources("configmaps", "deployments")
                .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").endRule()
                .addNewRule().withApiGroups("ramp.dev").withResources("rollouts", "metrictemplates")
                .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").endRule().build()).create();
        client.resource(new RoleBindingBuilder().withNewMetadata().withName(DEPLOYER).withNamespace(namespace)
                .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
                .withName(DEPLOYER).endRoleRef().addNewSubject().withKind("ServiceAccount").withName(DEPLOYER)
                .withNamespace(namespace).endSubject().build()).create();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> Boolean.TRUE.equals(
                client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder().withNewSpec()
                        .withUser(ApplyIdentity.username(namespace, DEPLOYER)).withNewResourceAttributes()
                        .withVerb("patch").withGroup("ramp.dev").withResource("rollouts").withNamespace(namespace)
                        .endResourceAttributes().endSpec().build()).getStatus().getAllowed()));
        return DEPLOYER;
    }

    GitSource source() {
        return client.resources(GitSource.class).inNamespace(namespace).withName("apps").get();
    }

    GitSource awaitSource(Duration within, Predicate<GitSource> until) {
        return await().atMost(within).pollInterval(Duration.ofMillis(200))
                .until(this::source, s -> s != null && s.getStatus() != null && until.test(s));
    }

    /** Records the sync request a signed push webhook records (the webhook itself: WebhookTest). */
    void requestSync() {
        SyncRequestAnnotation.record(client, namespace, "apps", java.time.Instant.now().toString());
    }

    static Condition condition(GitSource source, String type) {
        return Conditions.find(source.getStatus().getConditions(), type).orElse(null);
    }

    static String configMap(String name, String greeting) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: %s
                data:
                  greeting: %s
                """.formatted(name, greeting);
    }

    @Override
    public void close() {
        // The test cluster has no namespace controller: stop later test classes' operators from
        // syncing this namespace's GitSources against a Git server that is gone.
        client.resources(GitSource.class).inNamespace(namespace).delete();
        dev.close();
    }
}
