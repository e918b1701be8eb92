package dev.parley.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A long conversation (written through the Java SDK) opens at its newest 50 and loads older pages on scroll-up. */
class HistoryPagingTest extends BrowserTest {
    @Test
    void olderMessagesLoadOnScrollUp() throws Exception {
        String alice = ChatFlowTest.name("alice");
        String bob = ChatFlowTest.name("bob");
        try (ParleyClient sdk = ParleyClient.create(URI.create(server.url()));
             BrowserContext a = chromium.newContext(server.url())) {
            ChatPage ann = new ChatPage(a.newPage()).open().register(alice, "Alice");
            sdk.register(bob, ChatPage.PASSWORD, "Bob");
            Credentials bobDevice = sdk.login(bob, ChatPage.PASSWORD, "sdk");
            String aliceId = sdk.findUser(bobDevice.token(), alice).userId();
            ParleyConnection conn = sdk.connect(bobDevice.token()).join();
            conn.awaitSynced(Duration.ofSeconds(15));
            CompletableFuture<?> last = null;
            for (int i = 1; i <= 120; i++) {
                last = conn.sendToUser(aliceId, "message number " + i);
                if (i == 1) {
                    last.join(); // the conversation exists before the rest
                }
            }
            last.join();

            ann.openConversation("Bob");
            Locator bubbles = ann.bubbles();
            assertThat(bubbles).hasCount(50);
            assertThat(bubbles.last()).containsText("message number 120");
            assertThat(ann.page.locator(".day")).hasCount(1);
            ann.page.locator(".messages").evaluate("el => el.scrollTop = 0");
            assertThat(bubbles).hasCount(100);
            assertThat(bubbles.first()).containsText("message number 21");
            ann.page.locator(".messages").evaluate("el => el.scrollTop = 0");
            assertThat(bubbles).hasCount(120);
            assertThat(bubbles.first()).containsText("message number 1");
            assertThat(ann.page.locator(".older.start")).hasText("This is the start of the conversation.");
            assertThat(ann.message("message number 60")).hasCount(1);
            conn.close();
        }
    }
}
