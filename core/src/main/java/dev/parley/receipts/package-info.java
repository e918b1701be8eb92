/**
 * Receipts: per (conversation, member) the highest delivered and read {@code seq} (one row per member, not one per
 * message), pushed as {@code receipt} frames, and the unread counts derived from the read positions.
 */
package dev.parley.receipts;
