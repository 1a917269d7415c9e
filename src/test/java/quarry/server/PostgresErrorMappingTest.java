package quarry.server;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import quarry.project.Workspace;
import quarry.store.postgres.PostgresServer;

/** Error statuses with the workspace's data in PostgreSQL: a closed store is still a 500 with an id. */
@Tag("integration")
class PostgresErrorMappingTest extends ErrorMappingTest {

    @Override
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false, PostgresServer.databaseFor(ws));
    }
}
