package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ramp.api.AccessReasons;
import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.api.GitSourceSpec;
import dev.ramp.api.RampLabels;
import dev.ramp.kube.Managed;
import dev.ramp.kube.SecretValues;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tenancy decisions that need no cluster: who a GitSource acts as, where it may write, what it owns. */
class TenancyRulesTest {

    private static final ResourceDefinitionContext CONFIG_MAP = new ResourceDefinitionContext.Builder()
            .withGroup("").withVersion("v1").withKind("ConfigMap").withPlural("configmaps").withNamespaced(true).build();
    private static final ResourceDefinitionContext CLUSTER_ROLE = new ResourceDefinitionContext.Builder()
            .withGroup("rbac.authorization.k8s.io").withVersion("v1").withKind("ClusterRole").withPlural("clusterroles")
            .withNamespaced(false).build();
    private static final java.util.function.BiFunction<String, String, ResourceDefinitionContext> RAMP_KIND =
            (kind, plural) -> new ResourceDefinitionContext.Builder().withGroup("ramp.dev").withVersion("v1alpha1")
                    .withKind(kind).withPlural(plural).withNamespaced(true).build();

    @Test
    void withoutAServiceAccountOnlyNamespacedObjectsOfTheOwnNamespacePass() throws GitSourceException {
        DesiredObject home = desired(CONFIG_MAP, "ConfigMap", "team-a", "a", 1);
        DesiredObject away = desired(CONFIG_MAP, "ConfigMap", "team-b", "b", 2);
        DesiredObject cluster = desired(CLUSTER_ROLE, "ClusterRole", null, "admin2", 3);

        OwnNamespaceRule.check(List.of(home), "team-a");
        assertThat(OwnNamespaceRule.refusal(away, "team-a"))
                .isEqualTo(new OwnNamespaceRule.Refusal("OutsideNamespace", "is in namespace team-b, not team-a"));
        assertThat(OwnNamespaceRule.refusal(cluster, "team-a"))
                .isEqualTo(new OwnNamespaceRule.Refusal("OutsideNamespace", "is cluster-scoped"));
        assertThatThrownBy(() -> OwnNamespaceRule.check(List.of(home, cluster, away), "team-a"))
                .isInstanceOfSatisfying(GitSourceException.class, e -> {
                    assertThat(e.userFixable()).isTrue();
                    assertThat(e.reason()).isEqualTo(GitSourceReasons.OUTSIDE_NAMESPACE);
                    assertThat(e.getMessage()).startsWith("ClusterRole admin2 (apps.yaml, document 3) is cluster-scoped")
                            .contains("spec.serviceAccountName").contains("own namespace team-a");
                });
    }

    @Test
    void withoutAServiceAccountNoRampObjectIsWrittenEvenAtHome() throws GitSourceException {
        DesiredObject config = desired(CONFIG_MAP, "ConfigMap", "team-a", "a", 1);
        DesiredObject rollout = desired(RAMP_KIND.apply("Rollout", "rollouts"), "Rollout", "team-a", "podinfo", 2);
        DesiredObject source = desired(RAMP_KIND.apply("GitSource", "gitsources"), "GitSource", "team-a", "apps", 3);
        DesiredObject template = desired(RAMP_KIND.apply("MetricTemplate", "metrictemplates"), "MetricTemplate",
                "team-a", "latency", 4);

        OwnNamespaceRule.check(List.of(config), "team-a");
        for (DesiredObject ramp : List.of(rollout, source, template)) {
            assertThatThrownBy(() -> OwnNamespaceRule.check(List.of(config, ramp), "team-a"))
                    .isInstanceOfSatisfying(GitSourceException.class, e -> {
                        assertThat(e.userFixable()).isTrue();
                        assertThat(e.reason()).isEqualTo(AccessReasons.RAMP_OBJECT_REFUSED);
                        assertThat(e.getMessage()).startsWith(ramp.describe() + " is a Ramp object")
                                .contains("spec.serviceAccountName").contains("no Ramp objects (ramp.dev)");
                    });
        }
    }

