package dev.ramp.lab;

import com.sun.net.httpserver.Headers;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How an Istio sidecar picks a destination from a VirtualService (networking.istio.io/v1): the
 * first {@code http} route whose {@code match} accepts the request (any of its HTTPMatchRequests,
 * each requiring all of its {@code uri} and {@code headers} conditions: exact, prefix or regex),
 * then a destination drawn by weight, and its {@code mirror} if set (with mirrorPercentage).
 */
final class MeshRoute {

    /** Where one request goes: a destination host (null: no route) and perhaps a mirror host. */
    record Decision(String destination, String mirror) {

        static Decision direct(String host) {
            return new Decision(host, null);
        }
    }

    private MeshRoute() {
    }

    @SuppressWarnings("unchecked")
    static List<String> hosts(GenericKubernetesResource vs) {
        Object hosts = spec(vs).get("hosts");
        return hosts instanceof List<?> list ? (List<String>) list : List.of();
    }

    @SuppressWarnings("unchecked")
    static Decision decide(GenericKubernetesResource vs, String path, Headers headers) {
        Object http = spec(vs).get("http");
        if (!(http instanceof List<?> routes)) {
            return new Decision(null, null);
        }
        for (Object r : routes) {
            Map<String, Object> route = (Map<String, Object>) r;
            if (matches((List<Map<String, Object>>) route.get("match"), path, headers)) {
                return new Decision(pick((List<Map<String, Object>>) route.get("route")), mirror(route));
            }
        }
        return new Decision(null, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource vs) {
        Object spec = vs.getAdditionalProperties().get("spec");
        return spec instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(List<Map<String, Object>> match, String path, Headers headers) {
        if (match == null || match.isEmpty()) {
            return true;
        }
        for (Map<String, Object> m : match) {
            boolean all = m.get("uri") == null || matches((Map<String, Object>) m.get("uri"), path);
            Map<String, Object> wanted = (Map<String, Object>) m.getOrDefault("headers", Map.of());
            for (var h : wanted.entrySet()) {
                all &= matches((Map<String, Object>) h.getValue(), headers.getFirst(h.getKey()));
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(Map<String, Object> condition, String value) {
        if (value == null) {
            return false;
        }
        if (condition.get("exact") != null) {
            return value.equals(condition.get("exact"));
        }
        if (condition.get("prefix") != null) {
            return value.startsWith((String) condition.get("prefix"));
        }
        if (condition.get("regex") != null) {
            return value.matches((String) condition.get("regex"));
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static String pick(List<Map<String, Object>> destinations) {
        if (destinations == null || destinations.isEmpty()) {
            return null;
        }
        int total = destinations.stream().mapToInt(MeshRoute::weight).sum();
        if (total <= 0) {
            // Istio requires weights to sum to 100; a single destination without one takes all.
            return destinations.size() == 1 ? host(destinations.get(0)) : null;
        }
        int draw = ThreadLocalRandom.current().nextInt(total);
        for (Map<String, Object> d : destinations) {
            draw -= weight(d);
            if (draw < 0) {
                return host(d);
            }
        }
        return host(destinations.get(destinations.size() - 1));
    }

    private static int weight(Map<String, Object> destination) {
        Object weight = destination.get("weight");
        return weight instanceof Number n ? n.intValue() : 0;
    }

    @SuppressWarnings("unchecked")
    private static String host(Map<String, Object> destination) {
        return (String) ((Map<String, Object>) destination.get("destination")).get("host");
    }

    @SuppressWarnings("unchecked")
    private static String mirror(Map<String, Object> route) {
        Map<String, Object> mirror = (Map<String, Object>) route.get("mirror");
        if (mirror == null || mirror.get("host") == null) {
            return null;
        }
        Map<String, Object> percentage = (Map<String, Object>) route.get("mirrorPercentage");
        double percent = percentage != null && percentage.get("value") instanceof Number n ? n.doubleValue() : 100;
        return ThreadLocalRandom.current().nextDouble(100) < percent ? (String) mirror.get("host") : null;
    }
}
