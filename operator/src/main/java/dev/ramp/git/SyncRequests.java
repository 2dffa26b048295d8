package dev.ramp.git;

import dev.ramp.api.GitSource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

/**
 * Asks for a GitSource to be synced now rather than at its next interval: a push webhook, or a
 * Rollout whose revert was just pushed. The request goes through the operator's event loop, so a
 * sync never runs twice at once for one GitSource.
 */
public class SyncRequests {

    private final SimpleInboundEventSource<GitSource> events = new SimpleInboundEventSource<>("git-sync-requests");

    public void request(String namespace, String name) {
        if (events.isRunning()) {
            events.propagateEvent(new ResourceID(name, namespace));
        }
    }

    SimpleInboundEventSource<GitSource> eventSource() {
        return events;
    }
}
