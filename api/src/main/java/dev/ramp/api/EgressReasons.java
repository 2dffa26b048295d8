package dev.ramp.api;

/**
 * The reason every Ramp object gives when the operator's egress policy refused an address its
 * spec names: a webhook's {@code url} or {@code urlSecretRef} (the Rollout's {@code Analysis} or
 * {@code Webhooks} condition), a MetricTemplate's {@code spec.provider.address} (a metric's
 * {@code Analysis} condition) and a GitSource's {@code spec.url} ({@code Ready=False},
 * {@code Stalled=True}). The message names the field, the address and its class (loopback,
 * link-local, unspecified, the cluster's pod or service ranges, the operator's own address, or a
 * range the operator denies). Nothing was sent; it is the user's to fix (or the platform team's,
 * by allowing the target for the namespace), never retried as an outage: a Rollout's check is
 * Inconclusive and reported once per release, a GitSource waits for its spec or interval.
 */
public final class EgressReasons {

    public static final String EGRESS_DENIED = "EgressDenied";

    private EgressReasons() {
    }
}
