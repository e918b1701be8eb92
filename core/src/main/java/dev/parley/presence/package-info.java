/**
 * Presence: a user is online while any device is connected and goes offline only after a grace period without
 * one (so a flaky network does not flap); last seen is persisted; subscribers see only users they share a
 * conversation with, as the users' privacy settings allow.
 */
package dev.parley.presence;
