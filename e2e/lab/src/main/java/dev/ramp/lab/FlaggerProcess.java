package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Flagger, for the side-by-side benchmarks only: the binary {@code e2e/controlplane/flagger/build.sh}
 * builds from Flagger's Go module, run as a process against the lab's API server with
 * {@code -mesh-provider istio} and the lab's Prometheus, as a user runs it out of cluster. Its
 * CRDs are applied from the module's own artifacts. Its HTTP server (metrics, health) listens on
 * all interfaces, so it runs only in the lab's network namespace ({@code e2e/lab.sh versus-flagger},
 * {@code e2e/lab.sh scale N/flagger}).
 *
 * <p>Flagger v1.36 writes Istio's {@code networking.istio.io/v1alpha3}; the lab's stand-in CRDs
 * serve {@code v1}, so {@link #start} has them serve {@code v1alpha3} too, with the same open
 * schema and no conversion, which is how one object reads under both versions.
 */
final class FlaggerProcess implements AutoCloseable {

    /** Runs kubectl against the lab's API server and answers its output. */
    @FunctionalInterface
    interface Kubectl {
        String run(String... args) throws IOException, InterruptedException;
    }

    private final Kubectl kubectl;
    private final Path dir;
    private final Path kubeconfig;
    private final String prometheus;
    private final Path binary;
    private final Path crds;
    private final String version;
    private final int port = Net.freePort();
    private ChildProcess process;

    /** From the properties {@code e2e/lab.sh versus-flagger} sets with what the build script printed. */
    static FlaggerProcess fromProperties(Lab lab) {
        return fromProperties(lab::kubectl, lab.dir(), lab.kubeconfig(), lab.prometheusAddress());
    }

    /** The same for a bare control plane (the scale benchmark's): kubectl, its directory, Prometheus' address. */
    static FlaggerProcess fromProperties(Kubectl kubectl, Path dir, Path kubeconfig, String prometheus) {
        String binary = System.getProperty("ramp.flagger.bin");
        String crds = System.getProperty("ramp.flagger.crds");
        if (binary == null || crds == null) {
            throw new IllegalStateException("ramp.flagger.bin and ramp.flagger.crds are not set: run e2e/lab.sh versus-flagger"
                    + " or e2e/lab.sh scale N/flagger, which build Flagger with e2e/controlplane/flagger/build.sh");
        }
        return new FlaggerProcess(kubectl, dir, kubeconfig, prometheus, Path.of(binary), Path.of(crds),
                System.getProperty("ramp.flagger.version", "unknown"));
    }

    FlaggerProcess(Kubectl kubectl, Path dir, Path kubeconfig, String prometheus, Path binary, Path crds, String version) {
        this.kubectl = kubectl;
        this.dir = dir;
        this.kubeconfig = kubeconfig;
        this.prometheus = prometheus;
        this.binary = binary;
        this.crds = crds;
        this.version = version;
        if (!Files.isExecutable(binary) || !Files.isRegularFile(crds)) {
            throw new IllegalStateException(binary + " or " + crds + " is missing: run bash e2e/controlplane/flagger/build.sh");
        }
    }

    FlaggerProcess start() throws Exception {
        kubectl.run("apply", "--server-side", "-f", crds.toString());
        kubectl.run("wait", "--for=condition=Established", "--timeout=60s", "crd/canaries.flagger.app",
                "crd/metrictemplates.flagger.app", "crd/alertproviders.flagger.app");
        for (String crd : List.of("virtualservices.networking.istio.io", "destinationrules.networking.istio.io")) {
            serveV1alpha3(crd);
        }
        process = ChildProcess.start(dir, "flagger", List.of(binary.toString(),
                "-kubeconfig", kubeconfig.toString(), "-mesh-provider", "istio",
                "-metrics-server", prometheus, "-port", String.valueOf(port),
                "-log-level", "info", "-zap-encoding", "console"), Map.of());
        Net.await("Flagger (" + process.log() + ")", Duration.ofSeconds(60),
                () -> process.alive() && Net.answers("http://127.0.0.1:" + port + "/healthz", 200));
        Lab.log("Flagger " + version + " up (" + process.log() + ")");
        return this;
    }

    private void serveV1alpha3(String crd) throws Exception {
        String versions = kubectl.run("get", "crd", crd, "-o", "jsonpath={.spec.versions[*].name}");
        if (List.of(versions.trim().split("\\s+")).contains("v1alpha3")) {
            return;
        }
        String open = "{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true}";
        kubectl.run("patch", "crd", crd, "--type=json", "-p", ("[{\"op\":\"add\",\"path\":\"/spec/versions/-\",\"value\":"
                + "{\"name\":\"v1alpha3\",\"served\":true,\"storage\":false,\"subresources\":{\"status\":{}},"
                + "\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\",\"properties\":{\"spec\":%1$s,\"status\":%1$s}}}}}]")
                .formatted(open));
        kubectl.run("wait", "--for=condition=Established", "--timeout=60s", "crd/" + crd);
    }

    String version() {
        return version;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
