package dev.ramp.git;

/**
 * How much YAML one GitSource may hand Ramp: per file, and for all files of a commit together.
 * Sizes are checked on Git's object header before a file is read, so an oversized blob is never
 * loaded into memory.
 *
 * @param maxFileBytes the largest manifest file read
 * @param maxTotalBytes the most bytes of manifests read for one commit
 */
public record ManifestLimits(long maxFileBytes, long maxTotalBytes) {

    /** The reason of a commit refused for its size. */
    public static final String TOO_LARGE = "ManifestTooLarge";
    /** 1 MiB: the API server refuses larger requests anyway. */
    public static final long DEFAULT_FILE_BYTES = 1024 * 1024;
    public static final long DEFAULT_TOTAL_BYTES = 32L * 1024 * 1024;
    public static final ManifestLimits DEFAULT = new ManifestLimits(DEFAULT_FILE_BYTES, DEFAULT_TOTAL_BYTES);

    public ManifestLimits {
        if (maxFileBytes <= 0 || maxTotalBytes <= 0) {
            throw new IllegalArgumentException("manifest limits must be positive: " + maxFileBytes + ", " + maxTotalBytes);
        }
    }

    /** Refuses a file of {@code size} bytes once {@code readSoFar} bytes were read; returns the new total. */
    long admit(String file, long size, long readSoFar) throws GitSourceException {
        if (size > maxFileBytes) {
            throw GitSourceException.userError(TOO_LARGE, file + " is " + size + " bytes, more than the limit of "
                    + maxFileBytes + " bytes per manifest file (operator setting ramp.git.max-file-bytes)");
        }
        if (readSoFar + size > maxTotalBytes) {
            throw GitSourceException.userError(TOO_LARGE, "the manifests up to " + file + " are " + (readSoFar + size)
                    + " bytes, more than the limit of " + maxTotalBytes
                    + " bytes for one commit (operator setting ramp.git.max-total-bytes)");
        }
        return readSoFar + size;
    }
}
