package dev.ramp.cli.command;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutActions;
import dev.ramp.cli.CliException;
import dev.ramp.cli.ExitCodes;
import dev.ramp.cli.Ramp;
import dev.ramp.cli.ReleaseView;
import dev.ramp.cli.RolloutFeed;
import dev.ramp.cli.Rollouts;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * A manual action (promote, abort, retry): checks that the Rollout's phase allows it, writes
 * the request {@code ramp.dev/action: <verb>/<id>}, then waits for Ramp to record it in
 * {@code status.lastAction}. Ramp carries out each request once, so a request survives an
 * operator restart; one not acknowledged in time is still pending, and says so (exit 3).
 */
abstract class ActionCommand implements Callable<Integer> {

    @ParentCommand
    Ramp ramp;

    @Parameters(paramLabel = "NAME", description = "The Rollout.")
    String name;

    @Option(names = "--wait", arity = "0..1", defaultValue = "true", fallbackValue = "true", paramLabel = "BOOL",
            description = "Wait until Ramp acknowledges the request (default: ${DEFAULT-VALUE}); --wait=false only requests it.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait for the acknowledgement (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /** The action's verb, one of {@link RolloutActions}'s. */
    abstract String verb();

    /** The phases in which the action makes sense. */
    abstract Set<Phase> phases();

    /** When the action applies, for the refusal's message: "while a release runs". */
    abstract String applies();

    @Override
    public Integer call() throws InterruptedException {
        Rollouts rollouts = new Rollouts(ramp.cluster());
        ReleaseView view = new ReleaseView(rollouts.get(name));
        if (!phases().contains(view.phase())) {
            throw CliException.refused("cannot " + verb() + " rollout \"" + name + "\": its phase is "
                    + view.phaseName() + "; " + verb() + " applies " + applies() + " (phase "
                    + phases().stream().map(Phase::name).collect(Collectors.joining(", ")) + ")");
        }
        String request = verb() + "/" + ramp.clock().millis();
        PrintWriter out = ramp.out();
        try (RolloutFeed feed = await ? RolloutFeed.open(rollouts.client(), rollouts.namespace(), name, ramp.clock()) : null) {
            rollouts.annotate(name, RolloutActions.ANNOTATION, request);
            out.println(verb() + " requested for rollout " + name + " (" + RolloutActions.ANNOTATION + "=" + request + ")");
            out.flush();
            if (feed == null) {
                return ExitCodes.OK;
            }
            Rollout done = acknowledged(feed, request);
            out.println("Ramp carried out " + verb() + ": rollout " + name + " is " + new ReleaseView(done).phaseName());
            return ExitCodes.OK;
        }
    }

    private Rollout acknowledged(RolloutFeed feed, String request) throws InterruptedException {
        Instant deadline = ramp.clock().instant().plus(timeout);
        while (true) {
            Rollout rollout = feed.next(deadline);
            if (rollout == null) {
                throw new CliException(ExitCodes.TIMED_OUT, "Ramp has not acknowledged " + request + " within "
                        + Texts.duration(timeout) + ": is the operator running? The request stays on the Rollout"
                        + " and Ramp carries it out when it next sees it");
            }
            if (rollout.getStatus() != null && Objects.equals(request, rollout.getStatus().getLastAction())) {
                return rollout;
            }
        }
    }
}
