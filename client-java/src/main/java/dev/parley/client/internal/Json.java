package dev.parley.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.Account;
import dev.parley.client.ConversationSummary;
import dev.parley.client.Credentials;
import dev.parley.client.Device;
import dev.parley.client.Discovery;
import dev.parley.client.GroupInfo;
import dev.parley.client.GroupMember;
import dev.parley.client.HistoryPage;
import dev.parley.client.MediaPart;
import dev.parley.client.MediaUpload;
import dev.parley.client.MediaUrl;
import dev.parley.client.MessageInfo;
import dev.parley.client.MessageReceipt;
import dev.parley.client.ParleyException;
import dev.parley.client.UploadProgress;
import dev.parley.client.UserProfile;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.ServerFrame;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * Maps REST answers to the SDK's records. Lenient where the contract leaves the shape open: ids may be JSON strings
 * or numbers, and lists may come bare or wrapped in an object.
 */
public final class Json {
    private Json() {
    }

    /** Parses a JSON document; a malformed answer becomes a {@link ParleyException} quoting it. */
    public static JsonNode parse(String body) {
        try {
            JsonNode node = FrameCodec.INSTANCE.mapper().readTree(body == null ? "" : body);
            return node == null ? FrameCodec.INSTANCE.mapper().missingNode() : node;
        } catch (JsonProcessingException e) {
            throw new ParleyException("malformed JSON answer: " + e.getOriginalMessage() + " in: " + body, e);
        }
    }

    /** A new empty JSON object. */
    public static ObjectNode object() {
        return FrameCodec.INSTANCE.mapper().createObjectNode();
    }

