/**
 * Messaging: the message store port (messages kept once per conversation under a dense {@code seq}) and the
 * service that takes {@code send}, stores it durably and fans it out to the members' devices.
 */
package dev.parley.messaging;