    @Test
    void rampNeverActsAsItsOwnServiceAccountNorOneOfKubeSystem() throws GitSourceException {
        Config nowhere = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").build();
        try (KubernetesClient ramp = new KubernetesClientBuilder().withConfig(nowhere).build();
                SyncIdentities identities = new SyncIdentities(ramp, Optional.empty(), Optional.of("ramp-system/ramp"))) {
            assertThatThrownBy(() -> identities.of(source("ramp-system", "apps", "ramp")))
                    .isInstanceOfSatisfying(GitSourceException.class, e -> {
                        assertThat(e.userFixable()).isTrue();
                        assertThat(e.reason()).isEqualTo(AccessReasons.SERVICE_ACCOUNT_REFUSED);
                        assertThat(e.getMessage()).startsWith("spec.serviceAccountName names ServiceAccount"
                                + " ramp-system/ramp, which is Ramp's own");
                    });
            assertThatThrownBy(() -> identities.of(source("kube-system", "apps", "clusterrole-aggregation-controller")))
                    .isInstanceOfSatisfying(GitSourceException.class, e -> {
                        assertThat(e.reason()).isEqualTo(AccessReasons.SERVICE_ACCOUNT_REFUSED);
                        assertThat(e.getMessage()).startsWith("spec.serviceAccountName names ServiceAccount"
                                + " kube-system/clusterrole-aggregation-controller, of namespace kube-system");
                    });
            assertThat(identities.openClients()).as("no client built for a refused ServiceAccount").isZero();
            assertThat(identities.of(source("team-a", "apps", "ramp")).serviceAccount())
                    .as("a ServiceAccount of the same name elsewhere is a team's").isEqualTo("ramp");
            assertThat(identities.of(source("ramp-system", "apps", "deployer")).serviceAccount()).isEqualTo("deployer");
        }
        try (KubernetesClient ramp = new KubernetesClientBuilder().withConfig(nowhere).build();
                SyncIdentities identities = new SyncIdentities(ramp, Optional.of("default"), Optional.empty())) {
            assertThatThrownBy(() -> identities.of(source("kube-system", "apps", null)))
                    .isInstanceOfSatisfying(GitSourceException.class, e -> assertThat(e.getMessage())
                            .startsWith("spec.serviceAccountName is empty, and the operator's default"
                                    + " (sync.defaultServiceAccount) names ServiceAccount kube-system/default"));
        }
    }

    @Test
    void aServiceAccountTokenSecretIsNeverUsed() {
        Secret token = new SecretBuilder().withNewMetadata().withName("builder-token").withNamespace("team-a")
                .endMetadata().withType("kubernetes.io/service-account-token").addToStringData("token", "eyJ...").build();
        Secret opaque = new SecretBuilder(token).withType("Opaque").build();

        assertThat(SecretValues.refusal(opaque, "spec.secretRef")).isEmpty();
        assertThat(SecretValues.refusal(token, "spec.secretRef")).hasValueSatisfying(why -> assertThat(why)
                .startsWith("Secret team-a/builder-token (spec.secretRef) is a ServiceAccount token")
                .doesNotContain("eyJ"));
    }

    @Test
    void theGitSourcesServiceAccountComesFirstThenTheOperatorDefault() {
        assertThat(SyncIdentities.serviceAccountOf("deployer", Optional.of("ramp-deployer"))).isEqualTo("deployer");
        assertThat(SyncIdentities.serviceAccountOf(null, Optional.of("ramp-deployer"))).isEqualTo("ramp-deployer");
        assertThat(SyncIdentities.serviceAccountOf(" ", Optional.of("ramp-deployer"))).isEqualTo("ramp-deployer");
        assertThat(SyncIdentities.serviceAccountOf(null, Optional.empty())).isNull();
    }

    @Test
    void impersonatingClientsAreSharedPerServiceAccountAndClosedWhenTheirGitSourcesGo() throws GitSourceException {
        Config nowhere = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").build();
        try (KubernetesClient ramp = new KubernetesClientBuilder().withConfig(nowhere).build();
                SyncIdentities identities = new SyncIdentities(ramp, Optional.of("ramp-deployer"))) {
            ApplyIdentity named = identities.of(source("team-a", "apps", "deployer"));
            ApplyIdentity byDefault = identities.of(source("team-a", "infra", null));
            ApplyIdentity sameAccount = identities.of(source("team-a", "more", "deployer"));

            assertThat(named.client().getConfiguration().getImpersonateUsername())
                    .isEqualTo("system:serviceaccount:team-a:deployer");
            assertThat(named.client().getConfiguration().getImpersonateGroups()).as("the API server adds a"
                    + " ServiceAccount's groups itself when none are sent").isNullOrEmpty();
            assertThat(byDefault.client().getConfiguration().getImpersonateUsername())
                    .isEqualTo("system:serviceaccount:team-a:ramp-deployer");
            assertThat(ramp.getConfiguration().getImpersonateUsername()).as("Ramp's own client is untouched").isNull();
            assertThat(sameAccount.client()).isSameAs(named.client());
            assertThat(named.describe()).isEqualTo("ServiceAccount team-a/deployer");
            assertThat(named.ownNamespaceOnly()).isFalse();
            assertThat(identities.openClients()).isEqualTo(2);

            identities.retainOnly(Set.of("team-a/more"));
            assertThat(identities.openClients()).isEqualTo(1);
            identities.retainOnly(Set.of());
            assertThat(identities.openClients()).isZero();
        }
        try (KubernetesClient ramp = new KubernetesClientBuilder().withConfig(nowhere).build()) {
            ApplyIdentity own = SyncIdentities.withoutDefault(ramp).of(source("team-a", "apps", null));
            assertThat(own.client()).isSameAs(ramp);
            assertThat(own.ownNamespaceOnly()).isTrue();
        }
    }

