package dev.parley.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.accounts.LoginResult;
import dev.parley.accounts.RateLimitedException;
import dev.parley.core.Ids;
import dev.parley.core.ParleyException;
import dev.parley.directory.Conversation;
import dev.parley.directory.Device;
import dev.parley.directory.Member;
import dev.parley.directory.User;
import dev.parley.media.BlobStore;
import dev.parley.media.MediaService;
import dev.parley.messaging.MessagingService;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.ErrorCode;
import dev.parley.push.PushKind;
import dev.parley.push.PushService;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST API of protocol v1. Each request runs on a virtual thread; the answer is written back on the channel. */
final class RestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(RestHandler.class);

    /** A Host header fit to be put into a URL: a name or address and an optional port, nothing else. */
    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Za-z0-9.:\\[\\]-]+");

    private final Services services;
    private final Supplier<Boolean> ready;
    private final WebAssets web;
    /** HTTP/1.1 pipelining: answers go out in request order, so one connection's requests run one at a time. */
    private final SerialExecutor serial;

    RestHandler(Services services, Supplier<Boolean> ready, WebAssets web) {
        this.services = services;
        this.ready = ready;
        this.web = web;
        this.serial = new SerialExecutor(services.blocking());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            write(ctx, req, HttpResponses.error(ErrorCode.BAD_REQUEST, "malformed HTTP request"), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        req.retain();
        serial.execute(() -> {
            FullHttpResponse res;
            try {
                res = route(ctx, req);
            } catch (RateLimitedException e) {
                res = HttpResponses.error(e.code(), e.getMessage());
                res.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
            } catch (MethodNotAllowed e) {
                res = HttpResponses.error(HttpResponseStatus.METHOD_NOT_ALLOWED, e.code(), e.getMessage());
                res.headers().set(HttpHeaderNames.ALLOW, e.allowed);
            } catch (ParleyException e) {
                res = HttpResponses.error(e.code(), e.getMessage());
                if (e.code() == ErrorCode.INTERNAL) {
                    log.warn("{} {} failed", req.method(), req.uri(), e);
                }
            } catch (RuntimeException e) {
                log.error("{} {} failed", req.method(), req.uri(), e);
                res = HttpResponses.error(ErrorCode.INTERNAL, "internal error");
            } finally {
                req.release();
            }
            write(ctx, req, res, keepAlive);
        });
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res, boolean keepAlive) {
        HttpResponses.keepAlive(res, keepAlive);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse route(ChannelHandlerContext ctx, FullHttpRequest req) {
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        if (WebAssets.handles(q.path())) {
            return web.serve(req, q.path());
        }
        if (q.path().equals("/metrics") && req.method().equals(HttpMethod.GET)) {
            byte[] text = services.scrape().get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            var res = new io.netty.handler.codec.http.DefaultFullHttpResponse(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                io.netty.buffer.Unpooled.wrappedBuffer(text));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
            return res;
        }
        String[] p = q.path().split("/");
        // p[0] is "" (leading slash); p[1] "v1"
        if (p.length < 3 || !p[1].equals("v1")) {
            throw notFound(q.path());
        }
        HttpMethod m = req.method();
        String resource = p[2];
        switch (resource) {
            case "health":
                if (p.length == 3 && m.equals(HttpMethod.GET)) {
                    return ready.get()
                        ? HttpResponses.json(HttpResponseStatus.OK, Map.of("status", "ok"))
                        : HttpResponses.error(ErrorCode.UNAVAILABLE, "starting or stopping");
                }
                break;
            case "discovery":
                if (p.length == 3 && m.equals(HttpMethod.GET)) {
                    return DiscoveryRoute.answer(services.discovery(), req);
                }
                break;
            case "accounts":
                if (p.length == 3 && m.equals(HttpMethod.POST)) {
                    JsonNode b = body(req);
                    User u = services.accounts().register(text(b, "username"), text(b, "password"),
                        optText(b, "displayName"));
                    return HttpResponses.json(HttpResponseStatus.CREATED,
                        Map.of("userId", Ids.toWire(u.id()), "username", u.username()));
                }
                break;
            case "sessions":
                if (p.length == 3 && m.equals(HttpMethod.POST)) {
                    JsonNode b = body(req);
                    LoginResult r = services.accounts().login(text(b, "username"), text(b, "password"),
                        optText(b, "deviceName"), clientAddress(ctx));
                    return HttpResponses.json(HttpResponseStatus.CREATED, Map.of("token", r.token(),
                        "userId", Ids.toWire(r.userId()), "deviceId", Ids.toWire(r.deviceId())));
                }
                if (p.length == 4 && p[3].equals("current") && m.equals(HttpMethod.DELETE)) {
                    services.accounts().logout(authenticate(req));
                    return HttpResponses.noContent();
                }
                break;
            case "devices":
                if (p.length == 3 && m.equals(HttpMethod.GET)) {
                    Device me = authenticate(req);
                    List<Map<String, Object>> list = new ArrayList<>();
                    for (Device d : services.accounts().devices(me.userId())) {
                        list.add(Map.of("deviceId", Ids.toWire(d.id()), "name", d.name(), "createdAt", d.createdAt(),
                            "current", d.id() == me.id()));
                    }
                    return HttpResponses.json(HttpResponseStatus.OK, Map.of("devices", list));
                }
                if (p.length == 5 && p[3].equals("current") && p[4].equals("push")) {
                    return push(req, m);
                }
                if (p.length == 4 && m.equals(HttpMethod.DELETE)) {
                    Device me = authenticate(req);
                    services.accounts().revoke(me.userId(), Ids.parse("deviceId", p[3]));
                    return HttpResponses.noContent();
                }
                break;
            case "users":
                if (p.length == 3 && m.equals(HttpMethod.GET)) {
                    authenticate(req);
                    String name = q.parameters().getOrDefault("username", List.of()).stream().findFirst()
                        .orElseThrow(() -> new ParleyException(ErrorCode.BAD_REQUEST,
                            "username: missing (expected: ?username=NAME)"));
                    User u = services.accounts().userByUsername(name).orElseThrow(() -> new ParleyException(
                        ErrorCode.NOT_FOUND, "username: \"" + name + "\" (no such user)"));
                    return HttpResponses.json(HttpResponseStatus.OK, userJson(u));
                }
                if (p.length == 4 && m.equals(HttpMethod.GET)) {
                    authenticate(req);
                    long id = Ids.parse("userId", p[3]);
                    User u = services.accounts().user(id).orElseThrow(() -> new ParleyException(
                        ErrorCode.NOT_FOUND, "userId: " + p[3] + " (no such user)"));
                    return HttpResponses.json(HttpResponseStatus.OK, userJson(u));
                }
                break;
            case "conversations":
                return conversations(req, q, p, m);
            case "groups":
                return groups(req, q, p, m);
            case "media":
                return media(req, q, p, m);
            case "push":
                if (p.length == 4 && p[3].equals("vapid-key") && m.equals(HttpMethod.GET)) {
                    String key = services.push().webPushPublicKey();
                    if (key == null) {
                        throw new ParleyException(ErrorCode.NOT_FOUND, "Web Push is not configured on this server");
                    }
                    return HttpResponses.json(HttpResponseStatus.OK, Map.of("publicKey", key));
                }
                break;
            case "me":
                if (p.length == 4 && p[3].equals("settings") && (m.equals(HttpMethod.GET) || m.equals(HttpMethod.PUT))) {
                    Device me = authenticate(req);
                    if (m.equals(HttpMethod.PUT)) {
                        JsonNode previews = body(req).get("pushPreviews");
                        if (previews == null || !previews.isBoolean()) {
                            throw new ParleyException(ErrorCode.BAD_REQUEST, "pushPreviews: missing (expected: true or"
                                + " false)");
                        }
                        services.push().setPreviews(me.userId(), previews.asBoolean());
                    }
                    return HttpResponses.json(HttpResponseStatus.OK,
                        Map.of("pushPreviews", services.push().previews(me.userId())));
                }
                if (p.length == 4 && p[3].equals("privacy") && m.equals(HttpMethod.PUT)) {
                    Device me = authenticate(req);
                    services.presence().setPrivacy(me.userId(), text(body(req), "lastSeen"));
                    return HttpResponses.noContent();
                }
                break;
            default:
                break;
        }
        throw notFound(q.path());
    }

    /** {@code PUT|DELETE /v1/devices/current/push}: the calling device's push channel. */
    private FullHttpResponse push(FullHttpRequest req, HttpMethod m) {
        if (m.equals(HttpMethod.DELETE)) {
            Device me = authenticate(req);
            services.push().unregister(me.userId(), me.id());
            return HttpResponses.noContent();
        }
        if (!m.equals(HttpMethod.PUT)) {
            throw notFound(new QueryStringDecoder(req.uri()).path());
        }
        Device me = authenticate(req);
        JsonNode b = body(req);
        String kindName = text(b, "kind");
        PushKind kind = PushKind.fromWire(kindName);
        if (kind == null) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "kind: \"" + kindName
                + "\" (expected: apns, fcm, webpush or unifiedpush)");
        }
        JsonNode keys = b.get("keys");
        if (keys != null && !keys.isNull() && !keys.isObject()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "keys: expected an object {p256dh, auth}");
        }
        boolean hasKeys = keys != null && keys.isObject();
        String address = kind == PushKind.APNS || kind == PushKind.FCM ? optText(b, "token") : optText(b, "endpoint");
        services.push().register(me.userId(), me.id(), kind, address, optText(b, "topic"),
            hasKeys ? optText(keys, "p256dh") : null, hasKeys ? optText(keys, "auth") : null);
        return HttpResponses.noContent();
    }

    private FullHttpResponse conversations(FullHttpRequest req, QueryStringDecoder q, String[] p, HttpMethod m) {
        if (p.length == 5 && p[4].equals("mute") && (m.equals(HttpMethod.PUT) || m.equals(HttpMethod.DELETE))) {
            Device me = authenticate(req);
            long conv = Ids.parse("conversationId", p[3]);
            services.messaging().member(me.userId(), conv);
            long until = 0;
            if (m.equals(HttpMethod.PUT)) {
                JsonNode u = body(req).get("until");
                if (u != null && u.isTextual() && u.asText().equals("forever")) {
                    until = PushService.FOREVER;
                } else if (u != null && u.canConvertToLong() && u.isIntegralNumber()) {
                    until = u.asLong();
                } else {
                    throw new ParleyException(ErrorCode.BAD_REQUEST,
                        "until: missing (expected: epoch milliseconds, or \"forever\")");
                }
            }
            services.push().mute(me.userId(), conv, until);
            return HttpResponses.noContent();
        }
        if (p.length == 3 && m.equals(HttpMethod.GET)) {
            Device me = authenticate(req);
            Map<Long, Long> mutes = services.push().mutes(me.userId());
            List<Map<String, Object>> list = new ArrayList<>();
            for (MessagingService.ConversationSummary s : services.messaging().conversations(me.userId())) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("conversationId", Ids.toWire(s.conversation().id()));
                c.put("kind", s.conversation().kind().wireName());
                c.put("title", s.title());
                if (s.peerUserId() != null) {
                    c.put("peerUserId", Ids.toWire(s.peerUserId()));
                }
                c.put("lastSeq", s.lastSeq());
                var mine = s.conversation().member(me.userId());
                c.put("unread", services.receipts().unread(s.conversation().id(), me.userId(),
                    mine == null ? 0 : mine.joinedSeq(), s.lastSeq()));
                if (s.lastMessage() != null) {
                    c.put("lastMessage", s.lastMessage().toFrame());
                }
                Long mutedUntil = mutes.get(s.conversation().id());
                if (mutedUntil != null) {
                    c.put("mutedUntil", mutedUntil);
                }
                list.add(c);
            }
            return HttpResponses.json(HttpResponseStatus.OK, Map.of("conversations", list));
        }
        if (p.length == 7 && p[4].equals("messages") && p[6].equals("receipts") && m.equals(HttpMethod.GET)) {
            Device me = authenticate(req);
            var range = services.messaging().readable(me.userId(), Ids.parse("conversationId", p[3]));
            if (!range.isCurrentMember()) {
                throw new ParleyException(ErrorCode.FORBIDDEN,
                    "conversation: " + p[3] + " (you are no longer a member)");
            }
            StoredMessage message = services.messaging().message(range, Ids.parse("seq", p[5]));
            var info = services.receipts().info(range.conversation(), message);
            List<Map<String, Object>> list = new ArrayList<>();
            for (var r : info.receipts()) {
                list.add(Map.of("userId", Ids.toWire(r.userId()), "delivered", r.delivered(), "read", r.read()));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("receipts", list);
            body.put("deliveredToAll", info.deliveredToAll());
            body.put("readByAll", info.readByAll());
            return HttpResponses.json(HttpResponseStatus.OK, body);
        }
        if (p.length == 5 && p[4].equals("messages") && m.equals(HttpMethod.GET)) {
            Device me = authenticate(req);
            long conv = Ids.parse("conversationId", p[3]);
            MessagingService.HistoryPage page = services.messaging().history(me.userId(), conv,
                longParam(q, "beforeSeq"), longParam(q, "afterSeq"), intParam(q, "limit"));
            List<Object> msgs = new ArrayList<>(page.messages().size());
            for (StoredMessage sm : page.messages()) {
                msgs.add(sm.toFrame());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("messages", msgs);
            body.put("hasMore", page.hasMore());
            return HttpResponses.json(HttpResponseStatus.OK, body);
        }
        throw notFound(q.path());
    }

    /** {@code /v1/groups}, {@code /v1/groups/{id}}, {@code /v1/groups/{id}/members[/{userId}]}. */
    private FullHttpResponse groups(FullHttpRequest req, QueryStringDecoder q, String[] p, HttpMethod m) {
        var groups = services.groups();
        if (p.length == 3 && m.equals(HttpMethod.POST)) {
            Device me = authenticate(req);
            JsonNode b = body(req);
            Conversation g = groups.create(me.userId(), text(b, "name"), optText(b, "description"),
                textList(b, "members"));
            return HttpResponses.json(HttpResponseStatus.CREATED, groupJson(g));
        }
        if (p.length == 4) {
            if (m.equals(HttpMethod.GET)) {
                Device me = authenticate(req);
                return HttpResponses.json(HttpResponseStatus.OK,
                    groupJson(groups.get(me.userId(), Ids.parse("conversationId", p[3]))));
            }
            if (m.equals(HttpMethod.PATCH)) {
                Device me = authenticate(req);
                JsonNode b = body(req);
                return HttpResponses.json(HttpResponseStatus.OK, groupJson(groups.update(me.userId(),
                    Ids.parse("conversationId", p[3]), optText(b, "name"), optText(b, "description"))));
            }
        }
        if (p.length == 5 && p[4].equals("members") && m.equals(HttpMethod.POST)) {
            Device me = authenticate(req);
            JsonNode b = body(req);
            return HttpResponses.json(HttpResponseStatus.OK, groupJson(groups.addMembers(me.userId(),
                Ids.parse("conversationId", p[3]), textList(b, "userIds"))));
        }
        if (p.length == 6 && p[4].equals("members")) {
            if (m.equals(HttpMethod.DELETE)) {
                Device me = authenticate(req);
                groups.removeMember(me.userId(), Ids.parse("conversationId", p[3]), Ids.parse("userId", p[5]));
                return HttpResponses.noContent();
            }
            if (m.equals(HttpMethod.PUT)) {
                Device me = authenticate(req);
                JsonNode b = body(req);
                return HttpResponses.json(HttpResponseStatus.OK, groupJson(groups.setRole(me.userId(),
                    Ids.parse("conversationId", p[3]), Ids.parse("userId", p[5]), text(b, "role"))));
            }
        }
        throw notFound(q.path());
    }

    /**
     * {@code POST /v1/media}, {@code GET /v1/media/{id}/url}, {@code GET /v1/media/{id}/parts},
     * {@code POST /v1/media/{id}/complete}.
     */
    private FullHttpResponse media(FullHttpRequest req, QueryStringDecoder q, String[] p, HttpMethod m) {
        var media = services.media();
        if (p.length == 3 && m.equals(HttpMethod.POST)) {
            Device me = authenticate(req);
            JsonNode b = body(req);
            JsonNode size = b.get("size");
            if (size == null || !size.canConvertToLong()) {
                throw new ParleyException(ErrorCode.BAD_REQUEST, "size: missing (expected: the length in bytes)");
            }
            MediaService.UploadSlot slot = media.create(me.userId(), size.asLong(), text(b, "mimeType"),
                text(b, "sha256"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("mediaId", Ids.toWire(slot.media().mediaId()));
            if (slot.exists()) {
                body.put("exists", true);
                body.put("media", slot.media().toRef());
            } else if (slot.parts() != null) {
                body.put("direct", true);
                body.put("parts", parts(slot.parts()));
                body.put("expiresAt", slot.expiresAt());
            } else {
                body.put("uploadUrl", slot.directUrl() != null ? slot.directUrl().toString()
                    : baseUrl(req) + slot.uploadPath());
                body.put("direct", slot.directUrl() != null);
                body.put("expiresAt", slot.expiresAt());
            }
            return HttpResponses.json(slot.exists() ? HttpResponseStatus.OK : HttpResponseStatus.CREATED, body);
        }
        if (p.length == 5 && p[4].equals("url") && m.equals(HttpMethod.GET)) {
            Device me = authenticate(req);
            MediaService.Links links = media.links(me.userId(), Ids.parse("mediaId", p[3]));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("url", url(req, links.content()));
            if (links.thumbnail() != null) {
                body.put("thumbnailUrl", url(req, links.thumbnail()));
            }
            body.put("expiresAt", links.expiresAt());
            body.put("media", links.media().toRef());
            return HttpResponses.json(HttpResponseStatus.OK, body);
        }
        if (p.length == 5 && p[4].equals("parts") && m.equals(HttpMethod.GET)) {
            Device me = authenticate(req);
            MediaService.Parts parts = media.parts(me.userId(), Ids.parse("mediaId", p[3]));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("mediaId", Ids.toWire(parts.media().mediaId()));
            body.put("size", parts.media().size());
            body.put("received", parts.received());
            body.put("parts", parts(parts.parts()));
            body.put("expiresAt", parts.expiresAt());
            return HttpResponses.json(HttpResponseStatus.OK, body);
        }
        if (p.length == 5 && p[4].equals("complete") && m.equals(HttpMethod.POST)) {
            Device me = authenticate(req);
            return HttpResponses.json(HttpResponseStatus.OK,
                Map.of("media", media.complete(me.userId(), Ids.parse("mediaId", p[3])).toRef()));
        }
        throw notFound(q.path());
    }

    private static List<Map<String, Object>> parts(List<BlobStore.DirectPart> parts) {
        List<Map<String, Object>> out = new ArrayList<>(parts.size());
        for (BlobStore.DirectPart part : parts) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("number", part.number());
            one.put("offset", part.offset());
            one.put("length", part.length());
            if (part.received()) {
                one.put("received", true);
            } else {
                one.put("url", part.url().toString());
            }
            out.add(one);
        }
        return out;
    }

    private static String url(FullHttpRequest req, MediaService.Link link) {
        return link.direct() != null ? link.direct().toString() : baseUrl(req) + link.path();
    }

    /** This server as the client reached it: scheme (from X-Forwarded-Proto behind a proxy) and Host. */
    static String baseUrl(io.netty.handler.codec.http.HttpRequest req) {
        String proto = req.headers().get("X-Forwarded-Proto");
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || !HOST.matcher(host).matches()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "Host: missing or malformed");
        }
        return ("https".equalsIgnoreCase(proto) ? "https" : "http") + "://" + host;
    }

    private Map<String, Object> groupJson(Conversation g) {
        List<Map<String, Object>> members = new ArrayList<>(g.size());
        for (Member member : g.roster()) {
            members.add(Map.of("userId", Ids.toWire(member.userId()), "role", member.role().wireName(),
                "joinedAt", member.joinedAt()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("conversationId", Ids.toWire(g.id()));
        body.put("name", g.title());
        body.put("description", g.description());
        body.put("createdAt", g.createdAt());
        body.put("maxMembers", services.groups().maxMembers());
        body.put("members", members);
        return body;
    }

    private static Map<String, Object> userJson(User u) {
        return Map.of("userId", Ids.toWire(u.id()), "username", u.username(), "displayName", u.displayName());
    }

    private Device authenticate(FullHttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ParleyException(ErrorCode.UNAUTHORIZED, "missing Authorization: Bearer <token>");
        }
        return services.accounts().authenticate(h.substring(7).trim()).orElseThrow(() ->
            new ParleyException(ErrorCode.UNAUTHORIZED, "invalid or revoked token"));
    }

    private static JsonNode body(FullHttpRequest req) {
        if (req.content().readableBytes() == 0) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "body: missing (expected: a JSON object)");
        }
        try {
            JsonNode n = HttpResponses.JSON.readTree((java.io.InputStream) new ByteBufInputStream(req.content()));
            if (n == null || !n.isObject()) {
                throw new ParleyException(ErrorCode.BAD_REQUEST, "body: expected a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "body: malformed JSON");
        }
    }

    private static String text(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || n.isNull()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": missing");
        }
        if (!n.isTextual()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": expected a string");
        }
        return n.asText();
    }

    private static String optText(JsonNode b, String field) {
        JsonNode n = b.get(field);
        return n == null || n.isNull() ? null : text(b, field);
    }

    private static List<String> textList(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || n.isNull()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": missing (expected: a list of strings)");
        }
        if (!n.isArray()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": expected a list of strings");
        }
        List<String> result = new ArrayList<>(n.size());
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": expected a list of strings (ids are"
                    + " strings)");
            }
            result.add(e.asText());
        }
        return result;
    }

    private static Long longParam(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        if (v == null || v.isEmpty() || v.get(0).isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(v.get(0));
        } catch (NumberFormatException e) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, name + ": \"" + v.get(0) + "\" (expected: a number)");
        }
    }

    private static Integer intParam(QueryStringDecoder q, String name) {
        Long v = longParam(q, name);
        if (v != null && (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE)) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, name + ": " + v + " (expected: a small number)");
        }
        return v == null ? null : v.intValue();
    }

    private static String clientAddress(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a
            ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
    }

    /** Every route and its methods, for the answer to a request that matches a path but not its method. */
    private static final Map<java.util.regex.Pattern, String> ROUTES = Map.ofEntries(
        Map.entry(route("/v1/health"), "GET"),
        Map.entry(route("/v1/discovery"), "GET"),
        Map.entry(route("/v1/accounts"), "POST"),
        Map.entry(route("/v1/sessions"), "POST"),
        Map.entry(route("/v1/sessions/current"), "DELETE"),
        Map.entry(route("/v1/devices"), "GET"),
        Map.entry(route("/v1/devices/[^/]+"), "DELETE"),
        Map.entry(route("/v1/devices/current/push"), "PUT, DELETE"),
        Map.entry(route("/v1/push/vapid-key"), "GET"),
        Map.entry(route("/v1/me/settings"), "GET, PUT"),
        Map.entry(route("/v1/conversations/[^/]+/mute"), "PUT, DELETE"),
        Map.entry(route("/v1/users"), "GET"),
        Map.entry(route("/v1/users/[^/]+"), "GET"),
        Map.entry(route("/v1/me/privacy"), "PUT"),
        Map.entry(route("/v1/conversations"), "GET"),
        Map.entry(route("/v1/conversations/[^/]+/messages"), "GET"),
        Map.entry(route("/v1/conversations/[^/]+/messages/[^/]+/receipts"), "GET"),
        Map.entry(route("/v1/groups"), "POST"),
        Map.entry(route("/v1/groups/[^/]+"), "GET, PATCH"),
        Map.entry(route("/v1/groups/[^/]+/members"), "POST"),
        Map.entry(route("/v1/groups/[^/]+/members/[^/]+"), "DELETE, PUT"),
        Map.entry(route("/metrics"), "GET"));

    private static java.util.regex.Pattern route(String regex) {
        return java.util.regex.Pattern.compile(regex);
    }

    /** 405 with the allowed method when the path exists, else 404. */
    private static ParleyException notFound(String path) {
        for (var e : ROUTES.entrySet()) {
            if (e.getKey().matcher(path).matches()) {
                return new MethodNotAllowed(path, e.getValue());
            }
        }
        return new ParleyException(ErrorCode.NOT_FOUND, "no such endpoint: " + path);
    }

    private static final class MethodNotAllowed extends ParleyException {
        final String allowed;

        MethodNotAllowed(String path, String allowed) {
            super(ErrorCode.BAD_REQUEST, path + ": method not allowed (expected: " + allowed + ")");
            this.allowed = allowed;
        }
    }
}
