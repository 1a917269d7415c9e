package quarry.server;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import quarry.project.Workspace;
import quarry.store.postgres.PostgresServer;

/** Eight annotators at once with the workspace's data in PostgreSQL: every label stored once, no item shared. */
@Tag("integration")
@Tag("data")
class PostgresConcurrencyServerTest extends ConcurrencyTest {

    @Override
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false, PostgresServer.databaseFor(ws));
    }
}
