package dev.parley.client;

import java.util.List;

/**
 * Who has a group message ({@code GET /v1/conversations/{id}/messages/{seq}/receipts}), as WhatsApp's "message
 * info" shows it.
 *
 * @param receipts       per member (other than the sender, and only members who were in the conversation when the
 *                       message was sent), whether it was delivered and read
 * @param deliveredToAll whether every one of them has it
 * @param readByAll      whether every one of them read it
 */
public record MessageInfo(List<MessageReceipt> receipts, boolean deliveredToAll, boolean readByAll) {
    /** Copies {@code receipts} into an unmodifiable list. */
    public MessageInfo {
        receipts = List.copyOf(receipts);
    }
}
