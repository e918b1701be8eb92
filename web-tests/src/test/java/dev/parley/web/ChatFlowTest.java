package dev.parley.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FilePayload;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The scenario in real Chromium against a real server: two users in two browsers register and chat 1:1
 * and watch their ticks turn blue; a third joins a group; an image is shared and opened; a message that looks like
 * HTML shows as text; the server restarts mid-conversation (with a message written while it is down) and nothing is
 * lost or doubled; two tabs of one browser stay in step; the phone layout. Screenshots of the main screens are saved
 * on the way (see {@link ChatPage#screenshot}).
 */
class ChatFlowTest extends BrowserTest {
    private static final AtomicInteger N = new AtomicInteger();

    static String name(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + N.incrementAndGet();
    }

    @Test
    void twoPeopleChatAGroupFormsAnImageIsSharedAndARestartLosesNothing() throws Exception {
        try {
            scenario();
        } catch (Throwable t) {
            ChatPage.saveFailures("scenario");
            throw t;
        } finally {
            contexts.forEach(BrowserContext::close);
        }
    }

    private final java.util.List<BrowserContext> contexts = new java.util.ArrayList<>();

    /** A new browser profile (one person's browser), closed at the end of the test. */
    private BrowserContext context(int width, int height) {
        BrowserContext ctx = chromium.newContext(server.url(), width, height);
        contexts.add(ctx);
        return ctx;
    }

    private void scenario() throws Exception {
        String alice = name("alice");
        String bob = name("bob");
        String carol = name("carol");
        BrowserContext a = context(1280, 800);
        BrowserContext b = context(1280, 800);
        BrowserContext c = context(1280, 800);
        ChatPage ann = new ChatPage(a.newPage()).open();
        ann.screenshot("login");
        ann.register(alice, "Alice Martin");
        ChatPage ben = new ChatPage(b.newPage()).open().register(bob, "Bob Okafor");

        // 1:1: clock, then one tick, then blue when Bob reads
        ann.startChat(bob);
        ann.send("Hi Bob! 👋\nAre we still on for lunch?");
        Locator first = ann.message("Hi Bob! 👋\nAre we still on for lunch?");
        assertThat(first).hasCount(1);
        assertThat(first).hasAttribute("data-tick", java.util.regex.Pattern.compile("sent|delivered"));
        assertThat(ben.conversation("Alice Martin").locator(".badge")).hasText("1");
        assertThat(ben.page).hasTitle("(1) Parley");
        ben.openConversation("Alice Martin");
        assertThat(ben.message("Hi Bob! 👋\nAre we still on for lunch?")).hasCount(1);
        assertThat(first).hasAttribute("data-tick", "read");
        assertThat(ben.page).hasTitle("Parley");

        // user content is text, never markup
        String html = "<img src=x onerror=alert(1)>";
        ben.send(html);
        assertThat(ann.message(html)).hasCount(1);
        assertThat(ann.page.locator(".msg img")).hasCount(0);
        assertThat(ann.conversation("Bob Okafor").locator(".conv-preview")).hasText(html);
        assertThat(ann.message(html)).hasClass(java.util.regex.Pattern.compile("\\bin\\b"));
        assertThat(ben.message(html)).hasAttribute("data-tick", "read");

        // a group; a third person joins it
        ChatPage cat = new ChatPage(c.newPage()).open().register(carol, "Carol Diaz");
        ann.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("New group")).click();
        ann.page.getByLabel("Group name").fill("Climbing");
        ann.page.getByLabel("Members (usernames").fill(bob);
        ann.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create group")).click();
        assertThat(ann.page.locator("#chat-title")).hasText("Climbing");
        ann.page.locator("#chat-info").click();
        ann.page.getByLabel("Add members (usernames)").fill(carol);
        ann.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add").setExact(true)).click();
        Locator members = ann.page.locator("#group-info-dialog .member");
        assertThat(members).hasCount(3);
        assertThat(members.filter(new Locator.FilterOptions().setHasText("Carol Diaz"))).hasCount(1);
        ann.screenshot("group-info");
        ann.page.keyboard().press("Escape");

        cat.openConversation("Climbing");
        cat.send("Hello everyone, thanks for adding me!");
        ben.openConversation("Climbing");
        Locator fromCarol = ben.message("Hello everyone, thanks for adding me!");
        assertThat(fromCarol.locator(".sender")).hasText("Carol Diaz");
        assertThat(ann.message("Hello everyone, thanks for adding me!").locator(".sender")).hasText("Carol Diaz");

        ann.send("Saturday at 9, usual place?");
        Locator groupMsg = ann.message("Saturday at 9, usual place?");
        assertThat(groupMsg).hasAttribute("data-tick", "read"); // Carol has it open too: hers came back
        groupMsg.hover();
        groupMsg.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Message info")).click();
        Locator info = ann.page.locator("#message-info-dialog");
        assertThat(info.locator(".read-h")).hasText("Read by (2)");
        assertThat(info.locator(".receipts li")).containsText(new String[] {"Bob Okafor", "Carol Diaz"});
        ann.screenshot("message-info");
        ann.page.keyboard().press("Escape");

        // managing the group: Bob becomes admin, the group is renamed, Carol leaves
        ann.page.locator("#chat-info").click();
        Locator bobRow = ann.page.locator("#group-info-dialog .member").filter(
            new Locator.FilterOptions().setHasText("Bob Okafor"));
        bobRow.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Make admin")).click();
        assertThat(bobRow.locator(".role")).hasText("Admin");
        ann.page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("Climbing club");
        ann.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save")).click();
        ann.page.keyboard().press("Escape");
        assertThat(ben.page.locator("#chat-title")).hasText("Climbing club");
        cat.page.locator("#chat-info").click();
        cat.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Leave group")).click();
        assertThat(cat.page.locator(".composer")).isHidden();
        assertThat(ben.page.locator("#chat-sub")).hasText("Alice Martin, You");
        assertThat(ben.page.locator(".system").last()).hasText(java.util.regex.Pattern.compile("Carol Diaz left"));

        // an image: thumbnail in the chat, full view on click
        ann.openConversation("Bob Okafor");
        ann.page.locator("#file-input").setInputFiles(new FilePayload("sunset.png", "image/png", png(640, 400)));
        Locator sent = ann.page.locator(".msg.out img.thumb");
        assertThat(sent).hasCount(1);
        ben.openConversation("Alice Martin");
        Locator thumb = ben.page.locator(".msg.in img.thumb");
        assertThat(thumb).hasCount(1);
        assertThat(thumb).hasAttribute("src", java.util.regex.Pattern.compile("/v1/media/\\d+/thumbnail\\?"));
        ben.page.waitForFunction("() => { const i = document.querySelector('.msg.in img.thumb');"
            + " return i && i.complete && i.naturalWidth > 0; }");
        thumb.click();
        Locator full = ben.page.locator("#image-viewer img.full-image");
        assertThat(full).hasAttribute("src", java.util.regex.Pattern.compile("/v1/media/\\d+/content\\?"));
        ben.page.waitForFunction("() => { const i = document.querySelector('#image-viewer img');"
            + " return i && i.complete && i.naturalWidth === 640; }");
        ben.page.keyboard().press("Escape");
        assertThat(ann.page.locator(".msg.out").last()).hasAttribute("data-tick", "read");
        ann.screenshot("chat");

        // the server restarts mid-conversation; Alice writes while it is down
        ben.send("Before the restart");
        assertThat(ann.message("Before the restart")).hasCount(1);
        server.stop();
        assertThat(ann.page.locator(".banner")).containsText("Offline");
        ann.send("Written while the server was down");
        Locator offline = ann.message("Written while the server was down");
        assertThat(offline).hasAttribute("data-tick", "pending");
        server.restart();
        assertThat(offline).hasAttribute("data-tick", "read");
        ben.send("After the restart");
        assertThat(ann.message("After the restart")).hasCount(1);
        for (ChatPage p : new ChatPage[] {ann, ben}) {
            assertThat(p.message("Written while the server was down")).hasCount(1);
            assertThat(p.message("Before the restart")).hasCount(1);
            assertThat(p.message("After the restart")).hasCount(1);
            assertThat(p.message(html)).hasCount(1);
            assertThat(p.bubbles()).hasCount(6);
        }
        // a reload reads it all back from the server: the same, once each
        ann.page.reload();
        ann.openConversation("Bob Okafor");
        assertThat(ann.bubbles()).hasCount(6);
        assertThat(ann.message("Written while the server was down")).hasCount(1);

        // a second tab of Alice's browser stays in step with the first
        ChatPage tab2 = new ChatPage(a.newPage()).open();
        tab2.openConversation("Bob Okafor");
        tab2.send("Sent from the second tab");
        assertThat(ann.message("Sent from the second tab")).hasCount(1);
        assertThat(ben.message("Sent from the second tab")).hasCount(1);
        assertThat(tab2.message("Sent from the second tab")).hasAttribute("data-tick", "read");
        assertThat(ann.message("Sent from the second tab")).hasAttribute("data-tick", "read");

        // typing shows in the header; then Bob hides his presence and Alice no longer sees him online
        assertThat(ann.page.locator("#chat-sub")).hasText("online");
        ben.page.locator("#composer").pressSequentially("I am typ");
        assertThat(ann.page.locator("#chat-sub")).hasText("typing…");
        ben.page.locator("#composer").fill("");
        ben.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Settings and account")).click();
        ben.page.getByLabel("Nobody").check();
        assertThat(ben.page.locator("#settings-dialog .device")).hasCount(1);
        ben.screenshot("settings");
        ben.page.keyboard().press("Escape");
        assertThat(ann.page.locator("#chat-sub")).hasText(java.util.regex.Pattern.compile("^$"));

        for (ChatPage p : new ChatPage[] {ann, ben, cat, tab2}) {
            assertThat(p.dialogs).as("dialogs opened").isEmpty();
            assertThat(p.errors).as("script errors").isEmpty();
        }

        // the phone: one pane at a time
        BrowserContext phone = context(390, 844);
        ChatPage p = new ChatPage(phone.newPage()).open();
        p.login(bob);
        assertThat(p.page.locator(".chat")).isHidden();
        p.screenshot("phone-list");
        p.openConversation("Alice Martin");
        assertThat(p.page.locator(".sidebar")).isHidden();
        assertThat(p.message("After the restart")).hasCount(1);
        p.screenshot("phone-chat");
        p.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Back to conversations")).click();
        assertThat(p.page.locator(".sidebar")).isVisible();
        assertThat(p.errors).isEmpty();

        // Bob's desktop lists both his devices and revokes the phone, which goes back to the login screen
        ben.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Settings and account")).click();
        Locator devices = ben.page.locator("#settings-dialog .device");
        assertThat(devices).hasCount(2);
        devices.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(
            java.util.regex.Pattern.compile("^Revoke "))).click();
        assertThat(devices).hasCount(1);
        assertThat(p.page.locator(".notice")).hasText("This browser was logged out. Log in again.");
        assertThat(p.page.getByLabel("Username")).isVisible();
    }

    private static byte[] png(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(0xff8a3d), 0, h, new Color(0x5b2a86)));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(0xffd166));
        g.fillOval(w / 2 - 60, h / 2 - 20, 120, 120);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
