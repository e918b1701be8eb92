/** Set-up shared by the Redis backends: configuration, client options, refresh thread, reconnect hook. */
package dev.parley.redis;
