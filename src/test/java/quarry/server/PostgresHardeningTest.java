package quarry.server;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import quarry.project.Workspace;
import quarry.store.postgres.PostgresServer;

/** The hardening checks (strict input, all-or-nothing imports, leftovers) with the workspace's data in PostgreSQL. */
@Tag("integration")
class PostgresHardeningTest extends HardeningTest {

    @Override
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false, PostgresServer.databaseFor(ws));
    }
}
