package dev.parley.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON codec for frames. Thread-safe; one shared instance is enough ({@link #INSTANCE}).
 * Unknown fields are ignored (so that clients may be newer than the server); unknown types are rejected.
 */
public final class FrameCodec {
    /** The shared codec. */
    public static final FrameCodec INSTANCE = new FrameCodec();

    private final ObjectMapper mapper;
    private final ObjectReader clientReader;
    private final ObjectReader serverReader;
    private final ObjectWriter clientWriter;
    private final ObjectWriter serverWriter;

    private FrameCodec() {
        mapper = newMapper();
        clientReader = mapper.readerFor(ClientFrame.class);
        serverReader = mapper.readerFor(ServerFrame.class);
        clientWriter = mapper.writerFor(ClientFrame.class);
        serverWriter = mapper.writerFor(ServerFrame.class);
    }

    /** An {@link ObjectMapper} configured as Parley's wire format (also used for REST bodies). */
    public static ObjectMapper newMapper() {
        return new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
    }

    /** The mapper behind this codec. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Decodes and validates a client frame.
     *
     * @throws ProtocolException with {@link ErrorCode#BAD_REQUEST} for malformed JSON, an unknown or missing
     *                           {@code type}, or an invalid field; {@link ErrorCode#TOO_LARGE} for an oversized body
     */
    public ClientFrame decodeClient(byte[] json) throws ProtocolException {
        ClientFrame frame = read(clientReader, json);
        frame.validate();
        return frame;
    }

    /** Decodes a server frame (for clients). */
    public ServerFrame decodeServer(byte[] json) throws ProtocolException {
        return read(serverReader, json);
    }

    /** Decodes a server frame from text (for clients). */
    public ServerFrame decodeServer(String json) throws ProtocolException {
        return decodeServer(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Encodes a server frame as UTF-8 JSON. */
    public byte[] encode(ServerFrame frame) {
        try {
            return serverWriter.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Encodes a client frame as JSON text. */
    public String encode(ClientFrame frame) {
        try {
            return clientWriter.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(ObjectReader reader, byte[] json) throws ProtocolException {
        try {
            T value = reader.readValue(json);
            if (value == null) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "frame: expected a JSON object with a \"type\"");
            }
            return value;
        } catch (InvalidTypeIdException e) {
            String id = e.getTypeId();
            throw new ProtocolException(ErrorCode.BAD_REQUEST, id == null
                ? "frame: missing \"type\""
                : "frame: unknown type \"" + id + "\"");
        } catch (MismatchedInputException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "frame: " + describe(e));
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "frame: malformed JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            }
        }
        String what = e.getOriginalMessage();
        int cut = what.indexOf('\n');
        if (cut > 0) {
            what = what.substring(0, cut);
        }
        return path.isEmpty() ? what : path + ": " + what;
    }
}
