package dev.parley.sessions;

class InMemorySessionRegistryTest extends SessionRegistryContract {
    @Override
    protected SessionRegistry newRegistry() {
        return new InMemorySessionRegistry();
    }
}
