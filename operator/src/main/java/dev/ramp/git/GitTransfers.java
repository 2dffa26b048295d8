package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.egress.EgressPolicy;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Opens the {@link GitTransfer} of each fetch and push: the operator's egress policy (applied as
 * the GitSource's namespace's, see {@link GitEgress}), the limits every transfer gets, and the
 * one timer thread that ends the transfers that outlive their deadline (it only closes
 * connections, so one thread serves all).
 */
public final class GitTransfers {

    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private final EgressPolicy egress;
    private final TransferLimits limits;

    /** Transfers under {@code egress} (which looks names up as it was made to) and {@code limits}. */
    public GitTransfers(EgressPolicy egress, TransferLimits limits) {
        this.egress = egress;
        this.limits = limits;
    }

    public TransferLimits limits() {
        return limits;
    }

    /**
     * Checks the GitSource's remote against the egress policy of its namespace, looking its host up
     * once, and starts the deadline of a transfer that may connect only to the addresses checked.
     *
     * @param doing what the transfer is, for messages ("fetching", "pushing to")
     * @throws GitSourceException {@code EgressDenied} when the policy refuses the remote, {@code InvalidURL}
     *         when it names no host
     */
    GitTransfer open(GitSource source, String doing) throws GitSourceException {
        GitEgress.Destination destination = GitEgress.resolve(egress, source);
        return new GitTransfer(source.getSpec().getUrl(), doing, destination, limits, WATCHDOG);
    }

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "ramp-git-deadline");
            thread.setDaemon(true);
            return thread;
        });
        // A transfer that ends in time cancels its deadline; drop it rather than keep it queued.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
