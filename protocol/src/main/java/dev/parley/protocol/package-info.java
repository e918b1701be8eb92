/**
 * Parley's public wire contract (v1): the WebSocket frames as sealed interfaces of records, the error codes,
 * the close codes and the JSON codec shared by the server and the Java SDK. See {@code docs/protocol.md}.
 */
package dev.parley.protocol;
