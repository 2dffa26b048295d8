package dev.ramp.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.KubeAPITestException;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One real kube-apiserver (with etcd) per test JVM, started from the binaries that
 * e2e/controlplane/build.sh put under ~/.kubeapitest, offline: nothing is downloaded.
 * Ramp's CRDs from crds/ and the Istio stand-in CRDs are installed once. The operator's
 * test-jar shares it with the CLI's tests. A test of a cluster without Istio starts one of its
 * own ({@link #withoutIstio()}), since the shared one's CRDs stay for the tests after it.
 */
public final class TestCluster implements AutoCloseable {

    private static TestCluster instance;

    private final KubeAPIServer server;
    private final String kubeconfig;
    private final Path kubeconfigFile;
    private final KubernetesClient client;
    private boolean stopped;

    private TestCluster(boolean istio) {
        server = started();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "kube-apiserver-stop"));
        kubeconfig = server.getKubeConfigYaml();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
        kubeconfigFile = write("ramp-test-kubeconfig", kubeconfig);
        installCrds(istio);
        moreServiceIps();
    }

    /** The range of Service IPs added to kube-api-test's /24, which a whole suite's Services outgrow. */
    static final String MORE_SERVICE_IPS = "10.1.0.0/16";

    /**
     * kube-api-test starts kube-apiserver with a Service range of 254 addresses (10.0.0.0/24,
     * after any flag of ours, so it cannot be changed), and no test cluster runs the namespace
     * controller that would free a finished test's Services: a suite creating more Services than
     * that fails with "failed to allocate a serviceIP: range is full". Kubernetes 1.33+ extends
     * the range with a ServiceCIDR; the API server allocates from one marked Ready, which the
     * controller manager (not run here) would do.
     */
    private void moreServiceIps() {
        ServiceCIDR extra = client.resource(new ServiceCIDRBuilder().withNewMetadata().withName("ramp-tests").endMetadata()
                .withNewSpec().withCidrs(MORE_SERVICE_IPS).endSpec().build()).serverSideApply();
        extra.setStatus(new ServiceCIDRStatusBuilder().addToConditions(new ConditionBuilder().withType("Ready")
                .withStatus("True").withReason("RampTests").withMessage("no controller manager here: marked ready by TestCluster")
                .withLastTransitionTime(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
                .build()).build());
        client.resource(extra).updateStatus();
    }

    /**
     * A started kube-apiserver with its etcd. kube-api-test picks free ports just before it starts
     * them, so another process on the machine may take one first (etcd then exits, "etcd process
     * stopped unexpectedly", and the API server never becomes ready): the start is tried a second
     * time, with new ports, before the test fails. A second failure is reported as it is.
     */
    private static KubeAPIServer started() {
        KubeAPITestException first = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                    .withOfflineMode(true)
                    .withUpdateKubeConfig(false)
                    .withStartupTimeout(120_000)
                    .build());
            try {
                server.start();
                return server;
            } catch (KubeAPITestException e) {
                try {
                    server.stop();
                } catch (RuntimeException stopping) {
                    e.addSuppressed(stopping);
                }
                if (first != null) {
                    e.addSuppressed(first);
                    throw e;
                }
                first = e;
            }
        }
        throw first;
    }

    public static synchronized TestCluster get() {
        if (instance == null) {
            instance = new TestCluster(true);
        }
        return instance;
    }

    /**
     * A kube-apiserver of the caller's own, with Ramp's CRDs and none of Istio's (until
     * {@link #installIstio()}); {@link #close()} stops it.
     */
    public static TestCluster withoutIstio() {
        return new TestCluster(false);
    }

    /** Installs the Istio stand-in CRDs (e2e/istio/crds.yaml), as installing Istio would, once they are established. */
    public void installIstio() {
        install(repoRoot().resolve("e2e/istio/crds.yaml"));
    }

    /** The Gateway API release whose CRDs {@link #installGatewayApi()} installs (e2e/traefik/go.mod's). */
    public static final String GATEWAY_API_VERSION = "v1.6.3";

    /**
     * Installs the Gateway API's CRDs (standard channel), as installing an implementation would,
     * once they are established: from ${RAMP_CACHE:-~/.cache/ramp}/gateway-api/, which
     * {@code e2e/traefik/build.sh crds} fills (./test.sh runs it). Only the CRDs: the release's
     * ValidatingAdmissionPolicy guards upgrades of the CRDs, nothing Ramp writes.
     */
    public void installGatewayApi() {
        Path file = gatewayApiCrds("standard");
        try (InputStream in = Files.newInputStream(file)) {
            for (HasMetadata item : client.load(in).items()) {
                if (item instanceof CustomResourceDefinition crd) {
                    installCrd(crd);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** The Gateway API CRDs of a release channel; a missing file fails the test, saying which command makes it. */
    public static Path gatewayApiCrds(String channel) {
        String cache = System.getenv("RAMP_CACHE");
        Path dir = (cache == null || cache.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache", "ramp") : Path.of(cache))
                .resolve("gateway-api").resolve(GATEWAY_API_VERSION);
        Path file = dir.resolve(channel + "-install.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the Gateway API CRDs are missing: " + file + "; run e2e/traefik/build.sh crds"
                    + " (./test.sh does) to download them from the Go module proxy");
        }
        return file;
    }

    /** The KEDA release whose ScaledObject CRD {@link #installKeda()} installs (e2e/keda/crds.sh's). */
    public static final String KEDA_VERSION = "v2.21.0";

    /**
     * Installs KEDA's ScaledObject CRD, as installing KEDA would (KEDA itself does not run), once
     * established: from ${RAMP_CACHE:-~/.cache/ramp}/keda/, which {@code e2e/keda/crds.sh} fills
     * (./test.sh runs it); a missing file fails the test, saying which command makes it.
     */
    public void installKeda() {
        String cache = System.getenv("RAMP_CACHE");
        Path file = (cache == null || cache.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache", "ramp") : Path.of(cache))
                .resolve("keda").resolve(KEDA_VERSION).resolve("keda.sh_scaledobjects.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("KEDA's ScaledObject CRD is missing: " + file + "; run e2e/keda/crds.sh"
                    + " (./test.sh does) to download it from the Go module proxy");
        }
        try (InputStream in = Files.newInputStream(file)) {
            for (HasMetadata item : client.load(in).items()) {
                if (item instanceof CustomResourceDefinition crd) {
                    installCrd(crd);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** Stops a cluster of {@link #withoutIstio()}; the shared one stops when the JVM exits. */
    @Override
    public void close() {
        client.close();
        stop();
    }

    private synchronized void stop() {
        if (!stopped) {
            stopped = true;
            server.stop();
        }
    }

    public KubernetesClient client() {
        return client;
    }

    public String kubeconfig() {
        return kubeconfig;
    }

    /** The kubeconfig as a file, for processes, Quarkus and the CLI. */
    public Path kubeconfigFile() {
        return kubeconfigFile;
    }

    /** A temporary YAML file with this content, deleted when the JVM exits. */
    public static Path write(String prefix, String content) {
        try {
            Path file = Files.createTempFile(prefix, ".yaml");
            Files.writeString(file, content);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh namespace, so tests sharing the server never see each other's objects. */
    public String newNamespace(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return name;
    }

    public static Path repoRoot() {
        return Path.of(System.getProperty("ramp.root", "..")).toAbsolutePath().normalize();
    }

    private void installCrds(boolean istio) {
        try (Stream<Path> files = Files.list(repoRoot().resolve("crds"))) {
            files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().forEach(this::install);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read crds/", e);
        }
        if (istio) {
            installIstio();
        }
    }

    private void install(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            for (HasMetadata item : client.load(in).items()) {
                installCrd((CustomResourceDefinition) item);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private void installCrd(CustomResourceDefinition crd) {
        client.resource(crd).serverSideApply();
        client.apiextensions().v1().customResourceDefinitions()
                .withName(crd.getMetadata().getName())
                .waitUntilCondition(TestCluster::established, 60, TimeUnit.SECONDS);
        warmUp(crd);
    }

    /**
     * Lists the new kind until its storage answers: the first requests after a CRD is established
     * can get 429 "storage is (re)initializing", which tests whose clients do not retry would
     * otherwise take for the code's failure; on a server already busy with other tests' watches,
     * the connection can also be closed under the request (no status at all, code 0).
     */
    private void warmUp(CustomResourceDefinition crd) {
        var spec = crd.getSpec();
        var context = new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
                .withGroup(spec.getGroup()).withVersion(spec.getVersions().get(0).getName())
                .withKind(spec.getNames().getKind()).withPlural(spec.getNames().getPlural())
                .withNamespaced("Namespaced".equals(spec.getScope())).build();
        for (int attempt = 1; ; attempt++) {
            try {
                client.genericKubernetesResources(context).inAnyNamespace().list();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 429 && e.getCode() != 0 || attempt >= 150) {
                    throw e;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
