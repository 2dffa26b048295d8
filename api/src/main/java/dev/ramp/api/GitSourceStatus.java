package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What a GitSource last applied and whether the cluster matches it. */
public class GitSourceStatus {

    @JsonPropertyDescription("The commit whose manifests are applied.")
    private String lastAppliedCommit;

    @JsonPropertyDescription("The last commit Ramp tried to apply; differs from lastAppliedCommit when it was refused.")
    private String lastAttemptedCommit;

    @JsonPropertyDescription("Objects this GitSource applied, as apiVersion/kind/namespace/name; what prune deletes from.")
    private List<String> inventory = new ArrayList<>();

    @JsonPropertyDescription("The generation of the spec this status reflects.")
    private Long observedGeneration;

    @JsonPropertyDescription("Syncs in a row that failed for a reason of the moment (Git or the API server unreachable,"
            + " busy or in conflict); sets the backoff before the next try. 0 after a sync that finished.")
    private Integer failures;

    @JsonPropertyDescription("The last sync request (annotation ramp.dev/sync-requested, set by a push webhook) a sync"
            + " was run for; a request is acted on once.")
    private String lastHandledSyncRequest;

    @JsonPropertyDescription("Ready, Drifted and Stalled conditions.")
    private List<Condition> conditions = new ArrayList<>();

    public String getLastAppliedCommit() {
        return lastAppliedCommit;
    }

    public void setLastAppliedCommit(String lastAppliedCommit) {
        this.lastAppliedCommit = lastAppliedCommit;
    }

    public String getLastAttemptedCommit() {
        return lastAttemptedCommit;
    }

    public void setLastAttemptedCommit(String lastAttemptedCommit) {
        this.lastAttemptedCommit = lastAttemptedCommit;
    }

    public List<String> getInventory() {
        return inventory;
    }

    public void setInventory(List<String> inventory) {
        this.inventory = inventory;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Integer getFailures() {
        return failures;
    }

    public void setFailures(Integer failures) {
        this.failures = failures;
    }

    public String getLastHandledSyncRequest() {
        return lastHandledSyncRequest;
    }

    public void setLastHandledSyncRequest(String lastHandledSyncRequest) {
        this.lastHandledSyncRequest = lastHandledSyncRequest;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
