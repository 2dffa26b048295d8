package dev.ramp.cli;

import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Every version of one Rollout the API server reports, in order, for commands that wait on
 * it. An informer keeps the watch alive across dropped connections; a command takes updates
 * with a deadline and never sleeps.
 */
public final class RolloutFeed implements AutoCloseable {

    /** A new version of the Rollout, its deletion, or the end of the feed with the reason. */
    private record Update(Rollout rollout, boolean deleted, Throwable failure) {
    }

    /** How long to wait at a time when there is no deadline; the loop just waits again. */
    private static final Duration FOREVER = Duration.ofHours(1);

    private final BlockingQueue<Update> updates = new LinkedBlockingQueue<>();
    private final SharedIndexInformer<Rollout> informer;
    private final Clock clock;
    private final String name;

    private RolloutFeed(KubernetesClient client, String namespace, String name, Clock clock) {
        this.clock = clock;
        this.name = name;
        informer = client.resources(Rollout.class).inNamespace(namespace).withName(name)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Rollout rollout) {
                        updates.add(new Update(rollout, false, null));
                    }

                    @Override
                    public void onUpdate(Rollout previous, Rollout rollout) {
                        updates.add(new Update(rollout, false, null));
                    }

                    @Override
                    public void onDelete(Rollout rollout, boolean finalStateUnknown) {
                        updates.add(new Update(rollout, true, null));
                    }
                });
        informer.stopped().whenComplete((done, failure) -> updates.add(new Update(null, false,
                failure != null ? failure : new IllegalStateException("the watch stopped"))));
    }

    public static RolloutFeed open(KubernetesClient client, String namespace, String name, Clock clock) {
        return new RolloutFeed(client, namespace, name, clock);
    }

    /**
     * The next version of the Rollout, or null when none came before the deadline (null: no
     * deadline). Its deletion and a watch that cannot go on end the command.
     */
    public Rollout next(Instant deadline) throws InterruptedException {
        while (true) {
            Duration wait = deadline == null ? FOREVER : Duration.between(clock.instant(), deadline);
            if (wait.isNegative() || wait.isZero()) {
                return null;
            }
            Update update = updates.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (update == null) {
                continue;
            }
            if (update.failure() != null) {
                throw new CliException(ExitCodes.USAGE, "lost the watch on rollout \"" + name + "\": "
                        + update.failure().getMessage(), update.failure());
            }
            if (update.deleted()) {
                throw CliException.refused("rollout \"" + name + "\" was deleted");
            }
            return update.rollout();
        }
    }

    @Override
    public void close() {
        informer.close();
    }
}
