package dev.ramp.routing;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.ForeignText;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.Strategy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The router of a Rollout without a mesh ({@code service.provider: None}): it writes no object of
 * its own and needs no CRD. The split is the selector of the Service {@code <name>}
 * ({@link RolloutServices#apexSelector}: the primary's pods, both the primary's and the canary's
 * during a canary step, the canary's after a blue/green switch) and the canary's pod count
 * ({@link ReplicaSplit}), which the Rollout's effects set. What only a proxy that sees each
 * request can do, it refuses, naming the field: matches, mirroring, hosts and gateways; and an
 * autoscaler on the target (its pod count is the traffic share) or a target that allows no surge pod.
 */
public class ReplicaRatioRouter implements TrafficRouter {

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of();
    }

    @Override
    public String name() {
        return "The Service without a mesh";
    }

    @Override
    public void reconcile(Rollout rollout, Routing routing, Collection<? extends HasMetadata> live) {
        // Nothing of its own: RolloutServices writes the Service whose selector carries the split.
    }

    @Override
    public List<String> unsupported(Rollout rollout) {
        List<String> problems = new ArrayList<>();
        RolloutSpec spec = rollout.getSpec();
        ServiceSpec service = spec.getService();
        AnalysisSpec analysis = spec.getAnalysis();
        if (RolloutSpec.effectiveStrategy(spec) == Strategy.ABTest || analysis != null && analysis.getMatch() != null
                && !analysis.getMatch().isEmpty()) {
            problems.add("spec.analysis.match: an A/B test sends the requests that match headers, cookies or a query to the"
                    + " canary, which takes a router that sees each request; provider None splits traffic by pods only");
        }
        if (analysis != null && Boolean.TRUE.equals(analysis.getMirror())) {
            problems.add("spec.analysis.mirror: mirroring copies each request to the canary, which takes a router; provider None"
                    + " cannot: set mirror: false (the canary is then checked with no live traffic)");
        }
        if (analysis != null && analysis.getSessionAffinity() != null) {
            problems.add("spec.analysis.sessionAffinity: keeping a user on the canary takes a router that reads the cookie of"
                    + " each request; provider None splits traffic by pods only");
        }
        if (service.getHosts() != null && !service.getHosts().isEmpty()) {
            problems.add("spec.service.hosts: hosts belong to a route; with provider None clients call the Service "
                    + RolloutNames.of(rollout).service() + " itself");
        }
        if (service.getGateways() != null && !service.getGateways().isEmpty()) {
            problems.add("spec.service.gateways: Istio's gateways, not used with provider None");
        }
        if (service.getParentRefs() != null && !service.getParentRefs().isEmpty()) {
            problems.add("spec.service.parentRefs: Gateway API only, not used with provider None");
        }
        if (spec.getAutoscalerRef() != null) {
            problems.add("spec.autoscalerRef: with provider None the canary's pod count is its share of the traffic, which the"
                    + " target's autoscaler would change; remove autoscalerRef or use a router (Istio, GatewayAPI)");
        }
        return problems;
    }

    @Override
    public List<String> unsupported(Rollout rollout, Deployment target) {
        List<String> problems = new ArrayList<>(unsupported(rollout));
        if (RolloutSpec.effectiveStrategy(rollout.getSpec()) == Strategy.Canary && ReplicaSplit.maxSurge(target, 1).isEmpty()) {
            problems.add("Deployment " + target.getMetadata().getName() + " spec.strategy: " + surgeOf(target) + " allows no pod"
                    + " above the primary's, and provider None runs the canary's pods beside all of the primary's; give the"
                    + " target a RollingUpdate strategy whose maxSurge is at least 1 (Kubernetes' default is "
                    + ReplicaSplit.DEFAULT_MAX_SURGE + ")");
        }
        return problems;
    }

    private static String surgeOf(Deployment target) {
        var strategy = target.getSpec().getStrategy();
        if (strategy != null && "Recreate".equals(strategy.getType())) {
            return "Recreate";
        }
        var surge = strategy.getRollingUpdate().getMaxSurge();
        return "rollingUpdate.maxSurge " + ForeignText.quote(surge.getIntVal() != null ? surge.getIntVal().toString() : surge.getStrVal(), 32);
    }
}
