package dev.parley.core;

import java.time.Clock;

/** What the server hands every backend: its node id, clock and id generator. */
public record Resources(int nodeId, Clock clock, IdGenerator ids) {
    public static Resources of(int nodeId, Clock clock) {
        return new Resources(nodeId, clock, new IdGenerator(nodeId, clock));
    }
}
