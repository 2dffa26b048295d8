package dev.ramp.git;

import dev.ramp.api.GitSource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.Optional;

/**
 * Asks for a GitSource to be synced now rather than at its next interval. In the process that
 * reconciles (a Rollout whose revert was just pushed), the request goes through the operator's
 * event loop, so a sync never runs twice at once for one GitSource. A push webhook, which any
 * replica may receive, records the request on the GitSource instead ({@link SyncRequestAnnotation});
 * it finds the GitSource in the GitSource controller's informer cache, which standby replicas
 * keep warm too, handed over here when the controller starts.
 */
public class SyncRequests {

    private final SimpleInboundEventSource<GitSource> events = new SimpleInboundEventSource<>("git-sync-requests");
    private volatile IndexerResourceCache<GitSource> cache;

    public void request(String namespace, String name) {
        if (events.isRunning()) {
            events.propagateEvent(new ResourceID(name, namespace));
        }
    }

    /** The GitSource as the informer last saw it; empty when unknown or the controller has not started. */
    public Optional<GitSource> cached(String namespace, String name) {
        IndexerResourceCache<GitSource> known = cache;
        return known == null ? Optional.empty() : known.get(new ResourceID(name, namespace));
    }

    /** Whether GitSources can be looked up yet. */
    public boolean watching() {
        return cache != null;
    }

    SimpleInboundEventSource<GitSource> eventSource(IndexerResourceCache<GitSource> primaryCache) {
        this.cache = primaryCache;
        return events;
    }
}
