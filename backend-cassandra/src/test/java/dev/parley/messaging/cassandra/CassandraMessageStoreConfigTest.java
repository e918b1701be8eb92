package dev.parley.messaging.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.parley.cassandra.Replication;
import dev.parley.core.BackendConfig;
import dev.parley.core.Providers;
import dev.parley.messaging.MessageStoreProvider;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CassandraMessageStoreConfigTest {
    @Test
    void defaultsAreForAProductionCluster() {
        CassandraMessageStoreConfig c = CassandraMessageStoreConfig.from(section(Map.of()));

        assertThat(c.contactPoints()).containsExactly(InetSocketAddress.createUnresolved("127.0.0.1", 9042));
        assertThat(c.localDatacenter()).isEqualTo("datacenter1");
        assertThat(c.keyspace()).isEqualTo("parley");
        assertThat(c.replication()).isEqualTo(Replication.networkTopology("datacenter1", 3));
        assertThat(c.consistency()).isEqualTo(DefaultConsistencyLevel.LOCAL_QUORUM);
        assertThat(c.serialConsistency()).isEqualTo(DefaultConsistencyLevel.LOCAL_SERIAL);
        assertThat(c.bucketSize()).isEqualTo(CassandraMessageStoreConfig.DEFAULT_BUCKET_SIZE);
    }

    @Test
    void everyKeyIsRead() {
        CassandraMessageStoreConfig c = CassandraMessageStoreConfig.from(section(Map.ofEntries(
            Map.entry("contact.points", "cass1:9142, cass2 ,10.0.0.3:9042"),
            Map.entry("local.datacenter", "eu-west"),
            Map.entry("keyspace", "chat_prod"),
            Map.entry("replication", "NetworkTopologyStrategy:eu-west=3,us-east=2"),
            Map.entry("consistency", "quorum"),
            Map.entry("serial.consistency", "SERIAL"),
            Map.entry("bucket.size", "5000"),
            Map.entry("batch.max", "10"),
            Map.entry("batch.max.bytes", "20000"),
            Map.entry("queue.max", "99"),
            Map.entry("writer.threads", "2"),
            Map.entry("seq.cache.max", "7"),
            Map.entry("request.timeout.ms", "1500"),
            Map.entry("requests.max", "64"),
            Map.entry("lwt.max.attempts", "5"))));

        assertThat(c.contactPoints()).containsExactly(InetSocketAddress.createUnresolved("cass1", 9142),
            InetSocketAddress.createUnresolved("cass2", 9042), InetSocketAddress.createUnresolved("10.0.0.3", 9042));
        assertThat(c.replication().toCql())
            .isEqualTo("{'class': 'NetworkTopologyStrategy', 'eu-west': 3, 'us-east': 2}");
        assertThat(c).isEqualTo(new CassandraMessageStoreConfig(c.contactPoints(), "eu-west", "chat_prod",
            c.replication(), DefaultConsistencyLevel.QUORUM, DefaultConsistencyLevel.SERIAL, 5000, 10, 20000, 99, 2,
            7, 1500, 64, 5));
        assertThat(CassandraMessageStoreConfig.from(section(Map.of("replication", "SimpleStrategy:1"))).replication()
            .toCql()).isEqualTo("{'class': 'SimpleStrategy', 'replication_factor': 1}");
    }

    @Test
    void badValuesNameKeyValueAndExpectation() {
        assertThatThrownBy(() -> CassandraMessageStoreConfig.from(section(Map.of("contact.points", "host:notaport"))))
            .hasMessage("messages.contact.points: \"host:notaport\" (expected: host:port with a port in 1..65535)");
        assertThatThrownBy(() -> CassandraMessageStoreConfig.from(section(Map.of("contact.points", " , "))))
            .hasMessageContaining("messages.contact.points");
        assertThatThrownBy(() -> CassandraMessageStoreConfig.from(section(Map.of("consistency", "SERIAL"))))
            .hasMessageStartingWith("messages.consistency: \"SERIAL\" (expected: ONE, TWO");
        assertThatThrownBy(() -> CassandraMessageStoreConfig.from(section(Map.of("serial.consistency", "ONE"))))
            .hasMessage("messages.serial.consistency: \"ONE\" (expected: SERIAL or LOCAL_SERIAL)");
        assertThatThrownBy(() -> CassandraMessageStoreConfig.from(section(Map.of("replication", "Simple:3"))))
            .hasMessageStartingWith("messages.replication: \"Simple:3\" (expected: SimpleStrategy:<factor>");
        assertThatThrownBy(() -> CassandraMessageStoreConfig.from(section(Map.of("replication",
            "NetworkTopologyStrategy:dc1")))).hasMessageStartingWith("messages.replication:");
        assertThatThrownBy(() -> CassandraMessageStoreConfig.from(section(Map.of("keyspace", "Drop Table"))))
            .hasMessageStartingWith("messages.keyspace: \"Drop Table\" (expected: a lower-case letter");
        assertThatThrownBy(() -> CassandraMessageStoreConfig.from(section(Map.of("bucket.size", "0"))))
            .hasMessage("messages.bucket.size: \"0\" (expected: an integer in 1..1000000)");
    }

    @Test
    void providerIsFoundByType() {
        MessageStoreProvider p = Providers.find(MessageStoreProvider.class,
            new BackendConfig("messages", "cassandra", Map.of(), Path.of(".")), MessageStoreProvider::type);

        assertThat(p).isInstanceOf(CassandraMessageStoreProvider.class);
        assertThat(List.of(p.type())).containsExactly("cassandra");
    }

    private static BackendConfig section(Map<String, String> options) {
        return new BackendConfig("messages", "cassandra", options, Path.of("data"));
    }
}