    @Test
    void theLocksOfGitSourcesThatAreGoneAreLetGo() throws Exception {
        GitMirror mirror = new GitMirror(java.nio.file.Files.createTempDirectory("ramp-git-cache-"), GitMirror.DEFAULT_DEPTH,
                dev.ramp.testing.LoopbackEgress.policy());
        GitSource apps = source("team-a", "apps", null);
        GitSource infra = source("team-a", "infra", null);
        apps.getSpec().setUrl("https://git.example.com/a.git");
        infra.getSpec().setUrl("https://git.example.com/b.git");
        mirror.with(apps, repository -> null);
        mirror.with(infra, repository -> null);
        assertThat(mirror.lockCount()).isEqualTo(2);

        mirror.retainOnly(Set.of("team-a/apps"));
        assertThat(mirror.lockCount()).isEqualTo(1);
    }

    @Test
    void anObjectIsOwnedOnlyByTheGitSourceItsLabelNames() {
        String owner = RampLabels.gitSource("team-a", "apps");
        assertThat(owner).isEqualTo("team-a.apps");
        assertThat(Ownership.notOwned(labelled(RampLabels.GITSOURCE, owner), owner)).isNull();
        assertThat(Ownership.notOwned(labelled("app", "x"), owner)).isEqualTo("it has no ramp.dev/gitsource label");
        assertThat(Ownership.notOwned(labelled(RampLabels.GITSOURCE, "team-b.apps"), owner))
                .isEqualTo("it belongs to GitSource team-b.apps");
    }

    @Test
    void theOwnershipLabelStaysALabelValueForLongNames() {
        String namespace = "n".repeat(63);
        String value = RampLabels.gitSource(namespace, "apps-of-a-team-with-a-long-name");
        assertThat(value).hasSizeLessThanOrEqualTo(63).matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
        assertThat(RampLabels.gitSource(namespace, "apps-of-a-team-with-a-long-name-2")).isNotEqualTo(value);
        assertThat(RampLabels.gitSource(namespace, "apps-of-a-team-with-a-long-name")).isEqualTo(value);
    }

    @Test
    void objectsMarkedAsRampsAreRecognisedAsGenerated() {
        assertThat(Managed.isGenerated(labelled("app.kubernetes.io/managed-by", "ramp"))).isTrue();
        assertThat(Managed.isGenerated(labelled("app.kubernetes.io/managed-by", "Helm"))).isFalse();
        assertThat(Managed.isGenerated(new ConfigMapBuilder().withNewMetadata().withName("x")
                .addToAnnotations(Managed.ROLLOUT_ANNOTATION, "podinfo").endMetadata().build())).isTrue();
    }

    @Test
    void manifestsBeyondTheLimitsAreRefusedNamingFileAndLimit() throws GitSourceException {
        ManifestLimits limits = new ManifestLimits(100, 250);
        assertThat(limits.admit("a.yaml", 100, 0)).isEqualTo(100);
        assertThat(limits.admit("b.yaml", 100, 100)).isEqualTo(200);
        assertThatThrownBy(() -> limits.admit("big.yaml", 101, 0)).isInstanceOfSatisfying(GitSourceException.class, e -> {
            assertThat(e.reason()).isEqualTo(ManifestLimits.TOO_LARGE);
            assertThat(e.userFixable()).isTrue();
            assertThat(e.getMessage()).isEqualTo("big.yaml is 101 bytes, more than the limit of 100 bytes per manifest"
                    + " file (operator setting ramp.git.max-file-bytes)");
        });
        assertThatThrownBy(() -> limits.admit("c.yaml", 60, 200)).isInstanceOfSatisfying(GitSourceException.class,
                e -> assertThat(e.getMessage()).contains("up to c.yaml are 260 bytes").contains("limit of 250 bytes"));
    }

    private static DesiredObject desired(ResourceDefinitionContext definition, String kind, String namespace, String name,
            int document) {
        GenericKubernetesResource object = new GenericKubernetesResourceBuilder().withApiVersion(
                definition.getGroup().isEmpty() ? "v1" : definition.getGroup() + "/v1").withKind(kind)
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build();
        return new DesiredObject(new Manifest("apps.yaml", document, object), definition, object);
    }

    private static GenericKubernetesResource labelled(String key, String value) {
        return new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withNewMetadata().withName("x").addToLabels(key, value).endMetadata().build();
    }

    private static GitSource source(String namespace, String name, String serviceAccount) {
        GitSource source = new GitSource();
        source.getMetadata().setNamespace(namespace);
        source.getMetadata().setName(name);
        source.setSpec(new GitSourceSpec());
        source.getSpec().setServiceAccountName(serviceAccount);
        return source;
    }
}
