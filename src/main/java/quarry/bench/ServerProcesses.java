package quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code serve} processes for {@code bench server --servers N}: each a JVM of its own, with a
 * workspace folder of its own, on one database (the PostgreSQL database given, or with one server
 * its SQLite workspace), sharing one fresh QUARRY_HOME (so the embedding cache is shared too: the
 * first server writes it, the others read it). A server can be killed with SIGKILL, as a crash or
 * an OOM kill would end it. Their output goes to {@code server<i>.log} in the run's folder.
 */
final class ServerProcesses implements AutoCloseable {

    private static final Pattern RUNNING = Pattern.compile("Quarry is running at (http://\\S+?)/?(\\s|$)");
    private static final Pattern ADMIN = Pattern.compile("Admin token \\(shown once, keep it\\): (\\S+)");
    private static final long START_MILLIS = 180_000;

    private final List<Process> processes = new ArrayList<>();
    private final List<URI> urls = new ArrayList<>();
    private final Path dir;
    private String adminToken;

    /** Starts {@code n} servers one after another (the first creates the schema and the admin token). */
    ServerProcesses(Path dir, int n, String database) throws IOException, InterruptedException {
        this(dir, n, database, List.of());
    }

    /** As {@link #ServerProcesses(Path, int, String)}, each JVM started with {@code jvmOptions} (e.g. -Xmx4g). */
    ServerProcesses(Path dir, int n, String database, List<String> jvmOptions) throws IOException,
            InterruptedException {
        this.dir = dir;
        try {
            for (int i = 0; i < n; i++) {
                start(i, database, jvmOptions);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void start(int i, String database, List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            command.addAll(List.of("--add-modules", "jdk.incubator.vector")); // as ./quarry starts it
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "quarry.Main", "serve", "--port", "0",
                "--no-demo", "--data-dir", dir.resolve("ws" + i).toString()));
        if (database != null) {
            command.addAll(List.of("--db", database));
        }
        Path log = dir.resolve("server" + i + ".log");
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().put("QUARRY_HOME", dir.resolve("home").toString());
        // DJL's native libraries where this process keeps them: not extracted again for every run.
        b.environment().putIfAbsent("DJL_CACHE_DIR", quarry.core.Home.dir().resolve("djl").toString());
        b.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        Process p = b.start();
        processes.add(p);
        long deadline = System.currentTimeMillis() + START_MILLIS;
        while (true) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher admin = ADMIN.matcher(out);
            if (admin.find() && adminToken == null) {
                adminToken = admin.group(1);
            }
            Matcher running = RUNNING.matcher(out);
            if (running.find()) {
                urls.add(URI.create(running.group(1)));
                return;
            }
            if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("server " + i + " did not start; its output:\n" + out);
            }
            Thread.sleep(100);
        }
    }

    /** The operating system's process id of server {@code i}. */
    long pid(int i) {
        return processes.get(i).pid();
    }

    List<URI> urls() {
        return List.copyOf(urls);
    }

    /** The admin token the first server printed. */
    String adminToken() {
        return adminToken;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    void kill(int i) throws InterruptedException {
        processes.get(i).destroyForcibly().waitFor();
    }

    /**
     * What the database holds against what the annotators were told: acknowledged labels missing
     * from the log (lost), documents with more than one label standing (duplicated), and labels
     * stored that no reply acknowledged.
     */
    record Audit(int stored, int lost, int duplicated, int unacknowledged) {
    }

    /** Reads the whole annotation log through {@code server} and checks it against {@code acknowledged}. */
    static Audit audit(RestClient server, String token, String projectPath, List<Long> acknowledged)
            throws IOException, InterruptedException {
        Map<Long, Integer> rowOf = new HashMap<>();
        Map<Integer, Integer> standing = new HashMap<>();
        long after = 0;
        while (true) {
            JsonNode items = server.expect(token, "GET", projectPath + "/annotations?limit=1000&after=" + after, null)
                    .json().get("items");
            if (items.isEmpty()) {
                break;
            }
            for (JsonNode a : items) {
                after = a.get("id").asLong();
                rowOf.put(after, a.get("row").asInt());
                if (!a.get("undone").asBoolean() && !a.get("skipped").asBoolean()) {
                    standing.merge(a.get("row").asInt(), 1, Integer::sum);
                }
            }
        }
        Set<Long> acked = new HashSet<>(acknowledged);
        int lost = (int) acked.stream().filter(id -> !rowOf.containsKey(id)).count();
        int duplicated = (int) standing.values().stream().filter(n -> n > 1).count();
        int unacknowledged = (int) rowOf.keySet().stream().filter(id -> !acked.contains(id)).count();
        return new Audit(rowOf.size(), lost, duplicated, unacknowledged);
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy(); // SIGTERM: the server's shutdown hook closes it
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d servers at %s", processes.size(), urls);
    }
}
