package dev.ramp.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code e2e/lab.sh failover}: how long Ramp's releases wait when the leader's Pod is
 * deleted, on the cluster lab with Ramp installed by its chart (two replicas, {@link HelmOperator}).
 * Each run pushes a good release, deletes the Lease holder's Pod at the release's first step, and
 * measures the time from the delete to another Pod holding the Lease, the push to the release's
 * end, how it ended (promoted, or rolled back by a check, with the metrics), and the user
 * requests that failed. Written as JSON to {@code docs/benchmarks-failover.json} (or the
 * first argument); the second argument is the number of runs (3).
 */
public final class FailoverBenchmark {

    static final int RATE = 20;
    /** 4 s steps, 20% → 40% → 60%: the release is in progress when the leader goes. */
    static final Manifests.Analysis STEPS = new Manifests.Analysis("4s", 2, List.of(20, 40, 60), "5s", 10);

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("ramp.root", "."));
        Path out = args.length > 0 ? Path.of(args[0]) : root.resolve("docs/benchmarks-failover.json");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        // The docs table is rewritten only with the JSON the docs link to.
        Path doc = out.toAbsolutePath().normalize().equals(root.resolve("docs/benchmarks-failover.json").toAbsolutePath().normalize())
                ? root.resolve("docs/lab.md") : null;
        Lab.session(lab -> run(lab, out, doc, runs));
    }

    private static void run(Lab lab, Path out, Path doc, int runs) throws Exception {
        HelmOperator ramp = lab.helmOperator();
        if (ramp == null) {
            throw new IllegalStateException("the failover benchmark needs the cluster mode (root, the packages"
                    + " build/prerequisites.sh installs, and the operator's image): RAMP_LAB_MODE=cluster e2e/lab.sh failover");
        }
        List<String> results = new ArrayList<>();
        StringBuilder table = new StringBuilder("""
                | run | delete → new Lease holder | new leader | release | push → end | failed requests (of total) |
                |---|---|---|---|---|---|
                """);
        for (int i = 1; i <= runs; i++) {
            // Each run starts with both replicas up, as a cluster normally is.
            ramp.awaitReplicas(Duration.ofMinutes(3));
            try (LabApp app = lab.app("failover-" + i, STEPS).progressDeadlineSeconds(300).bootstrap("1.0.0", RATE)) {
                LabApp.Release release = app.release("2.0.0", 0);
                Net.await("the canary at 20%", Duration.ofMinutes(2), () -> app.routes().virtualServiceCanaryWeight() == 20);
                HelmOperator.Failover failover = ramp.deleteLeader();
                Net.await("release " + i + " to end", Duration.ofMinutes(5), () -> "Succeeded".equals(app.rollout().phase())
                        || "Failed".equals(app.rollout().phase()));
                Instant ended = Instant.now();
                RolloutView end = app.rollout();
                Lab.log("run %d: %s (%s)".formatted(i, end.phase(), end.metricValues()));
                List<LoadGenerator.Result> during = app.load().since(release.pushed()).stream()
                        .filter(r -> !r.sent().isAfter(ended)).toList();
                long failed = during.stream().filter(LoadGenerator.Result::failed).count();
                String newLeader = ramp.pods().stream().anyMatch(p -> p.getMetadata().getName().equals(failover.next())
                        && p.getMetadata().getCreationTimestamp() != null
                        && Instant.parse(p.getMetadata().getCreationTimestamp()).isAfter(release.pushed()))
                        ? "the replacement Pod" : "the other replica";
                double takeover = failover.leaseTakenOver().toMillis() / 1e3;
                double pushToEnd = Duration.between(release.pushed(), ended).toMillis() / 1e3;
                results.add("""
                            {"run": %d, "leaseTakenOverSeconds": %.1f, "outcome": "%s", "metrics": "%s",
                             "pushToEndSeconds": %.1f, "newLeaderWas": "%s", "requests": %d, "failedRequests": %d}"""
                        .formatted(i, takeover, end.phase(), end.metricValues(), pushToEnd, newLeader, during.size(), failed));
                table.append("| %d | %.1f s | %s | %s | %.1f s | %d (of %d) |\n".formatted(i, takeover, newLeader, end.phase(),
                        pushToEnd, failed, during.size()));
            }
        }
        String json = """
                {
                  "generated": "%s",
                  "lab": {"mode": "cluster", "operatorReplicas": 2, "installedBy": "helm install ramp charts/ramp",
                          "loadRequestsPerSecond": %d, "analysis": {"interval": "4s", "stepWeights": [20, 40, 60]},
                          "deletedAt": "the first step (20%%)", "lease": "JOSDK defaults: duration 15s, renew deadline 10s, retry 2s"},
                  "runs": [
                %s
                  ]
                }
                """.formatted(Instant.now().atOffset(ZoneOffset.UTC).withNano(0), RATE, String.join(",\n", results));
        Files.writeString(out, json);
        System.out.println(json);
        Lab.log("written to " + out);
        if (doc != null) {
            DocsTable.write(doc, "failover", "Machine: " + Benchmark.machineLine() + "; run "
                    + Instant.now().atOffset(ZoneOffset.UTC).withNano(0) + ", " + runs + " runs.\n\n" + table);
        }
    }

    private FailoverBenchmark() {
    }
}
