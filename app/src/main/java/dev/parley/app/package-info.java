/** The Parley server program: command line, configuration (file, environment, flags) and wiring of the backends. */
package dev.parley.app;
