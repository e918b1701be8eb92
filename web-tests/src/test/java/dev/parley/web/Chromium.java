package dev.parley.web;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless Chromium ({@code /usr/bin/chromium}, installed by {@code .ci/run} when missing) driven by
 * Playwright; Playwright's own browser download cannot work here and is switched off.
 */
final class Chromium implements AutoCloseable {
    static final Path EXECUTABLE = Paths.get(System.getProperty("parley.chromium", "/usr/bin/chromium"));

    private final Playwright playwright;
    private final Browser browser;

    Chromium() {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException(EXECUTABLE + ": no Chromium (apt-get install chromium)");
        }
        playwright = Playwright.create(new Playwright.CreateOptions()
            .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
            .setExecutablePath(EXECUTABLE)
            .setHeadless(true)
            // as root (CI) Chromium refuses to start with its sandbox
            .setArgs(List.of("--no-sandbox", "--disable-dev-shm-usage")));
    }

    /** A fresh profile (own storage, own cookies): one user's browser. Desktop size unless given. */
    BrowserContext newContext(String baseUrl, int width, int height) {
        return browser.newContext(new Browser.NewContextOptions()
            .setBaseURL(baseUrl)
            .setViewportSize(width, height)
            .setLocale("en-GB")
            .setTimezoneId("Europe/Berlin"));
    }

    BrowserContext newContext(String baseUrl) {
        return newContext(baseUrl, 1280, 800);
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
