/** End-to-end tests: the real server on a loopback port, driven through the Java SDK. */
package dev.parley.e2e;
