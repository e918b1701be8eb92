/** What Parley's Cassandra stores share: driver sessions, schema migrations, replication settings, error mapping. */
package dev.parley.cassandra;
