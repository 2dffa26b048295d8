package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where a GitSource's manifests live and how Ramp keeps the cluster in step with them. */
public class GitSourceSpec {

    @Required
    @Pattern("^(https?|ssh)://.+|^[A-Za-z0-9._-]+@[^:]+:.+")
    @Size(max = 2048)
    @ValidationRule(value = "!self.matches('^https?://[^/?#]*@') && !self.matches('^ssh://[^/?#@]*:[^/?#@]*@')",
            message = "url must not carry credentials (https://user:token@host, ssh://user:password@host); put them in the Secret named by secretRef")
    @JsonPropertyDescription("Repository URL: https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git, without credentials (those go in secretRef).")
    private String url;

    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("ServiceAccount of this namespace that the dry run, apply, drift check and prune run as"
            + " (Kubernetes impersonation), so its RBAC decides what the repository may change. Defaults to the"
            + " operator's ramp.sync.default-service-account; with neither, only namespaced objects of this"
            + " namespace may be applied.")
    private String serviceAccountName;

    @Default("main")
    @Pattern("^[^\\s~^:?*\\[\\\\]+$")
    @JsonPropertyDescription("Branch to sync, and where reverts are pushed.")
    private String branch = "main";

    @Default(".")
    @ValidationRule(value = "!self.startsWith('/') && !self.contains('..')", message = "path must be relative to the repository root and must not contain ..")
    @JsonPropertyDescription("Directory in the repository, read recursively; every .yaml/.yml file in it is applied (multi-document YAML allowed).")
    private String path = ".";

    @Default("1m")
    @Pattern(AnalysisSpec.DURATION)
    @ValidationRule(value = "duration(self) >= duration('5s')", message = "interval must be at least 5s")
    @JsonPropertyDescription("How often the branch is polled, e.g. 1m; a push webhook syncs at once.")
    private String interval = "1m";

    @JsonPropertyDescription("Secret with username and password (or token) for https, or identity and known_hosts for ssh.")
    private LocalObjectRef secretRef;

    @JsonPropertyDescription("Secret whose key 'secret' is the HMAC key that push webhooks are signed with.")
    private LocalObjectRef webhookSecretRef;

    @Default("true")
    @JsonPropertyDescription("Delete objects this GitSource applied that have since left Git.")
    private boolean prune = true;

    @Default("true")
    @JsonPropertyDescription("Undo changes made to managed objects in the cluster but not in Git.")
    private boolean selfHeal = true;

    @Default("false")
    @JsonPropertyDescription("Stop syncing while true; nothing is applied, pruned or healed.")
    private boolean suspend;

    @JsonPropertyDescription("Author of the revert commits Ramp pushes; defaults to Ramp <ramp@localhost>.")
    private GitAuthor revertAuthor;

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getServiceAccountName() {
        return serviceAccountName;
    }

    public void setServiceAccountName(String serviceAccountName) {
        this.serviceAccountName = serviceAccountName;
    }

    public String getBranch() {
        return branch;
    }

    public void setBranch(String branch) {
        this.branch = branch;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public LocalObjectRef getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(LocalObjectRef secretRef) {
        this.secretRef = secretRef;
    }

    public LocalObjectRef getWebhookSecretRef() {
        return webhookSecretRef;
    }

    public void setWebhookSecretRef(LocalObjectRef webhookSecretRef) {
        this.webhookSecretRef = webhookSecretRef;
    }

    public boolean isPrune() {
        return prune;
    }

    public void setPrune(boolean prune) {
        this.prune = prune;
    }

    public boolean isSelfHeal() {
        return selfHeal;
    }

    public void setSelfHeal(boolean selfHeal) {
        this.selfHeal = selfHeal;
    }

    public boolean isSuspend() {
        return suspend;
    }

    public void setSuspend(boolean suspend) {
        this.suspend = suspend;
    }

    public GitAuthor getRevertAuthor() {
        return revertAuthor;
    }

    public void setRevertAuthor(GitAuthor revertAuthor) {
        this.revertAuthor = revertAuthor;
    }
}
