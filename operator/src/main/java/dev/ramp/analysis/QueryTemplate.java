package dev.ramp.analysis;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the {{ variable }} placeholders of a PromQL query so that no value can change the
 * query's structure. Where a placeholder stands inside a string literal ("…" or '…'), its value
 * is escaped for that literal; inside a raw `…` literal, which has no escapes, a value holding a
 * backtick is refused. Anywhere else (a range, a number, a metric name) a value may only hold
 * letters, digits, '_', '.' and ':'. A refused value names its variable.
 */
public final class QueryTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");
    private static final Pattern BARE_VALUE = Pattern.compile("[A-Za-z0-9_.:]+");

    private QueryTemplate() {
    }

    /** @throws IllegalArgumentException naming the first variable that has no value, or a value the query cannot take */
    public static String render(String query, Map<String, String> variables) {
        Matcher m = PLACEHOLDER.matcher(query);
        StringBuilder out = new StringBuilder();
        Lexer lexer = new Lexer(query);
        while (m.find()) {
            String name = m.group(1);
            String value = variables.get(name);
            if (value == null) {
                throw new IllegalArgumentException("unknown variable {{ " + name + " }} in the query");
            }
            char quote = lexer.quoteAt(m.start());
            m.appendReplacement(out, Matcher.quoteReplacement(inContext(name, value, quote)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether the query uses the placeholder {@code {{ variable }}} anywhere but in a comment. */
    public static boolean uses(String query, String variable) {
        Matcher m = PLACEHOLDER.matcher(query);
        Lexer lexer = new Lexer(query);
        while (m.find()) {
            lexer.quoteAt(m.start());
            if (variable.equals(m.group(1)) && !lexer.comment) {
                return true;
            }
        }
        return false;
    }

    private static String inContext(String name, String value, char quote) {
        switch (quote) {
            case '"', '\'' -> {
                return escape(value, quote);
            }
            case '`' -> {
                if (value.indexOf('`') >= 0) {
                    throw new IllegalArgumentException("variable {{ " + name + " }} holds a backtick, which the raw string"
                            + " `…` it stands in cannot hold");
                }
                return value;
            }
            default -> {
                if (!BARE_VALUE.matcher(value).matches()) {
                    throw new IllegalArgumentException("variable {{ " + name + " }} stands outside quotes in the query, where"
                            + " its value may only hold letters, digits, '_', '.' and ':'; put the placeholder in a"
                            + " quoted string, or change the value");
                }
                return value;
            }
        }
    }

    /** The value as the inside of a PromQL string literal quoted with {@code quote} (Go's escapes). */
    static String escape(String value, char quote) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Tracks, through the template's text, whether a position is inside a string literal or a comment. */
    private static final class Lexer {
        private final String text;
        private int position;
        private char quote;
        private boolean comment;

        Lexer(String text) {
            this.text = text;
        }

        /** The quote of the literal {@code at} lies in, or 0 outside any; called with increasing positions. */
        char quoteAt(int at) {
            while (position < at) {
                char c = text.charAt(position);
                if (comment) {
                    comment = c != '\n';
                } else if (quote == 0) {
                    if (c == '"' || c == '\'' || c == '`') {
                        quote = c;
                    } else if (c == '#') {
                        comment = true;
                    }
                } else if (c == '\\' && quote != '`') {
                    position++;
                } else if (c == quote) {
                    quote = 0;
                }
                position++;
            }
            return quote;
        }
    }
}
