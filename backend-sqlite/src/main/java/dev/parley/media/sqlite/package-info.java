/** The embedded media index: a SQLite file. */
package dev.parley.media.sqlite;
