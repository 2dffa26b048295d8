package dev.ramp.work;

/**
 * How soon a task on {@link OutsideWork} should start, as its caller decides it: an urgent task
 * goes ahead of the routine ones waiting with it (a check that may roll a canary back, a rollback
 * hook, a Git revert), a routine one keeps its turn in submission order.
 */
public enum Priority {
    /** Work that may wait its turn: most checks, gates, syncs and notifications. */
    ROUTINE,
    /** Work a rollback waits for: it starts before routine work that has not waited too long. */
    URGENT
}
