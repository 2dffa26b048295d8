package dev.ramp.cli.command;

import dev.ramp.cli.ExitCodes;
import dev.ramp.cli.Ramp;
import dev.ramp.cli.ReleaseView;
import dev.ramp.cli.Rollouts;
import java.util.concurrent.Callable;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Pause and resume set {@code spec.paused}: a state, not a one-off action, so setting it again
 * changes nothing and is no error.
 */
abstract class PausedCommand implements Callable<Integer> {

    @ParentCommand
    Ramp ramp;

    @Parameters(paramLabel = "NAME", description = "The Rollout.")
    String name;

    /** The value of spec.paused this command sets. */
    abstract boolean paused();

    @Override
    public Integer call() {
        Rollouts rollouts = new Rollouts(ramp.cluster());
        ReleaseView before = new ReleaseView(rollouts.get(name));
        if (before.paused() == paused()) {
            ramp.out().println("rollout " + name + (paused() ? " is already paused" : " is not paused"));
            return ExitCodes.OK;
        }
        ReleaseView after = new ReleaseView(rollouts.setPaused(name, paused()));
        ramp.out().println("rollout " + name + (paused() ? " paused" : " resumed") + " (phase " + after.phaseName()
                + ", canary " + after.weight() + "%)");
        return ExitCodes.OK;
    }
}
