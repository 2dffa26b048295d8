package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** Whether and how Ramp reverts a failed release's commit in Git. */
@ValidationRule(value = "!self.enabled || has(self.sourceRef)",
        message = "gitRevert.enabled requires gitRevert.sourceRef", reason = "FieldValueRequired")
public class GitRevertSpec {

    /** Where the revert goes. */
    public enum Mode {
        /** Push the revert commit to the GitSource's branch. */
        Push,
        /** Push the revert to a new branch ramp/revert-ROLLOUT-SHA for review. */
        Branch
    }

    @Default("false")
    @JsonPropertyDescription("Revert the failed release's commit(s) in Git after a rollback.")
    private boolean enabled;

    @JsonPropertyDescription("The GitSource, in the Rollout's namespace, that declares the target.")
    private LocalObjectRef sourceRef;

    @Default("Push")
    @JsonPropertyDescription("Push: commit the revert to the GitSource's branch. Branch: push it to ramp/revert-<rollout>-<short-sha> for review.")
    private Mode mode = Mode.Push;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public LocalObjectRef getSourceRef() {
        return sourceRef;
    }

    public void setSourceRef(LocalObjectRef sourceRef) {
        this.sourceRef = sourceRef;
    }

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }
}
