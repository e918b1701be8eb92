package dev.parley.e2e;

import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;

/** Several connections sending pipelined messages to one conversation, all released at the same moment. */
final class ConcurrentSenders {
    private ConcurrentSenders() {
    }

    /**
     * Starts one virtual thread per connection; each sends {@code perSender} messages without waiting between them.
     *
     * @param body (sender index, message index) to the message body
     * @return per sender, the {@code sent} answers in the order it sent
     */
    static List<CompletableFuture<List<ServerFrame.Sent>>> send(List<ParleyConnection> senders, String conversationId,
                                                                int perSender,
                                                                BiFunction<Integer, Integer, String> body) {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<List<ServerFrame.Sent>>> results = new ArrayList<>();
        for (int s = 0; s < senders.size(); s++) {
            ParleyConnection c = senders.get(s);
            int sender = s;
            CompletableFuture<List<ServerFrame.Sent>> done = new CompletableFuture<>();
            results.add(done);
            Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    List<CompletableFuture<ServerFrame.Sent>> mine = new ArrayList<>();
                    for (int i = 0; i < perSender; i++) {
                        mine.add(c.sendToConversation(conversationId, body.apply(sender, i)));
                    }
                    done.complete(mine.stream().map(CompletableFuture::join).toList());
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
        }
        go.countDown();
        return results;
    }
}
