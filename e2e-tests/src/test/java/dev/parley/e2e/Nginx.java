package dev.parley.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's nginx on a free loopback port, with the site configuration shipped in {@code docs/nginx/parley.conf}
 * (its upstream servers and listen address replaced): what an operator would run, tested.
 */
final class Nginx implements AutoCloseable {
    static final String BINARY = "/usr/sbin/nginx";
    private static final Path SITE = Path.of("..", "docs", "nginx", "parley.conf");

    private final Process process;
    private final int port;
    private final Path dir;

    private Nginx(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static Nginx start(Path dir, List<Integer> nodePorts) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String site = Files.readString(SITE);
        String servers = nodePorts.stream()
            .map(p -> "    server 127.0.0.1:" + p + " max_fails=1 fail_timeout=5s;")
            .collect(Collectors.joining("\n"));
        String replaced = site.replaceAll("(?m)^ *server 10\\.0\\.0\\.\\d+:8080 .*\\n", "")
            .replace("    keepalive 64;", servers + "\n    keepalive 64;")
            .replace("listen 80;", "listen 127.0.0.1:" + port + ";");
        if (replaced.contains("10.0.0.") || !replaced.contains("127.0.0.1:" + port)) {
            throw new IllegalStateException("docs/nginx/parley.conf changed shape; update this test's replacements");
        }
        Files.writeString(dir.resolve("parley.conf"), replaced);
        boolean root = "root".equals(System.getProperty("user.name"));
        String main = (root ? "user root;\n" : "") + """
            daemon off;
            worker_processes 1;
            pid %1$s/nginx.pid;
            error_log %1$s/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path %1$s/body;
                proxy_temp_path %1$s/proxy;
                fastcgi_temp_path %1$s/fastcgi;
                uwsgi_temp_path %1$s/uwsgi;
                scgi_temp_path %1$s/scgi;
                include %1$s/parley.conf;
            }
            """.formatted(dir.toAbsolutePath());
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, main);
        Process p = new ProcessBuilder(BINARY, "-c", conf.toAbsolutePath().toString(), "-p", dir.toAbsolutePath()
            .toString()).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Nginx nginx = new Nginx(p, port, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return nginx;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    nginx.close();
                    throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve(
                        "stdout.log")) + readOrEmpty(dir.resolve("error.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    private static String readOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: fast shutdown
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return "nginx on " + uri() + " (" + dir + ")";
    }
}
