package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code e2e/lab.sh outage}: what a kube-apiserver outage in the middle of a release does to Ramp,
 * on the cluster lab with Ramp installed by its chart (two replicas). For each outage length (30 s
 * and 3 min), a fresh app pushes a good release; at its first step the lab stops kube-apiserver
 * alone ({@link ControlPlane#stopApiServer}; etcd, the controllers, the kubelet and kube-proxy keep
 * running) and starts it again after the outage. It records the operator's container exits and
 * restarts (containerd and the Pods' restart counts), what its health endpoints answered
 * throughout ({@link OperatorWatch}), the time from the API's return to a ready operator Pod
 * holding a renewed Lease and to the release's next step, how the release ended, and the user
 * requests that failed. Written as JSON to {@code docs/benchmarks-outage.json} (or the first
 * argument), with a table in docs/lab.md; further arguments are outage lengths in seconds.
 */
public final class OutageBenchmark {

    static final int RATE = 20;
    /** 10 s steps, 20% → 40% → 60%: the outage begins just after the 20% step was taken. */
    static final Manifests.Analysis STEPS = new Manifests.Analysis("10s", 2, List.of(20, 40, 60), "5s", 10);
    private static final Duration POLL = Duration.ofMillis(100);
    static {
        // Decimal points whatever the machine's locale: the JSON and the tables are read as numbers.
        java.util.Locale.setDefault(java.util.Locale.ROOT);
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("ramp.root", "."));
        Path out = args.length > 0 ? Path.of(args[0]) : root.resolve("docs/benchmarks-outage.json");
        List<Integer> outages = args.length > 1
                ? List.of(args).subList(1, args.length).stream().map(Integer::parseInt).toList() : List.of(30, 180);
        // The docs tables are rewritten only with the JSON the docs link to.
        Path doc = out.toAbsolutePath().normalize().equals(root.resolve("docs/benchmarks-outage.json").toAbsolutePath().normalize())
                ? root.resolve("docs/lab.md") : null;
        Lab.session(lab -> run(lab, out, doc, outages));
    }

    private static void run(Lab lab, Path out, Path doc, List<Integer> outages) throws Exception {
        HelmOperator ramp = lab.helmOperator();
        if (ramp == null) {
            throw new IllegalStateException("the outage benchmark needs the cluster mode (root, the packages"
                    + " build/prerequisites.sh installs, and the operator's image): RAMP_LAB_MODE=cluster e2e/lab.sh outage");
        }
        List<String> results = new ArrayList<>();
        StringBuilder table = new StringBuilder("""
                | outage | API down (stop → ready again) | operator exits / containers restarted / restartCount | API back → Lease renewed by a ready Pod | API back → next step | release | failed requests (of total); of them after the API's return |
                |---|---|---|---|---|---|---|
                """);
        StringBuilder timelines = new StringBuilder();
        for (int seconds : outages) {
            try {
                Run r = outage(lab, ramp, seconds);
                results.add(r.json());
                table.append(r.row());
                timelines.append(r.timeline());
            } catch (Exception | Error e) {
                // One outage that could not be measured still leaves the others' results.
                Lab.log("outage %d s: not measured: %s".formatted(seconds, e));
                results.add("    {\"outageSeconds\": %d, \"notMeasured\": %s}".formatted(seconds, quote(cut(e.toString(), 400))));
                table.append("| %d s | not measured: %s | | | | | |\n".formatted(seconds, cut(e.getMessage(), 200)));
            }
        }
        String json = """
                {
                  "generated": "%s",
                  "machine": "%s",
                  "lab": {"mode": "cluster", "operatorReplicas": 2, "installedBy": "helm install ramp charts/ramp",
                          "loadRequestsPerSecond": %d, "analysis": {"interval": "10s", "stepWeights": [20, 40, 60]},
                          "stoppedAt": "the first step (20%%), just after it was taken",
                          "outage": "kube-apiserver alone stopped (SIGTERM) and started again with the same flags; etcd, controllers, scheduler, kubelet, kube-proxy kept running",
                          "lease": "duration 15s, renew deadline 10s, retry 2s (the operator's defaults)",
                          "probes": "the chart's: readiness /q/health/ready and liveness /q/health/live every 10s, failureThreshold 3"},
                  "runs": [
                %s
                  ]
                }
                """.formatted(Instant.now().atOffset(ZoneOffset.UTC).withNano(0), Benchmark.machineLine(), RATE,
                String.join(",\n", results));
        Files.writeString(out, json);
        System.out.println(json);
        Lab.log("written to " + out);
        if (doc != null) {
            DocsTable.write(doc, "outage", "Machine: " + Benchmark.machineLine() + "; run "
                    + Instant.now().atOffset(ZoneOffset.UTC).withNano(0) + ".\n\n" + table);
            DocsTable.write(doc, "outage-timeline", "```\n" + timelines + "```");
        }
    }

    private static Run outage(Lab lab, HelmOperator ramp, int seconds) throws Exception {
        ControlPlane controlPlane = lab.controlPlane();
        KubernetesClient api = controlPlane.probe();
        ramp.awaitReplicas(Duration.ofMinutes(3));
        try (LabApp app = lab.app("outage-" + seconds + "s", STEPS).progressDeadlineSeconds(600).bootstrap("1.0.0", RATE)) {
            LabApp.Release release = app.release("2.0.0", 0);
            Net.awaitEvery("the release's 20% step", Duration.ofMinutes(2), POLL, () -> app.rollout().canaryWeight() == 20);
            RolloutView before = app.rollout();
            List<Pod> pods = ramp.pods();
            Map<String, Integer> restartsBefore = restarts(pods);
            String leaderBefore = ramp.leader().orElse("none");
            Map<String, String> ips = pods.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(),
                    p -> p.getStatus().getPodIP()));
            try (OperatorWatch watch = new OperatorWatch(lab.containerd(), api, ips)) {
                Instant stopping = Instant.now();
                Instant stopped = controlPlane.stopApiServer();
                Instant end = stopped.plusSeconds(seconds);
                // The outage's length is the experiment; the watch records what happens meanwhile.
                Net.awaitEvery("the end of the " + seconds + " s outage", Duration.ofSeconds(seconds + 10), POLL,
                        () -> !Instant.now().isBefore(end));
                Instant returned = controlPlane.startApiServer();
                // The mesh stand-in is the lab's, not Ramp's: if its informers do not watch again by
                // themselves, it lists afresh, as Istio's control plane would, so users' traffic and
                // the canary's telemetry measure Ramp and not the stand-in.
                java.util.concurrent.CompletableFuture<Boolean> mesh = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    boolean back = within("the mesh stand-in's informers watching", Duration.ofSeconds(30), lab::meshWatching);
                    Lab.log("mesh stand-in informers " + (back ? "watching again" : "not watching: listing afresh"));
                    if (!back) {
                        lab.remesh();
                    }
                    return back;
                });
                Recovery recovery = recover(app, api, watch, before, returned);
                boolean meshBack = mesh.join();
                // A release that took no step since the API's return is stuck: waiting longer shows nothing more.
                if (recovery.nextStep() != null) {
                    within("the release to end", Duration.ofMinutes(3), () -> phaseEnded(app.rollout().phase()));
                }
                Instant ended = Instant.now();
                RolloutView last = app.rollout();
                // The kubelet reports what it did during the outage once it can: both Pods Ready again.
                within("both operator Pods ready", Duration.ofMinutes(2), () -> {
                    ramp.awaitReplicas(Duration.ZERO);
                    return true;
                });
                Map<String, Integer> restartsAfter = restarts(ramp.pods());
                List<LoadGenerator.Result> during = app.load().since(release.pushed()).stream()
                        .filter(r -> !r.sent().isAfter(ended)).toList();
                long failed = during.stream().filter(LoadGenerator.Result::failed).count();
                long failedInOutage = during.stream().filter(r -> !r.sent().isBefore(stopping) && r.sent().isBefore(returned)
                        && r.failed()).count();
                List<Instant> failedAfter = during.stream().filter(r -> !r.sent().isBefore(returned) && r.failed())
                        .map(LoadGenerator.Result::sent).toList();
                String failedWindow = failedAfter.isEmpty() ? "none" : "%d, sent %.1f s to %.1f s after the stop".formatted(
                        failedAfter.size(), Duration.between(stopping, failedAfter.get(0)).toMillis() / 1e3,
                        Duration.between(stopping, failedAfter.get(failedAfter.size() - 1)).toMillis() / 1e3);
                Lab.log("outage %d s: %s, %s".formatted(seconds, last.phase(), last.metricValues()));
                return new Run(seconds, meshBack, stopping, stopped, returned, ended, release, before, last, leaderBefore,
                        recovery, restartsBefore, restartsAfter, watch.exits(), watch.newContainers(), watch.changes(),
                        events(api, stopping), operatorLog(api, restartsAfter), lab.exitedComponents(),
                        during.size(), failed, failedInOutage, failedWindow);
            }
        }
    }

    /** After the API's return: when a ready Pod held a renewed Lease, and when the release took its next step. */
    private record Recovery(Duration leaseRenewed, String leader, Duration nextStep, String step) {
    }

    private static Recovery recover(LabApp app, KubernetesClient api, OperatorWatch watch, RolloutView before,
            Instant returned) {
        Duration[] lease = new Duration[1];
        String[] leader = new String[1];
        Duration[] step = new Duration[1];
        String[] what = new String[1];
        within("a ready operator leading and the release's next step", Duration.ofMinutes(4), () -> {
            try {
                if (lease[0] == null) {
                    Lease l = api.leases().inNamespace(HelmOperator.NAMESPACE).withName(HelmOperator.LEASE).get();
                    if (l != null && l.getSpec().getRenewTime() != null && l.getSpec().getHolderIdentity() != null
                            && l.getSpec().getRenewTime().toInstant().isAfter(returned)
                            && "200".equals(watch.readiness(l.getSpec().getHolderIdentity()))) {
                        lease[0] = Duration.between(returned, Instant.now());
                        leader[0] = l.getSpec().getHolderIdentity();
                    }
                }
                if (step[0] == null) {
                    RolloutView now = RolloutView.of(api.genericKubernetesResources("ramp.dev/v1alpha1", "Rollout")
                            .inNamespace(app.namespace()).withName("podinfo").get());
                    if (now.phase() != null && (!now.phase().equals(before.phase()) || now.canaryWeight() != before.canaryWeight())) {
                        step[0] = Duration.between(returned, Instant.now());
                        what[0] = "%s %d%% → %s %d%%".formatted(before.phase(), before.canaryWeight(), now.phase(),
                                now.canaryWeight());
                    }
                }
            } catch (RuntimeException e) {
                // The API server may refuse a request while it settles: ask again at the next poll.
            }
            return lease[0] != null && step[0] != null;
        });
        Lab.log("API back: %s leads and is ready after %s s; next step (%s) after %s s".formatted(leader[0],
                number(lease[0]), what[0], number(step[0])));
        return new Recovery(lease[0], leader[0] == null ? "none" : leader[0], step[0], what[0] == null ? "none" : what[0]);
    }

    /** Waits for the condition (polled every 100 ms, exceptions counting as not yet); false, logged, if it did not hold in time. */
    private static boolean within(String what, Duration limit, java.util.function.BooleanSupplier condition) {
        try {
            Net.awaitEvery(what, limit, POLL, () -> {
                try {
                    return condition.getAsBoolean();
                } catch (RuntimeException e) {
                    return false;
                }
            });
            return true;
        } catch (IllegalStateException e) {
            Lab.log(e.getMessage());
            return false;
        }
    }

    private static boolean phaseEnded(String phase) {
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static Map<String, Integer> restarts(List<Pod> pods) {
        Map<String, Integer> out = new TreeMap<>();
        for (Pod pod : pods) {
            out.put(pod.getMetadata().getName(), pod.getStatus().getContainerStatuses() == null ? 0 : pod.getStatus()
                    .getContainerStatuses().stream().mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum());
        }
        return out;
    }

    /** Events about Ramp's Pods since the outage began (the kubelet's: Unhealthy, Killing, BackOff ...), by reason. */
    private static Map<String, Integer> events(KubernetesClient api, Instant since) {
        Map<String, Integer> out = new TreeMap<>();
        for (Event e : api.v1().events().inNamespace(HelmOperator.NAMESPACE).list().getItems()) {
            String time = e.getLastTimestamp() != null ? e.getLastTimestamp()
                    : e.getEventTime() != null ? e.getEventTime().getTime() : null;
            if (time != null && !Instant.parse(time).isBefore(since.minusSeconds(1))
                    && "Pod".equals(e.getInvolvedObject().getKind())) {
                out.merge(e.getReason() + " (" + cut(e.getMessage(), 80) + ")", e.getCount() == null ? 1 : e.getCount(),
                        Integer::sum);
            }
        }
        return out;
    }

    /** The operator's log lines about the API server, the election and its own start and stop, per Pod. */
    private static Map<String, List<String>> operatorLog(KubernetesClient api, Map<String, Integer> restarts) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String pod : restarts.keySet()) {
            try {
                String log = api.pods().inNamespace(HelmOperator.NAMESPACE).withName(pod).getLog();
                if (restarts.get(pod) > 0) {
                    log = api.pods().inNamespace(HelmOperator.NAMESPACE).withName(pod).terminated().getLog() + log;
                }
                out.put(pod, log.lines().filter(l -> !l.contains("SRHCK")).filter(l -> l.contains("API server") || l.contains("leader election")
                        || l.contains("Lease") || l.contains("could not start") || l.contains("Stopping the operator")
                        || l.contains("Leader election") || l.contains(" ERROR ")).map(l -> cut(l, 240)).limit(40).toList());
            } catch (RuntimeException e) {
                out.put(pod, List.of("log unavailable: " + cut(String.valueOf(e.getMessage()), 200)));
            }
        }
        return out;
    }

    private static String cut(String s, int max) {
        String one = s == null ? "" : s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max) + "…";
    }

    /** Seconds with one decimal, or null when it never happened. */
    private static String number(Duration d) {
        return d == null ? "null" : "%.1f".formatted(d.toMillis() / 1e3);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", " ") + "\"";
    }

    private record Run(int seconds, boolean meshBack, Instant stopping, Instant stopped, Instant returned, Instant ended,
            LabApp.Release release, RolloutView before, RolloutView last, String leaderBefore, Recovery recovery,
            Map<String, Integer> restartsBefore, Map<String, Integer> restartsAfter, int exits, int newContainers,
            List<OperatorWatch.Change> changes, Map<String, Integer> events, Map<String, List<String>> log,
            List<String> exitedComponents, int requests, long failed, long failedInOutage, String failedAfterReturn) {

        int restartCount() {
            return restartsAfter.entrySet().stream().mapToInt(e -> e.getValue() - restartsBefore.getOrDefault(e.getKey(), 0))
                    .sum() + (int) restartsBefore.keySet().stream().filter(p -> !restartsAfter.containsKey(p)).count();
        }

        double down() {
            return Duration.between(stopping, returned).toMillis() / 1e3;
        }

        String outcome() {
            if ("Succeeded".equals(last.phase())) {
                return "Succeeded (promoted, as expected)";
            }
            if (recovery.nextStep() == null) {
                return "**stuck**: %s at %d%%, no step in the %d s after the API's return (expected Succeeded)".formatted(
                        last.phase(), last.canaryWeight(), Duration.between(returned, ended).toSeconds());
            }
            return last.phase() + " (expected Succeeded; " + last.rollbackReason() + ")";
        }

        String row() {
            return "| %d s | %.1f s | %d / %d / %d | %s s (%s) | %s s (%s) | %s | %d (of %d); %s |\n".formatted(seconds, down(),
                    exits, newContainers, restartCount(), number(recovery.leaseRenewed()),
                    recovery.leader().equals(leaderBefore) ? "the same leader" : "the other replica",
                    number(recovery.nextStep()), recovery.step(), outcome(), failed, requests, failedAfterReturn);
        }

        /** What the watch saw, in seconds from the stop. */
        String timeline() {
            StringBuilder out = new StringBuilder("%d s outage (t = 0: kube-apiserver stopped, %.1f s: ready again):\n"
                    .formatted(seconds, down()));
            // The docs show the first two minutes after the API's return; the JSON has every change.
            Instant until = returned.plusSeconds(120);
            for (OperatorWatch.Change c : changes) {
                if (!c.at().isAfter(until)) {
                    out.append("%7.1f s  %s\n".formatted(Duration.between(stopping, c.at()).toMillis() / 1e3, c.what()));
                }
            }
            long later = changes.stream().filter(c -> c.at().isAfter(until)).count();
            if (later > 0) {
                out.append("   (%d later changes, in the JSON)\n".formatted(later));
            }
            return out.append('\n').toString();
        }

        String json() {
            String timeline = changes.stream().map(c -> "        " + quote("%.1f s %s".formatted(
                    Duration.between(stopping, c.at()).toMillis() / 1e3, c.what()))).collect(Collectors.joining(",\n"));
            String logs = log.entrySet().stream().map(e -> "        " + quote(e.getKey()) + ": ["
                    + e.getValue().stream().map(l -> "\n          " + quote(l)).collect(Collectors.joining(",")) + "]")
                    .collect(Collectors.joining(",\n"));
            String events = this.events.entrySet().stream().map(e -> quote(e.getKey()) + ": " + e.getValue())
                    .collect(Collectors.joining(", "));
            return """
                        {"outageSeconds": %d, "apiStopRequestedToReadySeconds": %.1f, "apiStopSeconds": %.1f,
                         "operatorContainerExits": %d, "operatorContainersCreated": %d,
                         "restartCountBefore": %s, "restartCountAfter": %s,
                         "leaderBefore": %s, "leaderAfter": %s,
                         "apiReturnToLeaseRenewedByReadyPodSeconds": %s,
                         "apiReturnToNextStepSeconds": %s, "nextStep": %s,
                         "stepBefore": %s, "outcome": %s, "expected": "Succeeded", "metrics": %s,
                         "pushToEndSeconds": %.1f, "requests": %d, "failedRequests": %d, "failedRequestsDuringOutage": %d,
                         "failedRequestsAfterReturn": %s,
                         "clusterComponentsExited": %s, "meshStandInWatchedAgainBy30s": %s,
                         "eventsAboutRampPods": {%s},
                         "timeline": [
                    %s
                         ],
                         "operatorLog": {
                    %s
                         }}""".formatted(seconds, down(), Duration.between(stopping, stopped).toMillis() / 1e3,
                    exits, newContainers, json(restartsBefore), json(restartsAfter), quote(leaderBefore),
                    quote(recovery.leader()), number(recovery.leaseRenewed()), number(recovery.nextStep()),
                    quote(recovery.step()), quote(before.phase() + " " + before.canaryWeight() + "%"), quote(last.phase()),
                    quote(last.metricValues()), Duration.between(release.pushed(), ended).toMillis() / 1e3, requests,
                    failed, failedInOutage, quote(failedAfterReturn), exitedComponents.stream().map(OutageBenchmark::quote)
                            .collect(Collectors.joining(", ", "[", "]")), meshBack, events, timeline, logs);
        }

        private static String json(Map<String, Integer> counts) {
            return counts.entrySet().stream().map(e -> quote(e.getKey()) + ": " + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}"));
        }
    }

    private OutageBenchmark() {
    }
}
