package dev.ramp.cli.command;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutActions;
import dev.ramp.cli.ReleaseView;
import java.util.Set;
import picocli.CommandLine.Command;

/** {@code ramp promote NAME}: promote the running release now, skipping its remaining steps. */
@Command(name = "promote", description = "Promote the running release now, skipping its remaining steps and checks.")
public final class PromoteCommand extends ActionCommand {

    @Override
    String verb() {
        return RolloutActions.PROMOTE;
    }

    @Override
    Set<Phase> phases() {
        return ReleaseView.RUNNING;
    }

    @Override
    String applies() {
        return "while a release runs";
    }
}
