package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.analysis.Analysis;
import dev.ramp.analysis.AnalysisMetrics;
import dev.ramp.analysis.CheckResult;
import dev.ramp.analysis.Providers;
import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricProvider;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Verdict;
import dev.ramp.api.WebhookSpec.Type;
import dev.ramp.git.ReleaseReverter;
import dev.ramp.testing.LoopbackEgress;
import dev.ramp.work.Observation;
import dev.ramp.work.OutsideWork;
import dev.ramp.work.Priority;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which calls outside the cluster a rollback may wait for, decided from status alone, and that
 * those go ahead of the routine checks waiting in their namespace: against a Prometheus stand-in
 * on 127.0.0.1 that holds its answers until the test lets them go, with a namespace share of one
 * call at a time and a fixed clock.
 */
class ProbePriorityTest {

    private static final Instant T0 = Instant.parse("2026-12-04T03:00:00Z");
    private static final Pattern ROLLOUT = Pattern.compile("rollout=\"([^\"]+)\"");

    private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    private final OutsideWork work = new OutsideWork(2, 1, 64);
    /** What reached the world outside, in order: the queries by Rollout, the Git reverts. */
    private final List<String> calls = new ArrayList<>();
    private final CountDownLatch answer = new CountDownLatch(1);
    private HttpServer prometheus;
    private AsyncProbes probes;

    @BeforeEach
    void prometheusThatAnswersWhenLetGo() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.setExecutor(Executors.newCachedThreadPool());
        prometheus.createContext("/api/v1/query", exchange -> {
            String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
            Matcher rollout = ROLLOUT.matcher(query);
            String name = rollout.find() ? rollout.group(1) : "?";
            called("query " + name);
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String value = name.startsWith("failing") ? "5" : "0";
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1700000000,\""
                    + value + "\"]}]}}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        prometheus.start();
        Analysis analysis = new Analysis(new Providers(null, "http://127.0.0.1:" + prometheus.getAddress().getPort(),
                LoopbackEgress.policy()), new AnalysisMetrics(new SimpleMeterRegistry()));
        probes = new AsyncProbes(analysis, null, work, clock);
    }

    @AfterEach
    void stop() {
        answer.countDown();
        work.close();
        prometheus.stop(0);
    }

    @Test
    void theChecksOfACanaryWithAFailureCountedAreUrgentAndOthersRoutine() {
        RolloutStatus status = new RolloutStatus();
        assertThat(ProbePriority.round(status)).isEqualTo(Priority.ROUTINE);
        status.setFailedChecks(0);
        assertThat(ProbePriority.round(status)).isEqualTo(Priority.ROUTINE);
        status.setInconclusiveChecks(2);
        assertThat(ProbePriority.round(status)).as("no verdict is no evidence against the canary").isEqualTo(Priority.ROUTINE);
        status.setFailedChecks(1);
        assertThat(ProbePriority.round(status)).isEqualTo(Priority.URGENT);
        assertThat(ProbePriority.round(null)).isEqualTo(Priority.ROUTINE);
    }

    @Test
    void aRollbackHookIsUrgentAlwaysAndTheRoundsOtherHooksWhenAFailureIsCounted() {
        RolloutStatus clean = new RolloutStatus();
        RolloutStatus failedOnce = new RolloutStatus();
        failedOnce.setFailedChecks(1);

        assertThat(ProbePriority.hook(clean, Type.Rollback)).isEqualTo(Priority.URGENT);
        for (Type type : List.of(Type.Rollout, Type.PreRollout, Type.ConfirmRollout, Type.ConfirmPromotion)) {
            assertThat(ProbePriority.hook(clean, type)).as(type.name()).isEqualTo(Priority.ROUTINE);
            assertThat(ProbePriority.hook(failedOnce, type)).as(type.name()).isEqualTo(Priority.URGENT);
        }
        assertThat(ProbePriority.revert()).isEqualTo(Priority.URGENT);
    }

    @Test
    void aCheckThatMayRollBackAndAGitRevertGoAheadOfTheRoutineChecksWaitingInTheirNamespace() {
        TemplateLookup templates = TemplateLookup.of(List.of(template()));
        Observation<CheckResult> first = probes.checks(pass(rollout("app-1", 0), templates));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls().contains("query app-1"));
        List<Observation<CheckResult>> routine = new ArrayList<>();
        for (String name : List.of("app-2", "app-3", "app-4")) {
            routine.add(probes.checks(pass(rollout(name, 0), templates)));
        }
        RolloutContext failing = pass(rollout("failing", 1), templates);
        Observation<CheckResult> urgent = probes.checks(failing);
        RolloutContext rolledBack = pass(rollout("reverted", 2), templates);
        Reverts reverts = probes.reverts(request -> {
            called("git revert " + request.rollout().getMetadata().getName());
            return ReleaseReverter.Outcome.done("Reverted", "reverted", "abc123");
        });
        reverts.revert(rolledBack, new ReleaseReverter.Request(rolledBack.rollout(), null, "rev-2",
                new RollbackCause(RollbackCause.ANALYSIS_FAILED, "failed")));

        assertThat(List.of(first, urgent)).allMatch(Observation::pending);
        assertThat(routine).allMatch(Observation::pending);
        assertThat(work.waiting("shop", Priority.ROUTINE)).isEqualTo(3);
        assertThat(work.waiting("shop", Priority.URGENT)).isEqualTo(2);
        answer.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> calls().size() == 6);
        assertThat(calls()).containsExactly("query app-1", "query failing", "git revert reverted", "query app-2",
                "query app-3", "query app-4");
        await().atMost(Duration.ofSeconds(10)).until(() -> !probes.checks(failing).pending());
        assertThat(probes.checks(failing).value().verdict()).isEqualTo(Verdict.Failed);
    }

    private void called(String call) {
        synchronized (calls) {
            calls.add(call);
        }
    }

    private List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** One pass over the Rollout at T0. */
    private static RolloutContext pass(Rollout rollout, TemplateLookup templates) {
        return new RolloutContext(rollout, null, Optional.empty(), templates, T0);
    }

    /** A Rollout of namespace shop in its first step, judged by template errors alone, with failed checks counted. */
    private static Rollout rollout(String name, int failedChecks) {
        Rollout rollout = TargetNotFoundTest.rollout("shop", name, name);
        rollout.getMetadata().setUid("uid-" + name);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setMinRequests(0);
        analysis.setMetrics(List.of(CanaryFixture.templated("errors", "errors", 1)));
        rollout.getSpec().setAnalysis(analysis);
        RolloutStatus status = new RolloutStatus();
        status.setPhase(Phase.Progressing);
        status.setLastAppliedRevision("rev-" + name);
        status.setCurrentStep(new StepStatus(0, T0.minusSeconds(30).toString()));
        status.setFailedChecks(failedChecks);
        rollout.setStatus(status);
        return rollout;
    }

    private static MetricTemplate template() {
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName("errors").withNamespace("shop").build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        spec.setProvider(new MetricProvider());
        spec.setQuery("sum(app_errors{rollout=\"{{ name }}\",revision=\"{{ revision }}\"})");
        template.setSpec(spec);
        return template;
    }
}
