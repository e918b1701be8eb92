package dev.parley.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.FilePayload;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A file upload whose connection drops halfway: the progress bar shows, the client asks the server how far it got
 * (tus HEAD) and sends only the rest (PATCH from that offset), and the file arrives whole at the other side. Also
 * the composer's length limit.
 */
class FileUploadTest extends BrowserTest {
    @Test
    void anInterruptedUploadResumesWhereItStopped() {
        String alice = ChatFlowTest.name("alice");
        String bob = ChatFlowTest.name("bob");
        byte[] content = new byte[600_000];
        new Random(7).nextBytes(content);
        try (BrowserContext a = chromium.newContext(server.url()); BrowserContext b = chromium.newContext(server.url())) {
            ChatPage ann = new ChatPage(a.newPage()).open().register(alice, "Alice");
            ChatPage ben = new ChatPage(b.newPage()).open().register(bob, "Bob");
            ann.startChat(bob);
            ann.send("Here comes the file");

            List<String> requests = new CopyOnWriteArrayList<>();
            AtomicReference<Route> held = new AtomicReference<>();
            ann.page.route("**/v1/media/*/upload?*", route -> {
                String offset = route.request().headerValue("upload-offset");
                requests.add(route.request().method() + (offset == null ? "" : " " + offset));
                if (route.request().method().equals("PUT") && held.get() == null) {
                    held.set(route); // the first PUT waits, then loses its second half: a dropped connection
                } else {
                    route.resume();
                }
            });
            ann.page.locator("#file-input").setInputFiles(new FilePayload("data.bin", "application/octet-stream",
                content));
            ann.page.waitForCondition(() -> held.get() != null);
            Locator uploading = ann.page.locator(".msg.out .file.uploading");
            assertThat(uploading.locator("progress.upload-progress")).isVisible();
            assertThat(uploading).containsText("Uploading");
            assertThat(uploading.locator(".file-name")).hasText("data.bin");
            held.get().resume(new Route.ResumeOptions().setPostData(Arrays.copyOf(content, content.length / 2)));

            Locator received = ben.page.locator(".msg.in .file");
            ben.openConversation("Alice");
            assertThat(received).hasCount(1);
            assertThat(received.locator(".file-size")).hasText("585.9 KB");
            assertThat(ann.page.locator(".msg.out .file.uploading")).hasCount(0);
            assertThat(requests).containsExactly("PUT", "HEAD", "PATCH " + content.length / 2);

            // the 100,000-character limit shows before sending
            ann.page.locator("#composer").fill("x".repeat(100_001));
            assertThat(ann.page.locator("#counter")).hasText("100,001 / 100,000");
            assertThat(ann.page.locator("#send")).isDisabled();
            ann.page.locator("#composer").fill("😀".repeat(100_000)); // code points, not UTF-16 units
            assertThat(ann.page.locator("#counter")).hasText("100,000 / 100,000");
            assertThat(ann.page.locator("#send")).isEnabled();
            assertThat(ann.errors).isEmpty();
        }
    }
}
