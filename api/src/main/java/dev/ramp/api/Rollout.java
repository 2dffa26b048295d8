package dev.ramp.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Progressive delivery of one Deployment: Ramp runs a changed pod template beside the stable
 * one, shifts traffic to it in stages gated on metrics, then promotes or rolls it back.
 */
@Group(Rollout.GROUP)
@Version(Rollout.VERSION)
@ShortNames("ro")
@AdditionalPrinterColumn(name = "Strategy", jsonPath = ".spec.strategy", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Weight", jsonPath = ".status.canaryWeight", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "FailedChecks", jsonPath = ".status.failedChecks", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "PhaseSince", jsonPath = ".status.phaseSince", type = AdditionalPrinterColumn.Type.DATE)
public class Rollout extends CustomResource<RolloutSpec, RolloutStatus> implements Namespaced {

    public static final String GROUP = "ramp.dev";
    public static final String VERSION = "v1alpha1";

    @Override
    protected RolloutStatus initStatus() {
        return new RolloutStatus();
    }
}
