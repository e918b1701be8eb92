package dev.parley.app;

import dev.parley.accounts.AccountService;
import dev.parley.cluster.ClusterBus;
import dev.parley.cluster.ClusterBusProvider;
import dev.parley.cluster.ClusterRelay;
import dev.parley.cluster.DiscoveryService;
import dev.parley.cluster.NodeRegistry;
import dev.parley.cluster.NodeRegistryProvider;
import dev.parley.core.Providers;
import dev.parley.core.Resources;
import dev.parley.directory.ConversationCache;
import dev.parley.directory.Directory;
import dev.parley.directory.DirectoryProvider;
import dev.parley.gateway.GatewayServer;
import dev.parley.gateway.Services;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessageStoreProvider;
import dev.parley.groups.GroupService;
import dev.parley.groups.GroupsConfig;
import dev.parley.messaging.MessagingService;
import dev.parley.messaging.RecentSenders;
import dev.parley.presence.PresenceService;
import dev.parley.push.PushConfig;
import dev.parley.push.PushService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.parley.receipts.ReceiptService;
import dev.parley.sessions.LocalSessions;
import dev.parley.sessions.SessionRegistry;
import dev.parley.sessions.SessionRegistryProvider;
import dev.parley.sync.SyncService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import dev.parley.media.BlobStore;
import dev.parley.media.BlobStoreProvider;
import dev.parley.media.MediaConfig;
import dev.parley.media.MediaIndex;
import dev.parley.media.MediaIndexProvider;
import dev.parley.media.MediaService;
import dev.parley.media.UrlSigner;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Parley node: backends chosen by configuration, features, and the gateway. */
public final class ParleyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParleyServer.class);

    private final ParleyConfig config;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private GatewayServer gateway;
    private SyncService sync;
    private volatile boolean closed;

    private ParleyServer(ParleyConfig config) {
        this.config = config;
    }

    /** Starts a node; returns once it accepts connections. On failure, whatever started is closed again. */
    public static ParleyServer start(ParleyConfig config) throws InterruptedException {
        ParleyServer server = new ParleyServer(config);
        try {
            server.startInternal();
            return server;
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    private void startInternal() throws InterruptedException {
        Clock clock = Clock.systemUTC();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("dataDir: cannot create " + config.dataDir(), e);
        }
        Resources resources = Resources.of(config.nodeId(), clock);

        var dirCfg = config.backend("directory");
        Directory directory = own(Providers.find(DirectoryProvider.class, dirCfg, DirectoryProvider::type)
            .create(dirCfg, resources));
        var msgCfg = config.backend("messages");
        MessageStore store = own(Providers.find(MessageStoreProvider.class, msgCfg, MessageStoreProvider::type)
            .create(msgCfg, resources));
        var sesCfg = config.backend("sessions");
        SessionRegistry registry = own(Providers.find(SessionRegistryProvider.class, sesCfg,
            SessionRegistryProvider::type).create(sesCfg, resources));

        var blobCfg = config.backend("media");
        BlobStore blobs = own(Providers.find(BlobStoreProvider.class, blobCfg, BlobStoreProvider::type)
            .create(blobCfg, resources));
        var mediaIndexCfg = config.backend("mediaIndex");
        MediaIndex mediaIndex = own(Providers.find(MediaIndexProvider.class, mediaIndexCfg, MediaIndexProvider::type)
            .create(mediaIndexCfg, resources));

        var busCfg = config.backend("bus");
        ClusterBus bus = own(Providers.find(ClusterBusProvider.class, busCfg, ClusterBusProvider::type)
            .create(busCfg, resources));

        // Made here for the relay, closed (below) before the sync cursors are flushed for the last time.
        ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-timers");
            t.setDaemon(true);
            return t;
        });

        LocalSessions sessions = new LocalSessions(registry, config.nodeId());
        ConversationCache conversations = new ConversationCache(directory, resources.ids(), clock,
            (int) config.integer("cache.conversations"));
        RecentSenders recentSenders = new RecentSenders((int) config.integer("cache.conversations"));
        ClusterRelay relay = own(new ClusterRelay(bus, config.nodeId(), sessions, conversations, store,
            recentSenders, timers, blocking));
        MediaService media = new MediaService(mediaIndex, blobs, mediaConfig(), new UrlSigner(signingKey()),
            resources.ids(), clock, (user, conv) -> conversations.get(conv).map(c -> c.hasMember(user)).orElse(false));
        sync = own(new SyncService(directory, store));
        AccountService accounts = new AccountService(directory, config.accounts(), resources.ids(), clock, relay,
            sync);
        MessagingService messaging = new MessagingService(directory, store, conversations, relay, media, clock);
        ReceiptService receipts = own(new ReceiptService(directory, store, relay, recentSenders));
        GroupService groups = new GroupService(directory, store, conversations, messaging, resources.ids(), clock,
            new GroupsConfig((int) config.integer("groups.maxMembers")));
        sync.afterBacklog(receipts::replay);

        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        own(metrics::close);
        own(blocking::shutdown);
        own(timers::shutdownNow);
        long flushMs = config.integer("sync.cursorFlushMillis");
        timers.scheduleWithFixedDelay(() -> {
            try {
                sync.flush();
                receipts.flush();
            } catch (RuntimeException e) {
                log.warn("writing sync cursors failed; will retry", e);
            }
        }, flushMs, flushMs, TimeUnit.MILLISECONDS);

        timers.scheduleWithFixedDelay(() -> {
            try {
                media.sweep();
            } catch (RuntimeException e) {
                log.warn("media sweep failed; will retry", e);
            }
        }, 1, 1, TimeUnit.MINUTES);

        PresenceService presence = own(new PresenceService(directory, sessions, timers,
            java.time.Duration.ofSeconds(config.integer("presence.graceSeconds")), clock));
        sessions.listener(presence);
        PushSetup pushSetup = new PushSetup(config, clock);
        PushConfig pushConfig = pushSetup.pushConfig();
        PushService push = own(new PushService(directory, registry, receipts, store, pushSetup.transports(blocking),
            timers, blocking, clock, pushConfig, metrics));
        messaging.afterStored(push::stored);
        metrics.more().counter("parley.push.overflows", java.util.List.of(), push, PushService::overflows);
        accounts.onDeviceRemoved(push::deviceRemoved);
        metrics.gauge("parley.connections", sessions, LocalSessions::count);
        metrics.more().counter("parley.cluster.gap.reads", java.util.List.of(), relay, ClusterRelay::gapReads);
        metrics.more().counter("parley.cluster.duplicates", java.util.List.of(), relay, ClusterRelay::duplicates);
        metrics.more().counter("parley.cluster.bad.events", java.util.List.of(), relay, ClusterRelay::badEvents);
        var nodesCfg = config.backend("nodes");
        NodeRegistry nodes = own(Providers.find(NodeRegistryProvider.class, nodesCfg, NodeRegistryProvider::type)
            .create(nodesCfg, resources));
        if (nodes.connectsNodes() && !bus.connectsNodes()) {
            log.warn("nodes.type {} lists other nodes, but bus.type is {}: messages for devices on other nodes reach "
                + "them only at their next sync; set bus.type: kafka on every node of a cluster", nodesCfg.type(),
                busCfg.type());
        }
        DiscoveryService discovery = new DiscoveryService(nodes, config.nodeId(), sessions::count,
            DiscoveryService::systemCpuLoad, clock);
        gateway = own(new GatewayServer(new Services(accounts, messaging, groups, sync, receipts, presence, media, push, sessions,
            blocking, metrics, metrics::scrape, discovery),
            config.gateway(), clock));
        relay.start();
        gateway.start();
        String publicUrl = config.string("server.publicUrl");
        discovery.announce(publicUrl.equals("auto") ? gateway.webSocketUrl() : publicUrl, !publicUrl.equals("auto"));
        own(discovery); // closed before the gateway: the node leaves discovery before its sockets close
    }

    private MediaConfig mediaConfig() {
        return new MediaConfig(config.integer("media.maxImageBytes"), config.integer("media.maxVideoBytes"),
            config.integer("media.maxFileBytes"), Duration.ofMinutes(config.integer("media.uploadExpiryMinutes")),
            Duration.ofSeconds(config.integer("media.urlTtlSeconds")),
            Duration.ofDays(config.integer("media.retentionDays")));
    }

    /** The configured URL signing key, else the one kept in the data directory (made on first start). */
    private byte[] signingKey() {
        String configured = config.string("media.signingKey");
        if (!configured.equals("auto")) {
            try {
                return Base64.getDecoder().decode(configured.trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("media.signingKey: not base64 (expected: >= 32 random bytes, base64)");
            }
        }
        String key = KeyFiles.readOrCreate(config.dataDir().resolve("media-signing.key"), "media signing key", () -> {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            return Base64.getEncoder().encodeToString(fresh);
        });
        return Base64.getDecoder().decode(key);
    }

    private <T extends AutoCloseable> T own(T resource) {
        closeables.push(resource);
        return resource;
    }

    /** The port the server listens on. */
    public int port() {
        return gateway.port();
    }

    public ParleyConfig config() {
        return config;
    }

    /**
     * Stops in order: the gateway (sockets closed with 1001), then timers and executors, then sync cursors are
     * flushed, then the store completes what it has queued, then the directory. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed", c, e);
            }
        }
    }
}
