package dev.ramp.analysis;

/** A query that produced no value: refused by the provider, or the provider could not be reached. */
public class MetricQueryException extends Exception {

    /** Why the query failed; decides whether retrying can help. */
    public enum Kind {
        /** The provider answered and refused the query; the message quotes it. Retrying will not help. */
        REJECTED,
        /** The operator's egress policy does not allow connecting to the provider's address. */
        DENIED,
        /** The provider could not be reached or answered with a server error. */
        UNAVAILABLE
    }

    private final Kind kind;

    public MetricQueryException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
