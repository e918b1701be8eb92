package dev.parley.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A minimal RFC 6455 server on a loopback port, enough to drive {@link ParleyConnection} in unit tests: text frames
 * (also sent fragmented), close, ping/pong. One reader thread per connection calls the {@link Handler}.
 */
final class TestWebSocketServer implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** Reacts to client frames, on the connection's reader thread. */
    interface Handler {
        void onText(Peer peer, String text) throws IOException;
    }

    private final ServerSocket server;
    private final Handler handler;
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    final BlockingQueue<Peer> accepted = new LinkedBlockingQueue<>();

    TestWebSocketServer(Handler handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "test-ws-accept");
        t.setDaemon(true);
        t.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Peer p = new Peer(s);
                peers.add(p);
                Thread t = new Thread(p::run, "test-ws-peer");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Peer p : peers) {
            p.dropTcp();
        }
    }

    /** One client connection. */
    final class Peer {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        volatile String path;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        /** The close code the client sent. */
        final CompletableFuture<Integer> clientClose = new CompletableFuture<>();
        private boolean closeSent;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        void run() {
            try {
                handshake();
                accepted.add(this);
                readLoop();
            } catch (IOException e) {
                // Connection dropped.
            } finally {
                clientClose.complete(-1);
                dropTcp();
            }
        }

        private void handshake() throws IOException {
            String request = readLine(in);
            path = request.split(" ")[1];
            String key = null;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-key")) {
                    key = line.substring(colon + 1).trim();
                }
            }
            String accept;
            try {
                accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            synchronized (this) {
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        }

        private static String readLine(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("eof in handshake");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        private void readLoop() throws IOException {
            java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                long len = b1 & 0x7F;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) {
                    in.readFully(mask);
                }
                byte[] payload = new byte[(int) len];
                in.readFully(payload);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
                switch (opcode) {
                    case 0x1, 0x0 -> {
                        message.write(payload);
                        if (fin) {
                            String text = message.toString(StandardCharsets.UTF_8);
                            message.reset();
                            received.add(text);
                            handler.onText(this, text);
                        }
                    }
                    case 0x8 -> {
                        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                        clientClose.complete(code);
                        sendClose(code, "");
                        return;
                    }
                    case 0x9 -> frame(0xA, payload, true);
                    default -> {
                    }
                }
            }
        }

        void sendText(String text) throws IOException {
            frame(0x1, text.getBytes(StandardCharsets.UTF_8), true);
        }

        /** Sends one text message as {@code parts} frames (split between chars, never inside a surrogate pair). */
        synchronized void sendFragmented(String text, int parts) throws IOException {
            int step = Math.max(1, text.length() / parts);
            int start = 0;
            boolean first = true;
            while (start < text.length()) {
                int end = Math.min(text.length(), start + step);
                if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                    end++;
                }
                boolean last = end >= text.length();
                frame(first ? 0x1 : 0x0, text.substring(start, end).getBytes(StandardCharsets.UTF_8), last);
                first = false;
                start = end;
            }
        }

        synchronized void sendClose(int code, String reason) throws IOException {
            if (closeSent) {
                return;
            }
            closeSent = true;
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(2 + r.length).putShort((short) code).put(r);
            frame(0x8, b.array(), true);
        }

        private synchronized void frame(int opcode, byte[] payload, boolean fin) throws IOException {
            out.write((fin ? 0x80 : 0) | opcode);
            if (payload.length < 126) {
                out.write(payload.length);
            } else if (payload.length <= 0xFFFF) {
                out.write(126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xFF);
            } else {
                out.write(127);
                out.write(ByteBuffer.allocate(8).putLong(payload.length).array());
            }
            out.write(payload);
            out.flush();
        }

        void dropTcp() {
            try {
                socket.close();
            } catch (IOException e) {
                // Already closed.
            }
        }
    }
}
