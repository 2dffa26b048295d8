package dev.ramp.rollout;

import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Rollouts this reconciler wrote, each until the informer's cache holds that write or a later
 * one. A pass starts from the cached copy unless this reconciler wrote a newer one: a phase
 * acting on a status older than its own last write would repeat a step. Resource versions are
 * compared as the numbers the API server makes them; one that is not a number gives no answer,
 * and the caller reads the Rollout from the API server instead. Entries older than a minute are
 * dropped: by then the cache has seen the write, or the Rollout is gone.
 */
final class RecentWrites {

    private static final Duration KEEP = Duration.ofMinutes(1);

    private record Written(Rollout rollout, Instant at) {
    }

    private final Map<ResourceID, Written> written = new ConcurrentHashMap<>();
    private final Clock clock;

    RecentWrites(Clock clock) {
        this.clock = clock;
    }

    /** The freshest copy known: the cached one, or a copy of this reconciler's newer write; empty when versions cannot be compared. */
    Optional<Rollout> freshest(Rollout cached) {
        ResourceID id = ResourceID.fromResource(cached);
        Written mine = written.get(id);
        if (mine == null) {
            return Optional.of(cached);
        }
        boolean sameObject = Objects.equals(mine.rollout().getMetadata().getUid(), cached.getMetadata().getUid());
        Optional<Long> cachedVersion = version(cached);
        Optional<Long> myVersion = version(mine.rollout());
        if (cachedVersion.isEmpty() || myVersion.isEmpty()) {
            return Optional.empty();
        }
        if (!sameObject || cachedVersion.get() >= myVersion.get() || mine.at().plus(KEEP).isBefore(clock.instant())) {
            written.remove(id, mine);
            return Optional.of(cached);
        }
        return Optional.of(Serialization.clone(mine.rollout()));
    }

    /** Remembers a Rollout as the API server answered a write of it. */
    void wrote(Rollout result) {
        Instant now = clock.instant();
        written.values().removeIf(w -> w.at().plus(KEEP).isBefore(now));
        written.put(ResourceID.fromResource(result), new Written(result, now));
    }

    private static Optional<Long> version(Rollout rollout) {
        try {
            return Optional.of(Long.parseLong(rollout.getMetadata().getResourceVersion()));
        } catch (NumberFormatException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
