package quarry.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.QuarryException;
import quarry.encode.Encoders;
import quarry.server.Server;
import quarry.project.Workspace;

/** The main job: the workbench server over a workspace folder. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the workbench: the labeling page at /, the REST API under /api/, OpenAPI at"
                + " /openapi.json. The first start creates a workspace with a demo project and prints an admin token.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "N", defaultValue = "7070", description = "port (0: any free port)")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "workspace folder: database, models, indexes (default: data/workspace); one server per"
                    + " folder, also when several servers share one --db")
    Path dataDir;

    @Option(names = "--db", paramLabel = "URL",
            description = "a PostgreSQL database to keep projects, documents and labels in:"
                    + " postgresql://user:password@host:port/dbname or jdbc:postgresql://host:port/dbname?user=NAME"
                    + " (the password may come from PGPASSWORD instead). Default: SQLite in the workspace folder,"
                    + " which holds models and indexes either way")
    String db;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for every"
                    + " interface, behind a TLS proxy)")
    String host;

    @Option(names = "--metrics-token-file", paramLabel = "FILE",
            description = "a file holding a secret (16+ characters) that Prometheus sends as a bearer token to scrape"
                    + " /metrics; without it, /metrics takes admin tokens only")
    Path metricsTokenFile;

    @Option(names = "--no-demo", description = "do not create the demo project in a new workspace")
    boolean noDemo;

    @Option(names = "--max-upload-mb", paramLabel = "N", defaultValue = "2048",
            description = "largest import or batch-prediction upload")
    long maxUploadMb;

    @Override
    public Integer call() throws InterruptedException {
        Path dir = dataDir != null ? dataDir : Encoders.modelsDir().resolveSibling("data").resolve("workspace");
        String metricsToken = metricsTokenFile == null ? null : readMetricsToken(metricsTokenFile);
        Workspace workspace = Workspace.open(dir, !noDemo, db);
        Server app;
        try {
            app = Server.start(workspace, host, port, maxUploadMb << 20, metricsToken);
        } catch (RuntimeException e) {
            workspace.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            workspace.close();
            stopped.countDown();
        }, "quarry-shutdown"));
        System.out.println("Quarry workspace: " + workspace.dir());
        System.out.println("Database: " + workspace.store().database());
        if (workspace.firstAdminToken() != null) {
            System.out.println("Admin token (shown once, keep it): " + workspace.firstAdminToken());
        }
        System.out.println("Quarry is running at " + address(host, app.port()));
        if (!isLoopback(host)) {
            System.err.println("warning: listening on " + host + ", which other machines can reach; requests and"
                    + " tokens travel as plain HTTP: put a TLS reverse proxy in front, or use --host 127.0.0.1");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The metrics scrape secret: read from a file, so it shows neither in the process list nor in the
     * shell's history; long enough that guessing it is hopeless.
     */
    static String readMetricsToken(Path file) {
        String token;
        try {
            token = java.nio.file.Files.readString(file).strip();
        } catch (java.io.IOException e) {
            throw new QuarryException("cannot read the metrics token file " + file + ": " + e.getMessage(), e);
        }
        if (token.length() < 16 || token.length() > 256 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new QuarryException("the metrics token in " + file + " must be 16 to 256 printable ASCII characters"
                    + " without spaces (e.g. openssl rand -hex 32 > " + file + ")");
        }
        return token;
    }

    /** The address to open: the bound host itself, or (bound to every interface) this machine's loopback name. */
    static String address(String host, int port) {
        boolean any = host.equals("0.0.0.0") || host.equals("::");
        String shown = any ? "localhost" : host;
        return "http://" + (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + port + "/"
                + (any ? " (listening on every interface: " + host + ")" : "");
    }

    static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
