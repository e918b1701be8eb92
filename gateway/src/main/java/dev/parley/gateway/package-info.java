/**
 * The network front on Netty: one port serving the REST API ({@link dev.parley.gateway.RestHandler}) and the
 * WebSocket endpoint {@code /v1/ws} ({@link dev.parley.gateway.WebSocketHandler}). Blocking work (directory and
 * store reads, password hashing) runs on virtual threads, never on the event loop.
 */
package dev.parley.gateway;
