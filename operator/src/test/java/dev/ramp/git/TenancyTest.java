package dev.ramp.git;

import static dev.ramp.git.GitFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.AccessReasons;
import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.api.RampLabels;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.RampServiceAccount;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What one team's GitSource can and cannot do to the cluster, against the real kube-apiserver
 * with RBAC: impersonation of its ServiceAccount, the own-namespace rule without one, ownership
 * of what prune deletes, objects Ramp generates for a Rollout, and the size of manifests.
 * <p>
 * The operator runs as Ramp's own ServiceAccount with exactly the RBAC the chart grants for its
 * default values (a multi-tenant install: {@code sync.resources: []}, no default ServiceAccount),
 * authenticated by a token, not as the test cluster's admin: its informers, status writes,
 * Events and impersonation all pass the API server's RBAC. The test itself sets up namespaces,
 * Secrets and team RBAC as the admin.
 */
class TenancyTest {

    private static final Duration SOON = Duration.ofSeconds(30);

    private static KubernetesClient client;
    private static RampServiceAccount ramp;
    private static GitHttpServer server;
    private static RampOperator operator;

    private GitFixture fx;
    private String other;

    @BeforeAll
    static void start() throws Exception {
        client = TestCluster.get().client();
        ramp = RampServiceAccount.install(java.util.Map.of("sync.serviceAccountNames[0]", "deployer"));
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
        operator = new RampOperator(ramp.client(), "http://127.0.0.1:9")
                .withOwnServiceAccount(ramp.namespace() + "/" + ramp.name()).start();
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

    @BeforeEach
    void repository() throws Exception {
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("team-a"));
        other = TestCluster.get().newNamespace("team-b");
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    @Test
    void aServiceAccountWritesOnlyWhatItsRbacAllows() throws Exception {
        deployer("configmaps", "deployments");
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"))
                .write("web.yaml", deployment("web", other));
        String reaching = fx.dev.commitAndPush("a Deployment in another team's namespace");
        fx.createSource(".", "5s", spec -> spec.setServiceAccountName("deployer"));

        GitSource refused = fx.awaitSource(SOON, s -> reaching.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(refused, "Stalled").getReason()).isEqualTo(GitSourceException.FORBIDDEN);
        assertThat(condition(refused, "Stalled").getMessage()).contains("Deployment " + other + "/web")
                .contains("web.yaml, document 1").contains("ServiceAccount " + fx.namespace + "/deployer")
                .contains("nothing of it was");
        assertThat(refused.getStatus().getLastAppliedCommit()).isNull();
        assertThat(live("greeting")).as("nothing of a refused commit is applied").isNull();
        assertThat(client.apps().deployments().inNamespace(other).list().getItems()).isEmpty();

        fx.dev.write("web.yaml", deployment("web", null));
        String home = fx.dev.commitAndPush("the Deployment in our own namespace");
        fx.awaitSource(SOON, s -> home.equals(s.getStatus().getLastAppliedCommit()));
        assertThat(live("greeting").getMetadata().getLabels())
                .containsEntry(RampLabels.GITSOURCE, fx.namespace + ".apps");
        assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("web").get()).isNotNull();
        assertThat(client.apps().deployments().inNamespace(other).list().getItems()).isEmpty();
    }

