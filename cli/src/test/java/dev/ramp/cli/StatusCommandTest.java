package dev.ramp.cli;

import static dev.ramp.cli.testing.FakeOperator.failed;
import static dev.ramp.cli.testing.FakeOperator.progressing;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ramp.api.Classification;
import dev.ramp.api.GitRevertStatus;
import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutActions;
import dev.ramp.api.Strategy;
import dev.ramp.api.Timestamps;
import dev.ramp.cli.testing.FakeOperator;
import dev.ramp.cli.testing.RampCli;
import dev.ramp.cli.testing.RampCli.Result;
import dev.ramp.testing.TestCluster;
import dev.ramp.cli.testing.World;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

    private static final String PROMOTED_COMMIT = "3f2a9c1d4e5b6a7980f1e2d3c4b5a69788796a5b";
    private static final String RELEASE_COMMIT = "9be1d2a4c0ffee00112233445566778899aabbcc";

    private final TestCluster cluster = TestCluster.get();
    private String namespace;
    private FakeOperator operator;
    private World world;
    private RampCli ramp;
    private String revision;

    @BeforeEach
    void releaseInProgress() throws Exception {
        namespace = cluster.newNamespace("status");
        operator = new FakeOperator(cluster.client(), namespace);
        world = new World(cluster.client(), namespace);
        ramp = new RampCli(cluster.kubeconfigFile(), namespace);
        world.target("podinfo", "ghcr.io/stefanprodan/podinfo:6.7.1", RELEASE_COMMIT);
        revision = world.revision("podinfo");
        Rollout rollout = operator.create("podinfo", "podinfo", Strategy.Canary);
        operator.status("podinfo", progressing(1, 97.25).andThen(s -> {
            s.setLastAppliedRevision(revision);
            s.setLastPromotedRevision("00aa11bb22cc33dd");
            s.setLastPromotedCommit(PROMOTED_COMMIT);
            s.setLastAction("promote/1");
            s.setPhaseSince(Timestamps.format(Instant.now().minusSeconds(95)));
            s.getCurrentStep().setStartedAt(Timestamps.format(Instant.now().minusSeconds(35)));
        }));
        cluster.client().resources(Rollout.class).inNamespace(namespace).withName("podinfo").edit(r -> {
            r.getMetadata().setAnnotations(Map.of(RolloutActions.ANNOTATION, "abort/2"));
            return r;
        });
        world.routes("podinfo", 80, 20);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        world.event(rollout, "Normal", "StepAdvanced", "Step 2: canary weight 20", now.minusSeconds(30));
        world.event(rollout, "Normal", "ReleaseStarted", "Release of revision " + revision + " started", now.minusSeconds(90));
        world.event(rollout, "Warning", "CheckFailed", "request-success-rate: 97.25 is below the minimum 99", now);
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    @Test
    void describesTheReleaseForPeople() {
        Result result = ramp.run("status", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).contains(
                "Name:           podinfo\n",
                "Namespace:      " + namespace + "\n",
                "Strategy:       Canary\n",
                "Weight:         canary 20%, primary 80%\n",
                "Routing:        VirtualService podinfo: primary 80, canary 20\n",
                "Failed checks:  1/2\n",
                "Inconclusive:   0/10 in a row\n",
                "Last action:    promote/1 (requested, not yet done: abort/2)\n",
                "  Promoted:     " + PROMOTED_COMMIT + "\n",
                "  Release:      " + RELEASE_COMMIT + "\n",
                "  Revert:       <none>\n",
                "  Canary:       " + revision + "\n",
                "  Target:       " + revision + "\n");
        assertThat(result.out()).containsPattern("(?m)^Phase: +Progressing for 9\\ds$");
        assertThat(result.out()).containsPattern("(?m)^Step: +2/3 \\(weights 10, 20, 50\\) for 3\\ds$");
        assertThat(result.out()).containsPattern("(?m)^  request-success-rate +97\\.25 +min 99 +Failed +97\\.25 is below the minimum 99$");
        assertThat(result.out()).containsPattern("(?m)^  request-duration +120 +max 500 +Passed$");
        assertThat(result.out()).containsPattern("(?m)^  Promoted +Unknown +Progressing +\\d+s +release in progress$");
        List<String> events = result.out().lines().dropWhile(l -> !l.equals("Events:")).skip(2).toList();
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).matches("  Normal +ReleaseStarted +9\\ds +Release of revision " + revision + " started");
        assertThat(events.get(1)).matches("  Normal +StepAdvanced +3\\ds +Step 2: canary weight 20");
        assertThat(events.get(2)).matches("  Warning +CheckFailed +\\ds +request-success-rate: 97.25 is below the minimum 99");
    }

    @Test
    void showsTheBaselinesShareAndThatTheJudgeComparedTheCanaryWithIt() {
        world.routes("podinfo", 60, 20, 20);
        MetricComparison c = new MetricComparison();
        c.setComparedWith(MetricComparison.BASELINE);
        c.setCanaryPoints(30);
        c.setComparisonPoints(30);
        c.setCanaryMedian(161.0);
        c.setComparisonMedian(160.0);
        c.setShift(1.0);
        c.setRelativeShift(1.0 / 160);
        c.setLower(-4.0);
        c.setUpper(6.0);
        c.setConfidence(0.98);
        c.setPValue(0.6);
        c.setClassification(Classification.Pass);
        c.setUnit("ms");
        MetricStatus duration = new MetricStatus("request-duration", 161.0, new ThresholdRange(), Verdict.Passed, c.summary());
        duration.setComparison(c);
        operator.status("podinfo", s -> s.setMetrics(List.of(duration)));

        Result result = ramp.run("status", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).contains("Weight:         canary 20%, baseline 20%, primary 60%\n",
                "Routing:        VirtualService podinfo: primary 60, canary 20, baseline 20\n");
        assertThat(result.out()).containsPattern("(?m)^  request-duration +161 +vs baseline 160 +Passed +canary median 161 ms vs"
                + " baseline 160 ms, \\+0\\.6\\d% \\(98% CI -2\\.5\\.\\.\\+3\\.\\d%\\), Pass$");
    }

    @Test
    void showsHowTheJudgeComparedTheCanaryWithThePrimary() {
        MetricComparison c = new MetricComparison();
        c.setComparedWith("primary");
        c.setCanaryPoints(30);
        c.setComparisonPoints(29);
        c.setCanaryMedian(212.0);
        c.setComparisonMedian(160.0);
        c.setShift(51.2);
        c.setRelativeShift(51.2 / 160);
        c.setLower(40.0);
        c.setUpper(64.0);
        c.setConfidence(0.98);
        c.setPValue(3.1e-6);
        c.setClassification(Classification.High);
        c.setCritical(true);
        c.setUnit("ms");
        MetricStatus duration = new MetricStatus("request-duration", 212.0, new ThresholdRange(), Verdict.Failed, c.summary());
        duration.setComparison(c);
        MetricStatus score = new MetricStatus("judge-score", 0.0, new ThresholdRange(95.0, null), Verdict.Failed,
                "score 0 (pass 95, marginal 75): Failed, a critical metric failed; " + c.describe("request-duration"));
        operator.status("podinfo", s -> s.setMetrics(List.of(duration, score)));

        Result result = ramp.run("status", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).containsPattern("(?m)^  request-duration +212 +vs primary 160 +Failed +canary median 212 ms vs"
                + " primary 160 ms, \\+32% \\(98% CI \\+25\\.\\.\\+40%\\), High$");
        assertThat(result.out()).containsPattern("(?m)^  judge-score +0 +min 95 +Failed +score 0 \\(pass 95, marginal 75\\)");
        assertThat(result.out()).containsPattern("(?m)^Comparisons:\n  METRIC +CANARY +VS +POINTS +SHIFT +CI +P +CLASS\n"
                + "  request-duration \\(critical\\) +212 ms +primary 160 ms +30/29 +\\+51\\.2 ms \\(\\+32%\\) +98% \\+40\\.\\.\\+64 +3\\.1e-06 +High$");
    }

    @Test
    void withoutAMeshTheRoutingIsTheShareOfThePodsTheServiceSelects() {
        var client = cluster.client();
        client.resources(Rollout.class).inNamespace(namespace).withName("podinfo").edit(r -> {
            r.getSpec().getService().setProvider(dev.ramp.api.RoutingProvider.None);
            return r;
        });
        // As the operator leaves them at a step: 1 canary pod beside 4 of the primary, both selected by the Service.
        client.apps().deployments().inNamespace(namespace).withName("podinfo").edit(d -> new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder(d).editSpec().withReplicas(1).editTemplate().editMetadata().addToLabels("ramp.dev/service", "podinfo")
                .endMetadata().endTemplate().endSpec().build());
        client.resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata().withName("podinfo-primary")
                .withNamespace(namespace).endMetadata().withNewSpec().withReplicas(4).withNewSelector()
                .addToMatchLabels("app", "podinfo-primary").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "podinfo-primary").addToLabels("ramp.dev/service", "podinfo").endMetadata().withNewSpec()
                .addNewContainer().withName("podinfo").withImage("ghcr.io/stefanprodan/podinfo:6.7.0").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        client.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("podinfo")
                .withNamespace(namespace).endMetadata().withNewSpec().addToSelector("ramp.dev/service", "podinfo").addNewPort()
                .withPort(9898).endPort().endSpec().build()).create();

        Result result = ramp.run("status", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).contains("Routing:        Service podinfo: primary 80, canary 20\n").doesNotContain("VirtualService");
    }

    @Test
    void aStatefulSetsSplitIsItsPartitionAndItsRevisionTheControllersUpdateRevision() {
        var client = cluster.client();
        // A StatefulSet of 4 at a step of 25%: Ramp's partition 3 lets ordinal 3 run the release's
        // revision, which the StatefulSet's controller names in status.updateRevision.
        client.resource(new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withNewMetadata().withName("db")
                .withNamespace(namespace).addToAnnotations("ramp.dev/commit", RELEASE_COMMIT).endMetadata().withNewSpec()
                .withReplicas(4).withServiceName("db").withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate().withPartition(3).endRollingUpdate()
                .endUpdateStrategy().withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata().withNewSpec()
                .addNewContainer().withName("db").withImage("ghcr.io/stefanprodan/podinfo:6.7.1").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        client.apps().statefulSets().inNamespace(namespace).withName("db").editStatus(set -> new io.fabric8.kubernetes.api.model
                .apps.StatefulSetBuilder(set).withNewStatus().withReplicas(4).withUpdateRevision("db-7d9f8c6b5")
                .withCurrentRevision("db-55c7d9f84").endStatus().build());
        operator.create("db", "db", Strategy.Canary);
        client.resources(Rollout.class).inNamespace(namespace).withName("db").edit(r -> {
            r.getSpec().getTargetRef().setKind(dev.ramp.api.TargetRef.STATEFUL_SET);
            r.getSpec().getService().setProvider(dev.ramp.api.RoutingProvider.None);
            // Steps counted in pods (analysis.stepReplicas): one pod, then two.
            r.getSpec().setAnalysis(new dev.ramp.api.AnalysisSpec());
            r.getSpec().getAnalysis().setStepReplicas(java.util.List.of(1, 2));
            return r;
        });
        operator.status("db", progressing(0, 100).andThen(s -> {
            s.setLastAppliedRevision("db-7d9f8c6b5");
            s.setLastPromotedRevision("db-55c7d9f84");
        }));

        Result result = ramp.run("status", "db");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).contains(
                "Routing:        StatefulSet db: primary 75, canary 25\n",
                "  Release:      " + RELEASE_COMMIT + "\n",
                "  Canary:       db-7d9f8c6b5\n",
                "  Target:       db-7d9f8c6b5\n").doesNotContain("VirtualService");
        assertThat(result.out()).containsPattern("(?m)^Step: +1/2 \\(pods 1, 2\\)");
    }

    @Test
    void aStatefulSetBehindIstioShowsItsRoutesSplitNotItsPartition() {
        var client = cluster.client();
        // 4 pods at partition 3, and the route giving the release's Service 10% (a mesh splits by request).
        client.resource(new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withNewMetadata().withName("db")
                .withNamespace(namespace).endMetadata().withNewSpec()
                .withReplicas(4).withServiceName("db-pods").withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate().withPartition(3).endRollingUpdate()
                .endUpdateStrategy().withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata().withNewSpec()
                .addNewContainer().withName("db").withImage("ghcr.io/stefanprodan/podinfo:6.7.1").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        operator.create("db", "db", Strategy.Canary);
        client.resources(Rollout.class).inNamespace(namespace).withName("db").edit(r -> {
            r.getSpec().getTargetRef().setKind(dev.ramp.api.TargetRef.STATEFUL_SET);
            // Behind Istio a StatefulSet is judged on the app's own metrics (the CRD refuses the built-ins).
            dev.ramp.api.AnalysisSpec analysis = new dev.ramp.api.AnalysisSpec();
            analysis.setMinRequests(0);
            r.getSpec().setAnalysis(analysis);
            return r;
        });
        operator.status("db", progressing(0, 100));
        world.routes("db", 90, 10);

        Result result = ramp.run("status", "db");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).contains("Routing:        VirtualService db: primary 90, canary 10\n");
    }

    @Test
    void aRevertGitRefusedIsShownWithItsReason() {
        operator.status("podinfo", failed("AnalysisFailed", "rolled back").andThen(s -> s.setGitRevert(
                new GitRevertStatus(GitRevertStatus.State.Refused, "RevertConflict", "later commits changed the same lines", null))));

        Result result = ramp.run("status", "podinfo");

        assertThat(result.out()).contains("  Revert:       <none> (Refused: RevertConflict)\n");
        assertThat(result.out()).doesNotContainPattern("(?m)^Step:");
    }

    @Test
    void showsOnlyTheLatestEventsAskedFor() {
        Result result = ramp.run("status", "podinfo", "--events", "1");

        assertThat(result.out()).contains("CheckFailed").doesNotContain("StepAdvanced", "ReleaseStarted");
    }

    @Test
    void printsTheReportAsJson() throws Exception {
        Result result = ramp.run("status", "podinfo", "-o", "json");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        JsonNode report = Serialization.jsonMapper().readTree(result.out());
        assertThat(report.path("phase").asText()).isEqualTo("Progressing");
        assertThat(report.path("step").asInt()).isEqualTo(2);
        assertThat(Timestamps.parse(report.path("phaseSince").asText())).isPresent();
        assertThat(Timestamps.parse(report.path("stepSince").asText())).isPresent();
        assertThat(report.path("stepWeights").toString()).isEqualTo("[10,20,50]");
        assertThat(report.path("canaryWeight").asInt()).isEqualTo(20);
        assertThat(report.path("routing").path("kind").asText()).isEqualTo("VirtualService");
        assertThat(report.path("routing").path("name").asText()).isEqualTo("podinfo");
        assertThat(report.path("routing").path("canary").asInt()).isEqualTo(20);
        assertThat(report.path("routing").path("primary").asInt()).isEqualTo(80);
        assertThat(report.path("commits").path("promoted").asText()).isEqualTo(PROMOTED_COMMIT);
        assertThat(report.path("commits").path("release").asText()).isEqualTo(RELEASE_COMMIT);
        assertThat(report.path("revisions").path("target").asText()).isEqualTo(revision);
        assertThat(report.path("pendingAction").asText()).isEqualTo("abort/2");
        assertThat(report.path("metrics").get(0).path("value").asDouble()).isEqualTo(97.25);
        assertThat(report.path("metrics").get(0).path("verdict").asText()).isEqualTo("Failed");
        assertThat(report.path("events").findValuesAsText("reason")).containsExactly("ReleaseStarted", "StepAdvanced", "CheckFailed");
    }

    @Test
    void printsTheReportAsYaml() throws Exception {
        Result result = ramp.run("status", "podinfo", "-o", "yaml");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        JsonNode report = Serialization.yamlMapper().readTree(result.out());
        assertThat(report.path("name").asText()).isEqualTo("podinfo");
        assertThat(report.path("failedChecks").asInt()).isEqualTo(1);
        assertThat(report.path("threshold").asInt()).isEqualTo(2);
    }

    @Test
    void aRolloutRampHasNotSeenYetStillDisplays() {
        operator.create("fresh", "missing-target", Strategy.BlueGreen);

        Result result = ramp.run("status", "fresh");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).contains("Phase:          <none>\n", "Checks passed:  0/5\n", "Metrics:        <none>\n",
                "  Release:      <none>\n", "Events:         <none>\n").doesNotContain("Routing:", "Step:");
    }

    @Test
    void aMissingRolloutIsRefusedByName() {
        Result result = ramp.run("status", "nope");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(result.err()).isEqualTo("error: rollout \"nope\" not found in namespace \"" + namespace + "\"\n");
    }
}
