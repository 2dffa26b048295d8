package dev.ramp.cli.command;

import picocli.CommandLine.Command;

/** {@code ramp pause NAME}: hold the release where it is. */
@Command(name = "pause", description = "Hold the release where it is: no step advances, no check runs, nothing is promoted.")
public final class PauseCommand extends PausedCommand {

    @Override
    boolean paused() {
        return true;
    }
}
