package dev.parley.testkit;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3 API for a test class: S3Proxy (its self-contained jar, which the build copies to
 * {@code target/s3proxy/s3proxy.jar} and names in the system property {@code s3proxy.jar}) in a child JVM, with the
 * jclouds {@code filesystem} backend under a temporary directory, on a free loopback port, with AWS V2/V4 signature
 * checks for one identity. Started before the class's tests, stopped and deleted after them. The child runs on the
 * JDK of the tests unless the system property {@code s3proxy.java.home} names another.
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {
    public static final String IDENTITY = "parley-test";
    public static final String CREDENTIAL = "parley-test-secret";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final int ATTEMPTS = 3;

    private Path dir;
    private Process process;
    private Thread reaper;
    private int port;

    /** Where the S3 API answers. */
    public URI endpoint() {
        if (process == null) {
            throw new IllegalStateException("S3Proxy is not running (register the extension on a static field)");
        }
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar: " + jar + " does not exist (expected: copied there by the "
                + "maven-dependency-plugin in process-test-resources; run the test through mvn)");
        }
        dir = Files.createTempDirectory("parley-s3proxy");
        Files.createDirectories(dir.resolve("data"));
        Path log = dir.resolve("s3proxy.log");
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            port = ServerFiles.freePort();
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("data"),
                ""));
            process = new ProcessBuilder(List.of(java(), "-Xmx256m", "-jar", jar.toString(),
                "--properties", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
            if (awaitReady()) {
                // if the test JVM dies before afterAll, do not leave the server behind
                Process started = process;
                reaper = new Thread(started::destroyForcibly, "s3proxy-reaper");
                Runtime.getRuntime().addShutdownHook(reaper);
                return;
            }
            stop(); // most likely the port was taken between our probe and its bind: try another
        }
        String tail = ServerFiles.tail(log);
        deleteDir();
        throw new IllegalStateException("S3Proxy did not start in " + ATTEMPTS + " attempts; its log ends with:\n"
            + tail);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (reaper != null) {
            Runtime.getRuntime().removeShutdownHook(reaper);
            reaper = null;
        }
        stop();
        deleteDir();
    }

    private boolean awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        URI probe = URI.create("http://127.0.0.1:" + port + "/");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                HttpURLConnection http = (HttpURLConnection) probe.toURL().openConnection();
                http.setConnectTimeout(500);
                http.setReadTimeout(2_000);
                int status = http.getResponseCode(); // any answer (403 to an anonymous request) means it serves S3
                http.disconnect();
                if (status > 0) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return false;
    }

    private void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private static String java() {
        String home = System.getProperty("s3proxy.java.home", System.getProperty("java.home"));
        return Path.of(home, "bin", "java").toString();
    }

    private void deleteDir() {
        if (dir == null) {
            return;
        }
        ServerFiles.deleteTree(dir);
        dir = null;
    }
}
