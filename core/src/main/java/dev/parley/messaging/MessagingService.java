package dev.parley.messaging;

import dev.parley.core.Ids;
import dev.parley.core.ParleyException;
import dev.parley.directory.Conversation;
import dev.parley.directory.ConversationCache;
import dev.parley.directory.Directory;
import dev.parley.directory.FormerMember;
import dev.parley.directory.Member;
import dev.parley.directory.User;
import dev.parley.protocol.ClientFrame;
import dev.parley.media.MediaService;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.Limits;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.SystemEvent;
import dev.parley.cluster.ClusterRelay;
import dev.parley.sessions.OutboundFrame;
import dev.parley.sessions.Session;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Takes {@code send} frames, stores them durably and fans them out; serves history and the conversation list.
 * {@link #send} may block on a cache miss and MUST be called in frame order for each connection.
 */
public final class MessagingService {

    private final Directory directory;
    private final MessageStore store;
    private final ConversationCache conversations;
    private final ClusterRelay relay;
    private final Clock clock;
    private final MediaService media;
    private volatile BiConsumer<Conversation, StoredMessage> afterStored = (c, m) -> { };
    /** Users known to exist (accounts are never deleted), so that a 1:1 send does not read the directory. */
    private final com.github.benmanes.caffeine.cache.Cache<Long, Boolean> knownUsers =
        com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(1_000_000).build();

    public MessagingService(Directory directory, MessageStore store, ConversationCache conversations,
                            ClusterRelay relay, MediaService media, Clock clock) {
        this.media = media;
        this.directory = directory;
        this.store = store;
        this.conversations = conversations;
        this.relay = relay;
        this.clock = clock;
    }

    /**
     * Called for every new message once it is durable and written to the connected devices (on the store's thread,
     * in seq order per conversation; it must not block). Push notifications hang here.
     */
    public void afterStored(BiConsumer<Conversation, StoredMessage> listener) {
        this.afterStored = listener;
    }

    /**
     * Resolves the recipient, stores the message and, once it is durable, answers {@code sent} to the sender and
     * writes {@code message} to every other connected device of every member. Errors are answered as {@code error}
     * frames referring to the {@code clientMsgId}.
     */
    public void send(Session from, ClientFrame.Send frame) {
        Conversation conv = resolve(from.userId(), frame.to());
        MediaRef media = frame.media() == null ? null
            : this.media.attach(from.userId(), frame.media().mediaId(), conv.id());
        NewMessage message = new NewMessage(conv.id(), from.userId(), from.deviceId(), frame.clientMsgId(),
            frame.body(), media, clock.millis());
        store.append(message, new MessageStore.AppendListener() {
            @Override
            public void stored(StoredMessage m, boolean duplicate) {
                from.send(new OutboundFrame(m.toSent()));
                if (!duplicate) {
                    fanOut(conv, m, List.of());
                }
            }

            @Override
            public void failed(RuntimeException error) {
                ErrorCode code = error instanceof ParleyException pe ? pe.code() : ErrorCode.INTERNAL;
                from.send(new OutboundFrame(new ServerFrame.Error(code, "message not stored: " + error.getMessage(),
                    frame.clientMsgId())));
            }
        });
    }

    /**
     * Runs on the store's thread, in seq order per conversation: write the frame to every other device of the
     * members. The membership is the conversation's current one (a member removed after the message was accepted
     * gets nothing of it), not the one seen when it was accepted.
     */
    private void fanOut(Conversation accepted, StoredMessage m, Collection<Long> alsoTo) {
        Conversation conv = conversations.current(accepted);
        relay.message(m, conv.members(), alsoTo); // encoded once, written to every connection on every node
        afterStored.accept(conv, m);
    }

    /**
     * Stores a system message in a group (a membership or name change) and, once durable, delivers it to every
     * device of the current members and of {@code alsoTo} (a member who was just removed sees why). Its sender is
     * the actor, its device 0, so that the actor's own devices get it too.
     *
     * @return the stored message, or the failure to store it
     */
    public CompletableFuture<StoredMessage> postSystem(Conversation conv, long actorUserId, SystemEvent event,
                                                       String body, Collection<Long> alsoTo) {
        CompletableFuture<StoredMessage> result = new CompletableFuture<>();
        NewMessage message = new NewMessage(conv.id(), actorUserId, 0, "system-" + UUID.randomUUID(), body, null,
            clock.millis(), event);
        store.append(message, new MessageStore.AppendListener() {
            @Override
            public void stored(StoredMessage m, boolean duplicate) {
                if (!duplicate) {
                    fanOut(conv, m, alsoTo);
                }
                result.complete(m);
            }

            @Override
            public void failed(RuntimeException error) {
                result.completeExceptionally(error);
            }
        });
        return result;
    }

    /** Relays {@code typing} to the other members' connections; never stored. */
    public void typing(Session from, long conversationId) {
        Conversation conv = member(from.userId(), conversationId);
        OutboundFrame out = new OutboundFrame(new ServerFrame.Typing(Ids.toWire(conversationId),
            Ids.toWire(from.userId())));
        relay.toUsers(conversationId, conv.members(), from.userId(), 0, out, true);
    }

    /**
     * One message of a conversation that the caller may read.
     *
     * @throws ParleyException {@code not_found} when there is no message with this seq the caller may read
     */
    public StoredMessage message(Readable range, long seq) {
        Conversation conv = range.conversation();
        List<StoredMessage> found = range.contains(seq) ? store.after(conv.id(), seq - 1, 1) : List.of();
        if (found.isEmpty() || found.get(0).seq() != seq) {
            throw new ParleyException(ErrorCode.NOT_FOUND, "seq: " + seq + " (no such message)");
        }
        return found.get(0);
    }

    private Conversation resolve(long senderId, ClientFrame.Target to) {
        if (to.user() != null) {
            long peer = Ids.parse("send.to.user", to.user());
            if (peer == senderId) {
                throw new ParleyException(ErrorCode.BAD_REQUEST, "send.to.user: that is you (expected: another user)");
            }
            if (knownUsers.getIfPresent(peer) == null) {
                if (directory.findUser(peer).isEmpty()) {
                    throw new ParleyException(ErrorCode.NOT_FOUND, "send.to.user: " + to.user() + " (no such user)");
                }
                knownUsers.put(peer, Boolean.TRUE); // only existence is cached: a later sign-up is never missed
            }
            return conversations.direct(senderId, peer);
        }
        long convId = Ids.parse("send.to.conversation", to.conversation());
        return member(senderId, convId);
    }

    /**
     * The conversation, if the user is a member.
     *
     * @throws ParleyException {@code not_found} if it does not exist, {@code forbidden} if the user is not a member
     */
    public Conversation member(long userId, long conversationId) {
        Conversation conv = conversations.get(conversationId).orElseThrow(() -> new ParleyException(
            ErrorCode.NOT_FOUND, "conversation: " + conversationId + " (no such conversation)"));
        if (!conv.hasMember(userId)) {
            throw new ParleyException(ErrorCode.FORBIDDEN,
                "conversation: " + conversationId + " (you are not a member)");
        }
        return conv;
    }

    /**
     * What of a conversation a user may read: members from the seq they joined at on, former members of a group up
     * to the message that announced their departure.
     *
     * @throws ParleyException {@code not_found} if it does not exist, {@code forbidden} if the user never was a
     *                         member (or left and was not a member of that part)
     */
    public Readable readable(long userId, long conversationId) {
        Conversation conv = conversations.get(conversationId).orElseThrow(() -> new ParleyException(
            ErrorCode.NOT_FOUND, "conversation: " + conversationId + " (no such conversation)"));
        Member m = conv.member(userId);
        if (m != null) {
            return new Readable(conv, Math.max(1, m.joinedSeq()), Long.MAX_VALUE);
        }
        if (conv.isGroup()) {
            Optional<FormerMember> former = directory.formerMember(conversationId, userId);
            if (former.isPresent()) {
                return new Readable(conv, Math.max(1, former.get().joinedSeq()), former.get().leftSeq());
            }
        }
        throw new ParleyException(ErrorCode.FORBIDDEN, "conversation: " + conversationId + " (you are not a member)");
    }

    /**
     * The seqs of a conversation a user may read, {@code firstSeq <= seq <= lastSeq}.
     *
     * @param lastSeq {@link Long#MAX_VALUE} for current members
     */
    public record Readable(Conversation conversation, long firstSeq, long lastSeq) {
        public boolean isCurrentMember() {
            return lastSeq == Long.MAX_VALUE;
        }

        public boolean contains(long seq) {
            return seq >= firstSeq && seq <= lastSeq;
        }
    }

    /** A page of history, ascending by seq, as the REST contract describes; only what the user may read. */
    public HistoryPage history(long userId, long conversationId, Long beforeSeq, Long afterSeq, Integer limit) {
        Readable range = readable(userId, conversationId);
        int n = limit == null ? Limits.DEFAULT_PAGE_LIMIT : limit;
        if (n < 1 || n > Limits.MAX_PAGE_LIMIT) {
            throw new ParleyException(ErrorCode.BAD_REQUEST,
                "limit: " + n + " (expected: 1.." + Limits.MAX_PAGE_LIMIT + ")");
        }
        if (beforeSeq != null && afterSeq != null) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "beforeSeq, afterSeq: expected at most one of them");
        }
        if (afterSeq != null) {
            if (afterSeq < 0) {
                throw new ParleyException(ErrorCode.BAD_REQUEST, "afterSeq: " + afterSeq + " (expected: >= 0)");
            }
            long from = Math.max(afterSeq, range.firstSeq() - 1);
            List<StoredMessage> page = from >= range.lastSeq() ? List.of()
                : store.after(conversationId, from, n + 1).stream().filter(m -> m.seq() <= range.lastSeq()).toList();
            boolean more = page.size() > n;
            return new HistoryPage(more ? page.subList(0, n) : page, more);
        }
        long before = beforeSeq == null ? Long.MAX_VALUE : beforeSeq;
        if (before < 1) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "beforeSeq: " + before + " (expected: >= 1)");
        }
        long to = range.lastSeq() == Long.MAX_VALUE ? before : Math.min(before, range.lastSeq() + 1);
        List<StoredMessage> page = store.before(conversationId, to, n + 1).stream()
            .filter(m -> m.seq() >= range.firstSeq()).toList();
        boolean more = page.size() > n;
        return new HistoryPage(more ? page.subList(1, page.size()) : page, more);
    }

    /** The user's conversations, most recently active first. */
    public List<ConversationSummary> conversations(long userId) {
        List<Conversation> convs = directory.conversationsOf(userId);
        Map<Long, StoredMessage> last = store.lastMessages(convs.stream().map(Conversation::id).toList());
        List<Long> peers = new ArrayList<>();
        for (Conversation c : convs) {
            if (c.kind() == Conversation.Kind.DIRECT) {
                peers.add(peerOf(c, userId));
            }
        }
        Map<Long, User> users = directory.findUsers(peers);
        List<ConversationSummary> result = new ArrayList<>(convs.size());
        for (Conversation c : convs) {
            String title = c.title();
            Long peer = null;
            if (c.kind() == Conversation.Kind.DIRECT) {
                peer = peerOf(c, userId);
                User u = users.get(peer);
                title = u == null ? null : u.displayName();
            }
            result.add(new ConversationSummary(c, title, peer, last.get(c.id())));
        }
        result.sort(Comparator.comparingLong(ConversationSummary::activityKey).reversed());
        return result;
    }

    private static long peerOf(Conversation c, long userId) {
        for (long m : c.members()) {
            if (m != userId) {
                return m;
            }
        }
        return userId;
    }

    /** A page of history. */
    public record HistoryPage(List<StoredMessage> messages, boolean hasMore) {
    }

    /**
     * One entry of the conversation list.
     *
     * @param peerUserId  the other member, for direct conversations
     * @param lastMessage the newest message, or {@code null} when there is none yet
     */
    public record ConversationSummary(Conversation conversation, String title, Long peerUserId,
                                      StoredMessage lastMessage) {
        public long lastSeq() {
            return lastMessage == null ? 0 : lastMessage.seq();
        }

        /** When the conversation was last active: its newest message, else its creation. */
        public long activityKey() {
            return lastMessage == null ? conversation.createdAt() : lastMessage.ts();
        }
    }
}
