package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** What a Rollout delivers and how; see the Rollout section of docs/api.md. */
@ValidationRule(value = "!has(self.analysis) || !has(self.analysis.match) || self.strategy == 'ABTest'",
        message = "analysis.match is only allowed with strategy: ABTest", reason = "FieldValueForbidden")
@ValidationRule(value = "self.strategy != 'ABTest' || (has(self.analysis) && has(self.analysis.match))",
        message = "strategy: ABTest requires analysis.match", reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.analysis) || !has(self.analysis.mirror) || !self.analysis.mirror || self.strategy == 'BlueGreen'",
        message = "analysis.mirror is only allowed with strategy: BlueGreen", reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.analysis) || !has(self.analysis.sessionAffinity) || self.strategy == 'Canary'",
        message = "analysis.sessionAffinity is only allowed with strategy: Canary (an A/B test routes by its match, a blue/green switch moves everyone)",
        reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.analysis) || !has(self.analysis.sessionAffinity) || !has(self.service.protocol) || self.service.protocol != 'GRPC'",
        message = "analysis.sessionAffinity needs cookies, which gRPC clients do not keep: not allowed with service.protocol: GRPC",
        reason = "FieldValueForbidden")
@ValidationRule(value = "self.strategy == 'Canary' || !has(self.analysis) || (!has(self.analysis.stepWeight) && !has(self.analysis.stepWeights))",
        message = "stepWeight and stepWeights are only allowed with strategy: Canary", reason = "FieldValueForbidden")
// Only a StatefulSet's steps are counted in pods (its partition); a Deployment's canary is sized by
// its weight (docs/statefulsets.md#steps-in-pods).
@ValidationRule(value = "!has(self.analysis) || !has(self.analysis.stepReplicas) || self.targetRef.kind == 'StatefulSet'",
        message = "analysis.stepReplicas counts a StatefulSet's pods: only for targetRef.kind StatefulSet (a Deployment's steps are"
                + " stepWeights or stepWeight/maxWeight)", reason = "FieldValueForbidden")
// The main Service is named after the target unless service.name says otherwise; clients call it
// by that name, so it is never shortened: a target name that cannot be a Service name needs one.
@ValidationRule(value = "(has(self.service.name) && size(self.service.name) > 0) || (size(self.targetRef.name) <= 63"
        + " && self.targetRef.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$'))",
        message = "service.name is required when targetRef.name is not a valid Service name (at most 63 characters, starting with a letter)",
        reason = "FieldValueRequired")
// service.provider None splits traffic by pods alone: what needs a proxy that sees each request
// (matching it, copying it) or a route of its own cannot be carried out (docs/no-mesh.md).
@ValidationRule(value = "!has(self.service.provider) || self.service.provider != 'None' || self.strategy != 'ABTest'",
        message = "strategy: ABTest needs a router that matches requests; service.provider: None splits traffic by pods only",
        reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.service.provider) || self.service.provider != 'None' || !has(self.analysis)"
        + " || !has(self.analysis.mirror) || !self.analysis.mirror",
        message = "analysis.mirror needs a router that copies requests; service.provider: None cannot mirror", reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.service.provider) || self.service.provider != 'None' || !has(self.analysis)"
        + " || !has(self.analysis.sessionAffinity)",
        message = "analysis.sessionAffinity needs a router that reads each request's cookie; service.provider: None splits traffic"
                + " by pods only", reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.service.provider) || self.service.provider != 'None' || ((!has(self.service.hosts)"
        + " || size(self.service.hosts) == 0) && (!has(self.service.gateways) || size(self.service.gateways) == 0)"
        + " && (!has(self.service.parentRefs) || size(self.service.parentRefs) == 0))",
        message = "service.hosts, service.gateways and service.parentRefs belong to a router; with service.provider: None clients"
                + " call the Service <service.name> itself", reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.service.provider) || self.service.provider != 'None' || !has(self.autoscalerRef)",
        message = "autoscalerRef cannot be used with service.provider: None: the canary's pod count is its share of the traffic,"
                + " which the target's autoscaler would change", reason = "FieldValueForbidden")
