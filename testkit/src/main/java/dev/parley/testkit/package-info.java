/**
 * Helpers shared by the contract suites of {@code testkit} (and usable by backend tests): races, probes, and the real
 * servers that tests run against (S3Proxy, one Apache Cassandra and one Kafka broker per run, a mock APNs).
 */
package dev.parley.testkit;
