package dev.ramp.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/**
 * Points the Quarkus application under test at the test cluster's kube-apiserver through a
 * {@link TcpProxy} that is cut before the application starts: it boots with no API server, and
 * the test, given the proxy in its {@code TcpProxy} field, decides when the server comes back and
 * when it goes away again. Also gives the application a fresh namespace for its leader election
 * Lease ({@value #LEASE}).
 */
public class ApiServerBehindProxy implements QuarkusTestResourceLifecycleManager {

    public static final String LEASE = "ramp-operator";

    private TcpProxy proxy;

    @Override
    public Map<String, String> start() {
        TestCluster cluster = TestCluster.get();
        URI server = URI.create(cluster.client().getConfiguration().getMasterUrl());
        try {
            proxy = new TcpProxy(server.getHost(), server.getPort());
            proxy.cut();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String kubeconfig = cluster.kubeconfig().replaceAll("(server: https?://[^\\s:/]+):\\d+", "$1:" + proxy.port());
        // fabric8's Config.autoConfigure, which Quarkus's client starts from, reads this property.
        System.setProperty("kubeconfig", TestCluster.write("ramp-proxied-kubeconfig", kubeconfig).toString());
        return Map.of("quarkus.kubernetes-client.trust-certs", "false",
                "ramp.leader-election.lease-name", LEASE,
                "ramp.leader-election.lease-namespace", cluster.newNamespace("lease"));
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(proxy, new TestInjector.MatchesType(TcpProxy.class));
    }

    @Override
    public void stop() {
        System.clearProperty("kubeconfig");
        try {
            proxy.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
