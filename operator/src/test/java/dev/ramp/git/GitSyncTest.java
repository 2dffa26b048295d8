package dev.ramp.git;

import static dev.ramp.git.GitFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.api.SyncRequest;
import dev.ramp.kube.Conditions;
import dev.ramp.api.RampLabels;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.GitSshServer;
import dev.ramp.testing.GitWorkspace;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GitSource sync against the real kube-apiserver and a real Git server over authenticated smart
 * HTTP: what a user sees in the cluster, in the GitSource's status and in Events.
 */
class GitSyncTest {

    private static final Duration SOON = Duration.ofSeconds(30);

    private static KubernetesClient client;
    private static GitHttpServer server;
    private static RampOperator operator;

    private GitFixture fx;

    @BeforeAll
    static void start() throws Exception {
        client = TestCluster.get().client();
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
        operator = new RampOperator(client, "http://127.0.0.1:9").start();
    }

    @AfterAll
    static void stop() {
        operator.close();
        server.close();
    }

    @BeforeEach
    void repository() throws Exception {
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("git"));
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    private ConfigMap live(String name) {
        return client.configMaps().inNamespace(fx.namespace).withName(name).get();
    }

    @Test
    void appliesTheBranchThenEachNewCommitAndPrunesWhatLeftGit() throws Exception {
        fx.dev.write("apps/config.yaml", GitFixture.configMap("greeting", "hello") + "---\n" + GitFixture.configMap("farewell", "bye"))
                .write("apps/more/extra.yml", GitFixture.configMap("extra", "more"))
                .write("README.md", "not a manifest");
        String first = fx.dev.commitAndPush("first");
        fx.createSource("apps", "5s");

        GitSource synced = fx.awaitSource(SOON, s -> first.equals(s.getStatus().getLastAppliedCommit()));
        assertThat(condition(synced, "Ready").getStatus()).isEqualTo("True");
        assertThat(synced.getStatus().getInventory()).containsExactlyInAnyOrder(
                "v1/ConfigMap/" + fx.namespace + "/greeting", "v1/ConfigMap/" + fx.namespace + "/farewell",
                "v1/ConfigMap/" + fx.namespace + "/extra");
        assertThat(live("greeting").getData()).containsEntry("greeting", "hello");
        assertThat(live("greeting").getMetadata().getAnnotations()).containsEntry(RampLabels.COMMIT_ANNOTATION, first);
        assertThat(live("greeting").getMetadata().getManagedFields())
                .anyMatch(f -> ManifestApplier.FIELD_MANAGER.equals(f.getManager()) && "Apply".equals(f.getOperation()));

        fx.dev.write("apps/config.yaml", GitFixture.configMap("greeting", "hello-again")).delete("apps/more/extra.yml");
        String second = fx.dev.commitAndPush("second: change greeting, drop farewell and extra");

        GitSource updated = fx.awaitSource(SOON, s -> second.equals(s.getStatus().getLastAppliedCommit()));
        assertThat(live("greeting").getData()).containsEntry("greeting", "hello-again");
        assertThat(live("greeting").getMetadata().getAnnotations()).containsEntry(RampLabels.COMMIT_ANNOTATION, second);
        assertThat(updated.getStatus().getInventory()).containsExactly("v1/ConfigMap/" + fx.namespace + "/greeting");
        await().atMost(SOON).until(() -> live("farewell") == null && live("extra") == null);
        assertThat(Serialization.asJson(updated.getStatus())).doesNotContain(GitFixture.PASSWORD);
    }

    @Test
    void driftInTheClusterIsReportedAndUndone() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
        String commit = fx.dev.commitAndPush("first");
        fx.createSource(".", "5s");
        fx.awaitSource(SOON, s -> commit.equals(s.getStatus().getLastAppliedCommit()));

        client.configMaps().inNamespace(fx.namespace).withName("greeting")
                .edit(cm -> { cm.getData().put("greeting", "edited-by-hand"); return cm; });

        await().atMost(Duration.ofSeconds(20)).until(() -> "hello".equals(live("greeting").getData().get("greeting")));
        GitSource healed = fx.awaitSource(SOON, s -> condition(s, "Drifted") != null
                && "SelfHealed".equals(condition(s, "Drifted").getReason()));
        assertThat(condition(healed, "Drifted").getMessage()).contains("ConfigMap " + fx.namespace + "/greeting")
                .contains("data.greeting");
        assertThat(events("Drifted")).anyMatch(e -> e.getMessage().contains("greeting") && e.getMessage().contains("data.greeting"));

