package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The canary revision's request counters (all its series summed, as the mesh's telemetry reports
 * them) that a failed check was judged on. The next failed check counts toward the threshold only
 * with evidence this one did not have ({@link #isNewerThan}), so one burst of errors, still in view
 * of several overlapping windows, is counted once.
 */
public class CanaryEvidence {

    @JsonPropertyDescription("The canary revision's requests counted so far (the counter, not a rate).")
    private Double requests;

    @JsonPropertyDescription("The canary revision's requests answered 5xx so far.")
    private Double errors;

    public CanaryEvidence() {
    }

    public CanaryEvidence(Double requests, Double errors) {
        this.requests = requests;
        this.errors = errors;
    }

    /**
     * Whether these counters show what {@code previous} did not: more failed requests when the
     * failure is one of errors ({@code errorsFailed}), else more requests. With no previous
     * evidence, anything is new.
     */
    public boolean isNewerThan(CanaryEvidence previous, boolean errorsFailed) {
        if (previous == null) {
            return true;
        }
        return errorsFailed ? grew(errors, previous.errors) : grew(requests, previous.requests);
    }

    private static boolean grew(Double now, Double before) {
        return now != null && (before == null || now > before);
    }

    public Double getRequests() {
        return requests;
    }

    public void setRequests(Double requests) {
        this.requests = requests;
    }

    public Double getErrors() {
        return errors;
    }

    public void setErrors(Double errors) {
        this.errors = errors;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanaryEvidence other && Objects.equals(requests, other.requests) && Objects.equals(errors, other.errors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requests, errors);
    }

    @Override
    public String toString() {
        return "requests " + requests + ", errors " + errors;
    }
}
