package dev.parley.web;

import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** A browser test class: one real server on a fresh data directory and one headless Chromium for all its tests. */
abstract class BrowserTest {
    @TempDir
    static Path data;
    static WebServer server;
    static Chromium chromium;

    @BeforeAll
    static void start() throws InterruptedException {
        PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
        server = new WebServer(data);
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
