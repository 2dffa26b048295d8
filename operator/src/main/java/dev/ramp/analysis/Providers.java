package dev.ramp.analysis;

import dev.ramp.kube.SecretValues;
import dev.ramp.api.MetricTemplate;
import dev.ramp.egress.EgressPolicy;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics providers the checks talk to: the operator's default Prometheus for built-in
 * metrics, and the one each MetricTemplate names. One provider (with its circuit breaker) is kept
 * per template, address and credentials, so a template that keeps failing opens only its own breaker.
 * At most {@value #MAX_PROVIDERS} are kept, the least recently used evicted first: a deleted
 * template's or a rotated Secret's provider goes, and templates cannot grow the operator's memory.
 * Every provider connects only where the operator's {@link EgressPolicy} allows: a template's
 * {@code spec.provider.address} is a tenant's URL, checked for the template's namespace; the
 * operator's default address (for built-in metrics and templates without an address) is its
 * own setting, trusted.
 */
public class Providers {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_PROVIDERS = 256;
    static final String DEFAULT_ADDRESS_SETTING = "ramp.prometheus.address";

    private final KubernetesClient client;
    private final String defaultAddress;
    private final EgressPolicy egress;
    private final Map<String, PrometheusProvider> byKey = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PrometheusProvider> eldest) {
            return size() > MAX_PROVIDERS;
        }
    };

    public Providers(KubernetesClient client, String defaultAddress) {
        this(client, defaultAddress, EgressPolicy.defaults());
    }

    public Providers(KubernetesClient client, String defaultAddress, EgressPolicy egress) {
        this.client = client;
        this.defaultAddress = defaultAddress;
        this.egress = egress;
    }

    public MetricsProvider defaultProvider() {
        return provider("", defaultAddress, null, egress.trusted(), DEFAULT_ADDRESS_SETTING);
    }

    public MetricsProvider forTemplate(MetricTemplate template) {
        var spec = template.getSpec().getProvider();
        String namespace = template.getMetadata().getNamespace();
        String owner = namespace + "/" + template.getMetadata().getName();
        String authorization = null;
        if (spec.getSecretRef() != null) {
            authorization = authorization(namespace, spec.getSecretRef().getName());
        }
        if (spec.getAddress() == null) {
            return provider(owner, defaultAddress, authorization, egress.trusted(), DEFAULT_ADDRESS_SETTING);
        }
        return provider(owner, spec.getAddress(), authorization, egress.forNamespace(namespace),
                "MetricTemplate " + owner + " spec.provider.address");
    }

    private MetricsProvider provider(String owner, String address, String authorization, EgressPolicy policy, String field) {
        // A rotated Secret replaces the template's provider (and its breaker) rather than adding one.
        String key = owner + "\n" + field + "\n" + address;
        synchronized (byKey) {
            PrometheusProvider provider = byKey.get(key);
            if (provider == null || !provider.authorizedAs(authorization)) {
                provider = new PrometheusProvider(address, authorization, TIMEOUT, policy, field);
                byKey.put(key, provider);
            }
            return provider;
        }
    }

    /** How many providers are kept now. */
    int size() {
        synchronized (byKey) {
            return byKey.size();
        }
    }

    /** Basic auth from username/password, or a bearer token from token. */
    private String authorization(String namespace, String secretName) {
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
            throw new IllegalArgumentException("Secret " + namespace + "/" + secretName + " for the metrics provider not found");
        }
        SecretValues.refusal(secret, "spec.provider.secretRef").ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        Map<String, String> data = SecretValues.strings(secret);
        if (data.containsKey("token")) {
            return "Bearer " + data.get("token").trim();
        }
        if (data.containsKey("username") && data.containsKey("password")) {
            String pair = data.get("username").trim() + ":" + data.get("password").trim();
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        throw new IllegalArgumentException("Secret " + namespace + "/" + secretName + " has neither token nor username and password");
    }
}
