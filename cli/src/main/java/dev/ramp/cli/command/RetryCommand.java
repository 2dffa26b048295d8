package dev.ramp.cli.command;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutActions;
import java.util.EnumSet;
import java.util.Set;
import picocli.CommandLine.Command;

/** {@code ramp retry NAME}: release the failed revision again, with no change to the target. */
@Command(name = "retry", description = "Release the failed revision again, without changing the target.")
public final class RetryCommand extends ActionCommand {

    @Override
    String verb() {
        return RolloutActions.RETRY;
    }

    @Override
    Set<Phase> phases() {
        return EnumSet.of(Phase.Failed);
    }

    @Override
    String applies() {
        return "to a failed release";
    }
}
