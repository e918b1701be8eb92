/**
 * The directory port: users, devices and their token hashes, conversations and memberships, and per-device sync
 * cursors. Embedded in SQLite ({@code backend-sqlite}); PostgreSQL when scaled out.
 */
package dev.parley.directory;
