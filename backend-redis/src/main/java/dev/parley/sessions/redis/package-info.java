/**
 * The session registry and presence notifications in Redis ({@code sessions.type: redis}): one hash per user, one
 * field per connection with its expiry time, refreshed by the node that holds the connection; presence changes on
 * one pub/sub channel.
 */
package dev.parley.sessions.redis;
