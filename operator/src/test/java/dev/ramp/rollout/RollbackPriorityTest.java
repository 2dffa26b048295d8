package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricProvider;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.Rollout;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import dev.ramp.work.OutsideWork;
import dev.ramp.work.Priority;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A rollback is not delayed behind a queue of other Rollouts' routine checks (issue 23): six
 * Rollouts of one namespace are released against a Prometheus that takes 2 s to answer each of
 * their queries, with the namespace's share of outside calls at one at a time, so their checks
 * queue up. A seventh Rollout of the namespace, whose canary fails, waits its turn for its first
 * check like any other; once that failure is counted its next check is urgent, goes ahead of the
 * routine checks waiting, and rolls the canary back while they still wait.
 */
class RollbackPriorityTest {

    private static final Logger LOG = Logger.getLogger(RollbackPriorityTest.class);
    private static final int ROUTINE_ROLLOUTS = 6;
    private static final Pattern ROLLOUT = Pattern.compile("rollout=\"([^\"]+)\"");

    private final KubernetesClient client = TestCluster.get().client();
    /** Counted down at the end: until then a routine query is answered after 2 s. */
    private final CountDownLatch over = new CountDownLatch(1);
    /** What the Prometheus stand-in saw, in order: "asked <rollout>" and "answered <rollout>". */
    private final List<String> seen = new ArrayList<>();
    private ExecutorService answering;
    private HttpServer prometheus;
    private RampOperator operator;
    private String namespace;
    private FakeKubelet kubelet;

