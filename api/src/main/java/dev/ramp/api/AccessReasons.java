package dev.ramp.api;

/**
 * Reasons of a refusal to act beyond what a Ramp object may reach: an identity, a Secret or a
 * kind that is not the object's to use. Each is a user error (a condition, no retry) and never a
 * reason to revert Git: nothing was released.
 */
public final class AccessReasons {

    /**
     * A GitSource names (in {@code spec.serviceAccountName}, or through the operator's default) a
     * ServiceAccount Ramp never acts as: Ramp's own, or one of {@value #PROTECTED_NAMESPACE}.
     */
    public static final String SERVICE_ACCOUNT_REFUSED = "ServiceAccountRefused";
    /** A Ramp object names a Secret Ramp never reads for it: a ServiceAccount token. */
    public static final String SECRET_REFUSED = "SecretRefused";
    /**
     * A GitSource that acts as Ramp itself (no ServiceAccount) declares a Ramp object
     * ({@value Rollout#GROUP}): only a ServiceAccount that RBAC lets write them may.
     */
    public static final String RAMP_OBJECT_REFUSED = "RampObjectRefused";
    /** The namespace whose ServiceAccounts (controllers of the cluster itself) Ramp never acts as. */
    public static final String PROTECTED_NAMESPACE = "kube-system";
    /** The type of a Secret that holds a ServiceAccount's API token, which Ramp never reads for a tenant. */
    public static final String SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token";

    private AccessReasons() {
    }
}
