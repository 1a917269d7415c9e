package quarry.server;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import quarry.project.Workspace;
import quarry.store.postgres.PostgresServer;

/** Cost accounting over HTTP with the workspace's data in PostgreSQL. */
@Tag("integration")
class PostgresCostApiTest extends CostApiTest {

    @Override
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false, PostgresServer.databaseFor(ws));
    }
}
