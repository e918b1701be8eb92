package dev.parley.app;

import dev.parley.cluster.kafka.KafkaClusterBusConfig;
import dev.parley.cluster.redis.RedisNodeRegistryConfig;
import dev.parley.redis.RedisSupport;
import dev.parley.sessions.redis.RedisSessionRegistryConfig;
import java.util.List;

/**
 * Every configuration key, with its default, its allowed values and its documentation: the single source of the
 * sample {@code parley.yaml}, the README table and the validation messages.
 *
 * @param min,max bounds for integer keys; {@code null} for string keys
 */
record ConfigKey(String name, String defaultValue, Long min, Long max, String help) {

    static ConfigKey string(String name, String defaultValue, String help) {
        return new ConfigKey(name, defaultValue, null, null, help);
    }

    static ConfigKey integer(String name, long defaultValue, long min, long max, String help) {
        return new ConfigKey(name, Long.toString(defaultValue), min, max, help);
    }

    boolean isInteger() {
        return min != null;
    }

    /** Sections whose sub-keys belong to the chosen backend and are passed to it as they are. */
    static final List<String> BACKEND_SECTIONS = List.of("directory", "messages", "sessions", "bus", "media",
        "mediaIndex", "nodes");

    static final List<ConfigKey> ALL = List.of(
        string("server.host", "0.0.0.0", "Address to listen on (0.0.0.0: every interface; 127.0.0.1: this machine only)."),
        integer("server.port", 8080, 0, 65535, "TCP port for HTTP and WebSocket (0 picks a free port)."),
        integer("server.nodeId", 0, 0, 1023, "This node's id, unique in a cluster; part of every message id."),
        integer("server.ioThreads", 0, 0, 256, "Network event loop threads (0: one per core)."),
        string("server.publicUrl", "auto", "The WebSocket URL clients use to reach this node (ws://host:port/v1/ws, or wss:// behind TLS), handed out by GET /v1/discovery; set it on every node of a cluster. auto: ws://HOST:PORT/v1/ws of the bound address (localhost for 0.0.0.0), and for itself the Host the client asked with."),
        string("dataDir", "data", "Directory for embedded data (SQLite files); relative paths start at the working directory."),
        string("directory.type", "sqlite", "Directory backend (users, devices, conversations, cursors): sqlite, or postgres (keys url, user, password, pool.size, pool.waitMillis: see backend-postgres/README.md)."),
        string("directory.path", "directory.db", "sqlite: database file, relative to dataDir."),
        string("messages.type", "sqlite", "Message store backend: sqlite, or cassandra (keys contact.points, local.datacenter, keyspace, replication, consistency...: see backend-cassandra/README.md)."),
        string("messages.path", "messages.db", "sqlite: database file, relative to dataDir."),
        integer("messages.batch.max", 2048, 1, 100_000, "sqlite: most messages written in one transaction (one fsync); cassandra: most queued appends a writer takes at once."),
        string("sessions.type", "memory", "Session registry (which node holds which device) and presence between nodes: memory (one node) or redis."),
        string("sessions.uri", RedisSupport.DEFAULT_URI, "redis: the server, redis://[:password@]host:port[/db] (rediss:// for TLS)."),
        string("sessions.keyPrefix", RedisSupport.DEFAULT_KEY_PREFIX, "redis: prefix of every key and channel (several deployments may share one Redis)."),
        integer("sessions.ttlSeconds", RedisSessionRegistryConfig.DEFAULT_TTL_SECONDS, 2, 3600, "redis: seconds a crashed node's connections still count as connected."),
        integer("sessions.refreshSeconds", RedisSessionRegistryConfig.DEFAULT_REFRESH_SECONDS, 1, 3599, "redis: seconds between rewrites of a node's entries (less than ttlSeconds); also the longest time to recover from a Redis that lost its data."),
        integer("sessions.timeoutMillis", RedisSessionRegistryConfig.DEFAULT_TIMEOUT_MILLIS, 10, 60_000, "redis: how long a lookup waits for Redis before failing."),
        string("bus.type", "none", "Node-to-node bus (messages, receipts, typing for devices on other nodes): none (one node), kafka (keys bootstrap.servers, topic...: see backend-kafka/README.md) or memory (nodes in one JVM, for tests; key name)."),
        string("bus.bootstrap.servers", KafkaClusterBusConfig.DEFAULT_BOOTSTRAP_SERVERS, "kafka: the brokers, host:port,host:port."),
        string("bus.topic", KafkaClusterBusConfig.DEFAULT_TOPIC, "kafka: the topic every node publishes to and reads (created when missing)."),
        integer("bus.partitions", KafkaClusterBusConfig.DEFAULT_PARTITIONS, 1, 10_000, "kafka: partitions of a new topic (events of one conversation stay in one)."),
        integer("bus.replication", KafkaClusterBusConfig.DEFAULT_REPLICATION, 1, 32, "kafka: replication factor of a new topic (3 in production)."),
        integer("bus.deliveryTimeoutMillis", KafkaClusterBusConfig.DEFAULT_DELIVERY_TIMEOUT_MILLIS, 1000, 3_600_000, "kafka: how long an event is retried while the brokers are unreachable (then dropped: the devices read it from the store on their next sync)."),
        string("nodes.type", "local", "Node registry behind GET /v1/discovery (live nodes, their URL and load): local (this node only) or redis."),
        string("nodes.uri", RedisSupport.DEFAULT_URI, "redis: the server, redis://[:password@]host:port[/db] (rediss:// for TLS); may be the sessions' Redis."),
        string("nodes.keyPrefix", RedisSupport.DEFAULT_KEY_PREFIX, "redis: prefix of the registry's key (several deployments may share one Redis)."),
        integer("nodes.ttlSeconds", RedisNodeRegistryConfig.DEFAULT_TTL_SECONDS, 1, 3600, "redis: seconds after its last heartbeat that a crashed node drops out of discovery."),
        integer("nodes.heartbeatMillis", RedisNodeRegistryConfig.DEFAULT_HEARTBEAT_MILLIS, 10, 3_599_000, "redis: how often a node announces itself with its current load, ms (less than ttlSeconds); also the longest time to reappear after Redis lost its data."),
        integer("nodes.timeoutMillis", RedisNodeRegistryConfig.DEFAULT_TIMEOUT_MILLIS, 10, 60_000, "redis: how long a discovery waits for Redis before answering this node itself."),
        string("media.type", "local", "Media blob store: local (files under dataDir) or s3 (an S3-compatible object store)."),
        string("media.path", "media", "local: directory for media files, relative to dataDir."),
        integer("media.maxImageBytes", 16L << 20, 1, 1L << 40, "Largest image upload, bytes (more answers 413)."),
        integer("media.maxVideoBytes", 2L << 30, 1, 1L << 40, "Largest video upload, bytes."),
        integer("media.maxFileBytes", 2L << 30, 1, 1L << 40, "Largest upload of any other type, bytes."),
        integer("media.uploadExpiryMinutes", 24 * 60, 1, 525_600, "Minutes an upload may take; then its partial bytes are dropped."),
        integer("media.urlTtlSeconds", 3600, 10, 604_800, "Seconds a media download URL stays valid."),
        integer("media.retentionDays", 0, 0, 36_500, "Media older than this many days is deleted, its bytes once nothing refers to them (0: keep forever)."),
        string("media.signingKey", "auto", "Base64 key (>= 32 bytes) that signs media URLs; the same on every node. auto: one is made and kept in dataDir/media-signing.key."),
        string("mediaIndex.type", "sqlite", "Media index (owners, hashes, shares): sqlite."),
        string("mediaIndex.path", "media.db", "sqlite: database file, relative to dataDir."),
        integer("websocket.authTimeoutSeconds", 10, 1, 300, "Seconds a new WebSocket has to send its auth frame (then close 4408)."),
        integer("websocket.idleTimeoutSeconds", 90, 5, 3600, "Seconds an authenticated WebSocket may send nothing, not even ping (then close 4410)."),
        integer("websocket.outboundLimitBytes", 4L << 20, 64 << 10, 1L << 30, "Queued outbound bytes at which a connection is too slow (close 4429; its messages wait for its next sync)."),
        integer("websocket.syncBufferLimit", 10_000, 100, 1_000_000, "Live messages held back while a connection syncs, before it counts as too slow."),
        string("websocket.shedWhenBackedUp", "true", "Drop receipt, presence and typing frames to a backed-up connection so messages go first (true/false; counted in parley_frames_shed_total)."),
        integer("accounts.argon2.memoryKib", 19_456, 1024, 4L << 20, "Argon2id memory cost of password hashes, KiB."),
        integer("accounts.argon2.iterations", 2, 1, 20, "Argon2id time cost."),
        integer("accounts.argon2.parallelism", 1, 1, 16, "Argon2id lanes."),
        integer("accounts.loginAttemptsPerIpPerMinute", 60, 1, 10_000_000, "Login attempts one client address may make per minute (then 429)."),
        integer("accounts.loginFailuresPerAccountPerMinute", 10, 1, 10_000_000, "Failed logins an account tolerates per minute (then 429)."),
        integer("accounts.maxDevices", 5, 1, 1000, "Devices (logins) one user may have at once; more answers 409 listing them."),
        integer("groups.maxMembers", 1024, 2, 100_000, "Most members a group may have, creator included (more answers 409 group_full)."),
        integer("presence.graceSeconds", 10, 0, 3600, "Seconds without any connection before a user shows offline (no flapping on flaky networks)."),
        integer("sync.cursorFlushMillis", 200, 10, 60_000, "How often acknowledged sync positions are written to the directory, ms."),
        integer("cache.conversations", 200_000, 100, 100_000_000, "Conversations kept in memory for the send path."),
        integer("push.collapseSeconds", 5, 0, 3600, "At most one push per device and conversation in this many seconds; a burst gives one more at its end, replacing the first on the device."),
        integer("push.queue", 10_000, 1, 10_000_000, "Push notifications waiting or in flight, retries included; more are dropped (parley_push_total{outcome=dropped})."),
        integer("push.maxAttempts", 5, 1, 20, "Tries per push before a transient failure (5xx, 429, timeout) counts as failed; backoff doubles from 1 s, with jitter."),
        string("push.allowPrivateEndpoints", "false", "Accept http and loopback/private-network Web Push and UnifiedPush endpoints (true/false; for tests and closed networks only)."),
        string("push.webpush.vapidKey", "auto", "Web Push VAPID key pair as PUBLIC:PRIVATE (base64url raw P-256); auto: one is made and kept in dataDir/vapid.key. Browsers' subscriptions are bound to it."),
        string("push.webpush.subject", "mailto:admin@localhost", "Contact the Web Push services may use about this server (mailto: or https: URL)."),
        string("push.apns.keyFile", "none", "APNs token auth key (.p8 file from Apple); none: APNs pushes are only logged."),
        string("push.apns.keyId", "none", "APNs: the key's id (10 characters)."),
        string("push.apns.teamId", "none", "APNs: your Apple developer team id."),
        string("push.apns.topic", "none", "APNs: the app's bundle id, for devices that register without a topic."),
        string("push.apns.server", "production", "APNs server: production, sandbox, or HOST:PORT (a test server)."),
        string("push.apns.trustedCertificate", "none", "APNs: PEM file of the CA to trust instead of the system's (for a test server); none: the JDK's trust store."),
        string("push.fcm.serviceAccountFile", "none", "FCM: the service account JSON of the Firebase project; none: FCM pushes are only logged."),
        string("push.fcm.url", "https://fcm.googleapis.com", "FCM HTTP v1 API base URL."),
        string("push.fcm.tokenUrl", "auto", "OAuth2 token URL for the service account; auto: token_uri of the service account file."));

    static ConfigKey find(String name) {
        for (ConfigKey k : ALL) {
            if (k.name.equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** The environment variable that overrides this key: {@code server.port} is {@code PARLEY_SERVER_PORT}. */
    static String envName(String key) {
        return "PARLEY_" + key.replace('.', '_').toUpperCase(java.util.Locale.ROOT);
    }
}
