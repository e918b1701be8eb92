package dev.parley.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A bare WebSocket to /v1/ws with no SDK logic, for tests of what a misbehaving client gets. */
final class RawSocket implements AutoCloseable {
    final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebSocket ws;

    RawSocket(int port) {
        ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/ws"),
            new WebSocket.Listener() {
                private final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        texts.add(partial.toString());
                        partial.setLength(0);
                    }
                    w.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                    closeCode.complete(statusCode);
                    return null;
                }

                @Override
                public void onError(WebSocket w, Throwable error) {
                    closeCode.complete(1006);
                }
            }).join();
    }

    void send(String text) {
        ws.sendText(text, true).join();
    }

    String next() throws InterruptedException {
        String s = texts.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no frame within 10 s");
        }
        return s;
    }

    int awaitClose() throws Exception {
        return closeCode.get(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        ws.abort();
        http.close();
    }
}
