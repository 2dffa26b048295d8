package dev.ramp.rollout;

import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.TemplateHash;
import dev.ramp.autoscaling.AutoscalerProblems;
import dev.ramp.routing.RouteAcceptance;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One pass over a Rollout: what was observed (the Rollout, its target, its primary and baseline, its canary's
 * Pods and the MetricTemplates it refers to as the informers' caches hold them, whether its router is
 * installed, what its route's Gateways report of it, and the time) and what the phases decide from it: the status
 * (changed in place), the {@link Effect}s to carry out once that status is written, and the
 * Events that tell the story. Deciding reads nothing else from the cluster.
 */
public final class RolloutContext {

    /** An Event to record once the decision is written. */
    public record Note(boolean warning, String reason, String message) {
    }

    private final Rollout rollout;
    private final Deployment target;
    private final StatefulSet statefulSet;
    private final Optional<Deployment> primary;
    private final List<Pod> pods;
    private final TemplateLookup templates;
    private final Instant now;
    private final Optional<String> routerNotInstalled;
    private final Optional<RouteAcceptance> routeAcceptance;
    private final Optional<AutoscalerProblems.Problem> autoscalerProblem;
    private final String round;
    private Optional<Deployment> baseline = Optional.empty();
    private final List<Effect> effects = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();

    public RolloutContext(Rollout rollout, Deployment target, Optional<Deployment> primary, TemplateLookup templates,
            Instant now) {
        this(rollout, target, primary, List.of(), templates, now);
    }

    public RolloutContext(Rollout rollout, Deployment target, Optional<Deployment> primary, List<Pod> pods,
            TemplateLookup templates, Instant now) {
        this(rollout, target, primary, pods, templates, now, Optional.empty());
    }

    /** {@code routerNotInstalled}: why the Rollout's router cannot route in this cluster, if it cannot. */
    public RolloutContext(Rollout rollout, Deployment target, Optional<Deployment> primary, List<Pod> pods,
            TemplateLookup templates, Instant now, Optional<String> routerNotInstalled) {
        this(rollout, target, primary, pods, templates, now, routerNotInstalled, Optional.empty());
    }

    /** {@code routeAcceptance}: what the route's Gateways report of it (Gateway API); empty for a router without such status. */
    public RolloutContext(Rollout rollout, Deployment target, Optional<Deployment> primary, List<Pod> pods,
            TemplateLookup templates, Instant now, Optional<String> routerNotInstalled, Optional<RouteAcceptance> routeAcceptance) {
        this(rollout, target, primary, pods, templates, now, routerNotInstalled, routeAcceptance, Optional.empty());
    }

    /** {@code autoscalerProblem}: why Ramp cannot follow the autoscaler {@code spec.autoscalerRef} names, if it cannot. */
    public RolloutContext(Rollout rollout, Deployment target, Optional<Deployment> primary, List<Pod> pods,
            TemplateLookup templates, Instant now, Optional<String> routerNotInstalled, Optional<RouteAcceptance> routeAcceptance,
            Optional<AutoscalerProblems.Problem> autoscalerProblem) {
        this(rollout, target, null, primary, pods, templates, now, routerNotInstalled, routeAcceptance, autoscalerProblem);
    }

    /**
     * A pass over a Rollout whose target is a StatefulSet (docs/statefulsets.md): released in place,
     * with no primary and no Pods read.
     */
    public static RolloutContext ofStatefulSet(Rollout rollout, StatefulSet target, TemplateLookup templates, Instant now) {
        return ofStatefulSet(rollout, target, List.of(), templates, now, Optional.empty(), Optional.empty());
    }

    /**
     * The same, behind a router: {@code routerNotInstalled}, why it cannot route in this cluster;
     * {@code routeAcceptance}, what the route's Gateways report of it; {@code pods}, the pods of
     * the release's revision when a step has missed its deadline (read to tell why), else none.
     */
    public static RolloutContext ofStatefulSet(Rollout rollout, StatefulSet target, List<Pod> pods, TemplateLookup templates,
            Instant now, Optional<String> routerNotInstalled, Optional<RouteAcceptance> routeAcceptance) {
        return new RolloutContext(rollout, null, target, Optional.empty(), pods, templates, now, routerNotInstalled,
                routeAcceptance, Optional.empty());
    }

    private RolloutContext(Rollout rollout, Deployment target, StatefulSet statefulSet, Optional<Deployment> primary,
            List<Pod> pods, TemplateLookup templates, Instant now, Optional<String> routerNotInstalled,
            Optional<RouteAcceptance> routeAcceptance, Optional<AutoscalerProblems.Problem> autoscalerProblem) {
        this.statefulSet = statefulSet;
        this.autoscalerProblem = autoscalerProblem;
        this.routerNotInstalled = routerNotInstalled;
        this.routeAcceptance = routeAcceptance;
        this.rollout = rollout;
        this.target = target;
        this.primary = primary;
        this.pods = List.copyOf(pods);
        this.templates = templates;
        this.now = now;
        RolloutStatus status = rollout.getStatus();
        // Fixed before any decision changes the status: each question of this pass belongs to it.
        this.round = status == null ? "" : status.getPhase() + "/" + status.getLastAppliedRevision() + "/"
                + (status.getCurrentStep() == null ? "none" : status.getCurrentStep().getIndex() + "/"
                        + status.getCurrentStep().getStartedAt() + "/" + status.getCurrentStep().getLastCheckAt());
    }

    /**
     * The round of checks this pass belongs to, as its status stood before the pass: phase,
     * revision, step (its index and start) and last check. Every check ends by recording its time, so a new round is a
     * new question to the probes, and a pass repeated in the same round gets the same answers.
     */
    public String round() {
        return round;
    }

    public Rollout rollout() {
        return rollout;
    }

    /** The target Deployment; null when the target is a StatefulSet ({@link #statefulSet()}). */
    public Deployment target() {
        return target;
    }

    /** The target StatefulSet as last observed; empty when the target is a Deployment. */
    public Optional<StatefulSet> statefulSet() {
        return Optional.ofNullable(statefulSet);
    }

    /** The target, of either kind: what its name, namespace and annotations are read from. */
    public HasMetadata targetObject() {
        return statefulSet != null ? statefulSet : target;
    }

    /** The primary Deployment as last observed; empty before Ramp created it (or after someone deleted it). */
    public Optional<Deployment> primary() {
        return primary;
    }

    /**
     * The baseline Deployment ({@code analysis.baseline}) as last observed; empty when none runs.
     */
    public Optional<Deployment> baseline() {
        return baseline;
    }

    /** Part of observing a pass, before any decision: the baseline Deployment as the cache holds it. */
    public RolloutContext observedBaseline(Optional<Deployment> observed) {
        this.baseline = observed;
        return this;
    }

    /**
     * Why the Rollout's router cannot route here, as observed from the CRDs: the kinds it writes
     * that are not installed. Empty when they all are.
     */
    public Optional<String> routerNotInstalled() {
        return routerNotInstalled;
    }

    /** Why Ramp cannot follow the autoscaler {@code spec.autoscalerRef} names; empty when it can or none is named. */
    public Optional<AutoscalerProblems.Problem> autoscalerProblem() {
        return autoscalerProblem;
    }

    /** What the Gateways of the Rollout's route report of it, as cached; empty for a router whose routes carry no such status. */
    public Optional<RouteAcceptance> routeAcceptance() {
        return routeAcceptance;
    }

    /** The Pods of the release's revision in the Rollout's namespace, as cached: why a canary is not ready. */
    public List<Pod> pods() {
        return pods;
    }

    /** The MetricTemplates the Rollout's metrics refer to, as cached. */
    public TemplateLookup templates() {
        return templates;
    }

    public RolloutStatus status() {
        return rollout.getStatus();
    }

    public Instant now() {
        return now;
    }

    /**
     * The revision the target declares: for a Deployment, the hash of its pod template; for a
     * StatefulSet, its controller's {@code status.updateRevision} (the ControllerRevision its pods of
     * the new template carry as {@code controller-revision-hash}), read once the controller has
     * observed its spec ({@code StatefulSetProgress#observed}).
     */
    public String targetRevision() {
        if (statefulSet != null) {
            return statefulSet.getStatus() == null ? "" : String.valueOf(statefulSet.getStatus().getUpdateRevision());
        }
        return TemplateHash.of(target.getSpec().getTemplate());
    }

    /** The Git commit the target came from, when a GitSource applied it (annotation ramp.dev/commit). */
    public String targetCommit() {
        var annotations = targetObject().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(RampLabels.COMMIT_ANNOTATION);
    }

    public String key() {
        return rollout.getMetadata().getNamespace() + "/" + rollout.getMetadata().getName();
    }

    /** Decides an effect, carried out after the status is written; the same effect twice is carried out once. */
    public void effect(Effect effect) {
        if (!effects.contains(effect)) {
            effects.add(effect);
        }
    }

    public void normal(String reason, String message) {
        notes.add(new Note(false, reason, message));
    }

    public void warning(String reason, String message) {
        notes.add(new Note(true, reason, message));
    }

    public List<Effect> effects() {
        return List.copyOf(effects);
    }

    public List<Note> notes() {
        return List.copyOf(notes);
    }
}