    @BeforeEach
    void slowPrometheusAndAnOperatorWithOneCallPerNamespace() throws IOException {
        answering = Executors.newCachedThreadPool();
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.setExecutor(answering);
        prometheus.createContext("/api/v1/query", exchange -> {
            Matcher matcher = ROLLOUT.matcher(URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
            String rollout = matcher.find() ? matcher.group(1) : "?";
            saw("asked " + rollout);
            boolean failing = rollout.equals("failing");
            if (!failing) {
                try {
                    // The slow peer: a routine query is answered 2 s late (the operator waits 5 s).
                    over.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":"
                    + "[1700000000,\"" + (failing ? "5" : "0") + "\"]}]}}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            saw("answered " + rollout);
        });
        prometheus.start();
        operator = new RampOperator(client, "http://127.0.0.1:" + prometheus.getAddress().getPort())
                .withOutsideWork(4, 1, 64).start();
        namespace = TestCluster.get().newNamespace("rollback-priority");
        kubelet = new FakeKubelet(client, namespace);
    }

    @AfterEach
    void cleanUp() {
        over.countDown();
        operator.close();
        kubelet.close();
        prometheus.stop(0);
        answering.shutdownNow();
    }

    @Test
    void aCanaryWithAFailedCheckIsRolledBackAheadOfTheRoutineChecksQueuedInItsNamespace() {
        createErrorsTemplate();
        for (int i = 1; i <= ROUTINE_ROLLOUTS; i++) {
            create("app-" + i, List.of(10, 20, 30, 40, 50, 60, 70, 80, 90));
        }
        create("failing", List.of(50));
        for (int i = 1; i <= ROUTINE_ROLLOUTS; i++) {
            awaitPhase("app-" + i, Phase.Initialized, Duration.ofSeconds(60));
        }
        awaitPhase("failing", Phase.Initialized, Duration.ofSeconds(60));

        OutsideWork work = operator.outsideWork();
        for (int i = 1; i <= ROUTINE_ROLLOUTS; i++) {
            CanaryFixture.release(client, namespace, "app-" + i, "app:2.0");
        }
        await("routine checks queue up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> work.waiting(namespace, Priority.ROUTINE) >= 3);
        CanaryFixture.release(client, namespace, "failing", "app:2.0");

        // Its first check waits its turn behind theirs and fails; the next one may roll it back.
        await("the failing canary's first failure counted").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> rollout("failing"), r -> r.getStatus().getFailedChecks() != null && r.getStatus().getFailedChecks() >= 1);
        await("its next check is urgent and waits for the running routine one").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(5)).until(() -> work.waiting(namespace, Priority.URGENT) == 1);
        int queued = work.waiting(namespace, Priority.ROUTINE);
        int answeredBefore = count("answered app-");
        int askedBefore = count("asked app-");
        long queuedAt = System.nanoTime();

        Rollout failed = awaitPhase("failing", Phase.Failed, Duration.ofSeconds(30));
        long tookMillis = (System.nanoTime() - queuedAt) / 1_000_000;
        int answeredSince = count("answered app-") - answeredBefore;
        List<String> log = seen();
        int secondAsk = nth(log, "asked failing", 2);
        int routineAskedFirst = (int) log.subList(0, secondAsk).stream().filter(s -> s.startsWith("asked app-")).count() - askedBefore;

        LOG.infof("urgent check queued with %d routine checks waiting; rolled back %d ms later, %d routine checks answered"
                + " meanwhile", queued, tookMillis, answeredSince);
        assertThat(queued).as("routine checks waiting when the urgent one was submitted").isGreaterThanOrEqualTo(3);
        assertThat(routineAskedFirst).as("routine queries started after the urgent check was queued and before it, " + log)
                .isLessThanOrEqualTo(1);
        assertThat(answeredSince).as("routine checks answered from the urgent check's submission to the rollback: fewer than the "
                + queued + " then waiting, " + log).isLessThan(queued);
        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo(RollbackCause.ANALYSIS_FAILED);
        assertThat(failed.getStatus().getFailedChecks()).isEqualTo(2);
        assertThat(canaryWeight("failing")).as("all traffic back on the primary").isZero();
        for (int i = 1; i <= ROUTINE_ROLLOUTS; i++) {
            assertThat(rollout("app-" + i).getStatus().getPhase()).isEqualTo(Phase.Progressing);
        }
    }

    /** A Deployment and its Rollout judged by the errors template alone, interval 1 s, threshold 2. */
    private void create(String name, List<Integer> stepWeights) {
        client.resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1.0").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        Rollout rollout = TargetNotFoundTest.rollout(namespace, name, name);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setInterval("1s");
        analysis.setThreshold(2);
        analysis.setMinRequests(0);
        analysis.setStepWeights(stepWeights);
        analysis.setMetrics(List.of(CanaryFixture.templated("errors", "errors", 1)));
        rollout.getSpec().setAnalysis(analysis);
        rollout.getSpec().setProgressDeadlineSeconds(120);
        client.resource(rollout).create();
    }

    private void createErrorsTemplate() {
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName("errors").withNamespace(namespace).build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        spec.setProvider(new MetricProvider());
        spec.setQuery("sum(app_errors{rollout=\"{{ name }}\",revision=\"{{ revision }}\"})");
        template.setSpec(spec);
        client.resource(template).create();
    }

    private Rollout rollout(String name) {
        return client.resources(Rollout.class).inNamespace(namespace).withName(name).get();
    }

    private Rollout awaitPhase(String name, Phase phase, Duration within) {
        return await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> rollout(name),
                r -> r != null && r.getStatus() != null && r.getStatus().getPhase() == phase);
    }

    private Integer canaryWeight(String name) {
        VirtualService vs = client.resources(VirtualService.class).inNamespace(namespace).withName(name).get();
        return vs.getSpec().getHttp().stream().filter(r -> "primary".equals(r.getName())).findFirst().orElseThrow().getRoute().stream()
                .filter(d -> d.getDestination().getHost().equals(name + "-canary"))
                .map(HTTPRouteDestination::getWeight).findFirst().orElse(0);
    }

    private void saw(String event) {
        synchronized (seen) {
            seen.add(event);
        }
    }

    private List<String> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    private int count(String prefix) {
        return (int) seen().stream().filter(s -> s.startsWith(prefix)).count();
    }

    /** The index of the {@code n}-th {@code event} in {@code log}. */
    private static int nth(List<String> log, String event, int n) {
        int found = 0;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).equals(event) && ++found == n) {
                return i;
            }
        }
        throw new AssertionError("no " + event + " #" + n + " in " + log);
    }
}
