package dev.ramp.cli.testing;

import static org.awaitility.Awaitility.await;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Verdict;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutActions;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.Strategy;
import dev.ramp.api.TargetRef;
import dev.ramp.api.ThresholdRange;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Plays Ramp's operator in the CLI's tests, which run no operator: creates Rollouts, writes
 * their status through the status subresource as a release would move it, and carries out the
 * actions the CLI requests, recording each in status.lastAction.
 */
public final class FakeOperator implements AutoCloseable {

    public static final List<Integer> STEP_WEIGHTS = List.of(10, 20, 50);

    private final KubernetesClient client;
    private final String namespace;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<Future<?>> scripts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<SharedIndexInformer<Rollout>> informers = new ArrayList<>();

    public FakeOperator(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** A Canary Rollout of Deployment {@code target}: steps 10, 20, 50; threshold 2; two checks. */
    public Rollout create(String name, String target, Strategy strategy) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef(target));
        spec.setStrategy(strategy);
        ServiceSpec service = new ServiceSpec();
        service.setPort(9898);
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setThreshold(2);
        if (strategy == Strategy.Canary) {
            analysis.setStepWeights(STEP_WEIGHTS);
        } else {
            analysis.setIterations(5);
        }
        analysis.setMetrics(List.of(check("request-success-rate", 99.0, null), check("request-duration", null, 500.0)));
        spec.setAnalysis(analysis);
        rollout.setSpec(spec);
        return client.resource(rollout).create();
    }

    /** Changes the Rollout's status as the operator would, through the status subresource. */
    public Rollout status(String name, Consumer<RolloutStatus> change) {
        Rollout rollout = client.resources(Rollout.class).inNamespace(namespace).withName(name).get();
        RolloutStatus status = rollout.getStatus() == null ? new RolloutStatus() : rollout.getStatus();
        change.accept(status);
        rollout.setStatus(status);
        rollout.getMetadata().setResourceVersion(null);
        return client.resource(rollout).patchStatus();
    }

    /**
     * Applies the changes one after the other, each once {@code shown} says that the watcher has
     * printed one more line than before the previous change (so every state is seen, however busy
     * the machine), waiting at most 20 s for each.
     */
    @SafeVarargs
    public final void play(String name, IntSupplier shown, Consumer<RolloutStatus>... changes) {
        scripts.add(scheduler.submit(() -> {
            for (Consumer<RolloutStatus> change : changes) {
                int before = shown.getAsInt();
                if (before == 0) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> shown.getAsInt() > 0);
                    before = shown.getAsInt();
                }
                status(name, change);
                int seen = before;
                await().atMost(Duration.ofSeconds(20)).until(() -> shown.getAsInt() > seen);
            }
            return null;
        }));
    }

    /** Does {@code work} once {@code ready} holds, waiting at most 20 s. */
    public void when(java.util.function.BooleanSupplier ready, Runnable work) {
        scripts.add(scheduler.submit(() -> {
            await().atMost(Duration.ofSeconds(20)).until(ready::getAsBoolean);
            work.run();
            return null;
        }));
    }

    /**
     * From now on, carries out every action requested by annotation, once: promote moves to
     * Promoting, abort to Failed, retry back to the first step; each is recorded in lastAction.
     */
    public void acknowledgeActions() {
        informers.add(client.resources(Rollout.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Rollout rollout) {
                carryOut(rollout);
            }

            @Override
            public void onUpdate(Rollout previous, Rollout rollout) {
                carryOut(rollout);
            }

            @Override
            public void onDelete(Rollout rollout, boolean finalStateUnknown) {
            }
        }));
    }

    private void carryOut(Rollout rollout) {
        var annotations = rollout.getMetadata().getAnnotations();
        String request = annotations == null ? null : annotations.get(RolloutActions.ANNOTATION);
        String done = rollout.getStatus() == null ? null : rollout.getStatus().getLastAction();
        if (request == null || Objects.equals(request, done)) {
            return;
        }
        status(rollout.getMetadata().getName(), s -> {
            switch (Objects.requireNonNull(RolloutActions.verb(request))) {
                case RolloutActions.PROMOTE -> s.setPhase(Phase.Promoting);
                case RolloutActions.ABORT -> failed(s, "Aborted", "aborted by request " + request);
                case RolloutActions.RETRY -> progressing(0, 98.0).accept(s);
                default -> throw new IllegalArgumentException(request);
            }
            s.setLastAction(request);
        });
    }

    /** A release at {@code step} (from 0) whose success rate is {@code successRate}. */
    public static Consumer<RolloutStatus> progressing(int step, double successRate) {
        return s -> {
            s.setPhase(Phase.Progressing);
            s.setCurrentStep(new StepStatus(step, Timestamps.format(Instant.now())));
            s.setCanaryWeight(STEP_WEIGHTS.get(step));
            s.setFailedChecks(successRate < 99 ? 1 : 0);
            s.setMetrics(List.of(
                    new MetricStatus("request-success-rate", successRate, new ThresholdRange(99.0, null), successRate >= 99 ? Verdict.Passed : Verdict.Failed,
                            successRate >= 99 ? null : format(successRate) + " is below the minimum 99"),
                    new MetricStatus("request-duration", 120.0, new ThresholdRange(null, 500.0), Verdict.Passed, null)));
            s.setConditions(List.of(condition("Promoted", "Unknown", "Progressing", "release in progress")));
        };
    }

    public static Consumer<RolloutStatus> succeeded(String revision, String commit) {
        return s -> {
            s.setPhase(Phase.Succeeded);
            s.setCanaryWeight(0);
            s.setCurrentStep(null);
            s.setLastPromotedRevision(revision);
            s.setLastPromotedCommit(commit);
            s.setConditions(List.of(condition("Promoted", "True", "Succeeded", "revision " + revision + " promoted")));
        };
    }

    public static Consumer<RolloutStatus> failed(String reason, String message) {
        return s -> failed(s, reason, message);
    }

    private static void failed(RolloutStatus s, String reason, String message) {
        s.setPhase(Phase.Failed);
        s.setCanaryWeight(0);
        s.setConditions(List.of(condition("Promoted", "False", reason, message)));
    }

    public static Condition condition(String type, String status, String reason, String message) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(Timestamps.format(Instant.now())).build();
    }

    private static MetricCheck check(String name, Double min, Double max) {
        MetricCheck check = new MetricCheck();
        check.setName(name);
        check.setThresholdRange(new ThresholdRange(min, max));
        return check;
    }

    private static String format(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        informers.forEach(SharedIndexInformer::close);
        // A script that failed (a state the watch never showed) is the cause of whatever the test saw.
        for (Future<?> script : scripts) {
            if (script.isDone() && !script.isCancelled()) {
                try {
                    script.get();
                } catch (ExecutionException e) {
                    throw new AssertionError("the fake operator's script failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
