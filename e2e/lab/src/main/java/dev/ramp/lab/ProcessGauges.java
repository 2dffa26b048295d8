package dev.ramp.lab;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the operator's JVM costs, sampled every second while a benchmark runs: its resident memory
 * and CPU time from {@code /proc/<pid>} (what a container's limit and a node's CPU see), and its
 * heap in use from its own {@code /q/metrics} ({@code jvm_memory_used_bytes{area="heap"}}). A
 * process that is no JVM of Ramp's (Flagger, in the scale benchmark) is given no metrics address:
 * its heap is NaN, its RSS and CPU time are sampled as Ramp's are.
 */
final class ProcessGauges implements AutoCloseable {

    /** One sample: when (seconds since the gauges started), RSS and heap in MiB, CPU seconds so far. */
    record Sample(double at, double rssMiB, double heapMiB, double cpuSeconds) {
    }

    /** Linux's USER_HZ, the unit of utime and stime in /proc/PID/stat. */
    private static final double TICKS_PER_SECOND = 100;

    private final long pid;
    private final String metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final long begin = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    /** {@code metricsAddress}: the operator's management address, serving {@code /q/metrics}; null: no heap. */
    ProcessGauges(long pid, String metricsAddress) {
        this.pid = pid;
        this.metrics = metricsAddress == null ? null : metricsAddress + "/q/metrics";
        timer.scheduleWithFixedDelay(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            Sample sample = new Sample((System.nanoTime() - begin) / 1e9, rssMiB(), heapMiB(), cpuSeconds());
            synchronized (samples) {
                samples.add(sample);
            }
        } catch (IOException | RuntimeException e) {
            // The process is gone or its metrics did not answer within the second: no sample.
        }
    }

    /** The latest sample (taken now if none yet). */
    Sample now() {
        sample();
        synchronized (samples) {
            return samples.get(samples.size() - 1);
        }
    }

    /** The samples taken from {@code from} (seconds since the gauges started) on. */
    List<Sample> since(double from) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.at() >= from).toList();
        }
    }

    double secondsSinceStart() {
        return (System.nanoTime() - begin) / 1e9;
    }

    private double rssMiB() throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Double.parseDouble(l.replaceAll("[^0-9]", "")) / 1024).findFirst()
                .orElseThrow(() -> new IOException("no VmRSS for " + pid));
    }

    private double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // Fields after the command name (in parentheses, which may hold spaces): utime is the 14th
        // field of the line, stime the 15th.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    private double heapMiB() throws IOException {
        if (metrics == null) {
            return Double.NaN;
        }
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create(metrics)).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum() / (1024 * 1024);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
