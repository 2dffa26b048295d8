package dev.ramp.routing;

import dev.ramp.kube.InstalledKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;

/**
 * Whether a router can work in this cluster: every kind it writes must be installed, else a
 * Rollout it routes is held with a message naming what is missing. The same for any router, so
 * that choosing one per Rollout is only a matter of asking about that router.
 */
public final class RouterKinds {

    private RouterKinds() {
    }

    /**
     * Why {@code router} cannot route here, for the Rollout's condition: "Istio's VirtualService
     * and DestinationRule CRDs (networking.istio.io/v1) are not installed"; empty when it can.
     */
    public static Optional<String> notInstalled(TrafficRouter router, InstalledKinds installed) {
        List<Class<? extends HasMetadata>> missing = installed.missing(router.kinds());
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        String kinds = and(missing.stream().map(HasMetadata::getKind).toList());
        String apis = String.join(", ", missing.stream().map(HasMetadata::getApiVersion).distinct().toList());
        return Optional.of(router.name() + "'s " + kinds + (missing.size() == 1 ? " CRD (" : " CRDs (") + apis
                + (missing.size() == 1 ? ") is" : ") are") + " not installed");
    }

    private static String and(List<String> words) {
        if (words.size() == 1) {
            return words.get(0);
        }
        return String.join(", ", words.subList(0, words.size() - 1)) + " and " + words.get(words.size() - 1);
    }
}