// A StatefulSet is released in place by its partition (docs/statefulsets.md), through a router or
// without one. Istio's built-in metrics select the canary by its pods' version label, which a
// StatefulSet's revisions (controller-revision-hash) do not set: behind Istio its checks and sample
// are the app's own metrics.
@ValidationRule(value = "self.targetRef.kind != 'StatefulSet' || (has(self.service.provider) && self.service.provider != 'Istio')"
        + " || (has(self.analysis) && (!has(self.analysis.metrics) || self.analysis.metrics.all(m, has(m.templateRef)))"
        + " && ((has(self.analysis.minRequests) && self.analysis.minRequests == 0) || has(self.analysis.requestsTemplateRef)))",
        message = "targetRef.kind StatefulSet behind Istio: Istio's built-in metrics select the canary by a version label its"
                + " revisions do not carry; give each analysis.metrics entry a templateRef and set analysis.requestsTemplateRef"
                + " (or minRequests: 0)", reason = "FieldValueRequired")
@ValidationRule(value = "self.targetRef.kind != 'StatefulSet' || !has(self.autoscalerRef)",
        message = "autoscalerRef with targetRef.kind StatefulSet: Ramp copies an autoscaler to scale a Deployment's primary;"
                + " a StatefulSet is released in place and its own autoscaler keeps scaling it", reason = "FieldValueForbidden")
@ValidationRule(value = "self.targetRef.kind != 'StatefulSet' || self.strategy == 'Canary'",
        message = "targetRef.kind StatefulSet supports strategy: Canary only (its pods are updated in place, ordinal by ordinal;"
                + " there is no second set of pods for BlueGreen)", reason = "FieldValueForbidden")
// A baseline is a second small set of pods beside the canary with a share of its own: only a
// weighted canary through a router can give it one (docs/judge.md#a-baseline).
@ValidationRule(value = "!has(self.analysis) || !has(self.analysis.baseline) || !self.analysis.baseline"
        + " || self.targetRef.kind != 'StatefulSet'",
        message = "analysis.baseline runs a Deployment of the promoted revision; a StatefulSet is released in place, with no"
                + " second set of pods", reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.analysis) || !has(self.analysis.baseline) || !self.analysis.baseline"
        + " || !has(self.service.provider) || self.service.provider != 'None'",
        message = "analysis.baseline needs a router that gives it the canary's share; service.provider: None splits traffic by"
                + " pods, which cannot give two small sides equal shares", reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.analysis) || !has(self.analysis.baseline) || !self.analysis.baseline || self.strategy == 'Canary'",
        message = "analysis.baseline is only allowed with strategy: Canary (a blue/green or A/B release gives the new version"
                + " no weighted share for a baseline to match)", reason = "FieldValueForbidden")
public class RolloutSpec {

    /** The strategy of a Rollout that names none. */
    public static final Strategy DEFAULT_STRATEGY = Strategy.Canary;
    /** The progress deadline of a Rollout that sets none. */
    public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

    @Required
    @JsonPropertyDescription("The workload this Rollout delivers. A Deployment: Ramp runs its stable version as <name>-primary and scales the target itself to 0 between releases. A StatefulSet: Ramp releases it in place by spec.updateStrategy.rollingUpdate.partition (docs/statefulsets.md).")
    private TargetRef targetRef;

    @JsonPropertyDescription("The target's autoscaler (a HorizontalPodAutoscaler or a KEDA ScaledObject). Ramp copies it to scale the primary, leaves the primary's replicas to it, and sizes the canary only from 0 at a release's start and to 0 at its end.")
    private AutoscalerRef autoscalerRef;

