/** Helpers shared by the contract suites of {@code testkit} (and usable by backend tests): races, probes. */
package dev.parley.testkit;