    /** Serializes a tree. */
    public static String write(JsonNode node) {
        try {
            return FrameCodec.INSTANCE.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A field as text (numbers included), or {@code null} when missing or null. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    /** A field that must be present, as text. */
    public static String required(JsonNode node, String field) {
        String v = text(node, field);
        if (v == null) {
            throw new ParleyException("answer lacks \"" + field + "\": " + node);
        }
        return v;
    }

    private static Long longOrNull(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.canConvertToLong() ? null : v.asLong();
    }

    private static Boolean boolOrNull(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isBoolean() ? null : v.asBoolean();
    }

    /** An instant given as epoch milliseconds or as ISO-8601 text; {@code null} when absent or unreadable. */
    public static Instant instant(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.canConvertToLong()) {
            return Instant.ofEpochMilli(v.asLong());
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The array under {@code field}; else the node itself if it is an array; else its first array field. */
    public static JsonNode list(JsonNode node, String field) {
        if (node.isArray()) {
            return node;
        }
        JsonNode v = node.get(field);
        if (v != null && v.isArray()) {
            return v;
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            JsonNode e = it.next();
            if (e.isArray()) {
                return e;
            }
        }
        throw new ParleyException("answer lacks the list \"" + field + "\": " + node);
    }

    private static <T> List<T> map(JsonNode array, Function<JsonNode, T> mapper) {
        List<T> out = new ArrayList<>(array.size());
        array.forEach(e -> out.add(mapper.apply(e)));
        return List.copyOf(out);
    }

    /** The answer of {@code GET /v1/discovery}; without a {@code nodes} list, the chosen node alone. */
    public static Discovery discovery(JsonNode n) {
        URI url = webSocketUrl(required(n, "url"), n);
        int nodeId = n.path("nodeId").asInt();
        List<Discovery.Node> nodes = new ArrayList<>();
        JsonNode list = n.get("nodes");
        if (list != null && list.isArray()) {
            for (JsonNode e : list) {
                nodes.add(new Discovery.Node(e.path("nodeId").asInt(), webSocketUrl(required(e, "url"), n)));
            }
        }
        if (nodes.isEmpty()) {
            nodes.add(new Discovery.Node(nodeId, url));
        }
        return new Discovery(url, nodeId, nodes);
    }

    private static URI webSocketUrl(String raw, JsonNode answer) {
        try {
            URI u = new URI(raw);
            if (("ws".equalsIgnoreCase(u.getScheme()) || "wss".equalsIgnoreCase(u.getScheme())) && u.getHost() != null) {
                return u;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ParleyException("discovery: \"" + raw + "\" is not a ws:// or wss:// URL in: " + answer);
    }

    public static Account account(JsonNode n) {
        return new Account(required(n, "userId"), text(n, "username"));
    }

    public static Credentials credentials(JsonNode n) {
        return new Credentials(required(n, "token"), required(n, "userId"), required(n, "deviceId"));
    }

    public static List<Device> devices(JsonNode n) {
        return map(list(n, "devices"), d -> new Device(
            d.has("deviceId") ? required(d, "deviceId") : required(d, "id"),
            d.has("name") ? text(d, "name") : text(d, "deviceName"),
            longOrNull(d, "createdAt"),
            boolOrNull(d, "current")));
    }

    public static UserProfile user(JsonNode n) {
        return new UserProfile(required(n, "userId"), text(n, "username"), text(n, "displayName"));
    }

    public static List<ConversationSummary> conversations(JsonNode n) {
        return map(list(n, "conversations"), c -> new ConversationSummary(
            required(c, "conversationId"), text(c, "kind"), text(c, "title"), c.path("lastSeq").asLong(0),
            longOrNull(c, "unread"), text(c, "peerUserId"),
            c.path("lastMessage").isObject() ? message(c.get("lastMessage")) : null, longOrNull(c, "mutedUntil")));
    }

    /** History entries carry the fields of the {@code message} frame; {@code "type"} is optional there. */
    public static HistoryPage history(JsonNode n) {
        List<ServerFrame.Message> messages = map(list(n, "messages"), Json::message);
        return new HistoryPage(messages, n.path("hasMore").asBoolean(false));
    }

    /** Decodes one stored message, with or without its {@code "type":"message"}. */
    public static ServerFrame.Message message(JsonNode entry) {
        if (!entry.isObject()) {
            throw new ParleyException("history entry is not an object: " + entry);
        }
        ObjectNode copy = ((ObjectNode) entry).deepCopy();
        if (!copy.has("type")) {
            copy.put("type", "message");
        }
        try {
            if (FrameCodec.INSTANCE.mapper().treeToValue(copy, ServerFrame.class) instanceof ServerFrame.Message m) {
                return m;
            }
        } catch (JsonProcessingException e) {
            throw new ParleyException("malformed history entry: " + e.getOriginalMessage() + " in: " + entry, e);
        }
        throw new ParleyException("history entry is not a message: " + entry);
    }

    public static GroupInfo group(JsonNode n) {
        JsonNode members = n.path("members");
        List<GroupMember> list = members.isArray()
            ? map(members, m -> m.isObject()
                ? new GroupMember(required(m, "userId"), text(m, "role"))
                : new GroupMember(m.asText(), null))
            : List.of();
        return new GroupInfo(required(n, "conversationId"), text(n, "name"), text(n, "description"), list);
    }

    public static List<MessageReceipt> receipts(JsonNode n) {
        return map(list(n, "receipts"), r -> new MessageReceipt(
            required(r, "userId"), r.path("delivered").asBoolean(false), r.path("read").asBoolean(false)));
    }

    public static MessageInfo messageInfo(JsonNode n) {
        return new MessageInfo(receipts(n), n.path("deliveredToAll").asBoolean(false),
            n.path("readByAll").asBoolean(false));
    }

    public static MediaUpload mediaUpload(JsonNode n) {
        return new MediaUpload(required(n, "mediaId"), n.path("exists").asBoolean(false), text(n, "uploadUrl"),
            n.path("direct").asBoolean(false), mediaParts(n.path("parts")), instant(n, "expiresAt"));
    }

    public static UploadProgress uploadProgress(JsonNode n) {
        return new UploadProgress(required(n, "mediaId"), n.path("size").asLong(), n.path("received").asLong(),
            mediaParts(n.path("parts")), instant(n, "expiresAt"));
    }

    private static List<MediaPart> mediaParts(JsonNode parts) {
        List<MediaPart> out = new ArrayList<>();
        for (JsonNode p : parts) {
            out.add(new MediaPart(p.path("number").asInt(), p.path("offset").asLong(), p.path("length").asLong(),
                text(p, "url")));
        }
        return out;
    }

    /** The {@code media} object of an answer, as messages carry it. */
    public static MediaRef mediaRef(JsonNode n) {
        JsonNode media = n.path("media");
        if (!media.isObject()) {
            throw new ParleyException("answer without \"media\": " + n);
        }
        try {
            return FrameCodec.INSTANCE.mapper().treeToValue(media, MediaRef.class);
        } catch (JsonProcessingException e) {
            throw new ParleyException("malformed media in answer: " + e.getOriginalMessage(), e);
        }
    }

    public static MediaUrl mediaUrl(JsonNode n) {
        return new MediaUrl(required(n, "url"), text(n, "thumbnailUrl"), instant(n, "expiresAt"));
    }
}
