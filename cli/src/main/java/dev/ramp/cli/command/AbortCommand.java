package dev.ramp.cli.command;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutActions;
import dev.ramp.cli.ReleaseView;
import java.util.Set;
import picocli.CommandLine.Command;

/** {@code ramp abort NAME}: roll the running release back now. */
@Command(name = "abort", description = "Roll the running release back now (and revert it in Git when gitRevert is enabled).")
public final class AbortCommand extends ActionCommand {

    @Override
    String verb() {
        return RolloutActions.ABORT;
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
