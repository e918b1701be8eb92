/**
 * Parley's Java SDK: {@link dev.parley.client.ParleyClient} for the REST calls of protocol v1 and
 * {@link dev.parley.client.ParleyConnection} for the {@code /v1/ws} WebSocket, with helpers for tests
 * ({@code await*}, {@link dev.parley.client.MessageTracker}, raw requests and frames). Only the JDK and
 * {@code parley-protocol} are needed; frames are the records of {@link dev.parley.protocol.ServerFrame} and
 * {@link dev.parley.protocol.ClientFrame}.
 */
package dev.parley.client;
