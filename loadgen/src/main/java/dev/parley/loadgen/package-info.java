/** Benchmarks that drive a real Parley server over loopback through the Java SDK. Bounded in count and time. */
package dev.parley.loadgen;
