package dev.parley.messaging.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.SystemEvent;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The {@code messages} table's columns, and their mapping to {@link StoredMessage}. */
final class MessageRows {
    /** The columns in the order {@link #read} expects, for {@code SELECT} and {@code INSERT}. */
    static final String COLUMNS =
        "conversation_id, seq, id, sender_user_id, sender_device_id, client_msg_id, body, media_json, ts,"
            + " system_json";
    /** {@link #COLUMNS} of the table aliased {@code m}. */
    static final String M_COLUMNS =
        "m.conversation_id, m.seq, m.id, m.sender_user_id, m.sender_device_id, m.client_msg_id, m.body, m.media_json,"
            + " m.ts, m.system_json";

    private static final ObjectWriter MEDIA_WRITER = FrameCodec.newMapper().writerFor(MediaRef.class);
    private static final ObjectReader MEDIA_READER = FrameCodec.newMapper().readerFor(MediaRef.class);
    private static final ObjectWriter SYSTEM_WRITER = FrameCodec.newMapper().writerFor(SystemEvent.class);
    private static final ObjectReader SYSTEM_READER = FrameCodec.newMapper().readerFor(SystemEvent.class);

    private MessageRows() {
    }

    static StoredMessage read(ResultSet rs) throws SQLException {
        return new StoredMessage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
            rs.getString(6), rs.getString(7), media(rs.getString(8)), rs.getLong(9), system(rs.getString(10)));
    }

    /** The JSON of a media reference, or null without one. */
    static String mediaJson(MediaRef media) {
        if (media == null) {
            return null;
        }
        try {
            return MEDIA_WRITER.writeValueAsString(media);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MediaRef media(String json) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return MEDIA_READER.readValue(json);
        } catch (JsonProcessingException e) {
            throw new SQLException("media_json: unreadable (expected: a MediaRef as JSON): " + e.getOriginalMessage(),
                e);
        }
    }

    /** The JSON of a system event, or null for a message a user sent. */
    static String systemJson(SystemEvent system) {
        if (system == null) {
            return null;
        }
        try {
            return SYSTEM_WRITER.writeValueAsString(system);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SystemEvent system(String json) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return SYSTEM_READER.readValue(json);
        } catch (JsonProcessingException e) {
            throw new SQLException("system_json: unreadable (expected: a SystemEvent as JSON): "
                + e.getOriginalMessage(), e);
        }
    }
}
