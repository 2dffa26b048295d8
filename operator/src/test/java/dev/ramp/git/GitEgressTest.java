package dev.ramp.git;

import static dev.ramp.git.GitFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
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
