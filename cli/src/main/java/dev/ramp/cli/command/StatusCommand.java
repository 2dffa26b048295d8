package dev.ramp.cli.command;

import dev.ramp.cli.ExitCodes;
import dev.ramp.cli.Ramp;
import dev.ramp.cli.Rollouts;
import dev.ramp.cli.render.OutputFormat;
import dev.ramp.cli.render.StatusText;
import dev.ramp.cli.status.StatusReport;
import dev.ramp.cli.status.StatusReports;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ramp status NAME}: where one release stands, its metrics, commits and Events. */
@Command(name = "status", description = "Show a Rollout's phase, step, weights, metrics, Git commits and recent events.")
public final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    Ramp ramp;

    @Parameters(paramLabel = "NAME", description = "The Rollout.")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml instead of text.")
    OutputFormat output;

    @Option(names = "--events", paramLabel = "N", defaultValue = "10",
            description = "How many of the latest events to show (default: ${DEFAULT-VALUE}).")
    int events;

    @Override
    public Integer call() {
        Rollouts rollouts = new Rollouts(ramp.cluster());
        StatusReport report = StatusReports.collect(rollouts, rollouts.get(name), Math.max(0, events));
        if (output != null) {
            output.print(report, ramp.out());
        } else {
            new StatusText(ramp.out(), ramp.clock()).print(report);
        }
        return ExitCodes.OK;
    }
}
