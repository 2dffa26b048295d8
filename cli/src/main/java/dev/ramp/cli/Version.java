package dev.ramp.cli;

import picocli.CommandLine.IVersionProvider;

/** The version in the jar's manifest, as {@code ramp --version} prints it. */
public final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"ramp " + (version == null ? "(development build)" : version)};
    }
}
