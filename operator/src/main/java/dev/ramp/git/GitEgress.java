package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.Redaction;

/**
 * The operator's egress policy applied to a GitSource's remote, just before a fetch or push, as a
 * tenant's URL of the GitSource's namespace: a URL whose host is a metadata endpoint or resolves
 * into a denied range, or to loopback, link-local, the cluster's ranges or the operator's own
 * address without the namespace being allowed it, is refused as a user error (condition reason
 * {@code EgressDenied}, naming spec.url), and nothing is sent to it.
 */
final class GitEgress {

    private GitEgress() {
    }

    static void check(EgressPolicy egress, GitSource source) throws GitSourceException {
        String url = source.getSpec().getUrl();
        var refused = egress.forNamespace(source.getMetadata().getNamespace()).refusalForGitUrl(url);
        if (refused.isPresent()) {
            throw GitSourceException.userError(GitSourceReasons.EGRESS_DENIED, "not connecting to " + Redaction.url(url)
                    + " (spec.url): " + refused.get());
        }
    }
}
