package dev.ramp.cli.command;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.cli.CliException;
import dev.ramp.cli.ExitCodes;
import dev.ramp.cli.Ramp;
import dev.ramp.cli.ReleaseView;
import dev.ramp.cli.RolloutFeed;
import dev.ramp.cli.Rollouts;
import dev.ramp.cli.render.ProgressLine;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ramp watch NAME}: one progress line per change until the release ends; the exit code
 * says how it ended. A release that Ramp has not started yet (the target's template differs from
 * every revision in status) is waited for, so {@code kubectl apply && ramp watch} works.
 */
@Command(name = "watch", description = "Follow a release until it succeeds (exit 0) or fails (exit 1).")
public final class WatchCommand implements Callable<Integer> {

    @ParentCommand
    Ramp ramp;

    @Parameters(paramLabel = "NAME", description = "The Rollout.")
    String name;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "Give up (exit 3) after this long, e.g. 10m; 0, the default, waits as long as the release runs.")
    Duration timeout;

    private final PendingRelease pending = new PendingRelease();

    @Override
    public Integer call() throws InterruptedException {
        Rollouts rollouts = new Rollouts(ramp.cluster());
        Rollout current = rollouts.get(name);
        Instant deadline = timeout.isZero() ? null : ramp.clock().instant().plus(timeout);
        PrintWriter out = ramp.out();
        String printed = null;
        try (RolloutFeed feed = RolloutFeed.open(rollouts.client(), rollouts.namespace(), name, ramp.clock())) {
            while (true) {
                ReleaseView view = new ReleaseView(current);
                String line = ProgressLine.of(view);
                if (!line.equals(printed)) {
                    out.println(line);
                    out.flush();
                    printed = line;
                }
                if (ReleaseView.IDLE.contains(view.phase()) && !pending.waiting(rollouts, view, out)) {
                    return finish(view);
                }
                current = next(feed, deadline, view);
            }
        }
    }

    private Rollout next(RolloutFeed feed, Instant deadline, ReleaseView view) throws InterruptedException {
        Rollout next = feed.next(deadline);
        if (next == null) {
            throw new CliException(ExitCodes.TIMED_OUT, "timed out after " + Texts.duration(timeout)
                    + " with rollout \"" + name + "\" " + view.phaseName());
        }
        return next;
    }

    private int finish(ReleaseView view) {
        PrintWriter out = ramp.out();
        var status = view.status();
        if (view.phase() == Phase.Failed) {
            String revert = view.revertCommit() == null ? "" : "; reverted in Git by " + view.revertCommit();
            out.println("rollout " + name + " failed: " + FailureReason.of(view) + revert);
            return ExitCodes.RELEASE_FAILED;
        }
        if (view.phase() == Phase.Succeeded) {
            String commit = status.getLastPromotedCommit() == null ? "" : " (commit " + status.getLastPromotedCommit() + ")";
            out.println("rollout " + name + " succeeded: revision " + status.getLastPromotedRevision() + " promoted" + commit);
        } else {
            out.println("rollout " + name + " is " + view.phaseName() + ": no release is running");
        }
        return ExitCodes.OK;
    }
}
