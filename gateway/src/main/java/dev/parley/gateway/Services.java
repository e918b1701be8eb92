package dev.parley.gateway;

import dev.parley.accounts.AccountService;
import dev.parley.cluster.DiscoveryService;
import dev.parley.groups.GroupService;
import dev.parley.messaging.MessagingService;
import dev.parley.presence.PresenceService;
import dev.parley.receipts.ReceiptService;
import dev.parley.sessions.LocalSessions;
import dev.parley.sync.SyncService;
import java.util.concurrent.ExecutorService;

/**
 * The features the gateway calls, and the executor for their blocking work.
 *
 * @param discovery answers {@code GET /v1/discovery}; {@code null} where there is none (that call then answers 404)
 */
public record Services(AccountService accounts, MessagingService messaging, GroupService groups, SyncService sync,
                       ReceiptService receipts, PresenceService presence, dev.parley.media.MediaService media,
                       dev.parley.push.PushService push, LocalSessions sessions,
                       ExecutorService blocking, io.micrometer.core.instrument.MeterRegistry metrics,
                       java.util.function.Supplier<String> scrape, DiscoveryService discovery) {

    /** Without discovery. */
    public Services(AccountService accounts, MessagingService messaging, GroupService groups, SyncService sync,
                    ReceiptService receipts, PresenceService presence, dev.parley.media.MediaService media,
                    dev.parley.push.PushService push, LocalSessions sessions,
                    ExecutorService blocking, io.micrometer.core.instrument.MeterRegistry metrics,
                    java.util.function.Supplier<String> scrape) {
        this(accounts, messaging, groups, sync, receipts, presence, media, push, sessions, blocking, metrics, scrape,
            null);
    }
}
