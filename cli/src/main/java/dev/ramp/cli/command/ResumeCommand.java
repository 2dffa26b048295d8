package dev.ramp.cli.command;

import picocli.CommandLine.Command;

/** {@code ramp resume NAME}: let a paused release go on. */
@Command(name = "resume", description = "Let a paused release go on from where it was held.")
public final class ResumeCommand extends PausedCommand {

    @Override
    boolean paused() {
        return false;
    }
}
