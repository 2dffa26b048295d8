package dev.ramp.api;

/** How a release reaches users. */
public enum Strategy {
    /** Traffic moves to the new version in weighted steps. */
    Canary,
    /** The new version is checked without live traffic, then takes all of it at once. */
    BlueGreen,
    /** Only requests that match headers, cookies or URI go to the new version. */
    ABTest
}