    @Default("Canary")
    @JsonPropertyDescription("How a release reaches users: Canary (weighted steps), BlueGreen (checked without traffic, then all at once) or ABTest (only matching requests).")
    private Strategy strategy = DEFAULT_STRATEGY;

    @Default("600")
    @Min(1)
    @Max(86400)
    @JsonPropertyDescription("Seconds the new version may take to become ready before the release is rolled back.")
    private Integer progressDeadlineSeconds = DEFAULT_PROGRESS_DEADLINE_SECONDS;

    @Required
    @JsonPropertyDescription("The Services and routing Ramp generates for the target.")
    private ServiceSpec service;

    @JsonPropertyDescription("How each release is checked and how traffic moves. Defaults apply when omitted.")
    private AnalysisSpec analysis;

    @JsonPropertyDescription("Revert the commit of a failed release in Git, so that Git again declares what runs.")
    private GitRevertSpec gitRevert;

    @Default("false")
    @JsonPropertyDescription("Hold the release where it is: no step advances, no check runs, nothing is promoted. Set by `ramp pause`, cleared by `ramp resume`.")
    private boolean paused;

    public boolean isPaused() {
        return paused;
    }

    public void setPaused(boolean paused) {
        this.paused = paused;
    }

    public TargetRef getTargetRef() {
        return targetRef;
    }

    public void setTargetRef(TargetRef targetRef) {
        this.targetRef = targetRef;
    }

    public AutoscalerRef getAutoscalerRef() {
        return autoscalerRef;
    }

    public void setAutoscalerRef(AutoscalerRef autoscalerRef) {
        this.autoscalerRef = autoscalerRef;
    }

    /** Whether an autoscaler sizes the target and the primary, so Ramp leaves their replicas to it. */
    public static boolean autoscaled(RolloutSpec spec) {
        return spec != null && spec.autoscalerRef != null;
    }

    public Strategy getStrategy() {
        return strategy;
    }

    public void setStrategy(Strategy strategy) {
        this.strategy = strategy;
    }

    /** {@code spec.strategy} as the operator reads it: the default when the spec or the field is absent. */
    public static Strategy effectiveStrategy(RolloutSpec spec) {
        return spec == null || spec.strategy == null ? DEFAULT_STRATEGY : spec.strategy;
    }

    /**
     * Whether the Rollout's releases run a baseline ({@code analysis.baseline}): asked for, with a
     * canary strategy, a target Deployment and a router. The API server refuses the other cases;
     * they are checked again so that a spec stored before those rules runs none.
     */
    public static boolean runsBaseline(RolloutSpec spec) {
        return spec != null && AnalysisSpec.runsBaseline(spec.analysis) && effectiveStrategy(spec) == Strategy.Canary
                && (spec.targetRef == null || !spec.targetRef.isStatefulSet())
                && (spec.service == null || spec.service.effectiveProvider() != RoutingProvider.None);
    }

    /** {@code spec.progressDeadlineSeconds}, or its default. */
    public static int effectiveProgressDeadlineSeconds(RolloutSpec spec) {
        return spec == null || spec.progressDeadlineSeconds == null ? DEFAULT_PROGRESS_DEADLINE_SECONDS
                : spec.progressDeadlineSeconds;
    }

    public Integer getProgressDeadlineSeconds() {
        return progressDeadlineSeconds;
    }

    public void setProgressDeadlineSeconds(Integer progressDeadlineSeconds) {
        this.progressDeadlineSeconds = progressDeadlineSeconds;
    }

    public ServiceSpec getService() {
        return service;
    }

    public void setService(ServiceSpec service) {
        this.service = service;
    }

    public AnalysisSpec getAnalysis() {
        return analysis;
    }

    public void setAnalysis(AnalysisSpec analysis) {
        this.analysis = analysis;
    }

    public GitRevertSpec getGitRevert() {
        return gitRevert;
    }

    public void setGitRevert(GitRevertSpec gitRevert) {
        this.gitRevert = gitRevert;
    }
}
