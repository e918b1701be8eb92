/** Push notifications to devices without a live connection: the sender port and its log-only embedded default. */
package dev.parley.push;
