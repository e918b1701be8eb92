package dev.parley.directory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.core.IdGenerator;
import java.time.Clock;
import java.util.Optional;

/**
 * A bounded cache over the {@link Directory}'s conversations and direct pairs, so that the send path does not query
 * the directory for every message. Membership changes MUST call {@link #reload} once the directory has them.
 */
public final class ConversationCache {
    public static final int DEFAULT_MAX_ENTRIES = 200_000;

    private final Directory directory;
    private final IdGenerator ids;
    private final Clock clock;
    private final Cache<Long, Conversation> byId;
    private final Cache<PairKey, Long> directByPair;

    public ConversationCache(Directory directory, IdGenerator ids, Clock clock, int maxEntries) {
        this.directory = directory;
        this.ids = ids;
        this.clock = clock;
        this.byId = Caffeine.newBuilder().maximumSize(maxEntries).build();
        this.directByPair = Caffeine.newBuilder().maximumSize(maxEntries).build();
    }

    /** The conversation, from the cache or the directory (blocking on a miss). */
    public Optional<Conversation> get(long conversationId) {
        Conversation c = byId.getIfPresent(conversationId);
        if (c != null) {
            return Optional.of(c);
        }
        Optional<Conversation> loaded = directory.conversation(conversationId);
        loaded.ifPresent(conv -> byId.put(conversationId, conv));
        return loaded;
    }

    /** The direct conversation of two users, created on first use. */
    public Conversation direct(long userA, long userB) {
        PairKey key = PairKey.of(userA, userB);
        Long id = directByPair.getIfPresent(key);
        if (id != null) {
            Optional<Conversation> c = get(id);
            if (c.isPresent()) {
                return c.get();
            }
        }
        Conversation conv = directory.directConversation(userA, userB, ids.next(), clock.millis());
        byId.put(conv.id(), conv);
        directByPair.put(key, conv.id());
        return conv;
    }

    /** Reads a conversation from the directory (not the cache) and caches what it found. */
    public Optional<Conversation> reload(long conversationId) {
        Optional<Conversation> loaded = directory.conversation(conversationId);
        loaded.ifPresentOrElse(c -> byId.put(conversationId, c), () -> byId.invalidate(conversationId));
        return loaded;
    }

    /** The cached state of a conversation, or {@code null} when it is not cached. Never blocks. */
    public Conversation cached(long conversationId) {
        return byId.getIfPresent(conversationId);
    }

    /**
     * The cached state of a conversation if there is one, else {@code known}. Never blocks: for the send path's
     * fan-out, which must see a membership change made after the message was accepted.
     */
    public Conversation current(Conversation known) {
        Conversation c = byId.getIfPresent(known.id());
        return c == null ? known : c;
    }

    private record PairKey(long low, long high) {
        static PairKey of(long a, long b) {
            return a < b ? new PairKey(a, b) : new PairKey(b, a);
        }
    }
}
