package dev.ramp.routing;

import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Splits a Rollout's traffic between its primary and its canary; one implementation per mesh. */
public interface TrafficRouter {

    /**
     * The kinds of object this router writes. The Rollout reconciler watches them (those carrying
     * Ramp's managed-by label), so an edited or deleted one wakes its Rollout, and hands the
     * cached ones to {@link #reconcile}.
     */
    List<Class<? extends HasMetadata>> kinds();

    /**
     * What users call the software that brings {@link #kinds()} ("Istio"), to name it in the
     * condition of a Rollout held while they are not installed ({@link RouterKinds}).
     */
    String name();

    /**
     * Makes the mesh's objects for the Rollout what {@code routing} (derived from its spec and
     * status) says they should be: creates what is missing, repairs what was edited or deleted,
     * and writes nothing when they already are. {@code live} holds the Rollout's objects of
     * {@link #kinds()} as the informers' caches have them; the router reads nothing else.
     */
    void reconcile(Rollout rollout, Routing routing, Collection<? extends HasMetadata> live);

    /**
     * What of the Rollout's spec this router cannot carry out, one sentence per field, naming it
     * and why ({@code spec.analysis.mirror: ...}): the Rollout is held with them as refusals, and
     * nothing is written. None by default.
     */
    default List<String> unsupported(Rollout rollout) {
        return List.of();
    }

    /**
     * {@link #unsupported(Rollout)}, and what of the target Deployment this router cannot work
     * with (provider None: a target that allows no surge pod); {@code target} as last observed.
     */
    default List<String> unsupported(Rollout rollout, Deployment target) {
        return unsupported(rollout);
    }

    /**
     * What the data plane's controllers report of the route in {@code live} (the cached objects of
     * {@link #kinds()}); empty for a router whose objects carry no such status (Istio's).
     */
    default Optional<RouteAcceptance> acceptance(Rollout rollout, Collection<? extends HasMetadata> live) {
        return Optional.empty();
    }
}
