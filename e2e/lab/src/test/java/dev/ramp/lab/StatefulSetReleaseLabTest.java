package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end, a StatefulSet released by its partition (issue 21 item 3, docs/statefulsets.md):
 * the demo as a StatefulSet of 4 pods committed to Git ({@link Manifests#statefulSet}), each pod
 * with its own volume, a GitSource applying it, the lab's real StatefulSet controller moving the
 * pods Ramp's partition lets it, the real kubelet mounting the volumes, users calling the Service's
 * ClusterIP through kube-proxy, and the checks on the demo's own counter of the pods of the
 * release's revision ({@code controller_revision_hash}). The lab has no storage provisioner: the
 * test makes, as a cluster's admin would, one hostPath PersistentVolume per ordinal under the lab's
 * directory, pre-bound to its claim {@code data-podinfo-<ordinal>}; the demo writes
 * {@code written-by-<version>} into its volume at start, and the test reads the files from the
 * host. What is asserted is what a user sees: the partition, the pods' revisions, the phase, the
 * commits in Git, the requests users got, the files on the volumes and the claims. Cluster lab
 * only: kwok runs no StatefulSet's pods.
 */
@Tag("cluster")
class StatefulSetReleaseLabTest {

    /** 2s per check, 25% then 50% (partition 3, then 2), rollback after 2 failed checks, 10 requests at least. */
    private static final Manifests.Analysis FAST = new Manifests.Analysis("2s", 2, List.of(25, 50), "5s", 10);
    private static final Duration RELEASE = Duration.ofSeconds(240);
    private static final int RATE = 20;
    private static final int REPLICAS = 4;
    private static final String REVISION = "controller-revision-hash";
    /** The user the demo's image runs as. */
    private static final int DEMO_USER = 65532;

    private static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        Lab.Mode mode = Lab.Mode.preferred(root);
        Assumptions.assumeTrue(mode == Lab.Mode.CLUSTER,
                "a StatefulSet's pods and volumes need the real controller and kubelet; this machine runs " + mode);
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-sts"), mode).start();
        lab.client().resource(new StorageClassBuilder().withNewMetadata().withName(Manifests.LAB_STORAGE_CLASS)
                .endMetadata().withProvisioner("kubernetes.io/no-provisioner").withVolumeBindingMode("Immediate").build())
                .serverSideApply();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    /** The app as a StatefulSet on 1.0.0, its volumes made first; users bounded to 8 minutes of requests. */
    private static LabApp app(String namespace) throws Exception {
        return app(namespace, LabApp.DataPlane.NONE);
    }

    /** The same, behind {@code plane}. */
    private static LabApp app(String namespace, LabApp.DataPlane plane) throws Exception {
        LabApp app = lab.app(namespace, FAST).statefulSet(plane);
        for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
            Path dir = Files.createDirectories(volume(namespace, ordinal));
            // The demo runs as 65532 (e2e/images/image-archive.sh); a hostPath volume is the host
            // directory as it is, so its owner is the pod's user, as an admin would set it.
            Files.setAttribute(dir, "unix:uid", DEMO_USER);
            Files.setAttribute(dir, "unix:gid", DEMO_USER);
            String claim = "data-podinfo-" + ordinal;
            lab.client().resource(new PersistentVolumeBuilder().withNewMetadata().withName(namespace + "-" + claim)
                    .endMetadata().withNewSpec().withStorageClassName(Manifests.LAB_STORAGE_CLASS)
                    .withAccessModes("ReadWriteOnce").addToCapacity("storage", new Quantity("16Mi"))
                    .withPersistentVolumeReclaimPolicy("Retain")
                    .withNewHostPath().withPath(dir.toString()).withType("Directory").endHostPath()
                    .withNewClaimRef().withNamespace(namespace).withName(claim).endClaimRef().endSpec().build())
                    .serverSideApply();
        }
        return app.bootstrap("1.0.0", RATE, RATE * 480);
    }

    /** The host directory of the volume of ordinal {@code ordinal}'s claim. */
    private static Path volume(String namespace, int ordinal) {
        return lab.dir().toAbsolutePath().resolve("volumes").resolve(namespace).resolve("data-podinfo-" + ordinal);
    }

    /** The files on each ordinal's volume, by ordinal. */
    private static Map<Integer, List<String>> files(String namespace) throws IOException {
        Map<Integer, List<String>> files = new TreeMap<>();
        for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
            try (Stream<Path> listed = Files.list(volume(namespace, ordinal))) {
                files.put(ordinal, listed.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
        return files;
    }

    /** The uid of each claim, by name. */
    private static Map<String, String> claims(String namespace) {
        return lab.client().persistentVolumeClaims().inNamespace(namespace).list().getItems().stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), (PersistentVolumeClaim c) -> c.getMetadata().getUid(),
                        (a, b) -> a, TreeMap::new));
    }

    private static StatefulSet statefulSet(String namespace) {
        return lab.client().apps().statefulSets().inNamespace(namespace).withName("podinfo").get();
    }

    private static int partition(StatefulSet sts) {
        var rolling = sts.getSpec().getUpdateStrategy() == null ? null : sts.getSpec().getUpdateStrategy().getRollingUpdate();
        return rolling == null || rolling.getPartition() == null ? 0 : rolling.getPartition();
    }

    /** Each pod's revision, by name, with "/ready" when it is Ready (as {@code kubectl get pods -L controller-revision-hash}). */
    private static Map<String, String> pods(String namespace) {
        Map<String, String> pods = new TreeMap<>();
        for (Pod pod : lab.client().pods().inNamespace(namespace).withLabel("app", "podinfo").list().getItems()) {
            boolean ready = pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                    && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            pods.put(pod.getMetadata().getName(), pod.getMetadata().getLabels().get(REVISION) + (ready ? "/ready" : ""));
        }
        return pods;
    }

    /** Every ordinal's pod on {@code revision} and Ready. */
    private static boolean allOn(Map<String, String> pods, String revision) {
        return pods.size() == REPLICAS && IntStream.range(0, REPLICAS)
                .allMatch(i -> (revision + "/ready").equals(pods.get("podinfo-" + i)));
    }

    /** What a user polling kubectl sees at one instant. */
    private record Seen(RolloutView rollout, int partition, Map<String, String> pods) {
    }

    /** Polls as a user would, adding what it sees to {@code seen}, until {@code until} holds. */
    private static Seen watch(LabApp app, List<Seen> seen, Predicate<Seen> until) {
        return await().atMost(RELEASE).pollInterval(Duration.ofMillis(250)).until(() -> {
            Seen now = new Seen(app.rollout(), partition(statefulSet(app.namespace())), pods(app.namespace()));
            seen.add(now);
            return now;
        }, until);
    }

    /** The values in order, each run of equal ones once. */
    private static <T> List<T> runs(List<T> values) {
        List<T> runs = new ArrayList<>();
        for (T value : values) {
            if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(value)) {
                runs.add(value);
            }
        }
        return runs;
    }

    /** The pods in the order they were first seen on {@code revision}. */
    private static List<String> movedOrder(List<Seen> seen, String revision) {
        List<String> order = new ArrayList<>();
        for (Seen s : seen) {
            s.pods().forEach((pod, state) -> {
                if (state.startsWith(revision) && !order.contains(pod)) {
                    order.add(pod);
                }
            });
        }
        return order;
    }

    /** The revision of every pod at bootstrap, with the volumes written by 1.0.0. */
    private static String before(LabApp app) throws IOException {
        String namespace = app.namespace();
        String revision = statefulSet(namespace).getStatus().getUpdateRevision();
        assertThat(statefulSet(namespace).getStatus().getCurrentRevision()).isEqualTo(revision);
        await().atMost(Duration.ofSeconds(60)).until(() -> allOn(pods(namespace), revision));
        assertThat(partition(statefulSet(namespace))).as("held by Ramp at rest").isEqualTo(REPLICAS);
        assertThat(claims(namespace)).hasSize(REPLICAS);
        assertThat(files(namespace)).as("each pod wrote its volume at start")
                .allSatisfy((ordinal, names) -> assertThat(names).containsExactly("written-by-1.0.0"));
        for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
            assertThat(Files.readString(volume(namespace, ordinal).resolve("written-by-1.0.0")))
                    .isEqualTo("podinfo-" + ordinal + "\n");
        }
        return revision;
    }

    @Test
    void aGoodReleaseIsPromotedOrdinalByOrdinalAndKeepsEachPodsVolume() throws Exception {
        try (LabApp app = app("sts-good")) {
            String namespace = app.namespace();
            String old = before(app);
            Map<String, String> claims = claims(namespace);
            List<Seen> seen = new CopyOnWriteArrayList<>();
            LabApp.Release release = app.release("2.0.0", 0);

            Seen done = watch(app, seen, s -> "Succeeded".equals(s.rollout().phase()) || "Failed".equals(s.rollout().phase()));
            Instant promoted = Instant.now();
            String released = statefulSet(namespace).getStatus().getUpdateRevision();
            // The partition goes back to the replica count in the pass that writes Succeeded, after
            // its status: on a busy machine a poll can fall between the two, so watch on to it.
            watch(app, seen, s -> s.partition() == REPLICAS && allOn(s.pods(), released));
            List<Integer> partitions = runs(seen.stream().map(Seen::partition).toList());
            List<String> order = movedOrder(seen, released);
            Lab.log("StatefulSet release 2.0.0 promoted %.1fs after the push: partitions %s, pods moved in the order %s, shares %s"
                    .formatted(Duration.between(release.pushed(), promoted).toMillis() / 1e3, partitions, order,
                            runs(seen.stream().map(s -> s.rollout().canaryWeight()).toList())));

            assertThat(done.rollout().phase()).as("%s", done).isEqualTo("Succeeded");
            assertThat(released).isNotEqualTo(old);
            // Step 25% (1 of 4 pods), step 50% (2), promotion (all), at rest: the highest ordinals first.
            assertThat(partitions).containsSubsequence(REPLICAS, 3, 2, 0, REPLICAS).allMatch(p -> p >= 0 && p <= REPLICAS);
            assertThat(order).containsExactly("podinfo-3", "podinfo-2", "podinfo-1", "podinfo-0");
            // While the partition was 3, only ordinal 3 ran 2.0.0; at 2, only 2 and 3.
            assertThat(seen).filteredOn(s -> s.partition() == 3 && "Progressing".equals(s.rollout().phase()))
                    .allSatisfy(s -> assertThat(movedOrder(List.of(s), released)).isSubsetOf("podinfo-3"));
            assertThat(seen).filteredOn(s -> s.partition() == 2 && "Progressing".equals(s.rollout().phase()))
                    .allSatisfy(s -> assertThat(movedOrder(List.of(s), released)).isSubsetOf("podinfo-2", "podinfo-3"));
            assertThat(done.rollout().metrics()).filteredOn(m -> Manifests.SUCCESS_RATE.equals(m.get("name"))).singleElement()
                    .satisfies(m -> assertThat(m.get("verdict")).isEqualTo("Passed"));

            // Users, through the Service's ClusterIP, got both versions during the release, and 2.0.0 after.
            Instant after = Instant.now().plusSeconds(6);
            await().atMost(Duration.ofSeconds(20)).until(() -> app.load().count(after, r -> true) >= RATE);
            assertThat(app.load().since(after)).extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            List<LoadGenerator.Result> users = app.load().since(release.pushed());
            List<LoadGenerator.Result> failed = users.stream().filter(LoadGenerator.Result::failed).toList();
            Lab.log("StatefulSet release 2.0.0: %d of %d user requests failed, from the push to 6s after the promotion %s"
                    .formatted(failed.size(), users.size(), failed));
            assertThat(users).extracting(LoadGenerator.Result::version).contains("1.0.0", "2.0.0");
            assertThat(failed.size()).as("failed user requests %s", failed).isLessThanOrEqualTo(users.size() / 100);

            // The data: each pod kept its claim and its volume, 1.0.0's file beside 2.0.0's.
            assertThat(claims(namespace)).isEqualTo(claims);
            assertThat(files(namespace)).allSatisfy((ordinal, names) ->
                    assertThat(names).containsExactly("written-by-1.0.0", "written-by-2.0.0"));
            Lab.log("StatefulSet release 2.0.0: volumes after %s, claims %s".formatted(files(namespace), claims));
        }
    }

    /**
     * Behind Traefik (docs/statefulsets.md#behind-a-router): the HTTPRoute splits users' requests
     * between Ramp's Services podinfo-primary and podinfo-canary, one revision each; a step's weight
     * reaches it only once its ordinals are ready, the promotion routes everything to the release's
     * revision while the rest move, and the route returns to the primary once its Service selects it.
     */
    @Test
    void aGoodReleaseThroughTraefikMovesTheRoutesWeightsWithThePods() throws Exception {
        try (LabApp app = app("sts-gw", LabApp.DataPlane.GATEWAY_API)) {
            String namespace = app.namespace();
            String old = before(app);
            Map<String, String> claims = claims(namespace);
            List<Seen> seen = new CopyOnWriteArrayList<>();
            List<Integer> routeWeights = new CopyOnWriteArrayList<>();
            LabApp.Release release = app.release("2.0.0", 0);

            Seen done = watch(app, seen, s -> {
                routeWeights.add(app.routes().httpRouteCanaryWeight());
                return "Succeeded".equals(s.rollout().phase()) || "Failed".equals(s.rollout().phase());
            });
            Instant promoted = Instant.now();
            String released = statefulSet(namespace).getStatus().getUpdateRevision();
            // Succeeded is written before the route returns to the primary (status first): watch on to it.
            watch(app, seen, s -> {
                int weight = app.routes().httpRouteCanaryWeight();
                routeWeights.add(weight);
                return weight == 0 && s.partition() == REPLICAS && allOn(s.pods(), released);
            });
            List<Integer> partitions = runs(seen.stream().map(Seen::partition).toList());
            Lab.log("StatefulSet release 2.0.0 through Traefik promoted %.1fs after the push: partitions %s, route weights %s,"
                    .formatted(Duration.between(release.pushed(), promoted).toMillis() / 1e3, partitions, runs(routeWeights))
                    + " pods moved in the order " + movedOrder(seen, released));

            assertThat(done.rollout().phase()).as("%s", done).isEqualTo("Succeeded");
            assertThat(released).isNotEqualTo(old);
            assertThat(partitions).containsSubsequence(REPLICAS, 3, 2, 0, REPLICAS);
            assertThat(runs(routeWeights)).containsSubsequence(0, 25, 50, 100, 0);
            assertThat(app.routes().httpRouteCanaryWeight()).isZero();
            Map<String, String> primary = lab.client().services().inNamespace(namespace).withName("podinfo-primary").get()
                    .getSpec().getSelector();
            assertThat(primary).containsEntry(REVISION, released).containsEntry("app", "podinfo");

            Instant after = Instant.now().plusSeconds(6);
            await().atMost(Duration.ofSeconds(20)).until(() -> app.load().count(after, r -> true) >= RATE);
            assertThat(app.load().since(after)).extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            List<LoadGenerator.Result> users = app.load().since(release.pushed());
            List<LoadGenerator.Result> failed = users.stream().filter(LoadGenerator.Result::failed).toList();
            Lab.log("StatefulSet release 2.0.0 through Traefik: %d of %d user requests failed, from the push to 6s after the"
                    .formatted(failed.size(), users.size()) + " promotion " + failed);
            assertThat(users).extracting(LoadGenerator.Result::version).contains("1.0.0", "2.0.0");
            assertThat(failed.size()).as("failed user requests %s", failed).isLessThanOrEqualTo(users.size() / 100);
            assertThat(claims(namespace)).isEqualTo(claims);
        }
    }

    @Test
    void aBadReleaseIsRolledBackWithEveryPodOnTheOldRevisionAndItsDataIntact() throws Exception {
        try (LabApp app = app("sts-bad")) {
            String namespace = app.namespace();
            String old = before(app);
            Map<String, String> claims = claims(namespace);
            List<Seen> seen = new CopyOnWriteArrayList<>();
            LabApp.Release release = app.release("2.0.0", 0.3);

            Seen failed = watch(app, seen, s -> "Failed".equals(s.rollout().phase()) && s.rollout().conditionTrue("GitReverted"));
            Instant rolledBack = Instant.now();
            List<LoadGenerator.Result> during = app.load().since(release.pushed()).stream()
                    .filter(r -> !r.sent().isAfter(rolledBack)).toList();
            RolloutView view = failed.rollout();
            Lab.log(("StatefulSet release 2.0.0 rolled back and reverted %.1fs after the push: partitions %s, %d of %d user"
                    + " requests failed, %d answered by 2.0.0 (%s)").formatted(
                            Duration.between(release.pushed(), rolledBack).toMillis() / 1e3,
                            runs(seen.stream().map(Seen::partition).toList()),
                            during.stream().filter(LoadGenerator.Result::failed).count(), during.size(),
                            during.stream().filter(r -> "2.0.0".equals(r.version())).count(), view.metricValues()));

            assertThat(view.rollbackReason()).isEqualTo("AnalysisFailed");
            assertThat(view.rollbackMetric()).isEqualTo(Manifests.SUCCESS_RATE);
            assertThat(app.headMessage()).startsWith(view.revertCommit()).contains(release.commit().substring(0, 12));
            assertThat(app.fileAtHead("deployment.yaml")).isEqualTo(Manifests.statefulSet("1.0.0", 0, 20));
            // Users' failures were the new revision's only.
            assertThat(during).filteredOn(LoadGenerator.Result::failed).isNotEmpty()
                    .extracting(LoadGenerator.Result::version).containsOnly("2.0.0");

            // Every pod back on the old revision and Ready, the partition back at replicas.
            await().atMost(RELEASE).until(() -> allOn(pods(namespace), old) && partition(statefulSet(namespace)) == REPLICAS);
            Lab.log("StatefulSet release 2.0.0 rolled back: pods %s, partition %d, %.1fs after the push".formatted(
                    pods(namespace), partition(statefulSet(namespace)),
                    Duration.between(release.pushed(), Instant.now()).toMillis() / 1e3));
            assertThat(statefulSet(namespace).getStatus().getUpdateRevision()).isEqualTo(old);
            Instant after = Instant.now().plusSeconds(6);
            await().atMost(Duration.ofSeconds(20)).until(() -> app.load().count(after, r -> true) >= RATE);
            assertThat(app.load().since(after)).allSatisfy(r -> {
                assertThat(r.version()).isEqualTo("1.0.0");
                assertThat(r.failed()).isFalse();
            });

            // The data: same claims, 1.0.0's file on every volume; 2.0.0 wrote only on the ordinals it reached.
            assertThat(claims(namespace)).isEqualTo(claims);
            Map<Integer, List<String>> files = files(namespace);
            Lab.log("StatefulSet release 2.0.0 rolled back: volumes %s".formatted(files));
            assertThat(files).allSatisfy((ordinal, names) -> assertThat(names).contains("written-by-1.0.0"));
            assertThat(files.get(0)).containsExactly("written-by-1.0.0");
            assertThat(files.get(3)).contains("written-by-2.0.0");
        }
    }
}