    @Test
    void withoutAServiceAccountOnlyNamespacedObjectsOfItsOwnNamespaceAreWritten() throws Exception {
        fx.dev.write("apps.yaml", GitFixture.configMap("greeting", "hello") + "---\n"
                + GitFixture.configMap("intruder", "hi").replace("metadata:\n", "metadata:\n  namespace: " + other + "\n"));
        String reaching = fx.dev.commitAndPush("a ConfigMap in another namespace");
        fx.createSource(".", "5s");

        GitSource refused = fx.awaitSource(SOON, s -> reaching.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(refused, "Stalled").getReason()).isEqualTo(GitSourceReasons.OUTSIDE_NAMESPACE);
        assertThat(condition(refused, "Stalled").getMessage()).contains("ConfigMap " + other + "/intruder")
                .contains("apps.yaml, document 2").contains("is in namespace " + other).contains("serviceAccountName");
        assertThat(live("greeting")).isNull();
        assertThat(client.configMaps().inNamespace(other).withName("intruder").get()).isNull();

        String binding = "team-a-admin-" + fx.namespace;
        fx.dev.write("apps.yaml", GitFixture.configMap("greeting", "hello") + "---\n" + """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: %s
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                subjects: [{kind: ServiceAccount, name: default, namespace: %s}]
                """.formatted(binding, fx.namespace));
        String escalating = fx.dev.commitAndPush("a ClusterRoleBinding");

        GitSource escalation = fx.awaitSource(SOON, s -> escalating.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(escalation, "Stalled").getMessage()).contains("ClusterRoleBinding " + binding)
                .contains("apps.yaml, document 2").contains("cluster-scoped");
        assertThat(client.rbac().clusterRoleBindings().withName(binding).get()).isNull();
        assertThat(live("greeting")).isNull();
    }

