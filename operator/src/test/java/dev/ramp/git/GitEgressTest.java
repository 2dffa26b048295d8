package dev.ramp.git;

import static dev.ramp.git.GitFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.api.GitSourceSpec;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A GitSource's URL is a tenant's: under the operator's default egress policy it may not name
 * loopback, link-local or the cluster's ranges, and the in-cluster allow list lets exactly the
 * namespace it names reach its target. Against the real kube-apiserver and a Git server on loopback.
 */
class GitEgressTest {

    private static final Duration SOON = Duration.ofSeconds(30);

    private static KubernetesClient client;
    private static GitHttpServer server;
    private static RampOperator operator;
    /** The namespace the operator lets reach loopback, where the test's Git server listens. */
    private static String allowed;

    private final List<GitFixture> fixtures = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        client = TestCluster.get().client();
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
        allowed = TestCluster.get().newNamespace("egress-allowed");
        operator = new RampOperator(client, "http://127.0.0.1:9").withEgressPolicy(EgressPolicy.of(List.of(),
                EgressPolicy.DEFAULT_DENY, EgressPolicy.DEFAULT_DENY_HOSTS, List.of("10.96.0.0/12"),
                List.of(allowed + "=127.0.0.0/8"))).start();
    }

    @AfterAll
    static void stop() {
        operator.close();
        server.close();
    }

    @AfterEach
    void cleanUp() {
        fixtures.forEach(GitFixture::close);
    }

    private GitFixture fixture(String namespace) throws Exception {
        GitFixture fx = new GitFixture(client, server, namespace);
        fixtures.add(fx);
        fx.dev.write("apps/config.yaml", GitFixture.configMap("greeting", "hello"));
        fx.dev.commitAndPush("first");
        return fx;
    }

    private static GitSource awaitStalled(GitFixture fx) {
        return fx.awaitSource(SOON, s -> Conditions.isTrue(s.getStatus().getConditions(), "Stalled"));
    }

    @Test
    void onlyTheAllowedNamespaceReachesAGitServerOnLoopback() throws Exception {
        GitFixture other = fixture(TestCluster.get().newNamespace("egress"));
        int asked = server.requests();

        other.createSource("apps", "1h");
        GitSource refused = awaitStalled(other);

        assertThat(condition(refused, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(refused, "Ready").getReason()).isEqualTo(GitSourceReasons.EGRESS_DENIED);
        assertThat(condition(refused, "Ready").getMessage()).isEqualTo("not connecting to " + other.url + " (spec.url):"
                + " address 127.0.0.1 is loopback, which tenant URLs may not reach unless the operator allows it for"
                + " namespace " + other.namespace + " (ramp.egress.in-cluster-allow)");
        assertThat(server.requests()).as("nothing was asked of the Git server").isEqualTo(asked);
        assertThat(client.configMaps().inNamespace(other.namespace).withName("greeting").get()).isNull();

        GitFixture own = fixture(allowed);
        own.createSource("apps", "1h");
        own.awaitSource(SOON, s -> Conditions.isTrue(s.getStatus().getConditions(), "Ready"));
        assertThat(client.configMaps().inNamespace(allowed).withName("greeting").get().getData())
                .containsEntry("greeting", "hello");
    }

    /** Every form of a Git URL is checked as the namespace's, on the port it connects to; nothing is looked up but the host. */
    @Test
    void gitUrlsOfEveryFormAreCheckedAsTheNamespaces() throws Exception {
        EgressPolicy defaults = EgressPolicy.defaults();
        for (String url : List.of("https://169.254.169.254/org/repo.git", "ssh://git@169.254.169.254:22/org/repo.git",
                "git@169.254.169.254:org/repo.git", "git@127.0.0.1:org/repo.git", "http://127.0.0.1:8080/org/repo.git")) {
            assertThat(refusal(defaults, "team-a", url)).as(url).isEqualTo(GitSourceReasons.EGRESS_DENIED);
        }
        assertThat(catchThrowableOfType(GitSourceException.class, () -> GitEgress.resolve(defaults,
                source("team-a", "git@127.0.0.1:org/repo.git")))).hasMessage("not connecting to git@127.0.0.1:org/repo.git"
                + " (spec.url): address 127.0.0.1 is loopback, which tenant URLs may not reach unless the operator allows it"
                + " for namespace team-a (ramp.egress.in-cluster-allow)");

        EgressPolicy configured = EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY, EgressPolicy.DEFAULT_DENY_HOSTS,
                List.of("10.96.0.0/12"), List.of("team-a=127.0.0.1/32"));
        assertThat(GitEgress.resolve(configured, source("team-a", "git@127.0.0.1:org/repo.git")).addresses())
                .extracting(InetAddress::getHostAddress).containsExactly("127.0.0.1");
        assertThat(refusal(configured, "team-b", "git@127.0.0.1:org/repo.git")).isEqualTo(GitSourceReasons.EGRESS_DENIED);
        assertThat(refusal(configured, "team-b", "http://10.96.0.1/org/repo.git")).isEqualTo(GitSourceReasons.EGRESS_DENIED);

        // A host:port entry holds for the port the URL connects to: 22 for scp-like and ssh:// without one.
        EgressPolicy sshHost = EgressPolicy.of(List.of(), List.of(), List.of(), List.of(), List.of("team-a=localhost:22"));
        assertThat(GitEgress.resolve(sshHost, source("team-a", "git@localhost:org/repo.git")).addresses()).isNotEmpty();
        assertThat(GitEgress.resolve(sshHost, source("team-a", "ssh://git@localhost/org/repo.git")).addresses()).isNotEmpty();
        assertThat(refusal(sshHost, "team-a", "ssh://git@localhost:2222/org/repo.git")).isEqualTo(GitSourceReasons.EGRESS_DENIED);
        assertThat(refusal(sshHost, "team-b", "git@localhost:org/repo.git")).isEqualTo(GitSourceReasons.EGRESS_DENIED);
        assertThat(refusal(defaults, "team-a", "/srv/git/repo.git")).isEqualTo(GitSourceReasons.INVALID_URL);
    }

    private static String refusal(EgressPolicy egress, String namespace, String url) {
        GitSourceException refused = catchThrowableOfType(GitSourceException.class,
                () -> GitEgress.resolve(egress, source(namespace, url)));
        return refused == null ? null : refused.reason();
    }

    private static GitSource source(String namespace, String url) {
        GitSource source = new GitSource();
        source.getMetadata().setName("apps");
        source.getMetadata().setNamespace(namespace);
        source.setSpec(new GitSourceSpec());
        source.getSpec().setUrl(url);
        return source;
    }

    @ParameterizedTest
    @CsvSource({
        "http://169.254.169.254/team/apps.git, 'address 169.254.169.254 (link-local) lies in 169.254.0.0/16'",
        "https://10.96.0.10/team/apps.git, 'address 10.96.0.10 is in the cluster''s pod or service range 10.96.0.0/12'"})
    void aGitUrlAtALinkLocalOrClusterAddressIsRefusedNamingSpecUrl(String url, String why) throws Exception {
        GitFixture fx = fixture(TestCluster.get().newNamespace("egress"));

        fx.createSource("apps", "1h", spec -> spec.setUrl(url));
        GitSource refused = awaitStalled(fx);

        assertThat(condition(refused, "Ready").getReason()).isEqualTo(GitSourceReasons.EGRESS_DENIED);
        assertThat(condition(refused, "Ready").getMessage()).startsWith("not connecting to " + url + " (spec.url): " + why);
        assertThat(refused.getStatus().getLastAppliedCommit()).isNull();
    }
}
