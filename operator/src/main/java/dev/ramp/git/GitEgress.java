package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.EgressPolicy.NameLookup;
import dev.ramp.egress.Redaction;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.transport.URIish;

/**
 * The operator's egress policy applied to a GitSource's remote, just before a fetch or push: its
 * host is looked up once and every address checked. A URL whose host is a metadata endpoint or
 * resolves into a denied range is refused as a user error (condition reason {@code EgressDenied}),
 * and nothing is sent to it; otherwise the transfer connects to the addresses checked here and
 * never looks the name up again.
 */
final class GitEgress {

    /** Where a transfer may connect: {@code host}, at exactly these addresses (none: it did not resolve). */
    record Destination(String host, List<InetAddress> addresses) {

        /** Whether {@code name}, as a client names a host (brackets, case, a final dot), is this one. */
        boolean is(String name) {
            return normal(name).equals(normal(host));
        }

        static String normal(String name) {
            String bare = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
            bare = bare.endsWith(".") ? bare.substring(0, bare.length() - 1) : bare;
            return bare.toLowerCase(Locale.ROOT);
        }
    }

    private GitEgress() {
    }

    static Destination resolve(EgressPolicy egress, NameLookup lookup, GitSource source) throws GitSourceException {
        String url = source.getSpec().getUrl();
        String host;
        try {
            host = new URIish(url).getHost();
        } catch (URISyntaxException e) {
            throw GitSourceException.userError("InvalidURL", "cannot use " + Redaction.url(url) + " (spec.url): "
                    + Redaction.shortened(e.getMessage(), GitMirror.MAX_REMOTE_MESSAGE));
        }
        if (host == null || host.isEmpty()) {
            throw GitSourceException.userError("InvalidURL", "cannot use " + Redaction.url(url)
                    + " (spec.url): it names no host");
        }
        EgressPolicy.Resolution resolution = egress.resolve(host, lookup);
        if (resolution.refusal().isPresent()) {
            throw GitSourceException.userError(GitSourceReasons.EGRESS_DENIED, "not connecting to " + Redaction.url(url)
                    + ": " + resolution.refusal().get());
        }
        return new Destination(host, resolution.addresses());
    }
}