    @Test
    void rampsOwnServiceAccountCouldWriteADeploymentElsewhereSoTheOwnNamespaceRuleRefusesIt() throws Exception {
        KubernetesClient asRamp = ramp.client();
        // What the chart grants Ramp for Rollouts reaches every namespace: RBAC would let it through ...
        asRamp.resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata().withName("probe")
                .withNamespace(other).endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "probe")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "probe").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("podinfo:1.0").endContainer().endSpec()
                .endTemplate().endSpec().build()).dryRun().create();
        // ... while a ConfigMap there, or a ClusterRoleBinding, Ramp's own ServiceAccount may not write at all.
        assertForbiddenToRamp(() -> asRamp.resource(new ConfigMapBuilder().withNewMetadata().withName("probe")
                .withNamespace(other).endMetadata().build()).create());
        assertForbiddenToRamp(() -> asRamp.resource(new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                .withNewMetadata().withName("probe-" + fx.namespace).endMetadata().withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("cluster-admin").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName("default").withNamespace(fx.namespace).endSubject()
                .build()).create());

        fx.dev.write("web.yaml", deployment("web", null) + "---\n" + deployment("web", other));
        String reaching = fx.dev.commitAndPush("a Deployment here and one in another team's namespace");
        fx.createSource(".", "5s");

        GitSource refused = fx.awaitSource(SOON, s -> reaching.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(refused, "Stalled").getReason()).isEqualTo(GitSourceReasons.OUTSIDE_NAMESPACE);
        assertThat(condition(refused, "Stalled").getMessage()).contains("Deployment " + other + "/web")
                .contains("web.yaml, document 2").contains("is in namespace " + other);
        assertThat(client.apps().deployments().inNamespace(other).list().getItems()).isEmpty();
        assertThat(client.apps().deployments().inNamespace(fx.namespace).list().getItems())
                .as("nothing of a refused commit is applied").isEmpty();
    }

    @Test
    void withoutAServiceAccountNoRampObjectIsWritten() throws Exception {
        fx.dev.write("web.yaml", deployment("web", null)).write("rollout.yaml", """
                apiVersion: ramp.dev/v1alpha1
                kind: Rollout
                metadata:
                  name: web
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  service: {port: 9898}
                """);
        String withRollout = fx.dev.commitAndPush("a Deployment and its Rollout");
        fx.createSource(".", "5s");

        GitSource refused = fx.awaitSource(SOON, s -> withRollout.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(refused, "Stalled").getReason()).isEqualTo(AccessReasons.RAMP_OBJECT_REFUSED);
        assertThat(condition(refused, "Stalled").getMessage())
                .contains("Rollout " + fx.namespace + "/web (rollout.yaml, document 1) is a Ramp object")
                .contains("spec.serviceAccountName").contains("nothing of it was");
        assertThat(client.resources(dev.ramp.api.Rollout.class).inNamespace(fx.namespace).list().getItems()).isEmpty();
        assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("web").get())
                .as("nothing of a refused commit is applied").isNull();

        // Ramp may patch GitSources (a webhook's sync request): without the rule, a commit could repoint its own.
        fx.dev.delete("rollout.yaml").write("source.yaml", """
                apiVersion: ramp.dev/v1alpha1
                kind: GitSource
                metadata:
                  name: apps
                spec:
                  url: https://git.example.com/elsewhere.git
                  serviceAccountName: deployer
                """);
        String repointing = fx.dev.commitAndPush("the GitSource itself, with another repository and ServiceAccount");
        GitSource stillOurs = fx.awaitSource(SOON, s -> repointing.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(stillOurs, "Stalled").getReason()).isEqualTo(AccessReasons.RAMP_OBJECT_REFUSED);
        assertThat(condition(stillOurs, "Stalled").getMessage())
                .contains("GitSource " + fx.namespace + "/apps (source.yaml, document 1) is a Ramp object");
        assertThat(stillOurs.getSpec().getUrl()).isEqualTo(fx.url);
        assertThat(stillOurs.getSpec().getServiceAccountName()).isNull();
    }

    @Test
    void aServiceAccountTokenIsNeverSentAsGitCredentials() throws Exception {
        String token = "sa-token-" + java.util.UUID.randomUUID();
        client.resource(new ServiceAccountBuilder().withNewMetadata().withName("builder").withNamespace(fx.namespace)
                .endMetadata().build()).create();
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("builder-token")
                .withNamespace(fx.namespace).addToAnnotations("kubernetes.io/service-account.name", "builder")
                .endMetadata().withType(AccessReasons.SERVICE_ACCOUNT_TOKEN_TYPE).addToStringData("token", token)
                .build()).create();
        fx.dev.write("config.yaml", deployment("web", null));
        String commit = fx.dev.commitAndPush("a Deployment");
        fx.createSource(".", "5s", spec -> spec.setSecretRef(new dev.ramp.api.LocalObjectRef("builder-token")));

        GitSource refused = fx.awaitSource(SOON, s -> Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(refused, "Stalled").getReason()).isEqualTo(AccessReasons.SECRET_REFUSED);
        assertThat(condition(refused, "Stalled").getMessage())
                .contains("Secret " + fx.namespace + "/builder-token (spec.secretRef) is a ServiceAccount token")
                .doesNotContain(token);
        assertThat(refused.getStatus().getLastAppliedCommit()).isNotEqualTo(commit);
        String basic = java.util.Base64.getEncoder().encodeToString(("git:" + token)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(server.authorizations()).as("what the Git server was sent")
                .noneMatch(header -> header.contains(token) || header.contains(basic));
        assertThat(events(AccessReasons.SECRET_REFUSED)).allSatisfy(e -> assertThat(e.getMessage()).doesNotContain(token));
    }

    @Test
    void aGitSourceCannotActAsRampsOwnServiceAccount() {
        GitSource source = new GitSource();
        source.getMetadata().setName("as-ramp-" + fx.namespace);
        source.getMetadata().setNamespace(ramp.namespace());
        source.setSpec(new dev.ramp.api.GitSourceSpec());
        source.getSpec().setUrl(fx.url);
        source.getSpec().setPath(".");
        source.getSpec().setInterval("5s");
        source.getSpec().setServiceAccountName(ramp.name());
        client.resource(source).create();
        try {
            GitSource refused = await().atMost(SOON).pollInterval(Duration.ofMillis(200)).until(
                    () -> client.resource(source).get(), s -> s.getStatus() != null
                            && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
            assertThat(condition(refused, "Stalled").getReason()).isEqualTo(AccessReasons.SERVICE_ACCOUNT_REFUSED);
            assertThat(condition(refused, "Stalled").getMessage()).startsWith("spec.serviceAccountName names"
                    + " ServiceAccount " + ramp.namespace() + "/" + ramp.name() + ", which is Ramp's own");
            assertThat(refused.getStatus().getLastAppliedCommit()).isNull();
        } finally {
            client.resource(source).delete();
        }
    }

    @Test
    void withoutAServiceAccountRampsOwnRbacLimitsWhatItWritesEvenAtHome() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello")).write("web.yaml", deployment("web", null));
        String configMap = fx.dev.commitAndPush("a ConfigMap, which the chart does not let Ramp write");
        fx.createSource(".", "5s");

        GitSource refused = fx.awaitSource(SOON, s -> configMap.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(refused, "Stalled").getReason()).isEqualTo(GitSourceException.FORBIDDEN);
        assertThat(condition(refused, "Stalled").getMessage()).contains("ConfigMap " + fx.namespace + "/greeting")
                .contains("config.yaml, document 1").contains("Ramp's own ServiceAccount").contains(ramp.username())
                .contains("nothing of it was");
        assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("web").get()).isNull();

        fx.dev.delete("config.yaml");
        String deploymentOnly = fx.dev.commitAndPush("only the Deployment");
        fx.awaitSource(SOON, s -> deploymentOnly.equals(s.getStatus().getLastAppliedCommit()));
        assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("web").get().getMetadata()
                .getLabels()).containsEntry(RampLabels.GITSOURCE, fx.namespace + ".apps");
    }

    @Test
    void pruneLeavesAnObjectThisGitSourceDoesNotOwn() throws Exception {
        deployer("configmaps");
        fx.dev.write("a.yaml", GitFixture.configMap("mine", "a")).write("b.yaml", GitFixture.configMap("taken", "b"));
        String first = fx.dev.commitAndPush("two ConfigMaps");
        fx.createSource(".", "5s", spec -> spec.setServiceAccountName("deployer"));
        fx.awaitSource(SOON, s -> first.equals(s.getStatus().getLastAppliedCommit()));
        assertThat(live("taken").getMetadata().getLabels()).containsEntry(RampLabels.GITSOURCE, fx.namespace + ".apps");

        client.configMaps().inNamespace(fx.namespace).withName("taken").edit(cm -> {
            cm.getMetadata().getLabels().remove(RampLabels.GITSOURCE);
            return cm;
        });
        GitSource leftAlone = fx.awaitSource(SOON, s -> condition(s, "Drifted") != null
                && "NotOwned".equals(condition(s, "Drifted").getReason()));
        assertThat(condition(leftAlone, "Drifted").getMessage()).contains("ConfigMap " + fx.namespace + "/taken")
                .contains("no " + RampLabels.GITSOURCE + " label");
        assertThat(live("taken").getMetadata().getLabels()).as("self-heal does not take it back")
                .doesNotContainKey(RampLabels.GITSOURCE);

        fx.dev.delete("a.yaml").delete("b.yaml").write("c.yaml", GitFixture.configMap("other", "c"));
        String second = fx.dev.commitAndPush("both left Git");
        GitSource pruned = fx.awaitSource(SOON, s -> second.equals(s.getStatus().getLastAppliedCommit()));
        await().atMost(SOON).until(() -> live("mine") == null);
        assertThat(live("taken")).as("not owned, so not pruned").isNotNull();
        assertThat(condition(pruned, "Ready").getMessage()).contains("not pruned")
                .contains("v1/ConfigMap/" + fx.namespace + "/taken");
        assertThat(events("PruneSkipped")).anyMatch(e -> e.getMessage().contains("/taken"));
    }

    @Test
    void pruneLeavesAnObjectAnotherGitSourceTookOver() throws Exception {
        deployer("configmaps");
        fx.dev.write("a/mine.yaml", GitFixture.configMap("mine", "a")).write("a/shared.yaml",
                GitFixture.configMap("shared", "a"));
        String first = fx.dev.commitAndPush("GitSource apps declares two ConfigMaps");
        fx.createSource("a", "5s", spec -> spec.setServiceAccountName("deployer"));
        fx.awaitSource(SOON, s -> first.equals(s.getStatus().getLastAppliedCommit()));
        assertThat(live("shared").getMetadata().getLabels()).containsEntry(RampLabels.GITSOURCE, fx.namespace + ".apps");

        fx.dev.write("b/shared.yaml", GitFixture.configMap("shared", "b"));
        String second = fx.dev.commitAndPush("GitSource second declares one of them too");
        GitSource other = new GitSource();
        other.getMetadata().setName("second");
        other.getMetadata().setNamespace(fx.namespace);
        other.setSpec(fx.source().getSpec());
        other.getSpec().setPath("b");
        client.resource(other).create();
        await().atMost(SOON).until(() -> {
            GitSource s = client.resources(GitSource.class).inNamespace(fx.namespace).withName("second").get();
            return s.getStatus() != null && second.equals(s.getStatus().getLastAppliedCommit());
        });
        assertThat(live("shared").getMetadata().getLabels()).as("taken over by the GitSource that applied it last")
                .containsEntry(RampLabels.GITSOURCE, fx.namespace + ".second");

        fx.dev.delete("a/mine.yaml").delete("a/shared.yaml").write("a/other.yaml", GitFixture.configMap("other", "c"));
        String third = fx.dev.commitAndPush("both left apps' directory");
        GitSource pruned = fx.awaitSource(SOON, s -> third.equals(s.getStatus().getLastAppliedCommit()));
        await().atMost(SOON).until(() -> live("mine") == null);
        assertThat(live("shared")).as("owned by GitSource second, so not pruned by apps").isNotNull();
        assertThat(live("shared").getData()).containsEntry("greeting", "b");
        assertThat(condition(pruned, "Ready").getMessage()).contains("not pruned")
                .contains("v1/ConfigMap/" + fx.namespace + "/shared");
        assertThat(events("PruneSkipped")).anyMatch(e -> e.getMessage().contains("/shared"));
    }

    @Test
    void objectsRampGeneratesForARolloutAreLeftToIt() throws Exception {
        deployer("configmaps", "services");
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("generated").withNamespace(fx.namespace)
                .addToAnnotations("ramp.dev/rollout", "podinfo").endMetadata().addToData("greeting", "from-ramp")
                .build()).create();
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello") + "---\n"
                + GitFixture.configMap("generated", "from-git") + "---\n" + """
                apiVersion: v1
                kind: Service
                metadata:
                  name: podinfo
                  labels: {app.kubernetes.io/managed-by: ramp}
                spec:
                  ports: [{port: 9898}]
                """);
        String commit = fx.dev.commitAndPush("declares what Ramp generates");
        fx.createSource(".", "5s", spec -> spec.setServiceAccountName("deployer"));

        GitSource synced = fx.awaitSource(SOON, s -> commit.equals(s.getStatus().getLastAppliedCommit()));
        assertThat(synced.getStatus().getInventory()).containsExactly("v1/ConfigMap/" + fx.namespace + "/greeting");
        assertThat(condition(synced, "Ready").getMessage()).contains("1 objects")
                .contains("Service " + fx.namespace + "/podinfo (config.yaml, document 3) skipped: declared in Git as"
                        + " generated by Ramp")
                .contains("ConfigMap " + fx.namespace + "/generated (config.yaml, document 2) skipped: generated by Ramp"
                        + " for Rollout podinfo");
        assertThat(client.services().inNamespace(fx.namespace).withName("podinfo").get()).isNull();
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8))
                .until(() -> "from-ramp".equals(live("generated").getData().get("greeting")));
        assertThat(condition(fx.source(), "Drifted").getStatus()).as("no drift reported for them").isEqualTo("False");
    }

    /**
     * Not tenancy, but the rest of what the chart's RBAC must allow the operator: a Rollout's
     * target is scaled, its primary, Services and VirtualService created, its status written and
     * an Event recorded, all with Ramp's ServiceAccount's token.
     */
    @Test
    void aRolloutIsInitializedWithTheChartsRbac() throws Exception {
        try (var kubelet = new dev.ramp.testing.FakeKubelet(client, fx.namespace)) {
            client.resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata()
                    .withName("podinfo").withNamespace(fx.namespace).endMetadata().withNewSpec().withReplicas(2)
                    .withNewSelector().addToMatchLabels("app", "podinfo").endSelector().withNewTemplate().withNewMetadata()
                    .addToLabels("app", "podinfo").endMetadata().withNewSpec().addNewContainer().withName("podinfo")
                    .withImage("podinfo:1.0").addNewPort().withContainerPort(9898).endPort().endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
            client.resource(rollout("podinfo", "podinfo")).create();
            client.resource(rollout("ghost", "missing")).create();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                var r = client.resources(dev.ramp.api.Rollout.class).inNamespace(fx.namespace).withName("podinfo").get();
                return r.getStatus() != null && r.getStatus().getPhase() == dev.ramp.api.Phase.Initialized;
            });
            assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-primary").get()).isNotNull();
            assertThat(client.services().inNamespace(fx.namespace).list().getItems())
                    .extracting(svc -> svc.getMetadata().getName())
                    .contains("podinfo", "podinfo-primary", "podinfo-canary");
            assertThat(client.resources(io.fabric8.istio.api.networking.v1.VirtualService.class)
                    .inNamespace(fx.namespace).withName("podinfo").get()).isNotNull();
            await().atMost(SOON).until(() -> events("TargetNotFound").stream()
                    .anyMatch(e -> "ghost".equals(e.getInvolvedObject().getName())));
        } finally {
            // No namespace controller: keep later test classes' operators off these Rollouts.
            client.resources(dev.ramp.api.Rollout.class).inNamespace(fx.namespace).delete();
        }
    }

    @Test
    void anOversizedManifestIsRefusedUnread() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"))
                .write("huge.yaml", "# " + "x".repeat((int) ManifestLimits.DEFAULT_FILE_BYTES) + "\n"
                        + GitFixture.configMap("huge", "big"));
        String commit = fx.dev.commitAndPush("a manifest beyond the limit");
        fx.createSource(".", "5s");

        GitSource refused = fx.awaitSource(SOON, s -> commit.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(refused, "Stalled").getReason()).isEqualTo(ManifestLimits.TOO_LARGE);
        assertThat(condition(refused, "Stalled").getMessage()).contains("huge.yaml")
                .contains("limit of " + ManifestLimits.DEFAULT_FILE_BYTES + " bytes per manifest file");
        assertThat(refused.getStatus().getLastAppliedCommit()).isNull();
        assertThat(live("greeting")).isNull();
    }

    @Test
    void theTwoTeamExampleOfTheDocsKeepsEachTeamInItsNamespace() throws Exception {
        String doc = java.nio.file.Files.readString(TestCluster.repoRoot().resolve("docs").resolve("tenancy.md"));
        int start = doc.indexOf("```yaml", doc.indexOf("## Two teams"));
        String yaml = doc.substring(doc.indexOf('\n', start) + 1, doc.indexOf("```", start + 7));
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects = client.load(
                new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))).items();
        assertThat(objects).extracting(o -> o.getKind()).contains("GitSource", "ServiceAccount", "RoleBinding");
        for (var object : objects) {
            if (object.getKind().equals("GitSource")) {
                // Validated by the CRD, not created: there is no Git server at git.example.com.
                client.resource(object).dryRun().create();
            } else {
                client.resource(object).create();
            }
        }
        await().atMost(SOON).until(() -> may("team-a", "create", "apps", "deployments", "team-a"));

        assertThat(may("team-a", "create", "", "configmaps", "team-a")).isTrue();
        assertThat(may("team-a", "create", "ramp.dev", "rollouts", "team-a")).isTrue();
        assertThat(may("team-a", "create", "apps", "deployments", "team-b")).isFalse();
        assertThat(may("team-a", "get", "", "secrets", "team-a")).isFalse();
        assertThat(may("team-a", "create", "rbac.authorization.k8s.io", "clusterrolebindings", null)).isFalse();
        assertThat(may("team-b", "create", "autoscaling", "horizontalpodautoscalers", "team-b")).isTrue();
        assertThat(may("team-b", "create", "ramp.dev", "rollouts", "team-b")).isFalse();
        assertThat(may("team-b", "delete", "", "configmaps", "team-a")).isFalse();
    }

    /**
     * ServiceAccount deployer of the team's namespace, which may manage these kinds (of the core
     * and apps groups) in it, as the team's admin would set it up.
     */
    private void deployer(String... resources) {
        client.resource(new ServiceAccountBuilder().withNewMetadata().withName("deployer").withNamespace(fx.namespace)
                .endMetadata().build()).create();
        client.resource(new RoleBuilder().withNewMetadata().withName("deployer").withNamespace(fx.namespace).endMetadata()
                .addNewRule().withApiGroups("", "apps").withResources(resources)
                .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").endRule().build()).create();
        client.resource(new RoleBindingBuilder().withNewMetadata().withName("deployer").withNamespace(fx.namespace)
                .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
                .withName("deployer").endRoleRef().addNewSubject().withKind("ServiceAccount").withName("deployer")
                .withNamespace(fx.namespace).endSubject().build()).create();
    }

    /** The request, made with Ramp's ServiceAccount's token, is refused by RBAC (403 naming it). */
    private static void assertForbiddenToRamp(org.assertj.core.api.ThrowableAssert.ThrowingCallable request) {
        org.assertj.core.api.Assertions.assertThatThrownBy(request).isInstanceOfSatisfying(
                KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("User \"" + ramp.username() + "\"");
                });
    }

    /** A Rollout of a Deployment, with a canary analysis (the Prometheus it names is never reached here). */
    private dev.ramp.api.Rollout rollout(String name, String target) {
        var rollout = new dev.ramp.api.Rollout();
        rollout.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name)
                .withNamespace(fx.namespace).build());
        var spec = new dev.ramp.api.RolloutSpec();
        spec.setTargetRef(new dev.ramp.api.TargetRef(target));
        var service = new dev.ramp.api.ServiceSpec();
        service.setPort(9898);
        spec.setService(service);
        var analysis = new dev.ramp.api.AnalysisSpec();
        analysis.setInterval("1h");
        analysis.setThreshold(1);
        analysis.setStepWeights(List.of(10, 50));
        var successRate = new dev.ramp.api.MetricCheck();
        successRate.setName("request-success-rate");
        successRate.setThresholdRange(new dev.ramp.api.ThresholdRange(99.0, null));
        successRate.setInterval("1m");
        analysis.setMetrics(List.of(successRate));
        spec.setAnalysis(analysis);
        rollout.setSpec(spec);
        return rollout;
    }

    /** Whether ServiceAccount {@code team}/deployer may do this, as the API server's RBAC answers. */
    private static boolean may(String team, String verb, String group, String resource, String namespace) {
        var review = new io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder().withNewSpec()
                .withUser(ApplyIdentity.username(team, "deployer"))
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + team, "system:authenticated")
                .withNewResourceAttributes().withVerb(verb).withGroup(group).withResource(resource)
                .withNamespace(namespace).endResourceAttributes().endSpec().build();
        return Boolean.TRUE.equals(client.authorization().v1().subjectAccessReview().create(review).getStatus()
                .getAllowed());
    }

    private ConfigMap live(String name) {
        return client.configMaps().inNamespace(fx.namespace).withName(name).get();
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    private static String deployment(String name, String namespace) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s%s
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers: [{name: app, image: podinfo:1.0}]
                """.formatted(name, namespace == null ? "" : "\n  namespace: " + namespace, name, name);
    }
}
