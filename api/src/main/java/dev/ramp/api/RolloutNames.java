package dev.ramp.api;

/**
 * The names of what Ramp generates for a Rollout: the primary Deployment, the baseline Deployment
 * and Service of a release with {@code analysis.baseline}, and the Services (and
 * the route, a VirtualService, HTTPRoute or GRPCRoute ({@link RouteKind}), and the
 * DestinationRules named after them). Each derived name is at most 63
 * characters, so it is also a valid value for the {@code app.kubernetes.io/name} label; see
 * {@link KubeNames} for how a long name is shortened.
 */
public record RolloutNames(String namespace, String target, String primary, String service,
        String primaryService, String canaryService) {

    public static final String PRIMARY_SUFFIX = "-primary";
    public static final String CANARY_SUFFIX = "-canary";
    public static final String BASELINE_SUFFIX = "-baseline";

    /**
     * The HTTP route of the VirtualService, or the rule of the HTTPRoute or GRPCRoute, that carries
     * the weights between primary and canary.
     */
    public static final String PRIMARY_ROUTE = "primary";
    /**
     * The HTTP route of the VirtualService, or the rule of the HTTPRoute or GRPCRoute, that sends an
     * A/B test's matched requests to the canary.
     */
    public static final String CANARY_ROUTE = "canary";

    public static RolloutNames of(Rollout rollout) {
        String target = rollout.getSpec().getTargetRef().getName();
        String configured = rollout.getSpec().getService().getName();
        String service = configured == null || configured.isBlank() ? target : configured;
        return new RolloutNames(rollout.getMetadata().getNamespace(), target, primaryOf(target), service,
                KubeNames.withSuffix(service, PRIMARY_SUFFIX), KubeNames.withSuffix(service, CANARY_SUFFIX));
    }

    /** The baseline Deployment of a release with {@code analysis.baseline}: the promoted revision beside the canary. */
    public String baseline() {
        return baselineOf(target);
    }

    /** The Service selecting the baseline's pods, named after the Service as the primary's and the canary's are. */
    public String baselineService() {
        return KubeNames.withSuffix(service, BASELINE_SUFFIX);
    }

    /** The name of the baseline Deployment Ramp runs for a target Deployment during a release with a baseline. */
    public static String baselineOf(String target) {
        return KubeNames.withSuffix(target, BASELINE_SUFFIX);
    }

    /** The name of the route Ramp writes (of the kind {@link RouteKind#of}): the Service's. */
    public String route() {
        return service;
    }

    /** The name of Ramp's copy of the target's autoscaler, scaling the primary. */
    public static String primaryAutoscalerOf(String autoscaler) {
        return KubeNames.withSuffix(autoscaler, PRIMARY_SUFFIX);
    }

    /** The name of the primary Deployment Ramp runs for a target Deployment. */
    public static String primaryOf(String target) {
        return KubeNames.withSuffix(target, PRIMARY_SUFFIX);
    }
}
