package dev.ramp.cli;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cluster and namespace a command works on, chosen as kubectl chooses them: {@code
 * --kubeconfig}, else {@code KUBECONFIG}, else {@code ~/.kube/config}; {@code --context}, else
 * the current context; {@code -n}, else the context's namespace, else {@code default}.
 */
public final class Cluster implements AutoCloseable {

    /** A CLI answers or fails fast: one retry, not the client's ten with backoff. */
    private static final int RETRIES = 1;
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final KubernetesClient client;
    private final String namespace;

    private Cluster(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public static Cluster connect(Path kubeconfig, String context, String namespace) {
        Config config = config(kubeconfig, context);
        config.setRequestRetryBackoffLimit(RETRIES);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        String ns = namespace != null && !namespace.isBlank() ? namespace
                : config.getNamespace() != null ? config.getNamespace() : "default";
        return new Cluster(new KubernetesClientBuilder().withConfig(config).build(), ns);
    }

    private static Config config(Path kubeconfig, String context) {
        Config config;
        try {
            if (kubeconfig != null) {
                if (!Files.isReadable(kubeconfig)) {
                    throw CliException.usage("cannot read kubeconfig " + kubeconfig);
                }
                config = Config.fromKubeconfig(context, kubeconfig.toFile());
            } else {
                config = Config.autoConfigure(context);
            }
        } catch (KubernetesClientException e) {
            throw new CliException(ExitCodes.USAGE, "cannot load kubeconfig: " + e.getMessage(), e);
        }
        if (context != null && !hasContext(config.getContexts(), context)) {
            throw CliException.usage("context \"" + context + "\" does not exist in the kubeconfig");
        }
        return config;
    }

    private static boolean hasContext(List<NamedContext> contexts, String name) {
        return contexts != null && contexts.stream().anyMatch(c -> name.equals(c.getName()));
    }

    public KubernetesClient client() {
        return client;
    }

    public String namespace() {
        return namespace;
    }

    @Override
    public void close() {
        client.close();
    }
}
