package dev.parley.client;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ProtocolException;
import dev.parley.protocol.ServerFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Just enough of the Parley WebSocket protocol for SDK unit tests. Tokens: {@code user:<id>} is accepted,
 * {@code silent} gets no answer, {@code close4408} is closed without an error frame, anything else is rejected
 * like a bad token (error frame, then close 4401). A {@code send} with body {@code reject} gets an error frame
 * with its {@code ref}; other sends get {@code sent} (idempotently per clientMsgId) unless {@link #answerSends} is
 * off.
 */
final class FakeParley implements TestWebSocketServer.Handler {
    static final FrameCodec CODEC = FrameCodec.INSTANCE;

    volatile Consumer<TestWebSocketServer.Peer> afterReady = p -> send(p, new ServerFrame.Synced());
    volatile boolean answerSends = true;
    volatile boolean answerPings = true;
    final BlockingQueue<ClientFrame> frames = new LinkedBlockingQueue<>();
    private final Map<String, AtomicLong> seqs = new ConcurrentHashMap<>();
    private final Map<String, ServerFrame.Sent> sentByClientMsgId = new ConcurrentHashMap<>();

    static void send(TestWebSocketServer.Peer peer, ServerFrame frame) {
        try {
            peer.sendText(new String(CODEC.encode(frame), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ServerFrame.Message message(String conversationId, long seq) {
        return new ServerFrame.Message(conversationId, seq, "m-" + conversationId + "-" + seq, "u-bob", "d-bob",
            "c-" + seq, "body " + seq, 1_000 + seq, null, null);
    }

    @Override
    public void onText(TestWebSocketServer.Peer peer, String text) throws IOException {
        ClientFrame frame;
        try {
            frame = CODEC.decodeClient(text.getBytes(StandardCharsets.UTF_8));
        } catch (ProtocolException e) {
            send(peer, new ServerFrame.Error(e.code(), e.getMessage(), null));
            return;
        }
        frames.add(frame);
        switch (frame) {
            case ClientFrame.Auth a -> {
                if (a.token().startsWith("user:")) {
                    send(peer, new ServerFrame.Ready(a.token().substring(5), "dev-1", 123));
                    afterReady.accept(peer);
                } else if (a.token().equals("close4408")) {
                    peer.sendClose(4408, "auth timeout");
                } else if (!a.token().equals("silent")) {
                    send(peer, new ServerFrame.Error(ErrorCode.UNAUTHORIZED, "bad token", null));
                    peer.sendClose(4401, "unauthorized");
                }
            }
            case ClientFrame.Send s -> {
                if ("reject".equals(s.body())) {
                    send(peer, new ServerFrame.Error(ErrorCode.TOO_LARGE, "body too long", s.clientMsgId()));
                } else if (answerSends) {
                    send(peer, sentByClientMsgId.computeIfAbsent(s.clientMsgId(), id -> {
                        String conversation = s.to().user() != null ? "dm-" + s.to().user() : s.to().conversation();
                        long seq = seqs.computeIfAbsent(conversation, k -> new AtomicLong()).incrementAndGet();
                        return new ServerFrame.Sent(id, conversation, seq, "m-" + conversation + "-" + seq, 1_000);
                    }));
                }
            }
            case ClientFrame.Ping p -> {
                if (answerPings) {
                    send(peer, new ServerFrame.Pong(42));
                }
            }
            default -> {
            }
        }
    }
}
