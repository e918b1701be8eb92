/**
 * Group conversations: creating them, membership and roles, names, and the system messages that record every
 * change in the conversation itself.
 */
package dev.parley.groups;
