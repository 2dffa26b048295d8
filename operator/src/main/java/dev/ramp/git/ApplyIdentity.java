package dev.ramp.git;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Who a GitSource's dry run, apply, drift check and prune act as: a ServiceAccount of its own
 * namespace, through Kubernetes impersonation (RBAC decides), or, when neither the GitSource nor
 * the operator names one, Ramp's own ServiceAccount, limited by Ramp to namespaced objects of the
 * GitSource's namespace ({@link OwnNamespaceRule}).
 *
 * @param client the client whose requests carry this identity
 * @param namespace the GitSource's namespace
 * @param serviceAccount the impersonated ServiceAccount's name, or null for Ramp's own
 */
public record ApplyIdentity(KubernetesClient client, String namespace, String serviceAccount) {

    /** Whether Ramp, not RBAC, keeps this GitSource inside its namespace. */
    public boolean ownNamespaceOnly() {
        return serviceAccount == null;
    }

    /** The Kubernetes user name requests are made as, when impersonating. */
    public static String username(String namespace, String serviceAccount) {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    /** {@code ServiceAccount team-a/deployer}, or Ramp's own, as a refusal names it. */
    public String describe() {
        return serviceAccount == null ? "Ramp's own ServiceAccount (this GitSource names no serviceAccountName)"
                : "ServiceAccount " + namespace + "/" + serviceAccount;
    }
}
