/**
 * Implementation details of the Java SDK (HTTP plumbing, JSON mapping, the outbound send queue, the inbox).
 * Not a public API: anything here may change without notice.
 */
package dev.parley.client.internal;
