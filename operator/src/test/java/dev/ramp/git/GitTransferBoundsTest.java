package dev.ramp.git;

import static dev.ramp.git.GitFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.api.GitSourceSpec;
import dev.ramp.api.LocalObjectRef;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.EgressPolicy.NameLookup;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.GitSshServer;
import dev.ramp.testing.HostileServer;
import dev.ramp.testing.LoopbackEgress;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fetch is bounded in time and size, and goes only to the address the egress policy checked:
 * against the real kube-apiserver, a real Git server over smart HTTP and ssh, and a peer that
 * trickles its answer.
 */
class GitTransferBoundsTest {

    private static final Duration SOON = Duration.ofSeconds(30);
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    private static final long MAX_BYTES = 1024 * 1024;
    /** A name no DNS server knows (.test is reserved): only the test's lookup answers it. */
    private static final String NAME = "git.ramp.test";

    private static KubernetesClient client;
    private static GitHttpServer server;
    private static RampOperator operator;

    private GitFixture fx;

    @BeforeAll
    static void start() throws Exception {
        client = TestCluster.get().client();
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
        operator = new RampOperator(client, "http://127.0.0.1:9")
                .withTransferLimits(new TransferLimits(DEADLINE, MAX_BYTES)).start();
    }

    @AfterAll
    static void stop() {
        operator.close();
        server.close();
    }

    @BeforeEach
    void repository() throws Exception {
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("git-bounds"));
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    @Test
    void aRemoteThatTricklesItsAnswerIsCutOffAtTheDeadlineAndRetried() throws Exception {
        // Headers at once, then a byte every 100 ms: Git's idle timeout never fires.
        try (HostileServer trickling = new HostileServer()) {
            fx.createSource(".", "1h", spec -> spec.setUrl(trickling.url("/trickle/200/team/apps.git")));

            GitSource cut = fx.awaitSource(SOON, s -> condition(s, "Ready") != null
                    && "GitUnreachable".equals(condition(s, "Ready").getReason()));
            assertThat(condition(cut, "Ready").getStatus()).isEqualTo("False");
            assertThat(condition(cut, "Ready").getMessage()).contains("not done within 3s")
                    .contains(TransferLimits.DEADLINE_SETTING);
            assertThat(cut.getStatus().getFailures()).as("an infrastructure error: retried with backoff").isPositive();
            assertThat(Conditions.isTrue(cut.getStatus().getConditions(), "Stalled")).isFalse();
            await().atMost(SOON).untilAsserted(() -> assertThat(trickling.brokenOff())
                    .as("Ramp closed the connection").isPositive());
            // A trickle of 3 s at 10 bytes a second, per attempt: nothing like a drained peer.
            assertThat(trickling.bodyBytes()).isLessThan(1000);
        }
    }

    @Test
    void aFetchBringingMoreThanTheLimitIsRefusedNamingTheSetting() throws Exception {
        byte[] noise = new byte[3 * 1024 * 1024];
        new Random(18).nextBytes(noise);
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"))
                .write("assets/blob.txt", Base64.getEncoder().encodeToString(noise));
        fx.dev.commitAndPush("a 4 MiB blob beside the manifests");
        fx.createSource(".", "1h");

        GitSource refused = fx.awaitSource(SOON, s -> Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
        assertThat(condition(refused, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(refused, "Ready").getReason()).isEqualTo(GitSourceReasons.FETCH_TOO_LARGE);
        assertThat(condition(refused, "Ready").getMessage()).contains(fx.url).contains("more than " + MAX_BYTES + " bytes")
                .contains(TransferLimits.MAX_BYTES_SETTING);
        assertThat(refused.getStatus().getLastAppliedCommit()).isNull();
        assertThat(client.configMaps().inNamespace(fx.namespace).withName("greeting").get()).isNull();
    }

    /**
     * A DNS server that answers the check with an allowed address, then rebinds the name to the
     * clouds' metadata address: each fetch looks the name up once, and connects where it checked.
     */
    @Test
    void aFetchConnectsToTheAddressItCheckedAndLooksNoNameUpAgain() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
        String commit = fx.dev.commitAndPush("first");
        AtomicInteger lookups = new AtomicInteger();
        NameLookup rebinding = host -> {
            if (!host.equals(NAME)) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName(lookups.incrementAndGet() == 1 ? "127.0.0.1" : "169.254.169.254")};
        };
        GitMirror mirror = new GitMirror(Files.createTempDirectory("ramp-mirror-"), GitMirror.DEFAULT_DEPTH,
                new GitTransfers(LoopbackEgress.policy().resolvingWith(rebinding), TransferLimits.DEFAULT));
        GitSource source = source(fx.url.replace("127.0.0.1", NAME), "git-creds");

        try (GitCredentials credentials = GitCredentials.of(client, source)) {
            // The system's resolver knows no git.ramp.test: had JGit looked it up, the fetch would fail.
            String head = mirror.with(source, repository -> mirror.fetch(repository, source, credentials)).name();
            assertThat(head).isEqualTo(commit);
            assertThat(lookups.get()).as("looked up once, by the check").isEqualTo(1);

            int requests = server.requests();
            GitSourceException rebound = catchThrowableOfType(GitSourceException.class,
                    () -> mirror.with(source, repository -> mirror.fetch(repository, source, credentials)));
            assertThat(rebound.reason()).isEqualTo(GitSourceReasons.EGRESS_DENIED);
            assertThat(rebound.userFixable()).isTrue();
            assertThat(rebound).hasMessageContaining("169.254.169.254").hasMessageContaining(NAME);
            assertThat(lookups.get()).isEqualTo(2);
            assertThat(server.requests()).as("nothing sent anywhere").isEqualTo(requests);
        }
    }

