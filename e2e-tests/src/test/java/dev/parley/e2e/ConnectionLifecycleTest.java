package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Heartbeats and idle closes; a device revoked while messages stream to it. */
class ConnectionLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void silentConnectionsAreClosedPingingOnesStay() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("websocket.idleTimeoutSeconds", "5"))) {
            var alice = server.newUser("alice");
            ParleyConnection silent = server.client().connect(alice.token(),
                ConnectOptions.defaults().withoutHeartbeat()).join();
            ParleyConnection pinging = server.connect(server.anotherDevice(alice));
            for (int i = 0; i < 8; i++) {
                pinging.ping().get(5, TimeUnit.SECONDS);
                Thread.sleep(1_000);
            }
            assertThat(silent.closeFuture().get(1, TimeUnit.SECONDS).code()).isEqualTo(CloseCodes.IDLE_TIMEOUT);
            assertThat(pinging.isOpen()).isTrue();
            var metrics = server.client().rawRequest("GET", "/metrics", null, null);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("parley_connections 1.0");
        }
    }

    @Test
    void deviceRevokedMidStreamIsClosedAndGetsNothingMore() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            Credentials laptopC = server.anotherDevice(bob);
            ParleyConnection a = server.connect(alice);
            ParleyConnection phone = server.client().connect(bob.token(), ConnectOptions.defaults().withAutoAck(true))
                .join();
            ParleyConnection laptop = server.client().connect(laptopC.token(),
                ConnectOptions.defaults().withAutoAck(true)).join();
            AtomicBoolean stop = new AtomicBoolean();
            Thread sender = Thread.ofVirtual().start(() -> {
                for (int i = 0; !stop.get() && i < 100_000; i++) {
                    a.sendToUser(bob.id(), "stream " + i).join();
                }
            });
            laptop.awaitMessages(50, T);
            long t0 = System.nanoTime();
            server.client().revokeDevice(bob.token(), laptopC.deviceId());
            assertThat(laptop.closeFuture().get(1, TimeUnit.SECONDS).code()).isEqualTo(CloseCodes.UNAUTHORIZED);
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
            long atRevoke = laptop.tracker().highestSeq(laptop.tracker().conversations().get(0));
            Thread.sleep(300);
            stop.set(true);
            sender.join();
            long last = a.sendToUser(bob.id(), "after").join().seq();
            assertThat(phone.awaitFrame(ServerFrame.Message.class, m -> m.seq() == last, T).body()).isEqualTo("after");
            assertThat(last).isGreaterThan(atRevoke);
            assertThat(laptop.tracker().highestSeq(laptop.tracker().conversations().get(0))).isEqualTo(atRevoke);
            assertThat(phone.tracker().problems()).isEmpty();
            assertThatThrownBy(() -> server.client().connect(laptopC.token()).join()).isNotNull();
        }
    }
}
