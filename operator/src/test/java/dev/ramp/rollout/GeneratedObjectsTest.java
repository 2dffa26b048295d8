package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.Phase;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.Rollout;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Services and routing Ramp generates are desired state, kept so at every reconcile: what a
 * person deletes comes back, and what the Rollout's spec changes reaches every object.
 */
class GeneratedObjectsTest {

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();

    private CanaryFixture fx;

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "generated");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(List.of(10, 50), "1s", 1, "2s");
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    @Test
    void aDeletedGeneratedServiceIsBackWithinSeconds() {
        String uid = service("podinfo-canary").getMetadata().getUid();

        client.services().inNamespace(fx.namespace).withName("podinfo-canary").delete();

        Service back = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> service("podinfo-canary"), s -> s != null && !s.getMetadata().getUid().equals(uid));
        assertThat(back.getSpec().getSelector()).isEqualTo(Map.of("app", "podinfo"));
        assertThat(back.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(9898));
    }

    @Test
    void aDeletedVirtualServiceIsBackWithinSecondsWithTheRecordedWeights() {
        var virtualServices = client.resources(VirtualService.class).inNamespace(fx.namespace);
        String uid = virtualServices.withName("podinfo").get().getMetadata().getUid();

        virtualServices.withName("podinfo").delete();

        // Watched, not polled: far sooner than the 5-minute resync.
        VirtualService back = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> virtualServices.withName("podinfo").get(), v -> v != null && !v.getMetadata().getUid().equals(uid));
        assertThat(back.getSpec().getHttp().get(0).getRoute()).extracting(d -> d.getWeight()).containsExactly(100, 0);
    }

    @Test
    void aDeletedPrimaryIsBackWithThePromotedTemplate() {
        String uid = fx.deployment("podinfo-primary").getMetadata().getUid();

        client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-primary").delete();

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
            var primary = client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-primary").get();
            return primary != null && !primary.getMetadata().getUid().equals(uid);
        });
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
    }

    @Test
    void aChangedServicePortReachesEveryServiceAndTheVirtualService() {
        client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").edit(r -> {
            r.getSpec().getService().setPort(8080);
            return r;
        });

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (String name : List.of("podinfo", "podinfo-primary", "podinfo-canary")) {
                assertThat(service(name).getSpec().getPorts()).singleElement()
                        .satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
            }
            VirtualService vs = client.resources(VirtualService.class).inNamespace(fx.namespace).withName("podinfo").get();
            assertThat(vs.getSpec().getHttp().get(0).getRoute())
                    .allSatisfy(d -> assertThat(d.getDestination().getPort().getNumber()).isEqualTo(8080L));
        });
    }

    @Test
    void unchangedObjectsAreNotWrittenAgain() {
        String service = service("podinfo").getMetadata().getResourceVersion();
        String vs = client.resources(VirtualService.class).inNamespace(fx.namespace).withName("podinfo").get()
                .getMetadata().getResourceVersion();

        // Waking the Rollout (an annotation) reconciles it; nothing it generates has changed.
        client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo")
                .edit(r -> {
                    r.getMetadata().getAnnotations().put("example.com/touched", "yes");
                    return r;
                });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);

        assertThat(service("podinfo").getMetadata().getResourceVersion()).isEqualTo(service);
        assertThat(client.resources(VirtualService.class).inNamespace(fx.namespace).withName("podinfo").get()
                .getMetadata().getResourceVersion()).isEqualTo(vs);
    }

    @Test
    void aTargetWithASixtyThreeCharacterNameIsReleasedWithNamesWithinKubernetesLimits() {
        String target = "a-deployment-whose-name-is-exactly-sixty-three-characters-long9";
        assertThat(target).hasSize(63);
        String namespace = TestCluster.get().newNamespace("longname");
        try (FakeKubelet kubelet = new FakeKubelet(client, namespace)) {
            env.telemetry().serve(namespace, target, 100, 20);
            client.resource(new DeploymentBuilder()
                    .withNewMetadata().withName(target).withNamespace(namespace).endMetadata()
                    .withNewSpec().withReplicas(1)
                    .withNewSelector().addToMatchLabels("app", target).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", target).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("app:1.0").endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
            Rollout rollout = TargetNotFoundTest.rollout(namespace, "long", target);
            AnalysisSpec analysis = new AnalysisSpec();
            analysis.setInterval("1s");
            analysis.setStepWeights(List.of(50));
            analysis.setMetrics(List.of(CanaryFixture.successRate("2s")));
            rollout.getSpec().setAnalysis(analysis);
            client.resource(rollout).create();
            await().atMost(Duration.ofSeconds(60)).until(() -> phase(namespace) == Phase.Initialized);

            // The operator and the fake kubelet write this Deployment too: an edit that loses the race is made again.
            await().atMost(Duration.ofSeconds(10)).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k
                    && k.getCode() == 409).until(() -> client.apps().deployments().inNamespace(namespace).withName(target)
                    .edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editSpec().editFirstContainer()
                            .withImage("app:2.0").endContainer().endSpec().endTemplate().endSpec().build()) != null);
            await().atMost(Duration.ofSeconds(90)).until(() -> phase(namespace) == Phase.Succeeded);

            RolloutNames names = RolloutNames.of(client.resources(Rollout.class).inNamespace(namespace).withName("long").get());
            var primary = client.apps().deployments().inNamespace(namespace).withName(names.primary()).get();
            assertThat(primary.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("app:2.0");
            assertThat(client.services().inNamespace(namespace).list().getItems()).extracting(s -> s.getMetadata().getName())
                    .containsExactlyInAnyOrder(target, names.primaryService(), names.canaryService())
                    .allSatisfy(name -> assertThat(name.length()).isLessThanOrEqualTo(63));
            assertThat(primary.getSpec().getSelector().getMatchLabels().values())
                    .allSatisfy(value -> assertThat(value.length()).isLessThanOrEqualTo(63));
        }
    }

    private Phase phase(String namespace) {
        Rollout rollout = client.resources(Rollout.class).inNamespace(namespace).withName("long").get();
        return rollout == null || rollout.getStatus() == null ? null : rollout.getStatus().getPhase();
    }

    private Service service(String name) {
        return client.services().inNamespace(fx.namespace).withName(name).get();
    }
}
