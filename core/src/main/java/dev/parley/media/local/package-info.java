/** The embedded blob store: files under the data directory. */
package dev.parley.media.local;
