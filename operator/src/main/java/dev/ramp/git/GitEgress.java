package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.InClusterAllowList;
import dev.ramp.egress.Redaction;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.transport.URIish;

/**
 * The operator's egress policy applied to a GitSource's remote, just before a fetch or push, as a
 * tenant's URL of the GitSource's namespace: its host is looked up once and every address checked.
 * A URL whose host is a metadata endpoint or resolves into a denied range, or to loopback,
 * link-local, the cluster's ranges or the operator's own address without the namespace being
 * allowed it, is refused as a user error (condition reason {@code EgressDenied}, naming spec.url),
 * and nothing is sent to it; otherwise the transfer connects to the addresses checked here and
 * never looks the name up again.
 */
final class GitEgress {

    /**
     * Where a transfer may connect: {@code host} on {@code port}, at exactly these addresses (none:
     * it did not resolve), under {@code egress}, the policy of the GitSource's namespace.
     */
    record Destination(String host, int port, List<InetAddress> addresses, EgressPolicy egress) {

        /** Whether {@code name}, as a client names a host (brackets, case, a final dot), is this one. */
        boolean is(String name) {
            return InClusterAllowList.normal(name).equals(InClusterAllowList.normal(host));
        }

        /** Why a connection to this destination that reached {@code peer} (sshd's own lookup) may not go on, or empty. */
        Optional<String> refusal(InetAddress peer) {
            return egress.refusal(host, port, peer);
        }
    }

    private GitEgress() {
    }

    static Destination resolve(EgressPolicy egress, GitSource source) throws GitSourceException {
        String url = source.getSpec().getUrl();
        URIish uri;
        try {
            uri = new URIish(url);
        } catch (URISyntaxException e) {
            throw GitSourceException.userError(GitSourceReasons.INVALID_URL, "cannot use " + Redaction.url(url) + " (spec.url): "
                    + Redaction.shortened(e.getMessage(), GitMirror.MAX_REMOTE_MESSAGE));
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw GitSourceException.userError(GitSourceReasons.INVALID_URL, "cannot use " + Redaction.url(url)
                    + " (spec.url): it names no host");
        }
        // scp-like user@host:path has no scheme: ssh.
        int port = EgressPolicy.port(uri.getScheme() == null ? "ssh" : uri.getScheme(), uri.getPort());
        EgressPolicy tenant = egress.forNamespace(source.getMetadata().getNamespace());
        EgressPolicy.Resolution resolution = tenant.resolve(host, port);
        if (resolution.refusal().isPresent()) {
            throw GitSourceException.userError(GitSourceReasons.EGRESS_DENIED, "not connecting to " + Redaction.url(url)
                    + " (spec.url): " + resolution.refusal().get());
        }
        return new Destination(host, port, resolution.addresses(), tenant);
    }
}