    /**
     * sshd looks the name up itself: the address its connection reached is checked before the host
     * key is accepted, so a peer the policy refuses never sees Ramp authenticate.
     */
    @Test
    void anSshConnectionThatReachesADeniedAddressStopsBeforeAuthenticating() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "over-ssh"));
        String commit = fx.dev.commitAndPush("first");
        try (GitSshServer ssh = new GitSshServer(server.repository(fx.namespace).getParent())) {
            client.resource(new SecretBuilder().withNewMetadata().withName("ssh-creds").withNamespace(fx.namespace)
                    .endMetadata().addToStringData("identity", ssh.identity())
                    .addToStringData("known_hosts", ssh.knownHosts()).build()).create();
            // localhost: the system's resolver (sshd's) answers 127.0.0.1, where the server listens.
            GitSource source = source(ssh.url("localhost", fx.namespace), "ssh-creds");
            NameLookup answers127002 = host -> new InetAddress[] {InetAddress.getByName("127.0.0.2")};

            try (GitCredentials credentials = GitCredentials.of(client, source)) {
                GitMirror allowed = new GitMirror(Files.createTempDirectory("ramp-mirror-"), GitMirror.DEFAULT_DEPTH,
                        new GitTransfers(LoopbackEgress.policy().resolvingWith(answers127002), TransferLimits.DEFAULT));
                assertThat(allowed.with(source, repository -> allowed.fetch(repository, source, credentials)).name())
                        .as("the key and the identity are right").isEqualTo(commit);

                int offered = ssh.authentications();
                EgressPolicy deny127001 = EgressPolicy.of(List.of(), List.of("127.0.0.1/32"), List.of(), List.of(),
                        LoopbackEgress.LOOPBACK).resolvingWith(answers127002);
                GitMirror denied = new GitMirror(Files.createTempDirectory("ramp-mirror-"), GitMirror.DEFAULT_DEPTH,
                        new GitTransfers(deny127001, TransferLimits.DEFAULT));
                GitSourceException refused = catchThrowableOfType(GitSourceException.class,
                        () -> denied.with(source, repository -> denied.fetch(repository, source, credentials)));
                assertThat(refused.reason()).isEqualTo(GitSourceReasons.EGRESS_DENIED);
                assertThat(refused).hasMessageContaining("127.0.0.1").hasMessageContaining("before authenticating")
                        .hasMessageContaining("ramp.egress.deny-cidrs");
                assertThat(ssh.authentications()).as("no key offered to the refused peer").isEqualTo(offered);

                // The check of the peer is the GitSource's namespace's: loopback, allowed to another namespace only.
                NameLookup answersTestNet = host -> new InetAddress[] {InetAddress.getByName("192.0.2.10")};
                EgressPolicy elsewhere = EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY, List.of(), List.of(),
                        List.of("someone-else=127.0.0.0/8")).resolvingWith(answersTestNet);
                GitMirror tenant = new GitMirror(Files.createTempDirectory("ramp-mirror-"), GitMirror.DEFAULT_DEPTH,
                        new GitTransfers(elsewhere, TransferLimits.DEFAULT));
                GitSourceException notAllowed = catchThrowableOfType(GitSourceException.class,
                        () -> tenant.with(source, repository -> tenant.fetch(repository, source, credentials)));
                assertThat(notAllowed.reason()).isEqualTo(GitSourceReasons.EGRESS_DENIED);
                assertThat(notAllowed).hasMessageContaining("before authenticating")
                        .hasMessageContaining("address 127.0.0.1 is loopback").hasMessageContaining("namespace " + fx.namespace);
                assertThat(ssh.authentications()).as("no key offered to the refused peer").isEqualTo(offered);
            }
        }
    }

    private GitSource source(String url, String secret) {
        GitSource source = new GitSource();
        source.getMetadata().setName("apps");
        source.getMetadata().setNamespace(fx.namespace);
        source.setSpec(new GitSourceSpec());
        source.getSpec().setUrl(url);
        source.getSpec().setBranch("main");
        source.getSpec().setSecretRef(new LocalObjectRef(secret));
        return source;
    }
}
