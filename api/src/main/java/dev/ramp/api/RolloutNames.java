package dev.ramp.api;

/**
 * The names of what Ramp generates for a Rollout: the primary Deployment and the Services (and
 * the route, a VirtualService, HTTPRoute or GRPCRoute ({@link RouteKind}), and the
 * DestinationRules named after them). Each derived name is at most 63
 * characters, so it is also a valid value for the {@code app.kubernetes.io/name} label; see
 * {@link KubeNames} for how a long name is shortened.
 */
public record RolloutNames(String namespace, String target, String primary, String service,
        String primaryService, String canaryService) {

    public static final String PRIMARY_SUFFIX = "-primary";
    public static final String CANARY_SUFFIX = "-canary";

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
