package dev.ramp.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import javax.net.ssl.SSLException;

/** Turns the client's exceptions into one line a user can act on. */
final class ApiErrors {

    private ApiErrors() {
    }

    static CliException describe(KubernetesClientException e, String server) {
        if (e.getCode() <= 0) {
            return new CliException(ExitCodes.USAGE, "cannot reach the Kubernetes API server at " + server
                    + ": " + rootCause(e), e);
        }
        String message = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage() : e.getMessage();
        return new CliException(ExitCodes.USAGE, "the API server answered " + e.getCode() + ": " + message, e);
    }

    /** The JDK's HTTP client leaves most messages empty; say what the exception means. */
    private static String rootCause(Throwable e) {
        String message = null;
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) {
                return "connection timed out";
            }
            if (t instanceof ConnectException) {
                return t.getMessage() == null ? "connection refused" : t.getMessage();
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof SSLException) {
                return "TLS failed: " + t.getMessage();
            }
            if (message == null && t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return message != null ? message : e.getMessage();
    }
}
