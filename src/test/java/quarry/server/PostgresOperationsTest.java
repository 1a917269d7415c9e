package quarry.server;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import quarry.project.Workspace;
import quarry.store.postgres.PostgresServer;

/** Health probes and request logs with the workspace's data in PostgreSQL: a closed store is not ready. */
@Tag("integration")
class PostgresOperationsTest extends OperationsTest {

    @Override
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false, PostgresServer.databaseFor(ws));
    }
}
