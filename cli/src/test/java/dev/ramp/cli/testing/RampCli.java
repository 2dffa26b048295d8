package dev.ramp.cli.testing;

import dev.ramp.cli.Ramp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs {@code ramp} in-process against the test cluster, capturing its output and exit code. */
public final class RampCli {

    /** What one command line did. */
    public record Result(int exitCode, String out, String err) {

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path kubeconfig;
    private final String namespace;

    public RampCli(Path kubeconfig, String namespace) {
        this.kubeconfig = kubeconfig;
        this.namespace = namespace;
    }

    /** {@code ramp ARGS --kubeconfig <test cluster> -n <namespace>}. */
    public Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kubeconfig", kubeconfig.toString(), "-n", namespace));
        return exec(all.toArray(String[]::new));
    }

    /** {@code ramp ARGS} exactly as given. */
    public static Result exec(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Ramp.execute(Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Starts {@code ramp ARGS} on a thread of its own, so that a test can act on what it has
     * printed so far (e.g. change the Rollout only once {@code watch} has shown its state).
     */
    public Running start(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kubeconfig", kubeconfig.toString(), "-n", namespace));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> Ramp.execute(Clock.systemUTC(),
                new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new)));
        return new Running(code, out, err);
    }

    /** A command still running; its output so far is readable at any time (StringWriter is synchronized). */
    public record Running(CompletableFuture<Integer> code, StringWriter out, StringWriter err) {

        /** How many whole lines it has printed so far. */
        public int linesShown() {
            return (int) out.toString().chars().filter(c -> c == '\n').count();
        }

        /** Waits for the command to end (bounded by the test's own timeout) and returns what it did. */
        public Result result() {
            int exit = code.join();
            return new Result(exit, out.toString(), err.toString());
        }
    }
}
