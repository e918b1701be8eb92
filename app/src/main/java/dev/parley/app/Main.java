package dev.parley.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code parley} command line. */
@Command(name = "parley", mixinStandardHelpOptions = true, version = "Parley 0.1.0",
    description = "A self-hostable messaging server.",
    subcommands = {Main.Serve.class, Main.PrintConfig.class})
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        String[] effective = args.length == 0 ? new String[] {"serve"} : args;
        System.exit(new CommandLine(new Main()).execute(effective));
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** {@code parley serve}: runs the server until SIGTERM or SIGINT. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the server (the default command). Data goes to --data-dir (default ./data).")
    static final class Serve implements Callable<Integer> {
        private static final Logger log = LoggerFactory.getLogger("parley");

        @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file (default: ./parley.yaml if it exists).")
        Path configFile;

        @Option(names = "--port", paramLabel = "N", description = "TCP port (server.port; env PARLEY_PORT).")
        Integer port;

        @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (server.host; env PARLEY_HOST).")
        String host;

        @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory for embedded data (dataDir; env PARLEY_DATA_DIR).")
        Path dataDir;

        @Option(names = "--node-id", paramLabel = "N", description = "Node id, 0..1023 (server.nodeId).")
        Integer nodeId;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any configuration key, e.g. --set sync.cursorFlushMillis=100.")
        Map<String, String> sets = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            Map<String, String> flags = new LinkedHashMap<>(sets);
            if (port != null) {
                flags.put("server.port", port.toString());
            }
            if (host != null) {
                flags.put("server.host", host);
            }
            if (dataDir != null) {
                flags.put("dataDir", dataDir.toString());
            }
            if (nodeId != null) {
                flags.put("server.nodeId", nodeId.toString());
            }
            Path file = configFile;
            if (file == null && Files.isRegularFile(Path.of("parley.yaml"))) {
                file = Path.of("parley.yaml");
            }
            if (file != null && !Files.isRegularFile(file)) {
                System.err.println("parley: --config " + file + ": no such file");
                return 2;
            }
            ParleyConfig config;
            try {
                config = ParleyConfig.load(file, System.getenv(), flags);
            } catch (ConfigException e) {
                System.err.println("parley: bad configuration: " + e.getMessage());
                return 2;
            }
            ParleyServer server;
            try {
                server = ParleyServer.start(config);
            } catch (ConfigException | IllegalArgumentException e) {
                System.err.println("parley: bad configuration: " + e.getMessage());
                return 2;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("stopping");
                server.close();
                log.info("stopped");
                stopped.countDown();
            }, "parley-shutdown"));
            String shownHost = config.string("server.host").equals("0.0.0.0") ? "localhost"
                : config.string("server.host");
            log.info("ready on http://{}:{} (data in {})", shownHost, server.port(), config.dataDir());
            stopped.await();
            return 0;
        }
    }

    /** {@code parley config}: prints the sample configuration with every key and its default. */
    @Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print the documented configuration file with every key and its default.")
    static final class PrintConfig implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.print(ParleyConfig.sampleYaml());
            return 0;
        }
    }
}
