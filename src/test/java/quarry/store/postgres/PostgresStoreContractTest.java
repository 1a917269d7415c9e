package quarry.store.postgres;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import quarry.store.Database;
import quarry.store.Store;
import quarry.store.StoreContract;

/** The store contract against a real PostgreSQL server, one database per test. */
@Tag("integration")
class PostgresStoreContractTest extends StoreContract {

    @Override
    protected Store open(Path dir) {
        return new Store(Database.postgres(PostgresServer.databaseFor(dir)));
    }
}
