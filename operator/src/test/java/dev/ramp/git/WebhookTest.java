package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.GitSource;
import dev.ramp.api.SyncRequest;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.HeldLease;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestClusterResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The push webhook as a Git host reaches it: on the Quarkus HTTP server of the packaged
 * application, here a standby replica (another identity holds the leader Lease, see
 * {@link HeldLease}), while the leader is a second operator in this JVM ({@link RampOperator})
 * that only sees the GitSource, never the HTTP request.
 */
@QuarkusTest
@TestProfile(WebhookTest.Standby.class)
class WebhookTest {

    /** Leader election on (Ramp elects only in the prod profile), short timeouts, a small rate limit. */
    public static class Standby implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // Every request of this class comes from loopback: its address's limit is set above them all.
            return Map.of("quarkus.http.idle-timeout", "3s", "ramp.git.webhook.read-timeout", "1s",
                    "ramp.git.webhook.rate-limit.burst", "3", "ramp.git.webhook.rate-limit.per-minute", "6",
                    "ramp.git.webhook.client-rate-limit.burst", "500", "ramp.git.webhook.client-rate-limit.per-minute", "600");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TestClusterResource.class), new TestResourceEntry(HeldLease.class));
        }
    }

    private static KubernetesClient client;
    private static GitHttpServer server;
    private static RampOperator leader;

    @TestHTTPResource("/")
    URL base;

    @ConfigProperty(name = "ramp.leader-election.lease-namespace")
    String leaseNamespace;

    private GitFixture fx;

    @BeforeAll
    static void startLeader() throws Exception {
        client = TestCluster.get().client();
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
        leader = new RampOperator(client, "http://127.0.0.1:9").start();
    }

    @AfterAll
    static void stopLeader() {
        leader.close();
        server.close();
    }

    @BeforeEach
    void repository() throws Exception {
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("webhook"));
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    @Test
    void aSignedPushToAStandbyIsRecordedAndSyncedByTheLeader() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
        String first = fx.dev.commitAndPush("first");
        fx.createSource(".", "1h");
        fx.awaitSource(Duration.ofSeconds(30), s -> first.equals(s.getStatus().getLastAppliedCommit()));

        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "pushed"));
        String second = fx.dev.commitAndPush("second");
        HttpResponse<String> answer = push("apps", pushPayload(second), GitFixture.WEBHOOK_KEY);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        String request = SyncRequest.of(fx.source());
        assertThat(request).as("the request is recorded on the GitSource before the answer").isNotNull();
        GitSource synced = fx.awaitSource(Duration.ofSeconds(15), s -> second.equals(s.getStatus().getLastAppliedCommit())
                && request.equals(s.getStatus().getLastHandledSyncRequest()));
        assertThat(synced.getStatus().getLastHandledSyncRequest()).isEqualTo(request);
        assertThat(client.configMaps().inNamespace(fx.namespace).withName("greeting").get().getData())
                .containsEntry("greeting", "pushed");
        Lease lease = client.resources(Lease.class).inNamespace(leaseNamespace).withName(HeldLease.NAME).get();
        assertThat(lease.getSpec().getHolderIdentity()).as("the application that answered is a standby")
                .isEqualTo(HeldLease.LEADER);
    }

    @Test
    void anUnknownGitSourceAndABadSignatureGetTheSameAnswer() throws Exception {
        createKnownSource();
        byte[] payload = pushPayload("0".repeat(40));

        HttpResponse<String> forged = push("apps", payload, "wrong-key");
        HttpResponse<String> unsigned = send("apps", payload, Map.of());
        HttpResponse<String> wrongToken = send("apps", payload, Map.of("X-Gitlab-Token", "wrong-key"));
        HttpResponse<String> unknown = push("nothing-here", payload, GitFixture.WEBHOOK_KEY);
        HttpResponse<String> otherNamespace = send(URI.create(base + "hooks/no-such-namespace/apps"), payload,
                Map.of("X-Hub-Signature-256", WebhookSignature.sign(GitFixture.WEBHOOK_KEY.getBytes(), payload)));

        for (HttpResponse<String> refused : List.of(forged, unsigned, wrongToken, unknown, otherNamespace)) {
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).isEqualTo(forged.body());
            assertThat(refused.headers().map().keySet()).isEqualTo(forged.headers().map().keySet());
        }
        assertThat(forged.body()).doesNotContain("apps").doesNotContain(fx.namespace);
        assertThat(SyncRequest.of(fx.source())).as("nothing recorded").isNull();
    }

    @Test
    void aGitLabPushWithTheKeyAsTokenIsRecorded() throws Exception {
        createKnownSource();

        HttpResponse<String> answer = send("apps", pushPayload("0".repeat(40)), Map.of("X-Gitlab-Token", GitFixture.WEBHOOK_KEY));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        assertThat(SyncRequest.of(fx.source())).isNotNull();
    }

    @Test
    void aBodyAboveTheLimitIsRefusedWith413() throws Exception {
        createKnownSource();
        byte[] payload = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(payload, (byte) ' ');

        HttpResponse<String> answer = push("apps", payload, GitFixture.WEBHOOK_KEY);

        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(SyncRequest.of(fx.source())).isNull();
    }

    @Test
    void aBurstBeyondTheRateIsRefusedWith429AndRetryAfter() throws Exception {
        createKnownSource();
        byte[] payload = pushPayload("0".repeat(40));
        List<Integer> codes = new ArrayList<>();
        HttpResponse<String> last = null;
        for (int i = 0; i < 5; i++) {
            last = push("apps", payload, GitFixture.WEBHOOK_KEY);
            codes.add(last.statusCode());
        }

        assertThat(codes.subList(0, 3)).containsOnly(202);
        assertThat(codes.get(4)).isEqualTo(429);
        assertThat(Integer.parseInt(last.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 10);
        // Another GitSource's address has its own bucket.
        assertThat(push("other", payload, GitFixture.WEBHOOK_KEY).statusCode()).isEqualTo(401);
    }

    @Test
    void aFloodWithoutTheKeyDoesNotUseUpTheGitSourcesPushes() throws Exception {
        createKnownSource();
        byte[] payload = pushPayload("0".repeat(40));
        List<Integer> flood = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            flood.add((i % 2 == 0 ? send("apps", payload, Map.of()) : push("apps", payload, "wrong-key")).statusCode());
        }

        HttpResponse<String> signed = push("apps", payload, GitFixture.WEBHOOK_KEY);

        assertThat(flood).containsOnly(401);
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(202);
        assertThat(SyncRequest.of(fx.source())).isNotNull();
    }

    @Test
    void stalledConnectionsAreClosedAfterTheTimeoutAndDoNotHoldUpAPush() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
        String first = fx.dev.commitAndPush("first");
        fx.createSource(".", "1h");
        fx.awaitSource(Duration.ofSeconds(30), s -> first.equals(s.getStatus().getLastAppliedCommit()));
        List<Socket> silent = new ArrayList<>();
        List<Socket> halfSent = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                silent.add(connect());
                Socket slow = connect();
                // Headers promise 100 bytes; 10 come, then nothing.
                OutputStream out = slow.getOutputStream();
                out.write(("POST /hooks/" + fx.namespace + "/stalled-" + i + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Length: 100\r\n\r\n{\"ref\":\"r\"").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                halfSent.add(slow);
            }

            fx.dev.write("config.yaml", GitFixture.configMap("greeting", "meanwhile"));
            String second = fx.dev.commitAndPush("second");
            long started = System.nanoTime();
            HttpResponse<String> answer = push("apps", pushPayload(second), GitFixture.WEBHOOK_KEY);
            assertThat(answer.statusCode()).isEqualTo(202);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            fx.awaitSource(Duration.ofSeconds(15), s -> second.equals(s.getStatus().getLastAppliedCommit()));

            for (Socket socket : silent) {
                assertThat(readAll(socket)).as("a connection that sent nothing is closed with no answer").isEmpty();
            }
            for (Socket socket : halfSent) {
                assertThat(readAll(socket)).as("a request whose body never came").startsWith("HTTP/1.1 408");
            }
        } finally {
            for (Socket socket : silent) {
                socket.close();
            }
            for (Socket socket : halfSent) {
                socket.close();
            }
        }
    }

    @Test
    void theWebhookPortServesNothingElse() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (String path : List.of("q/metrics", "q/health/ready")) {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(path + " is on the management port only").isEqualTo(404);
        }
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create(base + "hooks/" + fx.namespace + "/apps"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    private Socket connect() throws Exception {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Everything the server sends until it closes the connection; fails if it is still open after 10 s. */
    private static String readAll(Socket socket) throws Exception {
        try (InputStream in = socket.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open", e);
        }
    }

    private static byte[] pushPayload(String after) {
        return ("{\"ref\":\"refs/heads/main\",\"after\":\"" + after + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> push(String gitSource, byte[] payload, String key) throws Exception {
        return send(gitSource, payload, Map.of("X-Hub-Signature-256", WebhookSignature.sign(key.getBytes(), payload)));
    }

    private HttpResponse<String> send(String gitSource, byte[] payload, Map<String, String> headers) throws Exception {
        return send(URI.create(base + "hooks/" + fx.namespace + "/" + gitSource), payload, headers);
    }

    private static HttpResponse<String> send(URI uri, byte[] payload, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("X-GitHub-Event", "push").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        headers.forEach(request::header);
        // A client per request, as a Git host's deliveries are: none reuses a connection the
        // server's idle timeout has closed.
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The GitSource, once the controller has written its status (so its informer knows it): the webhook finds GitSources in the
     * controller's informer cache, which a push sent the instant after creation may precede.
     */
    private void createKnownSource() {
        fx.createSource(".", "1h");
        fx.awaitSource(Duration.ofSeconds(30), s -> s.getStatus() != null && !s.getStatus().getConditions().isEmpty());
    }
}
