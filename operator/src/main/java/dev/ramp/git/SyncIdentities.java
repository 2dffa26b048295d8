package dev.ramp.git;

import dev.ramp.api.AccessReasons;
import dev.ramp.api.GitSource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link ApplyIdentity} of each GitSource: its {@code spec.serviceAccountName}, else the
 * operator's default ServiceAccount ({@code ramp.sync.default-service-account}, looked up in the
 * GitSource's namespace), else Ramp's own client. Impersonating clients are built once per
 * ServiceAccount and closed when no GitSource uses them any more.
 * <p>
 * Only the user name is impersonated: for a ServiceAccount the API server then adds its groups
 * ({@code system:serviceaccounts}, {@code system:serviceaccounts:<namespace>} and
 * {@code system:authenticated}) itself, so Ramp needs {@code impersonate} on serviceaccounts and
 * nothing on groups.
 * <p>
 * Two kinds of ServiceAccount are never acted as, whatever RBAC would allow: Ramp's own (a
 * GitSource in Ramp's namespace naming it would escape the {@link OwnNamespaceRule}) and those of
 * {@value AccessReasons#PROTECTED_NAMESPACE}, whose controllers hold the cluster's widest rights
 * (an impersonate grant limited by name, {@code sync.serviceAccountNames}, holds in every namespace).
 */
public class SyncIdentities implements AutoCloseable {

    private final KubernetesClient ramp;
    private final Optional<String> defaultServiceAccount;
    /** Ramp's own ServiceAccount as {@code namespace/name}, when it runs as one. */
    private final Optional<String> own;
    /** Impersonating clients by {@code namespace/serviceAccount}. */
    private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();
    /** The ServiceAccount key each GitSource ({@code namespace/name}) last used. */
    private final Map<String, String> users = new ConcurrentHashMap<>();

    public SyncIdentities(KubernetesClient ramp, Optional<String> defaultServiceAccount) {
        this(ramp, defaultServiceAccount, Optional.empty());
    }

    /**
     * @param own Ramp's own ServiceAccount as {@code namespace/name}; empty when Ramp runs as
     *        something else (a developer's kubeconfig)
     */
    public SyncIdentities(KubernetesClient ramp, Optional<String> defaultServiceAccount, Optional<String> own) {
        this.ramp = ramp;
        this.defaultServiceAccount = defaultServiceAccount.map(String::trim).filter(s -> !s.isEmpty());
        this.own = own.map(String::trim).filter(s -> !s.isEmpty());
    }

    /** Ramp's own client, with no default ServiceAccount: GitSources without one stay in their namespace. */
    public static SyncIdentities withoutDefault(KubernetesClient ramp) {
        return new SyncIdentities(ramp, Optional.empty());
    }

    /** Ramp's own client, for what Ramp reads for itself (Rollouts, the kinds the server serves). */
    public KubernetesClient ramp() {
        return ramp;
    }

    // Synchronized with retainOnly, so a client is never closed between being handed out and used
    // by a GitSource that just started to name its ServiceAccount; building one does no I/O.
    public synchronized ApplyIdentity of(GitSource source) throws GitSourceException {
        String namespace = source.getMetadata().getNamespace();
        String serviceAccount = serviceAccountOf(source.getSpec().getServiceAccountName(), defaultServiceAccount);
        String sourceKey = namespace + "/" + source.getMetadata().getName();
        if (serviceAccount == null) {
            users.remove(sourceKey);
            return new ApplyIdentity(ramp, namespace, null);
        }
        String key = namespace + "/" + serviceAccount;
        String refused = refusal(key, own);
        if (refused != null) {
            users.remove(sourceKey);
            boolean named = source.getSpec().getServiceAccountName() != null
                    && !source.getSpec().getServiceAccountName().isBlank();
            throw GitSourceException.userError(AccessReasons.SERVICE_ACCOUNT_REFUSED, (named ? "spec.serviceAccountName"
                    : "spec.serviceAccountName is empty, and the operator's default (sync.defaultServiceAccount)")
                    + " names ServiceAccount " + key + ", " + refused + "; name a ServiceAccount of " + namespace
                    + " that RBAC allows to write what this GitSource applies");
        }
        users.put(sourceKey, key);
        KubernetesClient client = clients.computeIfAbsent(key, k -> impersonating(namespace, serviceAccount));
        return new ApplyIdentity(client, namespace, serviceAccount);
    }

    /** The GitSource's own ServiceAccount, else the operator's default, else null (Ramp's own identity). */
    static String serviceAccountOf(String named, Optional<String> defaultServiceAccount) {
        if (named != null && !named.isBlank()) {
            return named.trim();
        }
        return defaultServiceAccount.orElse(null);
    }

    /** Why Ramp never acts as ServiceAccount {@code namespace/name}, or null when it may. */
    static String refusal(String serviceAccount, Optional<String> own) {
        if (own.isPresent() && own.get().equals(serviceAccount)) {
            return "which is Ramp's own: acting as it would lift the limits Ramp puts on a GitSource without a"
                    + " ServiceAccount";
        }
        if (serviceAccount.startsWith(AccessReasons.PROTECTED_NAMESPACE + "/")) {
            return "of namespace " + AccessReasons.PROTECTED_NAMESPACE + ", whose ServiceAccounts run the cluster"
                    + " itself: Ramp never acts as them";
        }
        return null;
    }

    /**
     * Forgets every GitSource not in {@code live} ({@code namespace/name}) and closes the clients
     * of ServiceAccounts no remaining GitSource uses.
     */
    public synchronized void retainOnly(Set<String> live) {
        users.keySet().retainAll(live);
        Set<String> used = Set.copyOf(users.values());
        clients.entrySet().removeIf(e -> {
            if (used.contains(e.getKey())) {
                return false;
            }
            e.getValue().close();
            return true;
        });
    }

    /** How many impersonating clients are open (for tests and metrics). */
    public int openClients() {
        return clients.size();
    }

    private KubernetesClient impersonating(String namespace, String serviceAccount) {
        Config config = new ConfigBuilder(ramp.getConfiguration())
                .withImpersonateUsername(ApplyIdentity.username(namespace, serviceAccount))
                .withImpersonateGroups(new String[0])
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public synchronized void close() {
        clients.values().forEach(KubernetesClient::close);
        clients.clear();
        users.clear();
    }
}
