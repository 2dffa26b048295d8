package dev.ramp.api;

/**
 * Text from other people's objects (a Gateway controller's reason and message, a GatewayClass's
 * name) as Ramp quotes it, in a condition or on a terminal: cut to a length and freed of control
 * characters. One rule for the operator and the CLI.
 */
public final class ForeignText {

    private ForeignText() {
    }

    /** {@code text} cut to {@code max} characters (with {@code …} when it was longer), control characters as spaces; "" for null. */
    public static String quote(String text, int max) {
        String value = text == null ? "" : text.length() <= max ? text : text.substring(0, max) + "…";
        return value.replaceAll("\\p{Cntrl}", " ");
    }
}
