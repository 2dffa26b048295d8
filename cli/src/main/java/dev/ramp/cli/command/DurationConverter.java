package dev.ramp.cli.command;

import dev.ramp.api.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as kubectl and Ramp's API write them (500ms, 30s, 5m, 1h30m), and 0 for none. */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        if ("0".equals(value)) {
            return Duration.ZERO;
        }
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a duration such as 30s, 5m or 1h30m");
        }
    }
}
