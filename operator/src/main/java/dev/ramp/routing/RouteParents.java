package dev.ramp.routing;

import dev.ramp.api.ForeignText;
import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a Gateway API route's {@code status.parents}: for each Gateway of
 * {@code spec.service.parentRefs}, whether a controller reports the route Accepted and its
 * references resolved. A parent not reported on, or whose Accepted is Unknown, is pending; one
 * whose Accepted or ResolvedRefs is False refuses the route, unless that condition is older than
 * the route's generation (the controller has not looked at the route as it is now: pending).
 * An Accepted True of an older generation still counts: what a Gateway accepts is the route's
 * attachment (its parentRefs and hostnames), which a new weight does not change, so a step need
 * not wait for a controller to re-stamp it. What controllers write is cut before it is quoted.
 */
final class RouteParents {

    static final String ACCEPTED = "Accepted";
    static final String RESOLVED_REFS = "ResolvedRefs";
    private static final int QUOTED = 200;

    private RouteParents() {
    }

    static RouteAcceptance acceptance(Rollout rollout, HasMetadata route) {
        String namespace = rollout.getMetadata().getNamespace();
        List<ParentRef> refs = rollout.getSpec().getService().getParentRefs() == null ? List.of()
                : rollout.getSpec().getService().getParentRefs();
        if (route == null) {
            return RouteAcceptance.pending("the route is not written yet");
        }
        long generation = route.getMetadata().getGeneration() == null ? 0 : route.getMetadata().getGeneration();
        List<RouteParentStatus> parents = parents(route);
        List<String> accepted = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (ParentRef ref : refs) {
            String gateway = "Gateway " + (ref.getNamespace() == null ? namespace : ref.getNamespace()) + "/" + ref.getName()
                    + (ref.getSectionName() == null ? "" : " (listener " + ref.getSectionName() + ")");
            List<RouteParentStatus> reports = parents.stream().filter(p -> sameParent(p.getParentRef(), ref, namespace)).toList();
            if (reports.isEmpty()) {
                pending.add(gateway + " has not reported on the route (no controller runs for it, or it has not caught up)");
                continue;
            }
            boolean acceptedHere = false;
            for (RouteParentStatus report : reports) {
                String controller = cut(report.getControllerName());
                for (String type : List.of(ACCEPTED, RESOLVED_REFS)) {
                    Optional<Condition> condition = condition(report, type);
                    if (condition.isPresent() && "False".equals(condition.get().getStatus())
                            && !older(condition.get(), generation)) {
                        return RouteAcceptance.refused(gateway + " does not " + (type.equals(ACCEPTED) ? "accept the route"
                                : "resolve the route's backends") + ": its controller " + controller + " says " + type
                                + " False, reason " + cut(condition.get().getReason()) + said(condition.get().getMessage()));
                    }
                }
                acceptedHere |= condition(report, ACCEPTED).filter(c -> "True".equals(c.getStatus())).isPresent();
            }
            if (acceptedHere) {
                accepted.add(gateway + " (" + cut(reports.get(0).getControllerName()) + ")");
            } else {
                pending.add(gateway + " has not accepted the route yet");
            }
        }
        if (!pending.isEmpty()) {
            return RouteAcceptance.pending(String.join("; ", pending));
        }
        return RouteAcceptance.accepted("accepted by " + String.join(", ", accepted));
    }

    /** Whether a status entry is about {@code ref}: the same Gateway, listener and port (group and kind are Gateway's). */
    static boolean sameParent(ParentReference reported, ParentRef ref, String routeNamespace) {
        if (reported == null) {
            return false;
        }
        String namespace = reported.getNamespace() == null ? routeNamespace : reported.getNamespace();
        String wanted = ref.getNamespace() == null ? routeNamespace : ref.getNamespace();
        return Objects.equals(reported.getName(), ref.getName()) && namespace.equals(wanted)
                && Objects.equals(reported.getSectionName(), ref.getSectionName()) && Objects.equals(reported.getPort(), ref.getPort())
                && (reported.getKind() == null || "Gateway".equals(reported.getKind()));
    }

    private static List<RouteParentStatus> parents(HasMetadata route) {
        List<RouteParentStatus> parents = route instanceof HTTPRoute http && http.getStatus() != null ? http.getStatus().getParents()
                : route instanceof GRPCRoute grpc && grpc.getStatus() != null ? grpc.getStatus().getParents() : null;
        return parents == null ? List.of() : parents;
    }

    private static Optional<Condition> condition(RouteParentStatus report, String type) {
        return report.getConditions() == null ? Optional.empty()
                : report.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static boolean older(Condition condition, long generation) {
        return condition.getObservedGeneration() != null && condition.getObservedGeneration() < generation;
    }

    /** The controller's message after its reason; none where it wrote none (Traefik's NoMatchingParent has none). */
    private static String said(String message) {
        return message == null || message.isBlank() ? "" : ": " + cut(message);
    }

    private static String cut(String text) {
        return ForeignText.quote(text, QUOTED);
    }
}
