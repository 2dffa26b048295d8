package dev.ramp.git;

import static dev.ramp.git.GitFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.GitSource;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.RampServiceAccount;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An operator with {@code ramp.sync.default-service-account} set: a GitSource naming no
 * ServiceAccount acts as that ServiceAccount of its own namespace, against the real API server's
 * RBAC. The operator runs as Ramp's own ServiceAccount with the RBAC the chart grants for
 * {@code sync.defaultServiceAccount: ramp-deployer} (its impersonate rule then limited, by
 * {@code sync.serviceAccountNames}, to the ServiceAccounts named there and the default).
 */
class DefaultServiceAccountTest {

    private static final Duration SOON = Duration.ofSeconds(30);

    private static KubernetesClient client;
    private static RampServiceAccount ramp;
    private static GitHttpServer server;
    private static RampOperator operator;

    @BeforeAll
    static void start() throws Exception {
        client = TestCluster.get().client();
        ramp = RampServiceAccount.install(java.util.Map.of("sync.defaultServiceAccount", "ramp-deployer",
                "sync.serviceAccountNames[0]", "deployer"));
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
        operator = new RampOperator(ramp.client(), "http://127.0.0.1:9").withDefaultServiceAccount("ramp-deployer")
                .start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (server != null) {
            server.close();
        }
        if (ramp != null) {
            ramp.close();
        }
    }

    @Test
    void aGitSourceNamingNoServiceAccountActsAsTheDefaultOne() throws Exception {
        try (GitFixture fx = new GitFixture(client, server, TestCluster.get().newNamespace("defaulted"))) {
            client.resource(new ServiceAccountBuilder().withNewMetadata().withName("ramp-deployer")
                    .withNamespace(fx.namespace).endMetadata().build()).create();
            client.resource(new RoleBuilder().withNewMetadata().withName("configmaps").withNamespace(fx.namespace)
                    .endMetadata().addNewRule().withApiGroups("").withResources("configmaps")
                    .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").endRule().build()).create();
            client.resource(new RoleBindingBuilder().withNewMetadata().withName("ramp-deployer")
                    .withNamespace(fx.namespace).endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                    .withKind("Role").withName("configmaps").endRoleRef().addNewSubject().withKind("ServiceAccount")
                    .withName("ramp-deployer").withNamespace(fx.namespace).endSubject().build()).create();
            fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello")).write("svc.yaml", """
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: web
                    spec:
                      ports: [{port: 80}]
                    """);
            String refused = fx.dev.commitAndPush("a Service the default ServiceAccount may not write");
            fx.createSource(".", "5s");

            GitSource stalled = fx.awaitSource(SOON, s -> refused.equals(s.getStatus().getLastAttemptedCommit())
                    && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
            assertThat(condition(stalled, "Stalled").getReason()).isEqualTo(GitSourceException.FORBIDDEN);
            assertThat(condition(stalled, "Stalled").getMessage()).contains("Service " + fx.namespace + "/web")
                    .contains("ServiceAccount " + fx.namespace + "/ramp-deployer");
            assertThat(client.configMaps().inNamespace(fx.namespace).withName("greeting").get()).isNull();

            fx.dev.delete("svc.yaml");
            String allowed = fx.dev.commitAndPush("only what it may write");
            fx.awaitSource(SOON, s -> allowed.equals(s.getStatus().getLastAppliedCommit()));
            assertThat(client.configMaps().inNamespace(fx.namespace).withName("greeting").get()).isNotNull();
        }
    }

    @Test
    void aServiceAccountTheChartDoesNotLetRampImpersonateIsRefused() throws Exception {
        try (GitFixture fx = new GitFixture(client, server, TestCluster.get().newNamespace("unlisted"))) {
            client.resource(new ServiceAccountBuilder().withNewMetadata().withName("someone")
                    .withNamespace(fx.namespace).endMetadata().build()).create();
            client.resource(new RoleBuilder().withNewMetadata().withName("configmaps").withNamespace(fx.namespace)
                    .endMetadata().addNewRule().withApiGroups("").withResources("configmaps")
                    .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").endRule().build()).create();
            client.resource(new RoleBindingBuilder().withNewMetadata().withName("someone")
                    .withNamespace(fx.namespace).endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                    .withKind("Role").withName("configmaps").endRoleRef().addNewSubject().withKind("ServiceAccount")
                    .withName("someone").withNamespace(fx.namespace).endSubject().build()).create();
            fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
            String commit = fx.dev.commitAndPush("a ConfigMap its ServiceAccount may write");
            fx.createSource(".", "5s", spec -> spec.setServiceAccountName("someone"));

            // sync.serviceAccountNames is [deployer] (and the default ramp-deployer): Ramp may not act as "someone".
            GitSource stalled = fx.awaitSource(SOON, s -> commit.equals(s.getStatus().getLastAttemptedCommit())
                    && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
            assertThat(condition(stalled, "Stalled").getReason()).isEqualTo(GitSourceException.FORBIDDEN);
            assertThat(condition(stalled, "Stalled").getMessage()).contains("ConfigMap " + fx.namespace + "/greeting")
                    .contains("ServiceAccount " + fx.namespace + "/someone")
                    .contains("User \"" + ramp.username() + "\" cannot impersonate resource \"serviceaccounts\"");
            assertThat(client.configMaps().inNamespace(fx.namespace).withName("greeting").get()).isNull();
        }
    }
}
