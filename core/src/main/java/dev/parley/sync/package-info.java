/**
 * Per-device sync: each device has a cursor per conversation (the highest {@code seq} it acknowledged with
 * {@code delivered}); on connect it gets every stored message above its cursors, in order, then {@code synced}.
 * Cursor updates are coalesced in memory and written in batches.
 */
package dev.parley.sync;
