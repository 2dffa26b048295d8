package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Phase;
import dev.ramp.api.RouteMatch;
import dev.ramp.api.SessionAffinity;
import dev.ramp.api.Strategy;
import dev.ramp.api.StringMatch;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Blue/green and A/B releases against the real kube-apiserver and Prometheus: the routes a user
 * sees in the VirtualService at each phase.
 */
class StrategiesTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final TestPrometheus prometheus = env.prometheus();

    private CanaryFixture fx;

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "strategy");
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    @Test
    void blueGreenChecksWithMirroredTrafficThenSwitchesAllAtOnce() {
        fx.createTarget("podinfo:1.0");
        fx.createRollout(r -> {
            r.getSpec().setStrategy(Strategy.BlueGreen);
            r.getSpec().getAnalysis().setIterations(2);
            r.getSpec().getAnalysis().setMirror(true);
        });
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        prometheus.awaitScrapes();
        fx.watchWeights();

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> fx.observedRoutes().contains("100/0+mirror"));
        assertThat(fx.rollout().getStatus().getCanaryWeight()).isZero();
        assertThat(fx.virtualService().getSpec().getHttp().get(0).getMirror().getHost()).isEqualTo("podinfo-canary");
        fx.awaitPhase(Phase.Succeeded, RELEASE);

        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedRoutes())
                .containsExactly("100/0", "100/0+mirror", "0/100", "100/0"));
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(fx.events("StepAdvanced")).extracting(e -> e.getMessage()).contains(
                "Check 1 of 2 with no live traffic (live traffic mirrored to the canary)",
                "All traffic switched to the canary");
    }

    @Test
    void anAbTestSendsOnlyMatchingRequestsToTheCanary() {
        fx.createTarget("podinfo:1.0");
        RouteMatch insiders = new RouteMatch();
        StringMatch exact = new StringMatch();
        exact.setExact("insider");
        insiders.setHeaders(Map.of("x-canary", exact));
        RouteMatch cookie = new RouteMatch();
        StringMatch regex = new StringMatch();
        regex.setRegex("^(.*?;)?(canary=always)(;.*)?$");
        cookie.setHeaders(Map.of("cookie", regex));
        fx.createRollout(r -> {
            r.getSpec().setStrategy(Strategy.ABTest);
            r.getSpec().getAnalysis().setIterations(2);
            r.getSpec().getAnalysis().setMatch(List.of(insiders, cookie));
        });
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        prometheus.awaitScrapes();
        fx.watchWeights();

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> fx.observedRoutes().contains("match->canary,100/0"));
        var http = fx.virtualService().getSpec().getHttp();
        assertThat(http).extracting(r -> r.getName()).containsExactly("canary", "primary");
        assertThat(http.get(0).getMatch()).hasSize(2);
        assertThat(http.get(0).getMatch().get(0).getHeaders().get("x-canary").getMatchType().toString()).contains("insider");
        assertThat(http.get(0).getMatch().get(1).getHeaders().get("cookie").getMatchType().toString()).contains("canary=always");
        fx.awaitPhase(Phase.Succeeded, RELEASE);

        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedRoutes())
                .containsExactly("100/0", "match->canary,100/0", "100/0"));
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(fx.rollout().getStatus().getIterations()).isEqualTo(2);
    }

    @Test
    void aCanaryWithSessionAffinityKeepsTheUsersItReachedOnTheCanaryInTheVirtualService() {
        fx.createTarget("podinfo:1.0");
        fx.createRollout(r -> {
            r.getSpec().getAnalysis().setStepWeights(List.of(30, 60));
            r.getSpec().getAnalysis().setSessionAffinity(new SessionAffinity("ramp-canary", null));
        });
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        prometheus.awaitScrapes();
        fx.watchWeights();

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> fx.observedRoutes().contains("match->canary,70/30"));
        String revision = fx.rollout().getStatus().getLastAppliedRevision();
        var http = fx.virtualService().getSpec().getHttp();
        assertThat(http).extracting(r -> r.getName()).containsExactly("canary", "primary");
        assertThat(http.get(0).getMatch()).singleElement().satisfies(m -> assertThat(m.getHeaders().get("cookie")
                .getMatchType().toString()).contains("^(.*?;\\s*)?(ramp-canary=\"?" + revision + "\"?)(;.*)?$"));
        var split = http.get(1).getRoute();
        assertThat(split.get(0).getHeaders()).as("the primary's responses").isNull();
        assertThat(split.get(1).getHeaders().getResponse().getAdd())
                .containsExactly(Map.entry("Set-Cookie", "ramp-canary=" + revision + "; Max-Age=86400; Path=/"));
        fx.awaitPhase(Phase.Succeeded, RELEASE);

        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedRoutes())
                .containsExactly("100/0", "match->canary,70/30", "match->canary,40/60", "100/0"));
        assertThat(fx.virtualService().getSpec().getHttp()).singleElement()
                .satisfies(r -> assertThat(r.getRoute()).allSatisfy(d -> assertThat(d.getHeaders()).isNull()));
    }

    @Test
    void aFailingBlueGreenNeverTakesLiveTraffic() {
        telemetry.serve(fx.namespace, "podinfo", 80, 20);
        fx.createTarget("podinfo:1.0");
        fx.createRollout(r -> {
            r.getSpec().setStrategy(Strategy.BlueGreen);
            r.getSpec().getAnalysis().setIterations(3);
        });
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        prometheus.awaitScrapes();
        fx.watchWeights();

        fx.release("podinfo:2.0-bad");
        fx.awaitPhase(Phase.Failed, RELEASE);

        assertThat(fx.observedRoutes()).containsOnly("100/0");
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
    }
}
