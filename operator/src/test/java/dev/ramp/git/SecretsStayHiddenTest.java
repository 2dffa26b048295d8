package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.GitSource;
import dev.ramp.api.MetricProvider;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import dev.ramp.api.LocalObjectRef;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.HookServer;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A release declared in Git fails (a real Prometheus sees 80% success) while its hooks' URLs come
 * from Secrets and a MetricTemplate sends a bearer token; it is rolled back and reverted in Git;
 * then the Git credentials go bad and a sync fails. No secret value (Git password, webhook HMAC
 * key, hook URL or its token, provider token, the bad password) appears in any Event, in the
 * Rollout's or GitSource's status, in the revert commit, or in a log line.
 */
class SecretsStayHiddenTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);
    private static final String HOOK_TOKEN = "hook-token-4f9a7c";
    private static final String NOTIFY_TOKEN = "notify-token-8e2d1b";
    private static final String PROVIDER_TOKEN = "provider-token-5c3e0a";
    private static final String WRONG_PASSWORD = "rotated-password-7b1f";

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private static GitHttpServer server;

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final TestPrometheus prometheus = env.prometheus();
    private final RampOperator operator = env.operator();
    private final List<String> logs = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                line.append(' ').append(Arrays.toString(record.getParameters()));
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(' ').append(trace);
            }
            synchronized (logs) {
                logs.add(line.toString());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private GitFixture fx;
    private FakeKubelet kubelet;
    private HookServer hooks;

    @BeforeAll
    static void start() throws Exception {
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        Logger.getLogger("").addHandler(capture);
        capture.setLevel(Level.ALL);
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("secrets"));
        kubelet = new FakeKubelet(client, fx.namespace);
        hooks = new HookServer();
    }

    @AfterEach
    void cleanUp() {
        Logger.getLogger("").removeHandler(capture);
        hooks.close();
        kubelet.close();
        fx.close();
    }

    private String hookUrl() {
        return hooks.url("/gate") + "?token=" + HOOK_TOKEN;
    }

    private String notifyUrl() {
        return hooks.url("/notify") + "?token=" + NOTIFY_TOKEN;
    }

    private static final String ROLLOUT = """
            apiVersion: ramp.dev/v1alpha1
            kind: Rollout
            metadata:
              name: podinfo
            spec:
              targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
              progressDeadlineSeconds: 60
              service: {port: 9898}
              analysis:
                interval: 1s
                threshold: 2
                stepWeights: [10, 50]
                metrics:
                  - name: request-success-rate
                    thresholdRange: {min: 99}
                    interval: 5s
                  - name: up
                    templateRef: {name: up}
                    thresholdRange: {max: 1000000}
                webhooks:
                  - {name: gate, type: rollout, urlSecretRef: {name: hook-url, key: url}, timeout: 2s}
                  - {name: notify, type: post-rollout, urlSecretRef: {name: notify-url, key: url}, timeout: 2s}
              gitRevert: {enabled: true, sourceRef: {name: apps}, mode: Push}
            """;

    @Test
    void noSecretValueReachesEventsStatusCommitsOrLogs() throws Exception {
        secret("hook-url", "url", hookUrl());
        secret("notify-url", "url", notifyUrl());
        secret("prometheus-token", "token", PROVIDER_TOKEN);
        hooks.answer("/notify", 500);
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName("up").withNamespace(fx.namespace).build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        MetricProvider provider = new MetricProvider();
        provider.setAddress(prometheus.address());
        provider.setSecretRef(new LocalObjectRef("prometheus-token"));
        spec.setProvider(provider);
        spec.setQuery("vector(1)");
        template.setSpec(spec);
        client.resource(template).create();

        telemetry.serve(fx.namespace, "podinfo", 80.0, 20);
        fx.dev.write("apps/podinfo/deploy.yaml", GitRevertTest.deployment("podinfo:1.0"))
                .write("apps/podinfo/rollout.yaml", ROLLOUT);
        fx.dev.commitAndPush("podinfo 1.0");
        // A Rollout in Git needs a ServiceAccount that may write it: Ramp itself writes no Ramp object.
        fx.createSource("apps", "1h", source -> source.setServiceAccountName(fx.deployer()));
        awaitRollout(Duration.ofSeconds(60), r -> r.getStatus().getPhase() == Phase.Initialized);
        prometheus.awaitScrapes();

        fx.dev.write("apps/podinfo/deploy.yaml", GitRevertTest.deployment("podinfo:2.0"));
        String bad = fx.dev.commitAndPush("podinfo 2.0");
        fx.requestSync();
        fx.awaitSource(Duration.ofSeconds(20), s -> bad.equals(s.getStatus().getLastAppliedCommit()));

        Rollout reverted = awaitRollout(RELEASE, r -> Conditions.isTrue(r.getStatus().getConditions(), "GitReverted"));
        assertThat(reverted.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisFailed");
        // The hooks were called at the URLs in their Secrets, tokens and all, and the provider was asked.
        assertThat(hooks.calls("/gate")).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !hooks.calls("/notify").isEmpty());
        assertThat(reverted.getStatus().getMetrics()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("up");
            assertThat(m.getValue()).isEqualTo(1.0);
        });
        // What is shown of a hook names its Secret.
        await().atMost(Duration.ofSeconds(10)).until(() -> !events("HookFailed").isEmpty());
        assertThat(events("HookFailed")).anySatisfy(m -> assertThat(m)
                .contains("webhook notify (post-rollout, URL in Secret notify-url key url) answered 500"));
        String commit = fx.dev.log().get(0).getFullMessage();
        assertThat(commit).contains("AnalysisFailed: request-success-rate was 80, below the minimum 99");

        // The credentials go bad: the next sync fails and says so, without the password.
        client.resource(new SecretBuilder().withNewMetadata().withName("git-creds").withNamespace(fx.namespace).endMetadata()
                .addToStringData("username", GitFixture.USER).addToStringData("password", WRONG_PASSWORD).build()).update();
        fx.dev.write("apps/other/config.yaml", GitFixture.configMap("other", "hello"));
        fx.dev.commitAndPush("another change");
        fx.requestSync();
        GitSource failing = fx.awaitSource(Duration.ofSeconds(30),
                s -> "AuthenticationFailed".equals(conditionReason(s, "Ready")) || "AuthenticationFailed".equals(conditionReason(s, "Stalled")));

        StringBuilder seen = new StringBuilder();
        client.v1().events().inNamespace(fx.namespace).list().getItems()
                .forEach(e -> seen.append(e.getReason()).append(": ").append(e.getMessage()).append('\n'));
        seen.append(Serialization.asYaml(rollout())).append(Serialization.asYaml(failing));
        for (RevCommit c : fx.dev.log()) {
            seen.append(c.getFullMessage()).append('\n');
        }
        synchronized (logs) {
            logs.forEach(l -> seen.append(l).append('\n'));
        }
        String everything = seen.toString();
        assertThat(everything).contains("URL in Secret notify-url key url").contains("AuthenticationFailed");
        assertThat(everything).doesNotContain(GitFixture.PASSWORD, GitFixture.WEBHOOK_KEY, WRONG_PASSWORD, HOOK_TOKEN,
                NOTIFY_TOKEN, hookUrl(), notifyUrl(), PROVIDER_TOKEN);
        assertThat(logs).isNotEmpty();
    }

    private void secret(String name, String key, String value) {
        client.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(fx.namespace).endMetadata()
                .addToStringData(key, value).build()).create();
    }

    private List<String> events(String reason) {
        return client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).map(e -> e.getMessage()).toList();
    }

    private static String conditionReason(GitSource source, String type) {
        var condition = GitFixture.condition(source, type);
        return condition == null ? null : condition.getReason();
    }

    private Rollout rollout() {
        return client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").get();
    }

    private Rollout awaitRollout(Duration within, java.util.function.Predicate<Rollout> until) {
        return await().atMost(within).pollInterval(Duration.ofMillis(200))
                .until(this::rollout, r -> r != null && r.getStatus() != null && r.getStatus().getPhase() != null
                        && until.test(r));
    }
}
