package dev.ramp.work;

/**
 * A question to the outside world, as a value: two equal questions are the same question, so
 * its answer is asked once and serves both. Its {@link #subject()} is what it is about (a hook of
 * a Rollout, a GitSource's branch): one question per subject is asked at a time, and a newer
 * question about a subject replaces an older one, whose answer is then never used.
 */
public interface Question {

    /** The namespace whose share of {@link OutsideWork} the question uses. */
    String namespace();

    /** What the question is about; a question's identity without the round it belongs to. */
    Object subject();
}