        client.configMaps().inNamespace(fx.namespace).withName("greeting").delete();
        await().atMost(Duration.ofSeconds(20)).until(() -> live("greeting") != null);
    }

    @Test
    void aCommitWithOneBadDocumentIsRefusedWhole() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
        String good = fx.dev.commitAndPush("good");
        fx.createSource(".", "5s");
        fx.awaitSource(SOON, s -> good.equals(s.getStatus().getLastAppliedCommit()));

        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "changed") + "---\n" + GitFixture.configMap("second", "new"))
                .write("broken.yaml", """
                        apiVersion: v1
                        kind: ConfigMap
                        metadata:
                          name: fine
                        ---
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata:
                          name: broken
                        spec:
                          replicas: 1
                          selector: {matchLabels: {app: broken}}
                          template:
                            metadata: {labels: {app: broken}}
                            spec:
                              containers:
                                - name: app
                                  image: podinfo:1.0
                                  imagePullPolicy: Sometimes
                        """);
        String bad = fx.dev.commitAndPush("bad: an invalid Deployment");

        GitSource stalled = fx.awaitSource(SOON, s -> bad.equals(s.getStatus().getLastAttemptedCommit())
                && Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(stalled.getStatus().getLastAppliedCommit()).isEqualTo(good);
        assertThat(condition(stalled, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(stalled, "Stalled").getMessage())
                .contains("broken.yaml, document 2").contains("Deployment " + fx.namespace + "/broken")
                .contains("imagePullPolicy").contains("Sometimes");
        assertThat(live("greeting").getData()).containsEntry("greeting", "hello");
        assertThat(live("second")).isNull();
        assertThat(live("fine")).isNull();
        assertThat(events("ValidationFailed")).hasSize(1);
    }

    @Test
    void aSyncRequestSyncsAtOnceAndIsRecordedAsHandled() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
        String first = fx.dev.commitAndPush("first");
        fx.createSource(".", "1h");
        fx.awaitSource(SOON, s -> first.equals(s.getStatus().getLastAppliedCommit()));

        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "pushed"));
        String second = fx.dev.commitAndPush("second");
        fx.requestSync();
        String request = SyncRequest.of(fx.source());

        GitSource synced = fx.awaitSource(Duration.ofSeconds(10), s -> second.equals(s.getStatus().getLastAppliedCommit()));
        assertThat(live("greeting").getData()).containsEntry("greeting", "pushed");
        assertThat(fx.awaitSource(Duration.ofSeconds(5), s -> request.equals(s.getStatus().getLastHandledSyncRequest())))
                .as("the request is recorded as handled").isNotNull();
        assertThat(synced.getStatus().getInventory()).isNotEmpty();
    }

    @Test
    void wrongCredentialsAreReportedWithoutTheSecret() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
        fx.dev.commitAndPush("first");
        client.secrets().inNamespace(fx.namespace).withName("git-creds")
                .edit(s -> { s.setData(null); s.setStringData(java.util.Map.of("username", GitFixture.USER,
                        "password", "not-the-password")); return s; });
        fx.createSource(".", "5s");

        GitSource refused = fx.awaitSource(SOON, s -> condition(s, "Ready") != null
                && "AuthenticationFailed".equals(condition(s, "Ready").getReason()));
        assertThat(condition(refused, "Ready").getStatus()).isEqualTo("False");
        assertThat(refused.getStatus().getLastAppliedCommit()).isNull();
        assertThat(Serialization.asJson(refused)).doesNotContain("not-the-password");
        assertThat(events(null)).noneMatch(e -> e.getMessage().contains("not-the-password"));
    }

    @Test
    void syncsOverSshOnlyFromAHostWhoseKeyIsKnown() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "over-ssh"));
        String commit = fx.dev.commitAndPush("first");
        try (GitSshServer ssh = new GitSshServer(server.repository(fx.namespace).getParent())) {
            client.resource(new SecretBuilder().withNewMetadata().withName("ssh-creds").withNamespace(fx.namespace)
                    .endMetadata().addToStringData("identity", ssh.identity())
                    .addToStringData("known_hosts", ssh.wrongKnownHosts()).build()).create();
            GitSource source = new GitSource();
            source.getMetadata().setName("apps");
            source.getMetadata().setNamespace(fx.namespace);
            source.setSpec(new dev.ramp.api.GitSourceSpec());
            source.getSpec().setUrl(ssh.url(fx.namespace));
            source.getSpec().setInterval("5s");
            source.getSpec().setSecretRef(new dev.ramp.api.LocalObjectRef("ssh-creds"));
            client.resource(source).create();

            GitSource untrusted = fx.awaitSource(SOON, s -> condition(s, "Ready") != null
                    && "False".equals(condition(s, "Ready").getStatus()));
            assertThat(condition(untrusted, "Ready").getReason()).isEqualTo("AuthenticationFailed");
            assertThat(untrusted.getStatus().getLastAppliedCommit()).isNull();
            assertThat(live("greeting")).isNull();

            client.secrets().inNamespace(fx.namespace).withName("ssh-creds").edit(s -> {
                s.setData(null);
                s.setStringData(java.util.Map.of("identity", ssh.identity(), "known_hosts", knownHosts(ssh)));
                return s;
            });
            fx.awaitSource(SOON, s -> commit.equals(s.getStatus().getLastAppliedCommit()));
            assertThat(live("greeting").getData()).containsEntry("greeting", "over-ssh");
            // The key itself never shows: not in status, nor in the Events of the failed and the good sync.
            String keyLine = ssh.identity().lines().filter(l -> !l.startsWith("-----") && l.length() > 20).findFirst().orElseThrow();
            assertThat(Serialization.asJson(fx.source())).doesNotContain("PRIVATE KEY").doesNotContain(keyLine);
            assertThat(client.v1().events().inNamespace(fx.namespace).list().getItems())
                    .extracting(e -> String.valueOf(e.getMessage()))
                    .isNotEmpty().noneMatch(m -> m.contains("PRIVATE KEY") || m.contains(keyLine));
        }
    }

    @Test
    void aRemoteThatRedirectsIsRefusedAndWhereItPointsIsNeverAsked() throws Exception {
        // A Git server the egress policy would allow, holding a repository Ramp could sync...
        try (GitHttpServer elsewhere = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
                GitWorkspace there = new GitWorkspace(elsewhere.createRepository("r"), GitFixture.USER, GitFixture.PASSWORD)) {
            there.write("config.yaml", GitFixture.configMap("greeting", "from-elsewhere")).commitAndPush("elsewhere");
            int asked = elsewhere.requests();
            // ...and the GitSource's remote, which answers every request with a 302 to it, as
            // JGit follows by default (the Location names /info/refs).
            HttpServer redirector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            AtomicInteger redirected = new AtomicInteger();
            redirector.createContext("/", exchange -> {
                redirected.incrementAndGet();
                String query = exchange.getRequestURI().getRawQuery();
                exchange.getResponseHeaders().set("Location", elsewhere.url("r") + "/info/refs"
                        + (query == null ? "" : "?" + query));
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
            });
            redirector.start();
            String url = "http://127.0.0.1:" + redirector.getAddress().getPort() + "/team/apps.git";
            try {
                fx.createSource(".", "1h", spec -> spec.setUrl(url));

                GitSource refused = fx.awaitSource(SOON, s -> Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
                assertThat(condition(refused, "Ready").getStatus()).isEqualTo("False");
                assertThat(condition(refused, "Ready").getReason()).isEqualTo(GitSourceReasons.REDIRECT_REFUSED);
                assertThat(condition(refused, "Ready").getMessage()).contains(url).contains("spec.url")
                        .contains("refuses redirects");
                assertThat(redirected.get()).as("the remote was asked").isPositive();
                assertThat(elsewhere.requests()).as("where the redirect points is never asked").isEqualTo(asked);
                assertThat(refused.getStatus().getLastAppliedCommit()).isNull();
                assertThat(live("greeting")).isNull();
            } finally {
                redirector.stop(0);
            }
        }
    }

    private static String knownHosts(GitSshServer ssh) {
        try {
            return ssh.knownHosts();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
                .filter(e -> reason == null || reason.equals(e.getReason())).toList();
    }
}
