package dev.ramp.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which custom kinds the API server serves, as their CustomResourceDefinitions say: a kind is
 * installed when its CRD is established and serves the version Ramp's model of it uses. Ramp
 * watches a kind only once it is installed (an informer on a missing kind fails the operator's
 * start and its readiness), so the CRDs themselves are what it watches to learn when one arrives
 * or goes. Knows nothing of any router: a router names its kinds, this says which are missing.
 */
public final class InstalledKinds {

    private final Map<String, CustomResourceDefinition> crds;

    private InstalledKinds(Map<String, CustomResourceDefinition> crds) {
        this.crds = crds;
    }

    /** What {@code crds} (as an informer's cache holds them; others may be among them) install. */
    public static InstalledKinds of(Collection<CustomResourceDefinition> crds) {
        return new InstalledKinds(crds.stream().collect(Collectors.toMap(crd -> crd.getMetadata().getName(),
                Function.identity(), (a, b) -> a)));
    }

    /** Each kind's CRD name, worked out once: fabric8 reads it from the class' annotations at each call. */
    private static final ClassValue<String> CRD_NAMES = new ClassValue<>() {
        @Override
        @SuppressWarnings("unchecked")
        protected String computeValue(Class<?> kind) {
            Class<? extends HasMetadata> resource = (Class<? extends HasMetadata>) kind;
            return HasMetadata.getPlural(resource) + "." + HasMetadata.getGroup(resource);
        }
    };

    /** The name of a kind's CustomResourceDefinition: {@code <plural>.<group>}. */
    public static String crdName(Class<? extends HasMetadata> kind) {
        return CRD_NAMES.get(kind);
    }

    /** Whether the API server serves {@code kind} at the version Ramp uses. */
    public boolean serves(Class<? extends HasMetadata> kind) {
        CustomResourceDefinition crd = crds.get(crdName(kind));
        return crd != null && servedVersions(crd).contains(HasMetadata.getVersion(kind));
    }

    /** Those of {@code kinds} the API server does not serve, in their order. */
    public List<Class<? extends HasMetadata>> missing(Collection<Class<? extends HasMetadata>> kinds) {
        return kinds.stream().filter(kind -> !serves(kind)).toList();
    }

    /**
     * The versions a CRD serves, none before it is established: what decides whether its kinds
     * are installed, so a change to anything else in a CRD (its status' other fields) is no news.
     */
    public static Set<String> servedVersions(CustomResourceDefinition crd) {
        boolean established = crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && Conditions.TRUE.equals(c.getStatus()));
        if (!established || crd.getSpec() == null || crd.getSpec().getVersions() == null) {
            return Set.of();
        }
        return crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getServed()))
                .map(CustomResourceDefinitionVersion::getName).collect(Collectors.toSet());
    }
}
