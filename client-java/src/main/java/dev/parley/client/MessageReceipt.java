package dev.parley.client;

/**
 * Receipt state of one member for one message ({@code GET /v1/conversations/{id}/messages/{seq}/receipts}).
 *
 * @param userId    the member
 * @param delivered whether one of the member's devices acknowledged the message
 * @param read      whether the member read the message
 */
public record MessageReceipt(String userId, boolean delivered, boolean read) {
}
