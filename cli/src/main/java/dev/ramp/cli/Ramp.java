package dev.ramp.cli;

import dev.ramp.cli.command.AbortCommand;
import dev.ramp.cli.command.GetCommand;
import dev.ramp.cli.command.PauseCommand;
import dev.ramp.cli.command.PromoteCommand;
import dev.ramp.cli.command.ResumeCommand;
import dev.ramp.cli.command.RetryCommand;
import dev.ramp.cli.command.StatusCommand;
import dev.ramp.cli.command.WatchCommand;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code ramp} command (also {@code kubectl ramp}): shows Rollouts and steers their
 * releases. Owns the options every subcommand shares, the connection to the cluster, the
 * clock and the output streams, so that a test can run it in-process.
 */
@Command(name = "ramp", mixinStandardHelpOptions = true, versionProvider = Version.class, scope = ScopeType.INHERIT,
        description = "See and steer Ramp's progressive releases. Also runs as 'kubectl ramp'.",
        subcommands = {GetCommand.class, StatusCommand.class, WatchCommand.class, PromoteCommand.class,
                AbortCommand.class, RetryCommand.class, PauseCommand.class, ResumeCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:OK; watch: the release succeeded",
                "1:watch: the release failed",
                "2:usage error, unusable kubeconfig, unreachable cluster or API error",
                "3:gave up waiting: action not acknowledged in time, or watch --timeout",
                "4:the Rollout does not exist, or its phase does not allow the command"})
public final class Ramp implements Callable<Integer> {

    @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT, paramLabel = "NAMESPACE",
            description = "Namespace of the Rollout; default: the context's, else default.")
    String namespace;

    @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "CONTEXT",
            description = "kubeconfig context to use; default: the current context.")
    String context;

    @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "kubeconfig file; default: $KUBECONFIG, else ~/.kube/config.")
    Path kubeconfig;

    @Spec
    CommandSpec spec;

    private final Clock clock;
    private final PrintWriter out;
    private final PrintWriter err;
    private Cluster cluster;

    Ramp(Clock clock, PrintWriter out, PrintWriter err) {
        this.clock = clock;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(execute(Clock.systemUTC(), out, err, args));
    }

    /** Runs one command line and returns its exit code; never calls System.exit. */
    public static int execute(Clock clock, PrintWriter out, PrintWriter err, String... args) {
        Ramp ramp = new Ramp(clock, out, err);
        try {
            return new CommandLine(ramp)
                    .setOut(out).setErr(err)
                    .setCaseInsensitiveEnumValuesAllowed(true)
                    .setExecutionExceptionHandler((e, commandLine, parseResult) -> ramp.report(e))
                    .execute(args);
        } finally {
            ramp.close();
            out.flush();
            err.flush();
        }
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return ExitCodes.USAGE;
    }

    /** The cluster, connected on first use so that --help needs no kubeconfig. */
    public Cluster cluster() {
        if (cluster == null) {
            cluster = Cluster.connect(kubeconfig, context, namespace);
        }
        return cluster;
    }

    public Clock clock() {
        return clock;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    private int report(Exception e) {
        CliException failure = e instanceof CliException c ? c
                : e instanceof KubernetesClientException k ? ApiErrors.describe(k, server())
                : new CliException(ExitCodes.USAGE, "unexpected error: " + e, e);
        err.println("error: " + failure.getMessage());
        return failure.exitCode();
    }

    private String server() {
        return cluster == null ? "(unknown)" : cluster.client().getConfiguration().getMasterUrl();
    }

    private void close() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
