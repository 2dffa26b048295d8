package dev.ramp.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A named metric query that a Rollout's checks refer to by templateRef. */
@Group(Rollout.GROUP)
@Version(Rollout.VERSION)
@ShortNames("mt")
@AdditionalPrinterColumn(name = "Provider", jsonPath = ".spec.provider.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Address", jsonPath = ".spec.provider.address", type = AdditionalPrinterColumn.Type.STRING)
public class MetricTemplate extends CustomResource<MetricTemplateSpec, Void> implements Namespaced {
}
