package dev.parley.cluster.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands published events to the Kafka producer on one thread of its own, because {@code KafkaProducer.send} can
 * block (waiting for metadata or buffer space) and {@code publish} must not.
 *
 * <p>Events wait in a bounded queue; when it is full, {@link #offer} drops the event, counts it and warns. The
 * thread sends them in queue order (so one publisher's events of a key stay in order): an event the producer
 * refuses before taking it (no metadata yet, buffer full) is tried again after {@value #RETRY_PAUSE_MILLIS} ms, and
 * the events behind it wait, until the retry window ({@code deliveryTimeout}) has passed since it was published.
 * Once taken, the producer retries it itself within the same window; a failure reported after that counts as lost.
 */
final class EventSender {
    private static final Logger log = LoggerFactory.getLogger(EventSender.class);
    private static final int RETRY_PAUSE_MILLIS = 100;
    private static final int BATCH = 1_024;

    private final Producer<Long, byte[]> producer;
    private final String topic;
    private final long deliveryTimeoutNanos;
    private final BlockingQueue<Pending> queue;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final LogThrottle dropWarnings = new LogThrottle(Duration.ofSeconds(10));
    private final LogThrottle lossWarnings = new LogThrottle(Duration.ofSeconds(10));
    /** Set by the producer's callback when it refused an event on this thread, i.e. before taking it. */
    private Exception refused;
    private volatile boolean stopping;
    private volatile boolean abandoned;

    private record Pending(long key, byte[] event, long publishedNanos) {
    }

    EventSender(Producer<Long, byte[]> producer, String topic, Duration deliveryTimeout, int capacity,
                String threadName) {
        this.producer = producer;
        this.topic = topic;
        this.deliveryTimeoutNanos = deliveryTimeout.toNanos();
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues an event; never blocks. Returns {@code false} when it was dropped (queue full or sender stopped). */
    boolean offer(long key, byte[] event) {
        if (!stopping && queue.offer(new Pending(key, event, System.nanoTime()))) {
            return true;
        }
        long n = dropped.incrementAndGet();
        if (dropWarnings.due()) {
            log.warn("cluster bus: {} events dropped so far: {} events wait to be sent to Kafka (capacity {}), the "
                + "brokers are unreachable or slower than the publishers", n, queue.size(),
                queue.size() + queue.remainingCapacity());
        }
        return false;
    }

    long dropped() {
        return dropped.get();
    }

    long lost() {
        return lost.get();
    }

    int queued() {
        return queue.size();
    }

    private void run() {
        ArrayDeque<Pending> batch = new ArrayDeque<>(BATCH);
        try {
            while (!abandoned) {
                if (queue.drainTo(batch, BATCH) == 0) {
                    if (stopping) {
                        return;
                    }
                    Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
                for (Pending p = batch.peek(); p != null; p = batch.peek()) {
                    send(p);
                    batch.poll();
                }
            }
        } catch (InterruptedException | InterruptException e) {
            // close() gave up waiting: what is left is counted below
        } finally {
            int left = batch.size() + queue.size();
            if (left > 0) {
                lost.addAndGet(left);
                log.warn("cluster bus: {} events were not sent to Kafka before the bus closed", left);
            }
        }
    }

    /** Hands one event to the producer, trying again while it refuses within the retry window. */
    private void send(Pending p) throws InterruptedException {
        ProducerRecord<Long, byte[]> record = new ProducerRecord<>(topic, p.key(), p.event());
        while (true) {
            refused = null;
            try {
                producer.send(record, this::completed);
            } catch (InterruptException e) {
                throw e;
            } catch (KafkaException | IllegalStateException e) {
                // the producer is closed or broken: nothing will take this event
                lostOne(e);
                return;
            }
            Exception e = refused;
            if (e == null) {
                return; // taken: the producer retries it from here on
            }
            boolean retriable = e instanceof RetriableException;
            if (!retriable || abandoned || System.nanoTime() - p.publishedNanos() > deliveryTimeoutNanos) {
                lostOne(e);
                return;
            }
            Thread.sleep(RETRY_PAUSE_MILLIS);
        }
    }

    /** The producer's callback: on this thread for an event it refused at once, on its own for the others. */
    private void completed(RecordMetadata metadata, Exception e) {
        if (e == null) {
            return;
        }
        if (Thread.currentThread() == thread) {
            refused = e;
            return;
        }
        lostOne(e);
    }

    private void lostOne(Exception e) {
        long n = lost.incrementAndGet();
        if (lossWarnings.due()) {
            log.warn("cluster bus: {} events lost so far: Kafka did not take them within the retry window ({})", n,
                e.toString());
        }
    }

    /**
     * Sends what is queued, waiting at most until {@code deadlineNanos}; then drops the rest. Publishing is refused
     * from now on.
     */
    void stop(long deadlineNanos) {
        stopping = true;
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            if (thread.isAlive()) {
                abandoned = true;
                thread.interrupt();
                thread.join(1_000);
            }
        } catch (InterruptedException e) {
            abandoned = true;
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
