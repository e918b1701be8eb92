package dev.parley.gateway;

import dev.parley.core.Ids;
import dev.parley.core.ParleyException;
import dev.parley.media.MediaService;
import dev.parley.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media byte paths, streamed rather than aggregated (a video may be 2 GB), placed before the REST aggregator:
 *
 * <ul>
 *   <li>{@code PUT /v1/media/{id}/upload?exp&sig}: the whole content; {@code HEAD} of the same URL: how much
 *       arrived ({@code Upload-Offset}); {@code PATCH} with {@code Upload-Offset}: the rest after an interruption;
 *       {@code OPTIONS}: what is supported. This is the core of the tus 1.0 resumable upload protocol, with the
 *       upload created by {@code POST /v1/media}.</li>
 *   <li>{@code GET}/{@code HEAD /v1/media/{id}/content?exp&sig} and {@code .../thumbnail?exp&sig}: the bytes,
 *       immutable and cacheable by any CDN, with single byte ranges ({@code 206}, {@code 416}).</li>
 * </ul>
 *
 * <p>Request bodies go through a bounded queue to a virtual thread that writes them to the blob store; the socket
 * stops being read while the queue is full. Everything else passes on unchanged.
 */
final class MediaHttpHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(MediaHttpHandler.class);
    private static final Pattern PATH = Pattern.compile("/v1/media/([0-9]{1,19})/(upload|content|thumbnail)");
    private static final String PREFIX = "/v1/media/";
    private static final Pattern RANGE = Pattern.compile("bytes=([0-9]{0,19})-([0-9]{0,19})");
    private static final String TUS = "1.0.0";
    private static final int CHUNK = 64 * 1024;

    private final Services services;
    /** The body of the upload being received, or null. */
    private Body body;
    /** Whether the rest of the current request is to be dropped (answered already, or a body we do not take). */
    private boolean discarding;

    MediaHttpHandler(Services services) {
        this.services = services;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req && req.uri().startsWith(PREFIX)) {
            Matcher m = PATH.matcher(new QueryStringDecoder(req.uri()).path());
            if (m.matches()) {
                ReferenceCountUtil.release(msg);
                start(ctx, req, Long.parseLong(m.group(1)), m.group(2));
                return;
            }
        } else if (msg instanceof HttpContent content && (body != null || discarding)) {
            boolean last = content instanceof LastHttpContent;
            if (body != null) {
                body.offer(content.content().retain());
                if (last) {
                    body.end();
                    body = null;
                }
            }
            content.release();
            if (last) {
                discarding = false;
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (body != null) {
            body.abort(); // the writer keeps what arrived: the client resumes with HEAD + PATCH
            body = null;
        }
        super.channelInactive(ctx);
    }

    private void start(ChannelHandlerContext ctx, HttpRequest req, long mediaId, String what) {
        if (!req.decoderResult().isSuccess()) {
            discarding = true;
            respond(ctx, req, error(ErrorCode.BAD_REQUEST, "malformed HTTP request"));
            return;
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        long exp = longParam(q, "exp");
        String sig = param(q, "sig");
        HttpMethod method = req.method();
        boolean upload = what.equals("upload");
        if (upload && (method.equals(HttpMethod.PUT) || method.equals(HttpMethod.PATCH))) {
            long offset = 0;
            if (method.equals(HttpMethod.PATCH)) {
                String h = req.headers().get("Upload-Offset");
                if (h == null || !h.matches("[0-9]{1,19}")) {
                    discarding = true;
                    respond(ctx, req, error(ErrorCode.BAD_REQUEST,
                        "Upload-Offset: missing or malformed (expected: the byte offset to continue at)"));
                    return;
                }
                offset = Long.parseLong(h);
            }
            if (HttpUtil.is100ContinueExpected(req)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
            Body in = new Body(ctx.channel());
            body = in;
            long at = offset;
            services.blocking().execute(() -> {
                FullHttpResponse r = receive(mediaId, exp, sig, at, in);
                // a body not read to its end (refused early) leaves bytes on the connection: close it after
                respond(ctx, req, r, HttpUtil.isKeepAlive(req) && in.endReached());
            });
            return;
        }
        discarding = true; // GET, HEAD and OPTIONS take no body
        if (upload && method.equals(HttpMethod.OPTIONS)) {
            FullHttpResponse r = empty(HttpResponseStatus.NO_CONTENT);
            r.headers().set("Tus-Version", TUS).set("Tus-Resumable", TUS)
                .set(HttpHeaderNames.ALLOW, "PUT, PATCH, HEAD, OPTIONS");
            respond(ctx, req, r);
        } else if (upload && method.equals(HttpMethod.HEAD)) {
            services.blocking().execute(() -> respond(ctx, req, status(mediaId, exp, sig)));
        } else if (!upload && (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD))) {
            MediaService.Variant variant = what.equals("content") ? MediaService.Variant.CONTENT
                : MediaService.Variant.THUMBNAIL;
            services.blocking().execute(() -> {
                try {
                    download(ctx, req, mediaId, variant, exp, sig);
                } catch (Throwable e) {
                    log.warn("download of media {} failed", mediaId, e);
                    ctx.channel().close();
                }
            });
        } else {
            FullHttpResponse r = error(ErrorCode.BAD_REQUEST, req.method() + " is not supported here");
            r.setStatus(HttpResponseStatus.METHOD_NOT_ALLOWED);
            r.headers().set(HttpHeaderNames.ALLOW, upload ? "PUT, PATCH, HEAD, OPTIONS" : "GET, HEAD");
            respond(ctx, req, r);
        }
    }

    private FullHttpResponse receive(long mediaId, long exp, String sig, long offset, Body in) {
        try (in) {
            MediaService.Progress p = services.media().receive(mediaId, exp, sig, offset, in);
            FullHttpResponse r = p.complete()
                ? HttpResponses.json(HttpResponseStatus.CREATED, Map.of("mediaId", Ids.toWire(mediaId),
                    "media", p.media().toRef()))
                : empty(HttpResponseStatus.NO_CONTENT);
            r.headers().set("Upload-Offset", p.received()).set("Tus-Resumable", TUS);
            return r;
        } catch (ParleyException e) {
            return error(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            log.warn("upload of media {} failed", mediaId, e);
            return error(ErrorCode.INTERNAL, "upload failed; ask for the offset (HEAD) and continue");
        }
    }

    private FullHttpResponse status(long mediaId, long exp, String sig) {
        try {
            MediaService.Progress p = services.media().status(mediaId, exp, sig);
            FullHttpResponse r = empty(HttpResponseStatus.OK);
            r.headers().set("Upload-Offset", p.received()).set("Upload-Length", p.size()).set("Tus-Resumable", TUS)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            return r;
        } catch (ParleyException e) {
            return error(e.code(), e.getMessage());
        }
    }

    private void download(ChannelHandlerContext ctx, HttpRequest req, long mediaId, MediaService.Variant variant,
                          long exp, String sig) {
        MediaService.Download d;
        try {
            d = services.media().download(mediaId, variant, exp, sig);
        } catch (ParleyException e) {
            respond(ctx, req, error(e.code(), e.getMessage()));
            return;
        }
        String etag = "\"" + d.key() + "\"";
        if (etag.equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH))) {
            FullHttpResponse r = empty(HttpResponseStatus.NOT_MODIFIED);
            r.headers().set(HttpHeaderNames.ETAG, etag);
            respond(ctx, req, r);
            return;
        }
        long[] range = range(req.headers().get(HttpHeaderNames.RANGE), d.length());
        if (range == null) {
            FullHttpResponse r = error(ErrorCode.RANGE_NOT_SATISFIABLE, "Range: outside the " + d.length()
                + " bytes of this media");
            r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + d.length());
            respond(ctx, req, r);
            return;
        }
        boolean partial = range.length == 2 && !(range[0] == 0 && range[1] == d.length());
        long offset = range[0];
        long length = range[1] - range[0];
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
            partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
        HttpHeaders h = head.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, d.contentType());
        h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        h.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        h.set(HttpHeaderNames.ETAG, etag);
        h.set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=31536000, immutable");
        h.set("X-Content-Type-Options", "nosniff");
        h.set(HttpHeaderNames.CONTENT_DISPOSITION, d.contentType().startsWith("image/")
            || d.contentType().startsWith("video/") || d.contentType().startsWith("audio/") ? "inline" : "attachment");
        if (partial) {
            h.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + offset + "-" + (range[1] - 1) + "/" + d.length());
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        Channel ch = ctx.channel();
        ctx.write(head);
        if (req.method().equals(HttpMethod.HEAD) || length == 0) {
            finish(ctx, LastHttpContent.EMPTY_LAST_CONTENT, keepAlive);
            return;
        }
        try (InputStream in = services.media().open(d, offset, length)) {
            byte[] buf = new byte[CHUNK];
            long left = length;
            while (left > 0) {
                int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, left));
                if (n <= 0) {
                    throw new IOException("media " + mediaId + " ended " + left + " bytes early");
                }
                left -= n;
                ByteBuf chunk = Unpooled.copiedBuffer(buf, 0, n);
                if (left == 0) {
                    // The last bytes and the end of the response in one write: a client that has all the bytes may
                    // send its next request at once, and its answer must not reach the encoder before this end.
                    finish(ctx, new DefaultLastHttpContent(chunk), keepAlive);
                    return;
                }
                ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(chunk));
                if (!ch.isWritable()) {
                    f.await(); // the client reads slower than the disk: wait rather than buffer the file
                }
                if (!ch.isActive()) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("download of media {} failed", mediaId, e);
            ch.close(); // headers are out: the only honest way to say so is to cut the response short
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.close();
        }
    }

    private static void finish(ChannelHandlerContext ctx, LastHttpContent last, boolean keepAlive) {
        ChannelFuture f = ctx.writeAndFlush(last);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * The byte range a {@code Range} header asks for, as {start, end-exclusive}; the whole content without (or for a
     * form this server does not serve, such as several ranges); null when it lies outside the content.
     */
    static long[] range(String header, long length) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return new long[] {0, length};
        }
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return new long[] {0, length};
        }
        if (m.group(1).isEmpty()) { // the last N bytes
            long n = Long.parseLong(m.group(2));
            return n == 0 ? null : new long[] {Math.max(0, length - n), length};
        }
        long start = Long.parseLong(m.group(1));
        long end = m.group(2).isEmpty() ? length - 1 : Math.min(Long.parseLong(m.group(2)), length - 1);
        if (start >= length || end < start) {
            return null;
        }
        return new long[] {start, end + 1};
    }

    private static void respond(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res) {
        respond(ctx, req, res, HttpUtil.isKeepAlive(req));
    }

    private static void respond(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res, boolean keepAlive) {
        HttpResponses.keepAlive(res, keepAlive);
        ChannelFuture f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse empty(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return r;
    }

    private static FullHttpResponse error(ErrorCode code, String message) {
        return HttpResponses.error(code, message);
    }

    private static String param(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static long longParam(QueryStringDecoder q, String name) {
        String v = param(q, name);
        return v != null && v.matches("[0-9]{1,12}") ? Long.parseLong(v) : 0;
    }

    /**
     * An upload's body on its way from the event loop to the writing thread: a bounded amount is queued; above it
     * the socket stops being read until the writer catches up.
     */
    private static final class Body extends InputStream {
        private static final ByteBuf END = Unpooled.EMPTY_BUFFER.duplicate();
        private static final ByteBuf ABORT = Unpooled.EMPTY_BUFFER.duplicate();
        private static final long HIGH = 4L << 20;
        private static final long LOW = 1L << 20;
        private static final long IDLE_SECONDS = 120;

        private final Channel channel;
        private final BlockingQueue<ByteBuf> queue = new LinkedBlockingQueue<>();
        private final AtomicLong queued = new AtomicLong();
        private ByteBuf current;
        private boolean done;
        private volatile boolean endReached;
        private volatile boolean closed;

        Body(Channel channel) {
            this.channel = channel;
        }

        /** On the event loop. */
        void offer(ByteBuf chunk) {
            if (closed) {
                chunk.release();
                return;
            }
            queue.add(chunk);
            if (closed) {
                releaseQueued();
                return;
            }
            if (queued.addAndGet(chunk.readableBytes()) > HIGH) {
                channel.config().setAutoRead(false);
            }
        }

        void end() {
            queue.add(END);
        }

        void abort() {
            queue.add(ABORT);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (current == null || !current.isReadable()) {
                if (done) {
                    return -1;
                }
                if (current != null) {
                    current.release();
                    current = null;
                }
                ByteBuf next;
                try {
                    next = queue.poll(IDLE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                if (next == null) {
                    channel.close();
                    throw new IOException("no upload bytes for " + IDLE_SECONDS + " s");
                }
                if (next == END) {
                    done = true;
                    endReached = true;
                    return -1;
                }
                if (next == ABORT) {
                    done = true;
                    throw new IOException("the connection closed during the upload");
                }
                if (queued.addAndGet(-next.readableBytes()) < LOW && !channel.config().isAutoRead()) {
                    channel.config().setAutoRead(true);
                }
                current = next;
            }
            int n = Math.min(len, current.readableBytes());
            current.readBytes(b, off, n);
            return n;
        }

        private void releaseQueued() {
            ByteBuf next;
            while ((next = queue.poll()) != null) {
                if (next != END && next != ABORT) {
                    next.release();
                }
            }
        }

        /** Releases whatever was not read; a body not read to its end leaves the connection unusable. */
        /** Whether the whole request body was read. */
        boolean endReached() {
            return endReached;
        }

        @Override
        public void close() {
            closed = true;
            if (current != null) {
                current.release();
                current = null;
            }
            releaseQueued();
            if (!channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
        }
    }
}
