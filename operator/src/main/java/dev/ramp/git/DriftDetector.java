package dev.ramp.git;

import dev.ramp.kube.Managed;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds objects changed in the cluster but not in Git. For each object it asks the API server
 * what applying Git's version would produce (a server-side dry run) and compares that with what
 * runs: the server does the defaulting and the merging, so only fields Git declares and someone
 * else changed show up, named by their path. An object this GitSource does not own any more (its
 * {@code ramp.dev/gitsource} label was removed or names another GitSource) is reported, never
 * corrected. Objects Ramp generates for a Rollout are not looked at: the Rollout keeps them.
 */
public class DriftDetector {

    private static final int MAX_FIELDS = 10;

    private final ManifestApplier applier;

    public DriftDetector(ManifestApplier applier) {
        this.applier = applier;
    }

    /**
     * An object that differs from Git: the changed fields, or none when it was deleted; or, with
     * {@code notOwned} set, why this GitSource leaves it alone.
     */
    public record Drift(DesiredObject object, List<String> fields, String notOwned) {

        public Drift(DesiredObject object, List<String> fields) {
            this(object, fields, null);
        }

        public boolean deleted() {
            return fields.isEmpty() && notOwned == null;
        }

        /** Whether self-heal may restore it from Git. */
        public boolean healable() {
            return notOwned == null;
        }

        public String describe() {
            if (notOwned != null) {
                return object.describe() + " left alone: " + notOwned;
            }
            return object.describe() + (deleted() ? " was deleted" : " changed: " + String.join(", ", fields));
        }
    }

    public List<Drift> detect(List<DesiredObject> desired) throws GitSourceException {
        List<Drift> drifts = new ArrayList<>();
        for (DesiredObject d : desired) {
            if (Managed.isGenerated(d.manifest().object())) {
                continue; // the apply skipped it and said so; the Rollout keeps it
            }
            GenericKubernetesResource live = applier.live(d);
            if (live != null && Managed.isManaged(live)) {
                continue;
            }
            if (live == null) {
                drifts.add(new Drift(d, List.of()));
                continue;
            }
            String notOwned = Ownership.notOwned(live, applier.owner());
            if (notOwned != null) {
                drifts.add(new Drift(d, List.of(), notOwned));
                continue;
            }
            GenericKubernetesResource wanted;
            try {
                wanted = applier.dryRun(d);
            } catch (KubernetesClientException e) {
                continue; // not appliable right now; the next sync reports it
            }
            List<String> fields = new ArrayList<>();
            diff("", comparable(wanted), comparable(live), fields);
            if (!fields.isEmpty()) {
                drifts.add(new Drift(d, fields.size() > MAX_FIELDS ? fields.subList(0, MAX_FIELDS) : fields));
            }
        }
        return drifts;
    }

    /** Everything but status and the metadata the server maintains. */
    private static Map<String, Object> comparable(GenericKubernetesResource object) {
        Map<String, Object> map = new HashMap<>(Serialization.jsonMapper().convertValue(object, Map.class));
        map.remove("status");
        Map<String, Object> metadata = new HashMap<>();
        if (object.getMetadata().getLabels() != null) {
            metadata.put("labels", object.getMetadata().getLabels());
        }
        if (object.getMetadata().getAnnotations() != null) {
            metadata.put("annotations", object.getMetadata().getAnnotations());
        }
        map.put("metadata", metadata);
        return map;
    }

    private static void diff(String path, Object wanted, Object live, List<String> fields) {
        if (wanted instanceof Map<?, ?> w && live instanceof Map<?, ?> l) {
            java.util.Set<Object> keys = new java.util.TreeSet<>(java.util.Comparator.comparing(String::valueOf));
            keys.addAll(w.keySet());
            keys.addAll(l.keySet());
            for (Object key : keys) {
                diff(path.isEmpty() ? String.valueOf(key) : path + "." + key, w.get(key), l.get(key), fields);
            }
        } else if (wanted instanceof List<?> w && live instanceof List<?> l && w.size() == l.size()) {
            for (int i = 0; i < w.size(); i++) {
                diff(path + "[" + i + "]", w.get(i), l.get(i), fields);
            }
        } else if (!Objects.equals(String.valueOf(wanted), String.valueOf(live))) {
            fields.add(path);
        }
    }
}
