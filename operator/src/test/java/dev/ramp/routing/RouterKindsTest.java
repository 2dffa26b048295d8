package dev.ramp.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.kube.InstalledKinds;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whether Istio's router can route, from the CRDs an informer would hold, and what a held Rollout is told. */
class RouterKindsTest {

    private final IstioRouter istio = new IstioRouter(null, RoutePolicy.OWN_NAMES);

    @Test
    void withBothCrdsEstablishedAndServingV1IstioRoutes() {
        assertThat(RouterKinds.notInstalled(istio, InstalledKinds.of(List.of(
                crd("virtualservices", "VirtualService", true, "v1"), crd("destinationrules", "DestinationRule", true, "v1")))))
                .isEmpty();
    }

    @Test
    void withNoCrdBothKindsAreNamed() {
        assertThat(RouterKinds.notInstalled(istio, InstalledKinds.of(List.of())))
                .contains("Istio's VirtualService and DestinationRule CRDs (networking.istio.io/v1) are not installed");
    }

    @Test
    void aCrdNotYetEstablishedOrNotServingTheVersionRampUsesIsNotInstalled() {
        assertThat(RouterKinds.notInstalled(istio, InstalledKinds.of(List.of(
                crd("virtualservices", "VirtualService", false, "v1"), crd("destinationrules", "DestinationRule", true, "v1")))))
                .contains("Istio's VirtualService CRD (networking.istio.io/v1) is not installed");
        assertThat(RouterKinds.notInstalled(istio, InstalledKinds.of(List.of(
                crd("virtualservices", "VirtualService", true, "v1alpha3", "v1beta1"),
                crd("destinationrules", "DestinationRule", true, "v1alpha3", "v1beta1")))))
                .contains("Istio's VirtualService and DestinationRule CRDs (networking.istio.io/v1) are not installed");
    }

    private static CustomResourceDefinition crd(String plural, String kind, boolean established, String... versions) {
        var spec = new CustomResourceDefinitionBuilder().withNewMetadata().withName(plural + ".networking.istio.io").endMetadata()
                .withNewSpec().withGroup("networking.istio.io").withNewNames().withKind(kind).withPlural(plural).endNames();
        List<String> served = new ArrayList<>(List.of(versions));
        for (String version : served) {
            spec = spec.addNewVersion().withName(version).withServed(true).withStorage(version.equals(served.get(0))).endVersion();
        }
        return spec.endSpec().withNewStatus().addNewCondition().withType("Established")
                .withStatus(established ? "True" : "False").endCondition().endStatus().build();
    }
}
