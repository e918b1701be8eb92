package dev.parley.directory;

/** How far a member has received and read a conversation (cumulative seqs; {@code read <= delivered}). */
public record ReceiptPosition(long conversationId, long userId, long delivered, long read) {
}
