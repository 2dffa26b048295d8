package dev.ramp.cli.testing;

import dev.ramp.cli.Ramp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

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
}
