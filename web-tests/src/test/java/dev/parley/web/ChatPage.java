package dev.parley.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** One user's tab of the web client, driven the way a person would: by labels, roles and visible text. */
final class ChatPage {
    static final String PASSWORD = "correct horse battery";

    final Page page;
    /** Every dialog (alert, confirm) the page opened: user content must never run, so this stays empty. */
    final List<String> dialogs = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    /** Every page made in this JVM, for screenshots when a test fails. */
    static final List<ChatPage> ALL = new java.util.concurrent.CopyOnWriteArrayList<>();

    ChatPage(Page page) {
        this.page = page;
        ALL.add(this);
        page.onDialog(d -> {
            dialogs.add(d.type() + ": " + d.message());
            d.dismiss();
        });
        page.onPageError(errors::add);
    }

    ChatPage open() {
        page.navigate("/");
        return this;
    }

    ChatPage register(String username, String displayName) {
        page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("Create account")).click();
        page.getByLabel("Username").fill(username);
        page.getByLabel("Password").fill(PASSWORD);
        page.getByLabel("Your name").fill(displayName);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create account")).click();
        assertThat(page.locator(".sidebar")).isVisible();
        return this;
    }

    ChatPage login(String username) {
        page.getByLabel("Username").fill(username);
        page.getByLabel("Password").fill(PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in").setExact(true)).click();
        assertThat(page.locator(".conv-list")).isVisible();
        return this;
    }

    void startChat(String username) {
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("New chat")).click();
        page.getByLabel("Username of the person to chat with").fill(username);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start chat")).click();
        assertThat(page.locator("#composer")).isVisible();
    }

    /** The conversation's entry in the list. */
    Locator conversation(String title) {
        return page.locator(".conv", new Page.LocatorOptions().setHas(page.locator(".conv-title",
            new Page.LocatorOptions().setHasText(title))));
    }

    void openConversation(String title) {
        conversation(title).click();
        assertThat(page.locator("#chat-title")).hasText(title);
    }

    void send(String text) {
        Locator composer = page.locator("#composer");
        composer.fill(text);
        composer.press("Enter");
        assertThat(composer).hasValue("");
    }

    /** Message bubbles of the open conversation whose text is exactly this (whitespace runs compare equal). */
    Locator message(String text) {
        StringBuilder regex = new StringBuilder("^\\s*");
        for (String word : text.trim().split("\\s+")) {
            // escaped by hand: Playwright hands the pattern to JavaScript, which knows no Q/E quoting
            regex.append(word.replaceAll("[\\\\^$.|?*+()\\[\\]{}/-]", "\\\\$0")).append("\\s*");
        }
        return page.locator(".msg", new Page.LocatorOptions().setHas(page.locator(".text",
            new Page.LocatorOptions().setHasText(java.util.regex.Pattern.compile(regex.append('$').toString())))));
    }

    Locator bubbles() {
        return page.locator(".msg");
    }

    /** Saves a screenshot as target/screenshots/NAME.png and, with -Dparley.screenshots=DIR, as DIR/NAME.png. */
    void screenshot(String name) {
        page.waitForTimeout(300); // let fonts and images settle
        byte[] png = page.screenshot();
        try {
            save(Paths.get("target", "screenshots"), name, png);
            String dir = System.getProperty("parley.screenshots", "");
            if (!dir.isBlank() && !dir.startsWith("${")) {
                save(Paths.get(dir), name, png);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Screenshots of every open page into target/failures, to see what a failed test saw. */
    static void saveFailures(String test) {
        int i = 0;
        for (ChatPage p : ALL) {
            i++;
            try {
                if (!p.page.isClosed()) {
                    save(Paths.get("target", "failures"), test + "-" + i, p.page.screenshot());
                }
            } catch (RuntimeException | IOException e) {
                // the page's browser is gone
            }
        }
        ALL.clear();
    }

    private static void save(Path dir, String name, byte[] png) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), png);
    }
}
