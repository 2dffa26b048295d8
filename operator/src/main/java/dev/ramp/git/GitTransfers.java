package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.EgressPolicy.NameLookup;
import java.net.InetAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Opens the {@link GitTransfer} of each fetch and push: the operator's egress policy, how a host
 * name is looked up, the limits every transfer gets, and the one timer thread that ends the
 * transfers that outlive their deadline (it only closes connections, so one thread serves all).
 */
public final class GitTransfers {

    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private final EgressPolicy egress;
    private final TransferLimits limits;
    private final NameLookup lookup;

    /** Transfers under {@code egress} and {@code limits}, looking names up with the system's resolver. */
    public GitTransfers(EgressPolicy egress, TransferLimits limits) {
        this(egress, limits, InetAddress::getAllByName);
    }

    /** As above, looking names up with {@code lookup} (a test's DNS server). */
    public GitTransfers(EgressPolicy egress, TransferLimits limits, NameLookup lookup) {
        this.egress = egress;
        this.limits = limits;
        this.lookup = lookup;
    }

    public static GitTransfers defaults() {
        return new GitTransfers(EgressPolicy.defaults(), TransferLimits.DEFAULT);
    }

    public TransferLimits limits() {
        return limits;
    }

    /**
     * Checks the GitSource's remote against the egress policy, looking its host up once, and starts
     * the deadline of a transfer that may connect only to the addresses checked.
     *
     * @param doing what the transfer is, for messages ("fetching", "pushing to")
     * @throws GitSourceException {@code EgressDenied} when the policy refuses the remote, {@code InvalidURL}
     *         when it names no host
     */
    GitTransfer open(GitSource source, String doing) throws GitSourceException {
        GitEgress.Destination destination = GitEgress.resolve(egress, lookup, source);
        return new GitTransfer(source.getSpec().getUrl(), doing, destination, egress, limits, WATCHDOG);
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
