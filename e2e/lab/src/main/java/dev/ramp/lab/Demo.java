package dev.ramp.lab;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * {@code ./demo.sh}: starts the lab, releases a good version through Git and shows it progress to
 * Succeeded, then a version failing 30% of requests and shows the rollback and Ramp's revert
 * commit; ends with what each release cost its users. Its users' requests go through Traefik, a
 * real proxy, on an HTTPRoute Ramp writes ({@code provider: GatewayAPI}) wherever the lab runs
 * Traefik (the cluster mode); through the Istio stand-in on a VirtualService on the kwok fallback,
 * or when {@code RAMP_DEMO_DATA_PLANE=istio} asks for the Istio path. It says which it used.
 */
public final class Demo {

    /** Fast enough to watch: 5s per step, 10% → 25% → 50%, rollback after 2 failed checks. */
    // At 20 users per second a 10% canary serves about 20 requests per 10s window: a minimum sample of 10.
    static final Manifests.Analysis SETTINGS = new Manifests.Analysis("5s", 2, List.of(10, 25, 50), "10s", 10);
    private static final int RATE = 20;

    private record Outcome(String release, String result, Duration took, long served, long failed) {
    }

    public static void main(String[] args) {
        Lab.session(Demo::run);
    }

    /** The data plane the demo's users go through: Traefik where the lab runs it, unless the Istio path is asked for. */
    static LabApp.DataPlane dataPlane(Lab lab) {
        String asked = System.getenv().getOrDefault("RAMP_DEMO_DATA_PLANE", "");
        if (!List.of("", "istio", "traefik").contains(asked)) {
            throw new IllegalArgumentException("RAMP_DEMO_DATA_PLANE=" + asked + ": expected istio or traefik");
        }
        if ("traefik".equals(asked) && !lab.hasGateway()) {
            throw new IllegalStateException("RAMP_DEMO_DATA_PLANE=traefik: Traefik runs only in the cluster lab (this one is "
                    + lab.mode() + ")");
        }
        return lab.hasGateway() && !"istio".equals(asked) ? LabApp.DataPlane.GATEWAY_API : LabApp.DataPlane.MESH;
    }

    /** Says which data plane, and which of Ramp's routers, carries the users' requests. */
    static String describe(LabApp.DataPlane plane) {
        return plane == LabApp.DataPlane.GATEWAY_API
                ? "Traefik (Gateway API: Ramp writes the HTTPRoute podinfo on Gateway " + TraefikGateway.NAMESPACE + "/"
                        + TraefikGateway.GATEWAY + ", provider GatewayAPI; metrics from Traefik)"
                : "the Istio stand-in (Ramp writes the VirtualService podinfo, provider Istio; metrics from the stand-in's Istio telemetry)";
    }

    private static void run(Lab lab) throws Exception {
        LabApp.DataPlane plane = dataPlane(lab);
        LabApp app = lab.app("demo", SETTINGS).dataPlane(plane).bootstrap("1.0.0", RATE);
        say("demo app podinfo 1.0.0 runs in namespace demo (2 pods), " + RATE + " requests/s through " + describe(plane));
        say("analysis: " + SETTINGS);
        List<Outcome> outcomes = new ArrayList<>();

        say("");
        say("== release 2.0.0: a good version, committed and pushed to Git ==");
        LabApp.Release good = app.release("2.0.0", 0);
        say("pushed " + good.commit().substring(0, 12) + "; the webhook asked Ramp to sync");
        Instant promoted = watch(app, good, v -> "Succeeded".equals(v.phase()) || "Failed".equals(v.phase()));
        outcomes.add(outcome(app, good, promoted));

        say("");
        say("== release 3.0.0: fails 30% of requests ==");
        LabApp.Release bad = app.release("3.0.0", 0.3);
        say("pushed " + bad.commit().substring(0, 12) + "; the webhook asked Ramp to sync");
        Instant rolledBack = watch(app, bad, v -> "Failed".equals(v.phase()) && v.conditionTrue("GitReverted"));
        outcomes.add(outcome(app, bad, rolledBack));
        Net.sleep(Duration.ofSeconds(3));
        say("");
        say("git log of the lab's repository (" + lab.git().repository("demo") + "):");
        app.gitLog().lines().forEach(l -> say("  " + l));
        say("");
        say("Ramp's revert commit:");
        app.headMessage().lines().forEach(l -> say("  | " + l));
        say("cluster: podinfo-primary runs " + app.image("podinfo-primary") + ", Git declares "
                + app.image("podinfo") + ", canary weight " + app.routedCanaryWeight() + "% in the "
                + (plane == LabApp.DataPlane.GATEWAY_API ? "HTTPRoute" : "VirtualService"));

        say("");
        say("== summary ==");
        say(String.format("%-10s %-28s %10s %10s %8s", "release", "outcome", "time", "requests", "failed"));
        for (Outcome o : outcomes) {
            say(String.format("%-10s %-28s %9.1fs %10d %8d", o.release(), o.result(), o.took().toMillis() / 1000.0,
                    o.served(), o.failed()));
        }
        say("data plane: " + describe(plane) + ".");
        say("time: from the push to promotion (Succeeded) or to the rollback (Failed, revert pushed to Git).");
        say("requests: served to users from the push until then; failed: answered 5xx.");
    }

    private static Outcome outcome(LabApp app, LabApp.Release release, Instant end) {
        RolloutView view = app.rollout();
        String result = "Succeeded".equals(view.phase()) ? "promoted"
                : "rolled back" + (view.revertCommit() != null ? ", reverted " + view.revertCommit().substring(0, 7) : "");
        List<LoadGenerator.Result> during = app.load().since(release.pushed()).stream()
                .filter(r -> !r.sent().isAfter(end)).toList();
        return new Outcome(release.version(), result, Duration.between(release.pushed(), end), during.size(),
                during.stream().filter(LoadGenerator.Result::failed).count());
    }

    /** Prints the Rollout's progress every second until {@code done}; returns when it was seen done. */
    private static Instant watch(LabApp app, LabApp.Release release, Predicate<RolloutView> done) {
        Instant deadline = release.pushed().plus(Duration.ofMinutes(5));
        String last = "";
        Instant lastPrint = Instant.EPOCH;
        while (Instant.now().isBefore(deadline)) {
            RolloutView view = app.rollout();
            if (done.test(view)) {
                Instant at = Instant.now();
                print(app, release, view);
                return at;
            }
            String state = view.phase() + view.canaryWeight() + view.failedChecks();
            if (!state.equals(last) || Duration.between(lastPrint, Instant.now()).toSeconds() >= 2) {
                print(app, release, view);
                last = state;
                lastPrint = Instant.now();
            }
            Net.sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException("release " + release.version() + " did not finish within 5 minutes");
    }

    private static void print(LabApp app, LabApp.Release release, RolloutView view) {
        Instant now = Instant.now();
        Map<String, Long> versions = new TreeMap<>();
        long failed = 0;
        for (LoadGenerator.Result r : app.load().since(now.minusSeconds(2))) {
            versions.merge(r.version() == null ? "none" : r.version(), 1L, Long::sum);
            failed += r.failed() ? 1 : 0;
        }
        say(String.format("%6.1fs  %-12s canary %3d%%  failed checks %d  %s   | last 2s: %s, %d failed",
                Duration.between(release.pushed(), now).toMillis() / 1000.0, view.phase(), app.routedCanaryWeight(),
                view.failedChecks(), view.metricValues(), versions, failed));
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private Demo() {
    }
}
