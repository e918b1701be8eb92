package dev.parley.push;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.core.ParleyException;
import dev.parley.directory.Conversation;
import dev.parley.directory.Directory;
import dev.parley.directory.Member;
import dev.parley.directory.User;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.MediaRef;
import dev.parley.receipts.ReceiptService;
import dev.parley.sessions.SessionEntry;
import dev.parley.sessions.SessionRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes devices that have no open connection when a message for them is stored, and keeps their push channels,
 * the users' preview choice and their muted conversations.
 *
 * <p>Rules: the sender's devices, devices with a live connection (on any node, per the session registry), devices
 * without a push channel and users who muted the conversation get nothing; system messages push nobody. Per device
 * and conversation at most one push goes out per collapse window; messages inside a window give one more push when
 * it ends, carrying the newest state under the same collapse key (so the device shows one notification). The badge
 * is the recipient's unread count over all conversations; the text is included only if the recipient allowed
 * previews. Nothing here runs on the caller's thread: {@link #stored} hands off to a bounded queue.
 */
public final class PushService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushService.class);
    private static final Pattern APNS_TOKEN = Pattern.compile("[0-9a-fA-F]{64,200}");
    private static final Pattern APNS_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,255}");
    private static final Pattern FCM_TOKEN = Pattern.compile("[A-Za-z0-9_:.-]{1,4096}");
    private static final int MAX_ENDPOINT_LENGTH = 2048;
    /** Far enough in the future to mean "until unmuted" ({@code "until": "forever"}). */
    public static final long FOREVER = 253_402_300_799_000L; // 9999-12-31T23:59:59Z

    private final Directory directory;
    private final SessionRegistry registry;
    private final ReceiptService receipts;
    private final MessageStore store;
    private final PushDispatcher dispatcher;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final PushConfig config;
    private final ThreadPoolExecutor worker;
    /** A user's push channels; invalidated on every change made through this node, and expiring for others'. */
    private final Cache<Long, List<PushRegistration>> channels = Caffeine.newBuilder()
        .maximumSize(1_000_000).expireAfterWrite(Duration.ofSeconds(30)).build();
    private final Map<WindowKey, Window> windows = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong overflows = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastOverflowLog;

    /**
     * @param transports one per kind that is configured; the others are only logged
     * @param timers     collapse windows and retries (its tasks do not block)
     * @param blocking   directory writes after a push service's answer
     */
    public PushService(Directory directory, SessionRegistry registry, ReceiptService receipts, MessageStore store,
                       Map<PushKind, PushTransport> transports, ScheduledExecutorService timers,
                       java.util.concurrent.Executor blocking, Clock clock, PushConfig config,
                       io.micrometer.core.instrument.MeterRegistry metrics) {
        this.directory = directory;
        this.registry = registry;
        this.receipts = receipts;
        this.store = store;
        this.dispatcher = new PushDispatcher(transports, this::gone, timers, blocking, config, metrics);
        this.timers = timers;
        this.clock = clock;
        this.config = config;
        this.worker = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(config.queueCapacity()), r -> {
                Thread t = new Thread(r, "parley-push");
                t.setDaemon(true);
                return t;
            }, (task, pool) -> overflowed());
    }

    // ---- triggering

    /** Called once a message is durable (on the store's thread): decides whom to wake, in the background. */
    public void stored(Conversation conv, StoredMessage m) {
        if (m.isSystem() || worker.isShutdown()) {
            return;
        }
        worker.execute(() -> {
            try {
                evaluate(conv, m, null);
            } catch (RuntimeException e) {
                log.warn("push for message {} of conversation {} failed", m.seq(), m.conversationId(), e);
            }
        });
    }

    /**
     * Pushes {@code m} to the offline devices of the members (or only to {@code onlyDevice}, at the end of its
     * window).
     */
    private void evaluate(Conversation conv, StoredMessage m, PushRegistration onlyDevice) {
        List<Long> recipients = new ArrayList<>(conv.size());
        for (long u : conv.members()) {
            if (u != m.senderUserId() && (onlyDevice == null || onlyDevice.userId() == u)) {
                recipients.add(u);
            }
        }
        List<PushRegistration> candidates = new ArrayList<>();
        Map<Long, List<PushRegistration>> withChannels = new HashMap<>();
        channels(recipients).forEach((user, regs) -> {
            if (!regs.isEmpty()) {
                withChannels.put(user, regs);
            }
        });
        if (withChannels.isEmpty()) {
            return;
        }
        Map<Long, List<SessionEntry>> connected = registry.sessionsOf(withChannels.keySet()); // one round trip
        for (Map.Entry<Long, List<PushRegistration>> e : withChannels.entrySet()) {
            Set<Long> online = new HashSet<>();
            for (SessionEntry s : connected.getOrDefault(e.getKey(), List.of())) {
                online.add(s.deviceId());
            }
            for (PushRegistration r : e.getValue()) {
                if (!online.contains(r.deviceId()) && (onlyDevice == null || onlyDevice.deviceId() == r.deviceId())) {
                    candidates.add(r);
                }
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        Set<Long> users = new HashSet<>();
        candidates.forEach(r -> users.add(r.userId()));
        long now = clock.millis();
        directory.mutes(conv.id(), users).forEach((user, until) -> {
            if (until > now) {
                users.remove(user);
            }
        });
        candidates.removeIf(r -> !users.contains(r.userId()));
        if (candidates.isEmpty()) {
            return;
        }
        Set<Long> withPreviews = directory.pushPreviews(users);
        String sender = directory.findUser(m.senderUserId()).map(PushService::nameOf).orElse("Someone");
        Map<Long, Integer> badges = new HashMap<>();
        for (PushRegistration r : candidates) {
            if (onlyDevice == null && !openWindow(r, conv, m)) {
                continue; // a push for this conversation went out lately: it ends the window with the newest one
            }
            int badge = badges.computeIfAbsent(r.userId(), this::unread);
            String preview = withPreviews.contains(r.userId()) ? preview(m) : null;
            dispatcher.submit(r, new PushNotification(r.userId(), r.deviceId(), conv.id(), m.seq(),
                conv.isGroup() ? conv.title() : null, sender, badge, preview));
        }
    }

    /** True if no window is open for this device and conversation (and opens one); else notes the newer message. */
    private boolean openWindow(PushRegistration r, Conversation conv, StoredMessage m) {
        WindowKey key = new WindowKey(r.deviceId(), conv.id());
        boolean[] opened = {false};
        windows.compute(key, (k, w) -> {
            if (w == null) {
                opened[0] = true;
                return new Window(null, null, null);
            }
            return w.latest() == null || w.latest().seq() < m.seq() ? new Window(r, conv, m) : w;
        });
        if (opened[0]) {
            timers.schedule(() -> closeWindow(key), config.collapseWindow().toMillis(), TimeUnit.MILLISECONDS);
        }
        return opened[0];
    }

    /** Ends a window; if messages came in it, pushes the newest one and opens the next window. */
    private void closeWindow(WindowKey key) {
        Window w = windows.remove(key);
        if (w == null || w.latest() == null || worker.isShutdown()) {
            return;
        }
        windows.put(key, new Window(null, null, null));
        timers.schedule(() -> closeWindow(key), config.collapseWindow().toMillis(), TimeUnit.MILLISECONDS);
        worker.execute(() -> {
            try {
                evaluate(w.conversation(), w.latest(), w.registration());
            } catch (RuntimeException e) {
                log.warn("push at the end of a collapse window failed", e);
            }
        });
    }

    private Map<Long, List<PushRegistration>> channels(List<Long> userIds) {
        return channels.getAll(userIds, missing -> {
            Map<Long, List<PushRegistration>> found = new HashMap<>();
            for (Long u : missing) {
                found.put(u, new ArrayList<>(1));
            }
            for (PushRegistration r : directory.pushRegistrations(found.keySet())) {
                found.get(r.userId()).add(r);
            }
            return found;
        });
    }

    /** The user's unread messages over every conversation (the app icon's badge). */
    private int unread(long userId) {
        List<Conversation> convs = directory.conversationsOf(userId);
        Map<Long, StoredMessage> last = store.lastMessages(convs.stream().map(Conversation::id).toList());
        long total = 0;
        for (Conversation c : convs) {
            StoredMessage newest = last.get(c.id());
            Member me = c.member(userId);
            if (newest != null && me != null) {
                total += receipts.unread(c.id(), userId, me.joinedSeq(), newest.seq());
            }
        }
        return (int) Math.min(total, Integer.MAX_VALUE);
    }

    /** The first {@link PushConfig#PREVIEW_CHARS} characters of the text, or what was sent when there is none. */
    static String preview(StoredMessage m) {
        String body = m.body();
        if (body != null && !body.isBlank()) {
            int n = body.codePointCount(0, body.length());
            return n <= PushConfig.PREVIEW_CHARS ? body
                : body.substring(0, body.offsetByCodePoints(0, PushConfig.PREVIEW_CHARS)) + "…";
        }
        MediaRef media = m.media();
        if (media == null || media.mimeType() == null) {
            return "Message";
        }
        String type = media.mimeType();
        return type.startsWith("image/") ? "📷 Photo" : type.startsWith("video/") ? "🎥 Video"
            : type.startsWith("audio/") ? "🎤 Audio" : "📎 File";
    }

    private static String nameOf(User u) {
        return u.displayName() != null && !u.displayName().isBlank() ? u.displayName() : u.username();
    }

    /** The decision queue is full (a flood of messages): drop this message's pushes, log at most once a minute. */
    private void overflowed() {
        long n = overflows.incrementAndGet();
        long now = clock.millis();
        if (now - lastOverflowLog >= 60_000) {
            lastOverflowLog = now;
            log.warn("push decisions are behind: the pushes of {} messages so far were dropped (the messages are"
                + " stored and synced as usual)", n);
        }
    }

    /** Messages whose pushes were dropped because the decision queue was full. */
    public long overflows() {
        return overflows.get();
    }

    // ---- channels, previews, mutes

    /**
     * Sets the push channel of a device, checked: APNs token (hex) and optional topic; FCM token; Web Push endpoint
     * with its p256dh and auth keys; UnifiedPush endpoint with optional keys.
     *
     * @throws ParleyException {@code bad_request} naming the field that is wrong
     */
    public void register(long userId, long deviceId, PushKind kind, String address, String topic, String p256dh,
                         String auth) {
        PushRegistration r = switch (kind) {
            case APNS -> {
                require(address != null && APNS_TOKEN.matcher(address).matches(), "token",
                    "the APNs device token, 64 to 200 hex digits");
                require(topic == null || APNS_TOPIC.matcher(topic).matches(), "topic", "the app's bundle id");
                yield new PushRegistration(userId, deviceId, kind, address.toLowerCase(Locale.ROOT), topic, null, null,
                    clock.millis());
            }
            case FCM -> {
                require(address != null && FCM_TOKEN.matcher(address).matches(), "token",
                    "the FCM registration token");
                yield new PushRegistration(userId, deviceId, kind, address, null, null, null, clock.millis());
            }
            case WEBPUSH, UNIFIEDPUSH -> {
                checkEndpoint(address);
                boolean keys = p256dh != null || auth != null;
                require(keys || kind == PushKind.UNIFIEDPUSH, "keys", "{p256dh, auth} of the subscription");
                if (keys) {
                    require(p256dh != null && isP256Point(p256dh), "keys.p256dh",
                        "the subscription's P-256 public key, a 65-byte uncompressed point, base64url");
                    require(auth != null && decodedLength(auth) == 16, "keys.auth",
                        "the subscription's 16-byte auth secret, base64url");
                }
                yield new PushRegistration(userId, deviceId, kind, address, null, p256dh, auth, clock.millis());
            }
        };
        directory.savePushRegistration(r);
        channels.invalidate(userId);
    }

    /** Removes a device's push channel; false if it had none. */
    public boolean unregister(long userId, long deviceId) {
        boolean removed = directory.deletePushRegistration(deviceId, null);
        channels.invalidate(userId);
        return removed;
    }

    /** Removes a channel the push service called gone, unless the device registered another one meanwhile. */
    public void gone(PushRegistration r) {
        directory.deletePushRegistration(r.deviceId(), r.address());
        channels.invalidate(r.userId());
    }

    /** Forgets cached channels of a user whose device was deleted (logout, revocation). */
    public void deviceRemoved(long userId) {
        channels.invalidate(userId);
    }

    public boolean previews(long userId) {
        return directory.pushPreviews(List.of(userId)).contains(userId);
    }

    public void setPreviews(long userId, boolean previews) {
        directory.savePushPreviews(userId, previews);
    }

    /** Mutes a conversation for a user until {@code until} (epoch ms); 0 or a past time unmutes. */
    public void mute(long userId, long conversationId, long until) {
        directory.saveMute(userId, conversationId, until <= clock.millis() ? 0 : until);
    }

    /** The user's conversations muted now, with when each mute ends. */
    public Map<Long, Long> mutes(long userId) {
        long now = clock.millis();
        Map<Long, Long> active = new HashMap<>();
        directory.mutesOf(userId).forEach((conv, until) -> {
            if (until > now) {
                active.put(conv, until);
            }
        });
        return active;
    }

    /** The VAPID public key browsers subscribe with ({@code applicationServerKey}), or null without Web Push. */
    public String webPushPublicKey() {
        return config.webPushPublicKey();
    }

    private void checkEndpoint(String endpoint) {
        require(endpoint != null && endpoint.length() <= MAX_ENDPOINT_LENGTH, "endpoint",
            "the push service's URL, at most " + MAX_ENDPOINT_LENGTH + " characters");
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "endpoint: not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        require(uri.getHost() != null && (scheme.equals("https")
            || scheme.equals("http") && config.allowPrivateEndpoints()), "endpoint", "an https URL");
        require(config.allowPrivateEndpoints() || !PrivateAddresses.isPrivateLiteral(uri.getHost()), "endpoint",
            "a public host (not loopback or a private network)");
    }

    private static boolean isP256Point(String base64url) {
        try {
            P256.publicKey(P256.base64url(base64url));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int decodedLength(String base64url) {
        try {
            return Base64.getUrlDecoder().decode(base64url.replace("=", "")).length;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private static void require(boolean ok, String field, String expected) {
        if (!ok) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": missing or malformed (expected: " + expected
                + ")");
        }
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.close();
    }

    private record WindowKey(long deviceId, long conversationId) {
    }

    /** An open collapse window; {@code latest} is the newest message that arrived in it, if any. */
    private record Window(PushRegistration registration, Conversation conversation, StoredMessage latest) {
    }
}
