package dev.ramp.git;

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
 */
public class SyncIdentities implements AutoCloseable {

    private final KubernetesClient ramp;
    private final Optional<String> defaultServiceAccount;
    /** Impersonating clients by {@code namespace/serviceAccount}. */
    private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();
    /** The ServiceAccount key each GitSource ({@code namespace/name}) last used. */
    private final Map<String, String> users = new ConcurrentHashMap<>();

    public SyncIdentities(KubernetesClient ramp, Optional<String> defaultServiceAccount) {
        this.ramp = ramp;
        this.defaultServiceAccount = defaultServiceAccount.map(String::trim).filter(s -> !s.isEmpty());
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
    public synchronized ApplyIdentity of(GitSource source) {
        String namespace = source.getMetadata().getNamespace();
        String serviceAccount = serviceAccountOf(source.getSpec().getServiceAccountName(), defaultServiceAccount);
        String sourceKey = namespace + "/" + source.getMetadata().getName();
        if (serviceAccount == null) {
            users.remove(sourceKey);
            return new ApplyIdentity(ramp, namespace, null);
        }
        String key = namespace + "/" + serviceAccount;
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
