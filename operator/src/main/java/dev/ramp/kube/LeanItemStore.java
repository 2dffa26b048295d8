package dev.ramp.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.stream.Stream;

/**
 * An informer's cache that holds objects without their {@code metadata.managedFields}: which
 * manager set each field is a map of maps per object, kilobytes for a Deployment or a Pod, that
 * Ramp never reads from these caches (docs/scale.md, "What Ramp caches"). Not for a kind whose
 * field managers Ramp reads: a StatefulSet's, whose partition a manifest may declare
 * (StatefulSetProgress).
 */
public final class LeanItemStore<R extends HasMetadata> implements ItemStore<R> {

    private final BasicItemStore<R> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

    @Override
    public String getKey(R object) {
        return store.getKey(object);
    }

    @Override
    public R put(String key, R object) {
        // The informer's own copy, fresh from the watch: no one else holds it yet.
        if (object.getMetadata() != null) {
            object.getMetadata().setManagedFields(null);
        }
        return store.put(key, object);
    }

    @Override
    public R remove(String key) {
        return store.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return store.keySet();
    }

    @Override
    public Stream<R> values() {
        return store.values();
    }

    @Override
    public int size() {
        return store.size();
    }

    @Override
    public R get(String key) {
        return store.get(key);
    }
}
