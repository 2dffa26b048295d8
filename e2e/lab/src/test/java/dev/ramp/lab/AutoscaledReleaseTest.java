package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An autoscaled release on the lab's real cluster (issue 21 item 1): the demo app with an
 * {@code autoscaling/v2} HPA in Git and {@code spec.autoscalerRef} on its Rollout (both taken from
 * docs/autoscaling.md's worked example), Ramp installed by Helm. Under CPU load ({@code ?cpu_ms=})
 * the primary's HPA, Ramp's copy fed by metrics-server's real measurements, scales the primary above
 * its minReplicas; a good canary is then released, and every write to the primary seen through the
 * release (a watch delivers each) keeps at least the count it had before, while its template
 * becomes the new version. Deleting the Rollout then deletes the copy (the cluster's garbage
 * collector, by the owner reference Ramp sets), and once the Rollout is back from Git without
 * {@code autoscalerRef}, Ramp deletes the new copy. Cluster lab only; elsewhere skipped, saying why.
 */
@Tag("cluster")
class AutoscaledReleaseTest {

    /** As {@link LabReleaseTest}'s: 2s per step, 20% then 50%, rollback after 2 failed checks, 10 requests at least. */
    private static final Manifests.Analysis FAST = new Manifests.Analysis("2s", 2, List.of(20, 50), "5s", 10);
    private static final int RATE = 20;
    private static final String NAMESPACE = "autoscaled";

    private static Lab lab;
    private static Path root;

    @BeforeAll
    static void start() throws Exception {
        root = Path.of(System.getProperty("ramp.root", "../.."));
        Lab.Mode mode = Lab.Mode.preferred(root);
        Assumptions.assumeTrue(mode == Lab.Mode.CLUSTER,
                "an HPA scales real Pods on resource metrics only in the cluster lab (metrics-server); this machine runs " + mode);
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-autoscaled"), mode).start();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aPromotionLeavesThePrimaryAtTheSizeItsHpaGaveItUnderLoad() throws Exception {
        String[] example = workedExample();
        try (LabApp app = lab.app(NAMESPACE, FAST).autoscaled(example[0], example[1]).bootstrap("1.0.0", RATE)) {
            HorizontalPodAutoscaler target = hpa("podinfo");
            int min = target.getSpec().getMinReplicas();
            int max = target.getSpec().getMaxReplicas();
            HorizontalPodAutoscaler copy = await("Ramp's copy podinfo-primary").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).until(() -> hpa("podinfo-primary"), h -> h != null);
            assertThat(copy.getSpec().getScaleTargetRef().getName()).isEqualTo("podinfo-primary");
            assertThat(app.rollout().conditionTrue("Autoscaler")).as("%s", app.rollout()).isTrue();

            // 10 ms of CPU per request at 20 a second: about 200m over the primary's two Pods,
            // each requesting 50m, far above the HPA's 50%. Bounded: 20 a second for 6 minutes at most.
            try (LoadGenerator cpu = new LoadGenerator(lab.proxyAddress(), "/?cpu_ms=10", "podinfo", NAMESPACE, RATE, Map.of(),
                    RATE * 360)) {
                long loaded = System.nanoTime();
                Deployment scaled = await("the primary's HPA scaling it above minReplicas " + min + ", every Pod Ready")
                        .atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> primary(), d -> d.getSpec().getReplicas() > min && d.getStatus() != null
                                && d.getSpec().getReplicas().equals(d.getStatus().getReadyReplicas()));
                int before = scaled.getSpec().getReplicas();
                HorizontalPodAutoscaler copyNow = hpa("podinfo-primary");
                Lab.log("primary scaled by its HPA: %d -> %d replicas (min %d, max %d) %.1fs after the CPU load began, current metrics %s"
                        .formatted(min, before, min, max, (System.nanoTime() - loaded) / 1e9,
                                copyNow.getStatus().getCurrentMetrics()));

                List<String> seen = Collections.synchronizedList(new ArrayList<>());
                List<Integer> counts = Collections.synchronizedList(new ArrayList<>());
                try (Watch watch = watchPrimary(seen, counts)) {
                    LabApp.Release release = app.release("2.0.0", 0);
                    RolloutView done = await("the release ended").atMost(Duration.ofSeconds(180))
                            .pollInterval(Duration.ofMillis(250)).until(app::rollout,
                                    v -> "Succeeded".equals(v.phase()) || "Failed".equals(v.phase()));
                    Instant promoted = Instant.now();
                    assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
                    // Past the promotion's rolling update and the canary's scale-down (5 s after the release).
                    await("the canary scaled to 0").atMost(Duration.ofSeconds(30)).until(() -> app.replicas("podinfo") == 0);
                    await("the primary's Pods all on 2.0.0 and Ready").atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(500)).until(() -> primary(), d -> d.getStatus() != null
                                    && d.getSpec().getReplicas().equals(d.getStatus().getUpdatedReplicas())
                                    && d.getSpec().getReplicas().equals(d.getStatus().getReadyReplicas()));
                    Deployment after = primary();
                    Lab.log("release 2.0.0 promoted %.1fs after the push; primary spec.replicas before %d, at each of the %d writes seen %s, after %d"
                            .formatted(Duration.between(release.pushed(), promoted).toMillis() / 1e3, before, seen.size(),
                                    seen, after.getSpec().getReplicas()));

                    assertThat(counts).as("the primary's replicas at every write seen through the release: %s", seen)
                            .isNotEmpty().allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(before));
                    assertThat(after.getSpec().getReplicas()).isGreaterThanOrEqualTo(before);
                    assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
                    assertThat(seen).as("the promotion's write is among those seen").anyMatch(s -> s.contains("2.0.0"));
                    List<LoadGenerator.Result> users = app.load().since(release.pushed());
                    long failed = users.stream().filter(LoadGenerator.Result::failed).count();
                    long cpuFailed = cpu.count(release.pushed(), LoadGenerator.Result::failed);
                    Lab.log("during the release: %d of %d user requests failed, %d of %d CPU-loaded ones"
                            .formatted(failed, users.size(), cpuFailed, cpu.since(release.pushed()).size()));
                    assertThat(failed).as("user requests failed").isZero();
                }
            }

            // Deleting the Rollout deletes the copy: the owner reference, and the cluster's garbage
            // collector. (The GitSource applies the Rollout again at its next sync, and Ramp then makes
            // a new copy: the one that goes is the copy of this uid.)
            String uid = hpa("podinfo-primary").getMetadata().getUid();
            lab.client().genericKubernetesResources("ramp.dev/v1alpha1", "Rollout").inNamespace(NAMESPACE).withName("podinfo")
                    .delete();
            await("the copy garbage-collected with its Rollout").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> hpa("podinfo-primary"), h -> h == null || !uid.equals(h.getMetadata().getUid()));
            Lab.log("Rollout deleted: its copy podinfo-primary (uid %s) garbage-collected".formatted(uid));

            // Synced from Git again, the Rollout gets a new copy; without autoscalerRef in Git, Ramp
            // deletes it (docs/autoscaling.md, "When autoscalerRef goes or changes").
            assertThat(app.webhook()).isEqualTo(202);
            HorizontalPodAutoscaler again = await("the Rollout back from Git, with a new copy").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> hpa("podinfo-primary"), h -> h != null
                            && !uid.equals(h.getMetadata().getUid()) && "Initialized".equals(app.rollout().phase()));
            app.withoutAutoscalerRef();
            await("the copy deleted once the Rollout names no autoscaler").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).until(() -> hpa("podinfo-primary") == null);
            await("the Autoscaler condition gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> app.rollout().condition("Autoscaler").isEmpty());
            assertThat(hpa("podinfo")).as("the target's HPA, declared in Git, stays").isNotNull();
            Lab.log("autoscalerRef removed in Git: copy %s deleted by Ramp".formatted(again.getMetadata().getUid()));
        }
    }

    /**
     * Records every write to the primary a watch delivers from now on: its replicas, and its
     * image and Ready Pods, e.g. {@code 4 (1.0.0, 4 ready)}.
     */
    private static Watch watchPrimary(List<String> seen, List<Integer> counts) {
        String from = primary().getMetadata().getResourceVersion();
        return lab.client().apps().deployments().inNamespace(NAMESPACE).withName("podinfo-primary")
                .withResourceVersion(from).watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment d) {
                        if (action == Action.DELETED) {
                            seen.add("deleted");
                            counts.add(0);
                            return;
                        }
                        String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
                        Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
                        seen.add("%d (%s, %s ready)".formatted(d.getSpec().getReplicas(), image.substring(image.indexOf(':') + 1),
                                ready == null ? 0 : ready));
                        counts.add(d.getSpec().getReplicas());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        seen.add("watch closed: " + cause.getMessage());
                        counts.add(-1);
                    }
                });
    }

    private static Deployment primary() {
        return lab.client().apps().deployments().inNamespace(NAMESPACE).withName("podinfo-primary").get();
    }

    private static HorizontalPodAutoscaler hpa(String name) {
        return lab.client().autoscaling().v2().horizontalPodAutoscalers().inNamespace(NAMESPACE).withName(name).get();
    }

    /**
     * docs/autoscaling.md's worked example, as this test applies it: its first YAML block's HPA
     * document whole, and its Rollout's {@code autoscalerRef} lines.
     */
    private static String[] workedExample() throws Exception {
        String doc = Files.readString(root.resolve("docs/autoscaling.md"));
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        String block = doc.substring(start, doc.indexOf("```", start));
        String hpa = Arrays.stream(block.split("(?m)^---\n")).filter(d -> d.contains("kind: HorizontalPodAutoscaler"))
                .findFirst().orElseThrow();
        String rollout = Arrays.stream(block.split("(?m)^---\n")).filter(d -> d.contains("kind: Rollout"))
                .findFirst().orElseThrow();
        StringBuilder ref = new StringBuilder();
        boolean in = false;
        for (String line : rollout.split("\n")) {
            if (line.equals("  autoscalerRef:")) {
                in = true;
            } else if (in && !line.startsWith("    ")) {
                break;
            }
            if (in) {
                ref.append(line).append('\n');
            }
        }
        assertThat(ref).as("spec.autoscalerRef in docs/autoscaling.md's example").contains("name: podinfo");
        return new String[] {hpa, ref.toString()};
    }
}
