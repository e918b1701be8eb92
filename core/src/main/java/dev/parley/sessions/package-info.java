/**
 * Connected devices: {@link dev.parley.sessions.Session} is one live connection, {@link
 * dev.parley.sessions.LocalSessions} the connections of this node, and {@link dev.parley.sessions.SessionRegistry}
 * the port that says which node holds which device (in memory on one node; Redis when scaled out).
 */
package dev.parley.sessions;
