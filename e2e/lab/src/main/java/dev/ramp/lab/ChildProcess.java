package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One program the lab started, logging to {@code <dir>/<name>.log}. Its PID is appended to
 * {@code <dir>/pids}, so a script that outlives a killed lab stops exactly what the lab started.
 */
final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Path log;
    private final Process process;

    private ChildProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static ChildProcess start(Path dir, String name, List<String> command, Map<String, String> env) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        Files.writeString(dir.resolve("pids"), process.pid() + " " + name + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new ChildProcess(name, log, process);
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** SIGKILL, as when a node dies: nothing gets to clean up. */
    void kill() {
        process.destroyForcibly();
        waitFor(10);
    }

    /** SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!waitFor(10)) {
            process.destroyForcibly();
            waitFor(5);
        }
    }

    private boolean waitFor(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
