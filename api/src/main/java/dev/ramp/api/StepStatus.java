package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Where a release stands in its plan: the traffic step it holds and its clock. Replaced as a
 * whole when the release moves to the next step, so nothing of one step leaks into the next.
 * Times are {@link Timestamps}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class StepStatus {

    @JsonPropertyDescription("Index of the traffic step the release holds, from 0; absent before the first step, while the confirm-rollout and pre-rollout webhooks are asked and the canary has no traffic.")
    private Integer index;

    @JsonPropertyDescription("When the release reached this step (RFC 3339); the step is held for analysis.interval from here.")
    private String startedAt;

    @JsonPropertyDescription("When the last check at this step ran (RFC 3339); the next is paced from here. Absent until the step's first check.")
    private String lastCheckAt;

    @JsonPropertyDescription("When the step's rollout webhooks (e.g. load tests) answered 2xx (RFC 3339); absent until they do, and the step is not left before.")
    private String hooksPassedAt;

    @JsonPropertyDescription("A StatefulSet behind a router: when the step's pods were first seen on the revision and ready (RFC 3339); the route gives the canary the step's weight a few seconds later, once the data plane has their endpoints, and the step's hold counts from then.")
    private String readySince;

    public StepStatus() {
    }

    /** A step begun at {@code startedAt}, with no check yet. */
    public StepStatus(Integer index, String startedAt) {
        this.index = index;
        this.startedAt = startedAt;
    }

    public Integer getIndex() {
        return index;
    }

    public void setIndex(Integer index) {
        this.index = index;
    }

    public String getStartedAt() {
        return startedAt;
    }

    public void setStartedAt(String startedAt) {
        this.startedAt = startedAt;
    }

    public String getLastCheckAt() {
        return lastCheckAt;
    }

    public void setLastCheckAt(String lastCheckAt) {
        this.lastCheckAt = lastCheckAt;
    }

    public String getReadySince() {
        return readySince;
    }

    public void setReadySince(String readySince) {
        this.readySince = readySince;
    }

    public String getHooksPassedAt() {
        return hooksPassedAt;
    }

    public void setHooksPassedAt(String hooksPassedAt) {
        this.hooksPassedAt = hooksPassedAt;
    }
}
